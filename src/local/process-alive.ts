/** Whether a process is still running. */
import { readFileSync } from 'node:fs';
import type { DataOwner } from '../state/data-lock.js';
import { holdsPort } from './port-owner.js';

/** True while the process exists and has not exited; an exited process not yet reaped (a zombie) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * True while a data directory's owner may still hold it: its process runs and, once it recorded a port,
 * still listens there (a pid that was reused by another program does not). When the system cannot tell who
 * holds the port, a running pid counts as live, so data is never taken from a stack that might hold it.
 */
export async function isOwnerLive(owner: DataOwner): Promise<boolean> {
  if (!isProcessAlive(owner.pid)) return false;
  if (owner.port === undefined) return true;
  return (await holdsPort(owner.pid, owner.port)) !== false;
}

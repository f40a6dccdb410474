/** Whether the owner of a data directory still holds it. */
import { isProcessAlive } from '../state/process-alive.js';
import type { DataOwner } from '../state/data-lock.js';
import { holdsPort } from './port-owner.js';

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

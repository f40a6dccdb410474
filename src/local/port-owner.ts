/**
 * Whether a process is the one listening on a TCP port, so that a pid is never signalled on the word of
 * whatever answers on the port. Linux: the listening socket's inode from /proc/net/tcp and tcp6, looked for
 * among /proc/<pid>/fd; where /proc is not readable, `ss -ltnp`; elsewhere (macOS, BSD) `lsof`.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';

/** The inodes of sockets listening on `port` (any address), from /proc/net/tcp*; undefined without /proc. */
async function listeningInodes(port: number): Promise<Set<string> | undefined> {
  const inodes = new Set<string>();
  let readAny = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    readAny = true;
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (localPort === port && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
    }
  }
  return readAny ? inodes : undefined;
}

async function holdsOneOf(pid: number, inodes: Set<string>): Promise<boolean | undefined> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
  }
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.has(inode)) return true;
  }
  return false;
}

function run(command: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 5_000 }, (error, stdout) => {
      // lsof exits 1 when nothing matches: that is an answer, not a failure.
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') resolve(undefined);
      else resolve(typeof stdout === 'string' ? stdout : undefined);
    });
  });
}

/** The pids listening on `port` as `ss` or `lsof` report them; undefined when neither tool is there. */
async function listeningPidsByTool(port: number): Promise<Set<number> | undefined> {
  const ss = await run('ss', ['-Hltnp', `sport = :${port}`]);
  if (ss !== undefined) return new Set([...ss.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])));
  const lsof = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t']);
  if (lsof !== undefined) return new Set(lsof.split(/\s+/).filter(Boolean).map(Number));
  return undefined;
}

/** True when `pid` holds the listening socket of `port`, false when it does not, undefined when this system cannot tell. */
export async function holdsPort(pid: number, port: number): Promise<boolean | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes !== undefined && inodes.size > 0) {
    const held = await holdsOneOf(pid, inodes);
    if (held !== undefined) return held;
  } else if (inodes !== undefined) {
    // /proc answers, and nothing listens on the port.
    return false;
  }
  const pids = await listeningPidsByTool(port);
  return pids === undefined ? undefined : pids.has(pid);
}

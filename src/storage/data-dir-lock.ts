// The embedded database (PGlite) is a single-process database: two processes
// opening one DATA_DIR each keep their own view of the files and the last to
// write wins, so a command next to a running server "succeeded" and was
// lost. PGlite takes no lock itself, so the directory is locked here with a
// file naming the holder's PID, created exclusively (link(2) fails with
// EEXIST atomically on local filesystems).
//
// A lock left by a process that died without releasing it (SIGKILL, power
// loss) is stale: its PID no longer runs, and the next process takes it over.
// A container restarted after a crash often gets the same PID as before, so a
// lock naming our own PID that this process does not hold is stale too.
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'gatehouse.lock';

export class DataDirLockedError extends Error {}

/** Lock files this process holds (released on close, or at exit as a last resort). */
const held = new Set<string>();
process.once('exit', () => {
  for (const path of held) release(path);
});

function release(path: string): void {
  held.delete(path);
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to release.
  }
}

function running(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Create the lock with our PID in it in one step (link is atomic), so no one ever reads it empty. */
function tryCreate(path: string): boolean {
  const draft = `${path}.${process.pid}.tmp`;
  writeFileSync(draft, `${process.pid}\n`, { mode: 0o600 });
  try {
    linkSync(draft, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(draft);
  }
}

/** Move a stale lock aside; false when someone else took it over in between (it then names a live PID). */
function removeStale(path: string, stalePid: number | undefined): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // Already removed by another process: try to create it again.
  }
  const moved = holderOf(aside);
  if (moved !== stalePid && moved !== undefined && running(moved)) {
    // We moved a lock another process had just created: put it back.
    renameSync(aside, path);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/**
 * Lock `dataDir` for this process; returns the release function. Throws
 * DataDirLockedError naming the PID holding it when another live process does.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) throw new DataDirLockedError(`DATA_DIR ${dataDir} is already open in this process`);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (tryCreate(path)) {
      held.add(path);
      return () => release(path);
    }
    const pid = holderOf(path);
    if (pid !== undefined && running(pid)) {
      throw new DataDirLockedError(
        `DATA_DIR ${dataDir} is in use by process ${pid} (a Gatehouse server or command); stop it first, or point DATA_DIR elsewhere`,
      );
    }
    if (!removeStale(path, pid)) break;
  }
  throw new DataDirLockedError(`DATA_DIR ${dataDir} is in use by process ${holderOf(path) ?? 'unknown'}; stop it first`);
}

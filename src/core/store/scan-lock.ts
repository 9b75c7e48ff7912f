/**
 * One scan per shoot at a time. Two scans of the same shoot would analyse the same assets twice and
 * fight over the database; the second one is refused at start, naming the process that holds the
 * shoot. The lock is a small file in the workspace (`locks/scan-SHOOT.json`, created exclusively),
 * removed when the scan ends; one left by a process that died (kill -9, power cut) is taken over.
 */
import { hostname } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SitterError } from '../domain/errors.js';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface ScanLock {
  release(): void | Promise<void>;
}

function lockPath(workspaceDir: string, shootId: string): string {
  return join(workspaceDir, 'locks', `scan-${encodeURIComponent(shootId)}.json`);
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, startedAt: String(owner.startedAt ?? '') }
      : null;
  } catch {
    return null; // gone meanwhile, or half-written by a process that died while writing it
  }
}

/** Whether the owner may still be running: on another machine we cannot tell, so we assume so. */
function mayBeAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the shoot's scan lock, or refuses with SCAN_RUNNING naming the process that has it. */
export function acquireScanLock(workspaceDir: string, shootId: string): ScanLock {
  const path = lockPath(workspaceDir, shootId);
  mkdirSync(join(workspaceDir, 'locks'), { recursive: true, mode: 0o700 });
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { mode: 0o600, flag: 'wx' });
      return {
        release: () => {
          if (readOwner(path)?.pid === me.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner && mayBeAlive(owner)) {
      throw new SitterError(
        'SCAN_RUNNING',
        `Shoot "${shootId}" is being scanned by process ${owner.pid}${owner.host !== me.host ? ` on ${owner.host}` : ''} (since ${owner.startedAt}).`,
        `Wait for that scan to finish, or stop it (Ctrl-C in its terminal, or \`kill ${owner.pid}\`); ` +
          `assets it has finished stay done. Reading commands and decisions can run meanwhile.`,
      );
    }
    // Left behind by a scan that died: take it over.
    rmSync(path, { force: true });
  }
  throw new SitterError(
    'SCAN_RUNNING',
    `Shoot "${shootId}" is being scanned by another process that just started.`,
    'Wait for that scan to finish, then run this one again if anything is left.',
  );
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { copyTree } from './fixture.js';

/** Whether this process may mount a tmpfs (root on Linux); the disk-full and read-only cases need it. */
export function canMount(): boolean {
  const probe = mkdtempSync('/tmp/sitter-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/**
 * Puts a small tmpfs over `dir`, keeping its contents, for the duration of `work`: the disk that fills
 * up or turns read-only is the real one under the real path.
 */
export async function onTmpfs<T>(
  dir: string,
  sizeKb: number,
  work: (fs: { fill: (leaveKb: number) => void; free: () => void; readOnly: () => void }) => Promise<T>,
): Promise<T> {
  const keep = mkdtempSync('/tmp/sitter-tmpfs-keep-');
  copyTree(dir, join(keep, 'x'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  try {
    execFileSync('sh', ['-c', `cp -a '${join(keep, 'x')}'/. '${dir}'/`]);
    const filler = join(dir, '.filler');
    return await work({
      fill: (leaveKb) => {
        const fd = openSync(filler, 'w');
        try {
          const chunk = Buffer.alloc(4096);
          for (;;) {
            const { bavail, bsize } = statfsSync(dir);
            if (bavail * bsize <= leaveKb * 1024) break;
            writeSync(fd, chunk);
          }
        } catch {
          /* ENOSPC: full */
        } finally {
          closeSync(fd);
        }
      },
      free: () => rmSync(filler, { force: true }),
      readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir]),
    });
  } finally {
    // Back onto the real disk, so the next trial can restore over it.
    const after = mkdtempSync('/tmp/sitter-tmpfs-after-');
    execFileSync('sh', ['-c', `cp -a '${dir}'/. '${after}'/ && rm -f '${after}/.filler'`]);
    execFileSync('umount', [dir]);
    execFileSync('sh', ['-c', `cp -a '${after}'/. '${dir}'/`]);
    for (const d of [keep, after]) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * Issue 9 #5: a sidecar is replaced durably, so a crash leaves the old or the new one, never a torn
 * file: the temp file is fsynced before the rename, and the folder after it. Observed on the real file
 * system by watching the calls the writer makes (the order is what makes it crash-safe).
 */
import { promises as fsp } from 'node:fs';
import { readFile, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeStaleTemps, writeSidecar } from '../../src/connectors/local/sidecar-file.js';
import { put, tempDir } from '../contract/fixtures.js';

describe('sidecar writes are atomic and durable', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes a temp file, fsyncs it, renames it over the sidecar, then fsyncs the folder', async () => {
    const { dir, cleanup } = await tempDir('sitter-durable-');
    try {
      const file = path.join(dir, 'a.jpg.xmp');
      await put(file, 'old');
      const steps: string[] = [];
      const open = fsp.open.bind(fsp);
      vi.spyOn(fsp, 'open').mockImplementation(async (p, flags, mode) => {
        const handle = await open(p, flags, mode);
        const name = path.basename(String(p)) === path.basename(dir) ? 'folder' : /\.sitter-\d+-[0-9a-f]{12}\.tmp$/.test(String(p)) ? 'temp' : String(p);
        steps.push(`open ${name} ${String(flags)}`);
        const sync = handle.sync.bind(handle);
        vi.spyOn(handle, 'sync').mockImplementation(async () => {
          steps.push(`fsync ${name}`);
          return sync();
        });
        return handle;
      });
      const rename = fsp.rename.bind(fsp);
      vi.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
        steps.push(`rename temp -> ${path.basename(String(to))}`);
        return rename(from, to);
      });
      await writeSidecar(file, 'new');
      expect(steps).toEqual(['open temp wx', 'fsync temp', 'rename temp -> a.jpg.xmp', 'open folder r', 'fsync folder']);
      expect(await readFile(file, 'utf8')).toBe('new');
      expect(await readdir(dir)).toEqual(['a.jpg.xmp']);
    } finally {
      await cleanup();
    }
  });

  it('the sweep removes only Sitter temp names of processes that are gone', async () => {
    const { dir, cleanup } = await tempDir('sitter-sweep-');
    try {
      const dead = `.a.jpg.xmp.sitter-${2 ** 22 + 1}-00112233aabb.tmp`; // above Linux's pid_max: never alive
      const live = `.b.jpg.xmp.sitter-${process.ppid}-00112233aabb.tmp`; // a running process: a concurrent write
      const others = ['.a.jpg.xmp.tmp', 'a.jpg.xmp', `x.sitter-1-00112233aabb.tmp`];
      for (const n of [dead, live, ...others]) await put(path.join(dir, n), 'Ada');
      expect(await removeStaleTemps(dir)).toEqual([dead]);
      expect((await readdir(dir)).sort()).toEqual([live, ...others].sort());
      // A live id on an old temp is a reused process id: the temp is a leftover all the same.
      const old = new Date(Date.now() - 11 * 60 * 1000);
      await utimes(path.join(dir, live), old, old);
      expect(await removeStaleTemps(dir)).toEqual([live]);
    } finally {
      await cleanup();
    }
  });
});

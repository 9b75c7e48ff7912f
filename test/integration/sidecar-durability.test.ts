/**
 * Issue 9 #5: a sidecar is replaced durably, so a crash leaves the old or the new one, never a torn
 * file: the temp file is fsynced before the rename, and the folder after it. Observed on the real file
 * system by watching the calls the writer makes (the order is what makes it crash-safe).
 */
import { promises as fsp } from 'node:fs';
import { readFile, readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { removeStaleTemps, writeSidecar } from '../../src/connectors/local/sidecar-file.js';
import { wellFormednessProblem } from '../../src/connectors/xmp/well-formed.js';
import { consentUri } from '../../src/connectors/payload.js';
import { contentHashOf, makeImage, put, tempDir } from '../contract/fixtures.js';

/** A child that pushes two statements in turn onto one photo, forever, with the compiled connector. */
const PUSH_LOOP = `
const { createLocalConnector } = await import(process.argv[1]);
const [root, hash, uri] = process.argv.slice(2);
const c = createLocalConnector({});
const ada = { participantId: 'P1', displayName: 'Ada Leaving', consentUri: uri, box: { x: 0.1, y: 0.1, w: 0.2, h: 0.3 }, release: { id: null, status: 'unlimited', minor: false } };
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await c.push(root, { assetId: 'a.jpg', expectedContentHash: hash, image: { width: 64, height: 48 }, persons: [ada], otherFaces: i % 2 });
`;

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
        const name =
          path.basename(String(p)) === path.basename(dir)
            ? 'folder'
            : /\.sitter-\d+-[0-9a-f]{12}\.tmp$/.test(String(p))
              ? 'temp'
              : String(p);
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
      expect(steps).toEqual([
        'open temp wx',
        'fsync temp',
        'rename temp -> a.jpg.xmp',
        'open folder r',
        'fsync folder',
      ]);
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

  it('after a real SIGKILL during pushes, the sidecar is whole and the next clear leaves no temp file naming anyone', async () => {
    const { dir, cleanup } = await tempDir('sitter-kill-');
    try {
      await put(path.join(dir, 'a.jpg'), await makeImage('jpeg'));
      const entry = path.resolve(import.meta.dirname, '../../dist/src/connectors/local/index.js');
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          PUSH_LOOP,
          entry,
          dir,
          contentHashOf(path.join(dir, 'a.jpg')),
          consentUri('s', 'P1'),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 400));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const sidecar = await readFile(path.join(dir, 'a.jpg.xmp'), 'utf8');
      expect(wellFormednessProblem(sidecar)).toBeNull();
      // The withdrawal's clear of that photo: the sidecar no longer names her, and no temp file does.
      await createLocalConnector({}).clear(dir, { assetId: 'a.jpg', consentUris: [consentUri('s', 'P1')] });
      const left = await readdir(dir);
      expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      for (const n of left.filter((n) => n !== 'a.jpg'))
        expect(await readFile(path.join(dir, n), 'utf8')).not.toContain('Ada Leaving');
    } finally {
      await cleanup();
    }
  });
});

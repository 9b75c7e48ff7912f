import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFiles } from '../../src/tui/commands/demo.js';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/workspace.js';

interface MatchesJson {
  assets: { file: string; faces: { state: string; participant: string | null; box: { x: number } }[] }[];
}

/** A shoot over the demo's first photo, its consent imported and approved, in a workspace at `ws`. */
async function preparedShoot(ws: string, photos: string, consentFile: string): Promise<void> {
  const steps = [
    ['init'],
    [
      'shoot',
      'create',
      's',
      '--name',
      'S',
      '--source',
      photos,
      '--purpose',
      'test',
      '--retention-days',
      '30',
      ...shootDaysAroundToday(),
    ],
    ['consent', 'import', 's', consentFile],
    ['shoot', 'approve', 's', '--dpia', 'D-1', '--approved-by', 'Dora DPO'],
  ];
  for (const args of steps) {
    const run = await runSitter(['-w', ws, '--json', ...args]);
    expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
  }
}

/** Whether this process may mount a small tmpfs (root in a container that allows it): a real full disk. */
function canMountTmpfs(probe: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills a filesystem to the last byte, as a disk that ran full would be. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [65536, 4096, 1]) {
      try {
        for (;;) writeSync(fd, Buffer.alloc(size));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Keys and ciphertexts with the real face models and the real CLI: a template blob moved onto another
 * participant names nobody, and a full disk at a shoot's first enrol leaves no half-written key.
 */
describe('keys and ciphertexts, real models', () => {
  const tmp = tempDir('sitter-keys-');
  let photos = '';
  let consentFile = '';
  beforeAll(async () => {
    ({ photos, consentFile } = await buildDemoFiles(tmp.dir));
    // The two photos the references were cut from: M-001 is on IMG_0001, M-002 on IMG_0002.
    for (const f of readdirSync(photos)) if (f !== 'day1') rmSync(join(photos, f));
  }, 180_000);
  afterAll(() => tmp.cleanup());

  it("two participants' template blobs swapped in the file: the scan fails loudly and names nobody; put back, it names the right person", async () => {
    const ws = join(tmp.dir, 'ws-swap');
    await preparedShoot(ws, photos, consentFile);
    const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args]);
    const enrol = await sitter('enrol', 's');
    expect(enrol.code, enrol.stdout).toBe(0);
    expect(jsonOf(enrol)).toMatchObject({ enrolled: 2 });

    const swap = () =>
      withRawDb(join(ws, 'sitter.db'), async (sql) => {
        const rows = (await sql('select id, embedding from template order by id')) as {
          id: number;
          embedding: Buffer;
        }[];
        expect(rows).toHaveLength(2);
        await sql('update template set embedding = ? where id = ?', [rows[1]!.embedding, rows[0]!.id]);
        await sql('update template set embedding = ? where id = ?', [rows[0]!.embedding, rows[1]!.id]);
      });
    await swap();
    const refused = await sitter('scan', 's', '--workers', '1');
    expect(refused.code, refused.stdout).toBe(1);
    expect(jsonOf(refused).error).toMatchObject({
      code: 'CIPHERTEXT_INVALID',
      message: expect.stringContaining('Nobody is named'),
    });
    const none = jsonOf(await sitter('matches', 's')) as unknown as MatchesJson;
    expect(none.assets.flatMap((a) => a.faces).filter((f) => f.participant !== null)).toEqual([]);

    await swap();
    const scan = await sitter('scan', 's', '--workers', '1');
    expect(scan.code, scan.stdout).toBe(0);
    // M-001's reference portrait was cut around the leftmost face of IMG_0001, M-002's around the
    // middle one of IMG_0002 (the demo's roster); the photos-only person beside M-001 is named nobody.
    const named = (jsonOf(await sitter('matches', 's')) as unknown as MatchesJson).assets
      .map((a) => [a.file, a.faces.filter((f) => f.participant !== null).map((f) => f.participant)])
      .sort();
    expect(named).toEqual([
      ['IMG_0001.jpg', ['M-001']],
      ['IMG_0002.jpg', ['M-002']],
    ]);
  }, 240_000);

  const mountPoint = join(tmp.dir, 'small-disk');
  it.runIf(canMountTmpfs(join(tmp.dir, 'probe')))(
    'a full disk at the first enrol: exit 1 with DISK_FULL, no key half-written, and the same command works once space is freed',
    async () => {
      mkdirSync(mountPoint, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
      try {
        const ws = join(mountPoint, 'ws');
        await preparedShoot(ws, photos, consentFile);
        const filler = join(mountPoint, 'filler');
        fillDisk(filler);

        const full = await runSitter(['-w', ws, '--json', 'enrol', 's']);
        expect(full.code, full.stdout + full.stderr).toBe(1);
        expect(jsonOf(full).error).toMatchObject({
          code: 'DISK_FULL',
          hint: expect.stringMatching(/Free some space.*run the same command again/),
        });
        // Nothing half-written: no key (not even an empty one), no temp file, no journal.
        expect(readdirSync(join(ws, 'keys'))).toEqual([]);
        expect(readdirSync(ws).sort()).toEqual(['keys', 'master.key', 'sitter.db', 'workspace.json']);

        rmSync(filler);
        const again = await runSitter(['-w', ws, '--json', 'enrol', 's']);
        expect(again.code, again.stdout).toBe(0);
        expect(jsonOf(again)).toMatchObject({ enrolled: 2, failed: 0 });
        expect(statSync(join(ws, 'keys', 's.key')).size).toBeGreaterThan(32);
        expect(jsonOf(await runSitter(['-w', ws, '--json', 'audit', 'verify']))).toMatchObject({ ok: true });
      } finally {
        execFileSync('umount', ['-l', mountPoint]);
      }
    },
    240_000,
  );
});

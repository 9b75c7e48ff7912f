import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { pngBytes, writeConsentFolder } from '../helpers/consent-fixture.js';
import { exiftool } from 'exiftool-vendored';
import sharp from 'sharp';
import { decideFace } from '../../src/core/services/decision-service.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, tempDir, type TestWorkspace } from '../helpers/workspace.js';

/**
 * Faults and hostile input as a user meets them (issue 10): a real CLI process on a real workspace.
 * docs/reliability.md lists each case with the test that proves it.
 */
const ESC = '\u001b';
// The consent parser already refuses C0 controls in names; C1 controls, bidi overrides and line
// separators get through it, and shoot names and file names may hold anything.
const HOSTILE_NAME = 'Eve\u202Egnp.exe\u009b31m Mallory';

describe('faults and hostile input through the CLI', () => {
  const tmp = tempDir('sitter-reliab-');
  const ws = join(tmp.dir, 'ws');
  const photos = join(tmp.dir, 'photos');
  const sitter = (...args: string[]) => runSitter(['-w', ws, ...args], { cwd: tmp.dir, timeoutMs: 30_000 });
  const sitterJson = (...args: string[]) =>
    runSitter(['-w', ws, '--json', ...args], { cwd: tmp.dir, timeoutMs: 30_000 });
  let consentFile = '';

  beforeAll(async () => {
    mkdirSync(photos);
    consentFile = writeConsentFolder(join(tmp.dir, 'consent'), [
      { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await pngBytes(1) },
      { id: 'P2', name: HOSTILE_NAME, consent: 'no' },
    ]);
    expect((await sitter('init')).code).toBe(0);
    expect(
      (
        await sitter(
          'shoot',
          'create',
          's',
          '--name',
          `Spring${ESC}[2J\nFAKE ROW`,
          '--source',
          photos,
          '--purpose',
          'p',
          '--retention-days',
          '30',
          ...shootDaysAroundToday(),
        )
      ).code,
    ).toBe(0);
    expect((await sitter('consent', 'import', 's', consentFile)).code).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  /** A copy of the workspace whose database `damage` changed. */
  const damaged = (name: string, damage: (db: string) => void) => {
    const copy = join(tmp.dir, name);
    mkdirSync(copy);
    for (const f of ['workspace.json', 'master.key', 'sitter.db']) copyFileSync(join(ws, f), join(copy, f));
    mkdirSync(join(copy, 'keys'));
    damage(join(copy, 'sitter.db'));
    return copy;
  };

  describe('a damaged database', () => {
    it('truncated or with 8 bytes flipped at offset 100: DATABASE_CORRUPT, then the process exits', async () => {
      const truncated = damaged('truncated', (db) => writeFileSync(db, readFileSync(db).subarray(0, 2000)));
      const flipped = damaged('flipped', (db) => {
        const bytes = readFileSync(db);
        for (let i = 100; i < 108; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
        writeFileSync(db, bytes);
      });
      for (const dir of [truncated, flipped]) {
        for (const args of [
          ['--json', 'shoot', 'list'],
          ['audit', 'verify'],
        ]) {
          const started = Date.now();
          const run = await runSitter(['-w', dir, ...args], { timeoutMs: 20_000 });
          expect(run.code, `${args.join(' ')} on ${dir}: ${run.stderr}`).toBe(1);
          // The message is printed and the process ends by itself, well before the grace timer.
          expect(Date.now() - started).toBeLessThan(15_000);
          expect(run.stdout + run.stderr).toMatch(/DATABASE_CORRUPT|is damaged or not a Sitter database/);
        }
      }
    });
  });

  describe('a damaged page no command reads', () => {
    it('is found when the workspace opens and by audit verify: DATABASE_CORRUPT with the restore hint', async () => {
      // The root page of a table neither `shoot list` nor `audit verify` reads (no rejection was ever made).
      const [where] = (await withRawDb(join(ws, 'sitter.db'), (sql) =>
        sql(
          "select rootpage, (select page_size from pragma_page_size) as size from sqlite_master where name = 'rejection'",
        ),
      )) as { rootpage: number; size: number }[];
      const dir = damaged('zeroed-page', (db) => {
        const bytes = readFileSync(db);
        bytes.fill(0, (where!.rootpage - 1) * where!.size, where!.rootpage * where!.size);
        writeFileSync(db, bytes);
      });
      for (const args of [
        ['shoot', 'list'],
        ['audit', 'verify'],
      ]) {
        const run = await runSitter(['-w', dir, '--json', ...args], { timeoutMs: 20_000 });
        expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1);
        expect(jsonOf(run).error).toMatchObject({
          code: 'DATABASE_CORRUPT',
          hint: expect.stringMatching(/Restore the workspace from a backup/),
        });
      }
    });
  });

  describe('deeply nested JSON', () => {
    it('a consent file nested 100,000 levels deep is refused with a clear problem, not a crash', async () => {
      const file = join(tmp.dir, 'deep.json');
      writeFileSync(file, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      const run = await sitterJson('consent', 'import', 's', file);
      expect(run.code).toBe(1);
      const error = jsonOf(run).error as { code: string; message: string };
      expect(error.code).toBe('CONSENT_FILE_INVALID');
      expect(error.message).toMatch(/nested more than 32 levels deep/);
    });
  });

  describe('terminal injection', () => {
    it('escape sequences, line breaks and bidi overrides in names are shown, not obeyed, in text; JSON keeps them exactly', async () => {
      const list = await sitter('consent', 'list', 's');
      expect(list.code).toBe(0);
      for (const raw of [ESC, '\u009b', '\u202e', '\u2028']) expect(list.stdout).not.toContain(raw);
      expect(list.stdout).toContain('Eve\\u202Egnp.exe\\x9B31m Mallory');
      // one table row per participant: a header and two rows
      expect(list.stdout.trim().split('\n')).toHaveLength(3);
      const json = jsonOf(await sitterJson('consent', 'list', 's')) as { participants: { name: string }[] };
      expect(json.participants.map((p) => p.name)).toContain(HOSTILE_NAME);

      const shoots = await sitter('shoot', 'list');
      expect(shoots.stdout).not.toContain(ESC);
      expect(shoots.stdout).toContain('Spring\\x1B[2J\\nFAKE ROW');
      expect(shoots.stdout.trim().split('\n')).toHaveLength(2);
      const show = await sitter('shoot', 'show', 's');
      expect(show.stdout).not.toContain(ESC);
      expect(show.stdout).not.toMatch(/^FAKE ROW/m);
    });
  });

  describe('audit export --output', () => {
    it('writes a new file 0600, refuses an existing one unless --force, and then leaves it 0600', async () => {
      const out = join(tmp.dir, 'audit.jsonl');
      const first = await sitterJson('audit', 'export', '--output', out);
      expect(first.code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);

      writeFileSync(out, 'keep me\n');
      chmodSync(out, 0o644);
      const again = await sitterJson('audit', 'export', '--output', out);
      expect(again.code).toBe(1);
      expect(jsonOf(again).error).toMatchObject({ code: 'OUTPUT_EXISTS', hint: expect.stringMatching(/--force/) });
      expect(readFileSync(out, 'utf8')).toBe('keep me\n');

      const forced = await sitterJson('audit', 'export', '--output', out, '--force');
      expect(forced.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toMatch(/"action":"shoot.created"/);
      expect(statSync(out).mode & 0o777).toBe(0o600);
    });

    it('never follows a symbolic link, even with --force', async () => {
      const target = join(tmp.dir, 'elsewhere.txt');
      writeFileSync(target, 'not yours\n');
      const link = join(tmp.dir, 'link.jsonl');
      symlinkSync(target, link);
      for (const extra of [[], ['--force']]) {
        const run = await sitterJson('audit', 'export', '--output', link, ...extra);
        expect(run.code).toBe(1);
        expect(jsonOf(run).error).toMatchObject({ code: 'OUTPUT_IS_A_LINK' });
      }
      expect(readFileSync(target, 'utf8')).toBe('not yours\n');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(target);
      // a dangling link is not followed to create its target either
      const dangling = join(tmp.dir, 'dangling.jsonl');
      symlinkSync(join(tmp.dir, 'created-through-link.jsonl'), dangling);
      expect((await sitterJson('audit', 'export', '--output', dangling)).code).toBe(1);
      expect(() => statSync(join(tmp.dir, 'created-through-link.jsonl'))).toThrow();
    });
  });

  describe('hints that lead somewhere', () => {
    it('--workers abc suggests a value scan accepts', async () => {
      const run = await sitterJson('scan', 's', '--workers', 'abc');
      expect(run.code).toBe(2);
      const error = jsonOf(run).error as { hint: string };
      const suggested = Number(/--workers (\d+)/.exec(error.hint)?.[1]);
      expect(suggested).toBeGreaterThanOrEqual(1);
      expect(suggested).toBeLessThanOrEqual(64);
    });
  });

  describe('a second scan of the same shoot', () => {
    it('is refused at start, naming the process that is scanning, before any model loads', async () => {
      await sitter('shoot', 'approve', 's', '--dpia', 'D-1', '--approved-by', 'DPO');
      mkdirSync(join(ws, 'locks'), { recursive: true });
      const lock = join(ws, 'locks', 'scan-s.json');
      // this test process stands in for the running scan: it is alive on this machine
      const { hostname } = await import('node:os');
      writeFileSync(
        lock,
        JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-06-01T10:00:00.000Z' }),
      );
      const run = await sitterJson('scan', 's');
      expect(run.code).toBe(1);
      expect(jsonOf(run).error).toMatchObject({
        code: 'SCAN_RUNNING',
        message: expect.stringContaining(`is being scanned by process ${process.pid}`),
      });
      expect(readFileSync(lock, 'utf8')).toContain(String(process.pid)); // not taken from its owner
      rmSync(lock);
    });
  });

  describe('a closed pipe', () => {
    it('ends the command quietly: no EPIPE stack trace, exit 0', async () => {
      for (const args of [
        ['--json', 'consent', 'list', 's'],
        ['audit', 'export'],
        ['consent', 'list', 's'],
      ]) {
        const run = await runSitter(['-w', ws, ...args], { closeStdout: true, timeoutMs: 30_000 });
        expect(run.stderr, args.join(' ')).not.toMatch(/EPIPE|at .*\.js:\d+|Sitter hit a bug/);
        expect(run.code, args.join(' ')).toBe(0);
      }
    });
  });
});

/** A small tmpfs holds the workspace; root can mount one here, elsewhere the case is skipped. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = tempDir('sitter-tmpfs-probe-');
  try {
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe.dir]).status === 0;
    if (ok) spawnSync('umount', [probe.dir]);
    return ok;
  } finally {
    probe.cleanup();
  }
}

describe.runIf(canMountTmpfs())('a full disk', () => {
  const tmp = tempDir('sitter-diskfull-');
  const disk = join(tmp.dir, 'disk');
  const ws = join(disk, 'ws');
  const filler = join(disk, 'filler');
  const sitterJson = (...args: string[]) =>
    runSitter(['-w', ws, '--json', ...args], { cwd: tmp.dir, timeoutMs: 60_000 });

  beforeAll(() => {
    mkdirSync(disk);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).status).toBe(0);
  });
  afterAll(() => {
    spawnSync('umount', [disk]);
    tmp.cleanup();
  });

  it('is DISK_FULL with a hint (exit 1), nothing half-written, and the same command succeeds once space is freed', async () => {
    mkdirSync(join(tmp.dir, 'photos'));
    const consentFile = writeConsentFolder(join(tmp.dir, 'consent'), [
      { id: 'P1', name: 'Ada Model', consent: 'yes', photo: await pngBytes(1) },
      { id: 'P2', name: 'Ben Stand-in', consent: 'no' },
    ]);
    expect((await sitterJson('init')).code).toBe(0);
    expect(
      (
        await sitterJson(
          'shoot',
          'create',
          'full',
          '--name',
          'F',
          '--source',
          join(tmp.dir, 'photos'),
          '--purpose',
          'p',
          '--retention-days',
          '30',
          ...shootDaysAroundToday(),
        )
      ).code,
    ).toBe(0);
    // Fill every free byte of the disk.
    spawnSync('sh', ['-c', `head -c 4000000 /dev/zero > '${filler}'`]);

    const full = await sitterJson('consent', 'import', 'full', consentFile);
    expect(full.code, full.stdout + full.stderr).toBe(1);
    expect(jsonOf(full).error).toMatchObject({
      code: 'DISK_FULL',
      hint: expect.stringMatching(/Free some space.*run the same command again/),
    });

    rmSync(filler);
    expect(jsonOf(await sitterJson('consent', 'list', 'full'))).toMatchObject({ participants: [] });
    expect(jsonOf(await sitterJson('audit', 'verify'))).toMatchObject({ ok: true, entries: 1 });
    const again = await sitterJson('consent', 'import', 'full', consentFile);
    expect(again.code, again.stdout).toBe(0);
    expect(jsonOf(again)).toMatchObject({ added: ['P1', 'P2'] });
    expect(jsonOf(await sitterJson('audit', 'verify'))).toMatchObject({ ok: true, entries: 2 });
  });
});

describe.runIf(canMountTmpfs())('a full disk under the shoot folder', () => {
  let t: TestWorkspace;
  let disk = '';
  const push = () => runSitter(['-w', t.root, '--json', 'push', 's'], { timeoutMs: 60_000 });

  beforeAll(async () => {
    // The CLI runs on the real clock: seed on it too. The photos live on a small tmpfs of their own.
    t = await makeWorkspace(new Date());
    disk = join(t.root, '..', 'disk');
    mkdirSync(disk);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]).status).toBe(0);
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Model', consent: 'yes' },
      { id: 'P2', name: 'Ben Model', consent: 'yes' },
    ]);
    for (const [file, who] of [
      ['a.jpg', 'P1'],
      ['b.jpg', 'P2'],
    ] as const) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
        .jpeg()
        .toFile(join(disk, file));
      const face = await seedProposal(t, 's', `disk/${file}`, who, 0.8);
      await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    }
  });
  afterAll(async () => {
    await exiftool.end();
    spawnSync('umount', [disk]);
    await t.cleanup();
  });

  it('stops the push with DISK_FULL (not a failure per asset), leaves no sidecar or temp file, and the same push succeeds once space is freed', async () => {
    const filler = join(disk, 'filler');
    spawnSync('sh', ['-c', `head -c 1000000 /dev/zero > '${filler}'`]);

    const full = await push();
    expect(full.code, full.stdout + full.stderr).toBe(1);
    expect(jsonOf(full).error).toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(/^Connector "local": There is no space left/),
      hint: expect.stringMatching(/Free some space.*running the push again continues from there/),
      details: { connector: 'local', operation: 'push', committed: { written: 0, cleared: 0 } },
    });
    expect(readdirSync(disk).filter((f) => f.includes('.xmp'))).toEqual([]);

    rmSync(filler);
    const again = await push();
    expect(again.code, again.stdout).toBe(0);
    expect(jsonOf(again)).toMatchObject({ written: 2, failed: [] });
    const tags = await exiftool.read(join(disk, 'a.jpg.xmp'));
    expect(tags.PersonInImage).toEqual(['Ada Model']);
    expect(jsonOf(await runSitter(['-w', t.root, '--json', 'audit', 'verify']))).toMatchObject({ ok: true });
  });
});

import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import { filesUnder } from '../helpers/workspace-bytes.js';

/** The master key kept outside the workspace: a copy of the folder alone is no copy of the biometric data. */
describe('where the master key lives', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ws = '';
  const sitter = (args: string[], env: Record<string, string | undefined> = {}) =>
    runSitter(['-w', ws, '--json', ...args], {
      env: { SITTER_MASTER_KEY: undefined, SITTER_MASTER_KEY_FILE: undefined, ...env },
    });
  const errorOf = (run: CliRun) => jsonOf(run).error as { code: string; message: string; hint: string };
  beforeEach(() => {
    tmp = tempDir('sitter-key-');
    ws = join(tmp.dir, 'ws');
  });
  afterEach(() => tmp.cleanup());

  it('by default sits beside the database, as before', async () => {
    const init = await sitter(['init']);
    expect(init.code).toBe(0);
    expect(jsonOf(init)).toMatchObject({ created: true, masterKey: { kind: 'workspace' } });
    expect(statSync(join(ws, 'master.key')).size).toBe(32);
  });

  it('--key-file keeps it outside: recorded as a path, never the key; missing, the workspace is refused with a hint naming where it looks', async () => {
    const stick = join(tmp.dir, 'stick');
    mkdirSync(stick);
    const keyFile = join(stick, 'sitter.key');
    const init = await sitter(['init', '--key-file', keyFile]);
    expect(init.code, init.stdout).toBe(0);
    expect(jsonOf(init)).toMatchObject({ created: true, masterKey: { kind: 'file', path: keyFile } });
    const key = readFileSync(keyFile);
    expect(key.length).toBe(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(ws, 'master.key'))).toBe(false);
    expect(JSON.parse(readFileSync(join(ws, 'workspace.json'), 'utf8'))).toMatchObject({
      masterKey: { kind: 'file', path: keyFile },
    });
    // No file of the workspace folder holds the key's bytes.
    for (const f of filesUnder(ws)) expect(f.bytes.includes(key)).toBe(false);
    // A source beside the workspace, not around it (a shoot over the workspace folder is refused).
    const photos = join(tmp.dir, 'photos');
    mkdirSync(photos);
    expect(
      (
        await sitter([
          'shoot',
          'create',
          'a',
          '--name',
          'A',
          '--source',
          photos,
          '--purpose',
          'p',
          '--retention-days',
          '30',
          ...shootDaysAroundToday(),
        ])
      ).code,
    ).toBe(0);

    renameSync(keyFile, join(tmp.dir, 'elsewhere.key'));
    const refused = await sitter(['shoot', 'list']);
    expect(refused.code).toBe(1);
    expect(errorOf(refused)).toMatchObject({
      code: 'MASTER_KEY_MISSING',
      message: expect.stringContaining(keyFile),
      hint: expect.stringContaining('SITTER_MASTER_KEY_FILE'),
    });
    // Mounted somewhere else this time: SITTER_MASTER_KEY_FILE says where.
    const moved = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY_FILE: join(tmp.dir, 'elsewhere.key') });
    expect(moved.code).toBe(0);
    expect((jsonOf(moved).shoots as { shoot: string }[]).map((s) => s.shoot)).toEqual(['a']);
    // Another key is told apart from the right one before anything is decrypted with it.
    writeFileSync(join(tmp.dir, 'other.key'), randomBytes(32), { mode: 0o600 });
    const wrong = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY_FILE: join(tmp.dir, 'other.key') });
    expect(wrong.code).toBe(1);
    expect(errorOf(wrong)).toMatchObject({ code: 'MASTER_KEY_WRONG' });
  });

  it('--key-from-env takes it from SITTER_MASTER_KEY at every command; without it the workspace is refused, and init without it leaves nothing', async () => {
    const refusedInit = await sitter(['init', '--key-from-env']);
    expect(refusedInit.code).toBe(1);
    expect(errorOf(refusedInit)).toMatchObject({
      code: 'MASTER_KEY_MISSING',
      hint: expect.stringContaining('openssl rand -base64 32'),
    });
    expect(existsSync(ws) ? readdirSync(ws) : []).toEqual([]);

    const key = randomBytes(32).toString('base64');
    const init = await sitter(['init', '--key-from-env'], { SITTER_MASTER_KEY: key });
    expect(init.code, init.stdout).toBe(0);
    expect(jsonOf(init)).toMatchObject({ masterKey: { kind: 'env' } });
    expect(existsSync(join(ws, 'master.key'))).toBe(false);
    for (const f of filesUnder(ws)) expect(f.bytes.includes(Buffer.from(key, 'base64'))).toBe(false);

    expect((await sitter(['shoot', 'list'], { SITTER_MASTER_KEY: key })).code).toBe(0);
    const missing = await sitter(['shoot', 'list']);
    expect(missing.code).toBe(1);
    expect(errorOf(missing)).toMatchObject({
      code: 'MASTER_KEY_MISSING',
      hint: expect.stringContaining('SITTER_MASTER_KEY'),
    });
    const wrong = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY: randomBytes(32).toString('base64') });
    expect(errorOf(wrong)).toMatchObject({ code: 'MASTER_KEY_WRONG' });
    const malformed = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY: 'not-a-key' });
    expect(errorOf(malformed)).toMatchObject({ code: 'MASTER_KEY_INVALID' });
  });

  it('--key-file and --key-from-env together are a usage error', async () => {
    const run = await sitter(['init', '--key-file', join(tmp.dir, 'k'), '--key-from-env']);
    expect(run.code).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'BAD_OPTION' });
  });
  describe('what a DPO or an attacker would try', () => {
    const emptyOrAbsent = () => (existsSync(ws) ? readdirSync(ws) : []);

    it('a --key-file inside the workspace folder is refused (a copy of the folder would carry it), and nothing is left', async () => {
      for (const inside of [
        join(ws, 'sitter.key'),
        join(ws, 'keys', 'master.key'),
        join(tmp.dir, 'ws', '..', 'ws', 'k.key'),
      ]) {
        const run = await sitter(['init', '--key-file', inside]);
        expect(run.code, run.stdout).toBe(1);
        expect(errorOf(run)).toMatchObject({
          code: 'MASTER_KEY_INSIDE_WORKSPACE',
          hint: expect.stringContaining('another volume'),
        });
        expect(emptyOrAbsent()).toEqual([]);
      }
      // Beside it is fine: a sibling whose name starts like the workspace's is not inside it.
      expect((await sitter(['init', '--key-file', join(tmp.dir, 'ws-key')])).code).toBe(0);
    });

    it('a degenerate key (all bytes equal) in SITTER_MASTER_KEY or an existing key file is refused at init', async () => {
      for (const byte of [0, 0x41]) {
        const run = await sitter(['init', '--key-from-env'], {
          SITTER_MASTER_KEY: Buffer.alloc(32, byte).toString('base64'),
        });
        expect(run.code, run.stdout).toBe(1);
        expect(errorOf(run)).toMatchObject({
          code: 'MASTER_KEY_WEAK',
          hint: expect.stringContaining('openssl rand -base64 32'),
        });
        expect(emptyOrAbsent()).toEqual([]);
      }
      const zeros = join(tmp.dir, 'zeros.key');
      writeFileSync(zeros, Buffer.alloc(32), { mode: 0o600 });
      expect(errorOf(await sitter(['init', '--key-file', zeros]))).toMatchObject({ code: 'MASTER_KEY_WEAK' });
      expect(
        (await sitter(['init', '--key-from-env'], { SITTER_MASTER_KEY: randomBytes(32).toString('base64') })).code,
      ).toBe(0);
    });

    it('a key file readable by group or others is refused with a hint to chmod 600, at init and at every command', async () => {
      const keyFile = join(tmp.dir, 'shared.key');
      writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
      chmodSync(keyFile, 0o644);
      const atInit = await sitter(['init', '--key-file', keyFile]);
      expect(atInit.code, atInit.stdout).toBe(1);
      expect(errorOf(atInit)).toMatchObject({
        code: 'MASTER_KEY_EXPOSED',
        message: expect.stringContaining('0644'),
        hint: expect.stringContaining(`chmod 600 ${keyFile}`),
      });
      chmodSync(keyFile, 0o600);
      expect((await sitter(['init', '--key-file', keyFile])).code).toBe(0);
      chmodSync(keyFile, 0o640);
      expect(errorOf(await sitter(['shoot', 'list']))).toMatchObject({ code: 'MASTER_KEY_EXPOSED' });
      // The same through SITTER_MASTER_KEY_FILE.
      const copy = join(tmp.dir, 'copy.key');
      writeFileSync(copy, readFileSync(keyFile), { mode: 0o600 });
      chmodSync(copy, 0o604);
      expect(errorOf(await sitter(['shoot', 'list'], { SITTER_MASTER_KEY_FILE: copy }))).toMatchObject({
        code: 'MASTER_KEY_EXPOSED',
      });
      chmodSync(keyFile, 0o600);
      expect((await sitter(['shoot', 'list'])).code).toBe(0);
    });

    it('SITTER_MASTER_KEY set while the workspace keeps its key inside is said on stderr (the command still runs, --json stays clean)', async () => {
      expect((await sitter(['init'])).code).toBe(0);
      const run = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY: randomBytes(32).toString('base64') });
      expect(run.code, run.stderr).toBe(0);
      expect(jsonOf(run)).toMatchObject({ shoots: [] });
      expect(
        run.stderr.match(
          /warning: SITTER_MASTER_KEY is set but ignored: workspace .* keeps its master key beside its database/g,
        ),
      ).toHaveLength(1);
      expect((await sitter(['shoot', 'list'])).stderr).not.toMatch(/warning/);
    });

    it('a --key-file where the user cannot write is a user error (exit 1, hint), not a bug', async () => {
      const run = await sitter(['init', '--key-file', '/sys/kernel/x.key']);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(errorOf(run)).toMatchObject({
        code: 'MASTER_KEY_UNWRITABLE',
        message: expect.stringContaining('/sys/kernel/x.key'),
        hint: expect.stringContaining('folder you own'),
      });
      expect(emptyOrAbsent()).toEqual([]);
    });

    it('a --key-file that is a folder is told as such, with the path to give instead', async () => {
      const folder = join(tmp.dir, 'stick');
      mkdirSync(folder);
      const run = await sitter(['init', '--key-file', folder]);
      expect(run.code).toBe(1);
      expect(errorOf(run)).toMatchObject({
        code: 'MASTER_KEY_NOT_A_FILE',
        message: expect.stringContaining('is a folder'),
        hint: expect.stringContaining(join(folder, 'sitter.key')),
      });
      expect(errorOf(run).hint).not.toMatch(/user who owns/);
    });
  });
});

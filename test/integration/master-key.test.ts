import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliRun, jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { tempDir } from '../helpers/workspace.js';
import { filesUnder } from '../helpers/workspace-bytes.js';

/** The master key kept outside the workspace: a copy of the folder alone is no copy of the biometric data. */
describe('where the master key lives', () => {
  let tmp: ReturnType<typeof tempDir>;
  let ws = '';
  const sitter = (args: string[], env: Record<string, string | undefined> = {}) => runSitter(['-w', ws, '--json', ...args], { env: { SITTER_MASTER_KEY: undefined, SITTER_MASTER_KEY_FILE: undefined, ...env } });
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
    expect(JSON.parse(readFileSync(join(ws, 'workspace.json'), 'utf8'))).toMatchObject({ masterKey: { kind: 'file', path: keyFile } });
    // No file of the workspace folder holds the key's bytes.
    for (const f of filesUnder(ws)) expect(f.bytes.includes(key)).toBe(false);
    // A source beside the workspace, not around it (a shoot over the workspace folder is refused).
    const photos = join(tmp.dir, 'photos');
    mkdirSync(photos);
    expect((await sitter(['shoot', 'create', 'a', '--name', 'A', '--source', photos, '--purpose', 'p', '--retention-days', '30', ...shootDaysAroundToday()])).code).toBe(0);

    renameSync(keyFile, join(tmp.dir, 'elsewhere.key'));
    const refused = await sitter(['shoot', 'list']);
    expect(refused.code).toBe(1);
    expect(errorOf(refused)).toMatchObject({ code: 'MASTER_KEY_MISSING', message: expect.stringContaining(keyFile), hint: expect.stringContaining('SITTER_MASTER_KEY_FILE') });
    // Mounted somewhere else this time: SITTER_MASTER_KEY_FILE says where.
    const moved = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY_FILE: join(tmp.dir, 'elsewhere.key') });
    expect(moved.code).toBe(0);
    expect((jsonOf(moved).shoots as { id: string }[]).map((s) => s.id)).toEqual(['a']);
    // Another key is told apart from the right one before anything is decrypted with it.
    writeFileSync(join(tmp.dir, 'other.key'), randomBytes(32));
    const wrong = await sitter(['shoot', 'list'], { SITTER_MASTER_KEY_FILE: join(tmp.dir, 'other.key') });
    expect(wrong.code).toBe(1);
    expect(errorOf(wrong)).toMatchObject({ code: 'MASTER_KEY_WRONG' });
  });

  it('--key-from-env takes it from SITTER_MASTER_KEY at every command; without it the workspace is refused, and init without it leaves nothing', async () => {
    const refusedInit = await sitter(['init', '--key-from-env']);
    expect(refusedInit.code).toBe(1);
    expect(errorOf(refusedInit)).toMatchObject({ code: 'MASTER_KEY_MISSING', hint: expect.stringContaining('openssl rand -base64 32') });
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
    expect(errorOf(missing)).toMatchObject({ code: 'MASTER_KEY_MISSING', hint: expect.stringContaining('SITTER_MASTER_KEY') });
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
});

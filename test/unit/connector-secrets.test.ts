/**
 * Where a secret comes from (src/connectors/secrets.ts), on real files: the environment first, then
 * an owner-only regular file in the workspace; anything else is refused with a hint, the value never
 * in the message.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secretEnvVar, workspaceSecrets } from '../../src/connectors/secrets.js';
import { tempDir } from '../helpers/workspace.js';

describe('secrets by name', () => {
  const tmp = tempDir('sitter-secret-unit-');
  const dir = join(tmp.dir, 'secrets');
  mkdirSync(dir, { mode: 0o700 });
  const usedBy = { connector: 'dam', option: 'token' };
  afterAll(() => tmp.cleanup());

  it('names the variable upper-cased with dashes as underscores', () => {
    expect(secretEnvVar('assetbank-token')).toBe('SITTER_SECRET_ASSETBANK_TOKEN');
  });

  it('takes the environment first, then the file without its final line break', async () => {
    writeFileSync(join(dir, 'a'), 'from-file\n', { mode: 0o600 });
    expect(await workspaceSecrets(tmp.dir, {}).lookup('a', usedBy)).toBe('from-file');
    expect(await workspaceSecrets(tmp.dir, { SITTER_SECRET_A: 'from-env' }).lookup('a', usedBy)).toBe('from-env');
  });

  it('refuses a link, a file others can read, an empty or missing one, and a name that is no name', async () => {
    writeFileSync(join(dir, 'open'), 'v4lue', { mode: 0o640 });
    writeFileSync(join(tmp.dir, 'elsewhere'), 'v4lue', { mode: 0o600 });
    symlinkSync(join(tmp.dir, 'elsewhere'), join(dir, 'link'));
    writeFileSync(join(dir, 'empty'), '', { mode: 0o600 });
    const secrets = workspaceSecrets(tmp.dir, {});
    await expect(secrets.lookup('open', usedBy)).rejects.toMatchObject({
      code: 'SECRET_EXPOSED',
      hint: expect.stringContaining(`chmod 600 ${join(dir, 'open')}`),
    });
    await expect(secrets.lookup('link', usedBy)).rejects.toMatchObject({ code: 'SECRET_NOT_A_FILE' });
    await expect(secrets.lookup('empty', usedBy)).rejects.toMatchObject({ code: 'SECRET_MISSING' });
    await expect(secrets.lookup('nowhere', usedBy)).rejects.toMatchObject({
      code: 'SECRET_MISSING',
      message: expect.stringContaining('Connector "dam" needs the secret "nowhere" (option token)'),
      hint: expect.stringContaining('SITTER_SECRET_NOWHERE'),
    });
    await expect(secrets.lookup('../escape', usedBy)).rejects.toMatchObject({ code: 'SECRET_MISSING' });
    for (const name of ['open', 'link'])
      await secrets.lookup(name, usedBy).catch((e: Error & { hint?: string }) => {
        expect(`${e.message}${e.hint}`).not.toContain('v4lue');
      });
  });
});

/**
 * Where a secret comes from (src/connectors/secrets.ts), on real files: the environment first, then
 * an owner-only regular file in the workspace; anything else is refused with a hint, the value never
 * in the message.
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SitterError } from '../../src/core/domain/errors.js';
import { validateOptions } from '../../src/connectors/options.js';
import { secretEnvVar, workspaceSecrets } from '../../src/connectors/secrets.js';
import { tempDir } from '../helpers/workspace.js';

/** The SitterError a promise rejects with (a fulfilled one fails the test). */
const rejection = (p: Promise<unknown>): Promise<SitterError> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as SitterError,
  );

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
    await expect(secrets.lookup('../escape', usedBy)).rejects.toMatchObject({ code: 'SECRET_NAME_INVALID' });
    for (const name of ['open', 'link'])
      await secrets.lookup(name, usedBy).catch((e: Error & { hint?: string }) => {
        expect(`${e.message}${e.hint}`).not.toContain('v4lue');
      });
  });

  it('the hint for a missing secret keeps the value out of the shell history (no printf of it)', async () => {
    const error = await rejection(workspaceSecrets(tmp.dir, {}).lookup('nowhere', usedBy));
    expect(error.hint).not.toContain('printf');
    expect(error.hint).toContain(
      `(umask 077; mkdir -p ${dir}; cat > ${join(dir, 'nowhere')}), then paste the value and press Ctrl-D`,
    );
  });

  it('never repeats the text after secret: when it is no valid name (it may be the token itself)', async () => {
    const pasted = 'tok 7f3a/9c1e=DAM';
    const spec = { schema: z.object({ token: z.string() }).strict(), secrets: ['token'] };
    const thrown = await rejection(
      Promise.resolve().then(() => validateOptions('dam', spec, { token: `secret:${pasted}` })),
    );
    expect(thrown).toMatchObject({ code: 'CONNECTOR_OPTIONS_INVALID' });
    expect(thrown.message).toContain('token: names no valid secret: after secret: comes a name of letters, digits');
    expect(thrown.message).toContain('e.g. secret:dam-token');
    const looked = await rejection(workspaceSecrets(tmp.dir, {}).lookup(pasted, usedBy));
    expect(looked).toMatchObject({ code: 'SECRET_NAME_INVALID' });
    for (const e of [thrown, looked]) expect(`${e.message}${e.hint}${JSON.stringify(e.details)}`).not.toContain('7f3a');
  });
});

describe('the secrets folder', () => {
  const tmp = tempDir('sitter-secret-folder-');
  const usedBy = { connector: 'dam', option: 'token' };
  afterAll(() => tmp.cleanup());

  it('is refused when it is a link to another folder, or open to others; used once it is 0700', async () => {
    const elsewhere = join(tmp.dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    writeFileSync(join(elsewhere, 'tok'), 'v4lue', { mode: 0o600 });
    const linked = join(tmp.dir, 'linked');
    mkdirSync(linked);
    symlinkSync(elsewhere, join(linked, 'secrets'));
    await expect(workspaceSecrets(linked, {}).lookup('tok', usedBy)).rejects.toMatchObject({
      code: 'SECRETS_FOLDER_UNSAFE',
      message: expect.stringContaining(join(linked, 'secrets')),
    });

    const open = join(tmp.dir, 'open');
    mkdirSync(join(open, 'secrets'), { recursive: true });
    chmodSync(join(open, 'secrets'), 0o755);
    writeFileSync(join(open, 'secrets', 'tok'), 'v4lue', { mode: 0o600 });
    await expect(workspaceSecrets(open, {}).lookup('tok', usedBy)).rejects.toMatchObject({
      code: 'SECRETS_FOLDER_EXPOSED',
      hint: expect.stringContaining(`chmod 700 ${join(open, 'secrets')}`),
    });
    chmodSync(join(open, 'secrets'), 0o700);
    expect(await workspaceSecrets(open, {}).lookup('tok', usedBy)).toBe('v4lue');
  });
});

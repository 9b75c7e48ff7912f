import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretUpdater } from '../../src/app/secret-update.js';
import { workspaceSecrets } from '../../src/connectors/secrets.js';
import { tempDir } from '../helpers/workspace.js';

/**
 * `ConnectorContext.updateSecret` as the application layer binds it to a shoot: a rotated refresh
 * token lands in the shoot's own secret file, 0600, where the next command's secret lookup reads it.
 */
describe("updateSecret writes to the shoot's file-backed secret", () => {
  let dir: { dir: string; cleanup: () => void };
  const shoot = { connectorOptions: { refreshToken: 'secret:AB_RT', url: 'https://dam.example' } };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it('stores a rotated value atomically in a 0600 file that the secret lookup then reads', async () => {
    const update = secretUpdater(dir.dir, shoot, {});
    expect(await update('refreshToken', 'first')).toBe(true);
    expect(await update('refreshToken', 'rotated')).toBe(true);
    const file = join(dir.dir, 'secrets', 'AB_RT');
    expect(readFileSync(file, 'utf8')).toBe('rotated');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.dir, 'secrets')).mode & 0o777).toBe(0o700);
    const usedBy = { connector: 'asset-bank', option: 'refreshToken' };
    expect(await workspaceSecrets(dir.dir, {}).lookup('AB_RT', usedBy)).toBe('rotated');
  });

  it('refuses (false) a secret from the environment and an option that is not a secret reference', async () => {
    mkdirSync(join(dir.dir, 'secrets'), { mode: 0o700 });
    const update = secretUpdater(dir.dir, shoot, { SITTER_SECRET_AB_RT: 'from-env' });
    expect(await update('refreshToken', 'rotated')).toBe(false);
    expect(await update('url', 'https://elsewhere')).toBe(false);
    expect(() => statSync(join(dir.dir, 'secrets', 'AB_RT'))).toThrow();
  });
});

/**
 * `ConnectorContext.updateSecret` for a shoot (contract 3): a connector that is handed a new value of a
 * secret option (an OAuth2 server rotating the refresh token) stores it where the shoot's secret lives,
 * so the next command finds it. Only a file-backed secret can be updated: one from the environment is
 * the caller's to change (false, so the connector warns), and a plain option is never a secret.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Shoot } from '../core/domain/shoot.js';
import { secretEnvVar, secretFile, secretRefName } from '../connectors/secrets.js';

/** The updater for one shoot's secret options, in `workspaceDir`'s secrets folder. */
export function secretUpdater(
  workspaceDir: string,
  shoot: Pick<Shoot, 'connectorOptions'>,
  env: NodeJS.ProcessEnv = process.env,
): (option: string, value: string) => Promise<boolean> {
  return async (option, value) => {
    const name = secretRefName(shoot.connectorOptions[option]);
    if (name === null || env[secretEnvVar(name)]) return false;
    const file = secretFile(workspaceDir, name);
    await writeSecretAtomically(file, value);
    return true;
  };
}

/**
 * Written beside the old file and renamed over it: a reader sees the old value or the new one, never
 * half of one, and the file is 0600 from its first byte (the folder 0700, as the reader demands).
 */
async function writeSecretAtomically(file: string, value: string): Promise<void> {
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temp = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, value, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

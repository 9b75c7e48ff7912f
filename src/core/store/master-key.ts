import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * Where a workspace's master key lives (recorded in workspace.json, never the key itself):
 * - workspace: `master.key` beside the database (the default). Protects a database copied alone.
 * - file: a key file elsewhere (a USB key, another volume). A copy of the workspace folder alone
 *   cannot decrypt anything.
 * - env: SITTER_MASTER_KEY (base64) or SITTER_MASTER_KEY_FILE, given by the environment of each
 *   command (a secret manager, a CI secret). Nothing on disk next to the data.
 */
export type MasterKeySource = { kind: 'workspace' } | { kind: 'file'; path: string } | { kind: 'env' };

export const MASTER_KEY_ENV = 'SITTER_MASTER_KEY';
export const MASTER_KEY_FILE_ENV = 'SITTER_MASTER_KEY_FILE';
const KEY_BYTES = 32;

export type Env = Record<string, string | undefined>;

/** A public check value: tells a wrong key from the right one without revealing anything of it. */
export function keyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('sitter master key check v1').digest('hex').slice(0, 32);
}

function invalid(where: string): SitterError {
  return new SitterError('MASTER_KEY_INVALID', `The master key from ${where} is not a Sitter key (it must be ${KEY_BYTES} random bytes; in ${MASTER_KEY_ENV}, base64).`, `Make one with \`openssl rand -base64 ${KEY_BYTES}\` (for ${MASTER_KEY_ENV}) or \`head -c ${KEY_BYTES} /dev/urandom > FILE\` (for a key file).`);
}

function readKeyFile(path: string, missing: () => SitterError): Buffer {
  if (!existsSync(path)) throw missing();
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (cause) {
    throw new SitterError('MASTER_KEY_UNREADABLE', `The master key file ${path} cannot be read.`, 'Run Sitter as the user who owns the key file (it should be mode 0600).', undefined, { cause });
  }
  if (key.length !== KEY_BYTES) throw invalid(path);
  return key;
}

function fromEnv(env: Env, missing: () => SitterError): Buffer {
  const inline = env[MASTER_KEY_ENV];
  if (inline) {
    const key = Buffer.from(inline.trim(), 'base64');
    if (key.length !== KEY_BYTES) throw invalid(MASTER_KEY_ENV);
    return key;
  }
  const file = env[MASTER_KEY_FILE_ENV];
  if (file) return readKeyFile(resolve(file), missing);
  throw missing();
}

/** Reads the master key of an existing workspace from where its marker says it lives. */
export function loadMasterKey(source: MasterKeySource, workspaceKeyPath: string, workspaceDir: string, env: Env): Buffer {
  switch (source.kind) {
    case 'workspace':
      return readKeyFile(workspaceKeyPath, () => new SitterError('WORKSPACE_INCOMPLETE', `The workspace ${workspaceDir} has lost its master key (${workspaceKeyPath}).`, 'Restore the key file from your backup. Sitter never makes a new key over an existing workspace: that would make its encrypted data unreadable.'));
    case 'file': {
      const path = env[MASTER_KEY_FILE_ENV] ? resolve(env[MASTER_KEY_FILE_ENV]) : source.path;
      return readKeyFile(path, () => new SitterError('MASTER_KEY_MISSING', `The master key of workspace ${workspaceDir} is kept outside it, at ${path}, and is not there.`, `Connect or mount what holds the key file (recorded path: ${source.path}), or point ${MASTER_KEY_FILE_ENV} at it. Without it nothing biometric can be decrypted.`));
    }
    case 'env':
      return fromEnv(env, () => new SitterError('MASTER_KEY_MISSING', `The master key of workspace ${workspaceDir} comes from the environment, and neither ${MASTER_KEY_ENV} nor ${MASTER_KEY_FILE_ENV} gives it.`, `Set ${MASTER_KEY_ENV} (base64) or ${MASTER_KEY_FILE_ENV} (a path) to the key this workspace was created with.`));
  }
}

/**
 * The master key of a new workspace: made (never overwriting a key), or, for a key file that already
 * exists or a key from the environment, taken as it is.
 */
export function provisionMasterKey(choice: MasterKeySource, workspaceKeyPath: string, env: Env): { source: MasterKeySource; key: Buffer } {
  if (choice.kind === 'env') {
    const key = fromEnv(env, () => new SitterError('MASTER_KEY_MISSING', `--key-from-env needs ${MASTER_KEY_ENV} or ${MASTER_KEY_FILE_ENV} to be set.`, `Make a key with \`export ${MASTER_KEY_ENV}=$(openssl rand -base64 ${KEY_BYTES})\`, keep it in your secret store, and run init again.`));
    return { source: { kind: 'env' }, key };
  }
  const path = choice.kind === 'file' ? resolve(choice.path) : workspaceKeyPath;
  if (choice.kind === 'file' && existsSync(path)) return { source: { kind: 'file', path }, key: readKeyFile(path, () => invalid(path)) };
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileAtomic(path, key, { mode: 0o600, exclusive: true });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SitterError('MASTER_KEY_UNWRITABLE', `The master key file ${path} cannot be created: its folder does not exist.`, 'Create the folder (or mount the volume) first, or choose another --key-file path.', undefined, { cause });
    }
    throw cause;
  }
  return { source: choice.kind === 'file' ? { kind: 'file', path } : { kind: 'workspace' }, key };
}

import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { SitterError } from '../domain/errors.js';
import { isNoSpace, writeFileAtomic } from './atomic-file.js';

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
  return new SitterError(
    'MASTER_KEY_INVALID',
    `The master key from ${where} is not a Sitter key (it must be ${KEY_BYTES} random bytes; in ${MASTER_KEY_ENV}, base64).`,
    `Make one with \`openssl rand -base64 ${KEY_BYTES}\` (for ${MASTER_KEY_ENV}) or \`head -c ${KEY_BYTES} /dev/urandom > FILE\` (for a key file).`,
  );
}

/** A key whose bytes are all equal (all zeros, a placeholder) is no secret, whatever its length. */
function refuseDegenerate(key: Buffer, where: string): Buffer {
  if (key.every((b) => b === key[0])) {
    throw new SitterError(
      'MASTER_KEY_WEAK',
      `The master key from ${where} is ${KEY_BYTES} equal bytes (0x${key[0]!.toString(16).padStart(2, '0')}): anyone could guess it.`,
      `Make a random one with \`openssl rand -base64 ${KEY_BYTES}\` (for ${MASTER_KEY_ENV}) or \`head -c ${KEY_BYTES} /dev/urandom > FILE\` (for a key file).`,
    );
  }
  return key;
}

/**
 * A key file kept outside the workspace must be its owner's alone, as ssh requires of a private key:
 * a key readable by the group or by others is a key already shared.
 */
function refuseShared(path: string, mode: number): void {
  if ((mode & 0o077) !== 0) {
    throw new SitterError(
      'MASTER_KEY_EXPOSED',
      `The master key file ${path} is readable by others (mode 0${(mode & 0o777).toString(8)}): it is not used.`,
      `Make it yours alone with \`chmod 600 ${path}\`, then run the command again; if others may have ` +
        `copied it, treat the workspace's biometric data as exposed.`,
    );
  }
}

function readKeyFile(path: string, opts: { external: boolean }, missing: () => SitterError): Buffer {
  if (!existsSync(path)) throw missing();
  let key: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new SitterError(
        'MASTER_KEY_NOT_A_FILE',
        `The master key path ${path} is a folder, not a key file.`,
        `Give the path of the key file itself, for example ${resolve(path, 'sitter.key')}.`,
      );
    }
    if (opts.external) refuseShared(path, stat.mode);
    key = readFileSync(path);
  } catch (cause) {
    if (cause instanceof SitterError) throw cause;
    throw new SitterError(
      'MASTER_KEY_UNREADABLE',
      `The master key file ${path} cannot be read.`,
      'Run Sitter as the user who owns the key file (it should be mode 0600).',
      undefined,
      { cause },
    );
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
  if (file) return readKeyFile(resolve(file), { external: true }, missing);
  throw missing();
}

/**
 * Set while the workspace keeps its key elsewhere, the variables are ignored: said, not refused (the
 * workspace's own key is the right one, checked against workspace.json, and a shell that exports
 * them for another workspace must still be able to open this one), so nobody believes the
 * environment protects a key that sits in the folder.
 */
function ignoredVariables(source: MasterKeySource, workspaceDir: string, env: Env): string[] {
  const ignored =
    source.kind === 'workspace'
      ? [MASTER_KEY_ENV, MASTER_KEY_FILE_ENV]
      : source.kind === 'file'
        ? [MASTER_KEY_ENV]
        : [];
  const set = ignored.filter((name) => env[name]);
  if (set.length === 0) return [];
  const where =
    source.kind === 'workspace'
      ? `beside its database (${workspaceDir})`
      : `in a key file (${(source as { path: string }).path})`;
  return [
    `warning: ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but ignored: workspace ` +
      `${workspaceDir} keeps its master key ${where}. Unset ${set.length > 1 ? 'them' : 'it'} for ` +
      `this workspace; Sitter never moves or re-keys a workspace's key.`,
  ];
}

/** Reads the master key of an existing workspace from where its marker says it lives, with what the user must be told about it. */
export function loadMasterKey(
  source: MasterKeySource,
  workspaceKeyPath: string,
  workspaceDir: string,
  env: Env,
): { key: Buffer; warnings: string[] } {
  return {
    key: readMasterKey(source, workspaceKeyPath, workspaceDir, env),
    warnings: ignoredVariables(source, workspaceDir, env),
  };
}

function readMasterKey(source: MasterKeySource, workspaceKeyPath: string, workspaceDir: string, env: Env): Buffer {
  switch (source.kind) {
    case 'workspace':
      return readKeyFile(
        workspaceKeyPath,
        { external: false },
        () =>
          new SitterError(
            'WORKSPACE_INCOMPLETE',
            `The workspace ${workspaceDir} has lost its master key (${workspaceKeyPath}).`,
            'Restore the key file from your backup. Sitter never makes a new key over an existing workspace: that would make its encrypted data unreadable.',
          ),
      );
    case 'file': {
      const path = env[MASTER_KEY_FILE_ENV] ? resolve(env[MASTER_KEY_FILE_ENV]) : source.path;
      return readKeyFile(
        path,
        { external: true },
        () =>
          new SitterError(
            'MASTER_KEY_MISSING',
            `The master key of workspace ${workspaceDir} is kept outside it, at ${path}, and is not there.`,
            `Connect or mount what holds the key file (recorded path: ${source.path}), or point ` +
              `${MASTER_KEY_FILE_ENV} at it. Without it nothing biometric can be decrypted.`,
          ),
      );
    }
    case 'env':
      return fromEnv(
        env,
        () =>
          new SitterError(
            'MASTER_KEY_MISSING',
            `The master key of workspace ${workspaceDir} comes from the environment, and neither ${MASTER_KEY_ENV} nor ${MASTER_KEY_FILE_ENV} gives it.`,
            `Set ${MASTER_KEY_ENV} (base64) or ${MASTER_KEY_FILE_ENV} (a path) to the key this workspace was created with.`,
          ),
      );
  }
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended (the key file may not exist yet). */
function realPathOf(path: string): string {
  const rest: string[] = [];
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) {
    rest.unshift(at.slice(dirname(at).length + 1));
    at = dirname(at);
  }
  return resolve(realpathSync(at), ...rest);
}

/** A key file inside the workspace folder is copied with it: the very thing --key-file is there to prevent. */
function refuseInsideWorkspace(path: string, workspaceDir: string): void {
  const inside = relative(realPathOf(workspaceDir), realPathOf(path));
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    throw new SitterError(
      'MASTER_KEY_INSIDE_WORKSPACE',
      `The key file ${path} is inside the workspace ${workspaceDir}: a copy of the folder would carry its key, which --key-file exists to prevent.`,
      'Give a path on another volume or a removable key (for example /media/USB/sitter.key), or leave out --key-file to keep the key beside the database.',
    );
  }
}

/** Why a key file could not be made, told as something the user can fix. */
function unwritable(path: string, cause: unknown): SitterError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new SitterError(
      'MASTER_KEY_UNWRITABLE',
      `The master key file ${path} cannot be created: its folder does not exist.`,
      'Create the folder (or mount the volume) first, or choose another --key-file path.',
      undefined,
      { cause },
    );
  if (code === 'ENOTDIR')
    return new SitterError(
      'MASTER_KEY_UNWRITABLE',
      `The master key file ${path} cannot be created: part of its path is a file, not a folder.`,
      'Choose another --key-file path.',
      undefined,
      { cause },
    );
  return new SitterError(
    'MASTER_KEY_UNWRITABLE',
    `The master key file ${path} cannot be created there (${code ?? 'error'}: not writable by you, or read-only).`,
    'Choose a --key-file path in a folder you own and can write to (for example on a mounted ' +
      'removable key), or create the key there yourself with `head -c 32 /dev/urandom > FILE && chmod ' +
      '600 FILE` and give that path.',
    undefined,
    { cause },
  );
}

/**
 * The master key of a new workspace: made (never overwriting a key), or, for a key file that already
 * exists or a key from the environment, taken as it is, if it is a key worth the name.
 */
export function provisionMasterKey(
  choice: MasterKeySource,
  workspaceKeyPath: string,
  env: Env,
): { source: MasterKeySource; key: Buffer } {
  if (choice.kind === 'env') {
    const key = fromEnv(
      env,
      () =>
        new SitterError(
          'MASTER_KEY_MISSING',
          `--key-from-env needs ${MASTER_KEY_ENV} or ${MASTER_KEY_FILE_ENV} to be set.`,
          `Make a key with \`export ${MASTER_KEY_ENV}=$(openssl rand -base64 ${KEY_BYTES})\`, keep it in your secret store, and run init again.`,
        ),
    );
    return {
      source: { kind: 'env' },
      key: refuseDegenerate(key, env[MASTER_KEY_ENV] ? MASTER_KEY_ENV : MASTER_KEY_FILE_ENV),
    };
  }
  const path = choice.kind === 'file' ? resolve(choice.path) : workspaceKeyPath;
  if (choice.kind === 'file') {
    refuseInsideWorkspace(path, dirname(workspaceKeyPath));
    if (existsSync(path))
      return {
        source: { kind: 'file', path },
        key: refuseDegenerate(
          readKeyFile(path, { external: true }, () => invalid(path)),
          path,
        ),
      };
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileAtomic(path, key, { mode: 0o600, exclusive: true });
  } catch (cause) {
    if (cause instanceof SitterError || isNoSpace(cause)) throw cause;
    throw unwritable(path, cause);
  }
  return { source: choice.kind === 'file' ? { kind: 'file', path } : { kind: 'workspace' }, key };
}

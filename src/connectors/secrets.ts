/**
 * Secrets of connector options (a DAM token, a password) are referenced by name, never stored: the
 * shoot row and the audit chain hold `secret:NAME`, and the value is looked up only when the
 * connector is made, from the environment (`SITTER_SECRET_<NAME>`) or from an owner-only file
 * `<workspace>/secrets/<name>`. A copy of the database or an audit export therefore carries no
 * secret, and a secret can be rotated without touching the workspace.
 */
import { chmod, lstat, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { SitterError } from '../core/domain/errors.js';

/** What a secret option's value must look like: `secret:` and a name. */
export const SECRET_PREFIX = 'secret:';

const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The secret name a stored option value references, or null when the value is no reference. */
export function secretRefName(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith(SECRET_PREFIX) ? value.slice(SECRET_PREFIX.length) : null;
}

/** What a valid name looks like, for messages that must not repeat an invalid one. */
export const SECRET_NAME_RULE =
  `after ${SECRET_PREFIX} comes a name of letters, digits, "-" and "_", starting with a letter or digit, ` +
  `at most 64 long, e.g. ${SECRET_PREFIX}dam-token (the text given is not repeated, in case it is the value itself)`;

export function isValidSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The environment variable a secret is read from: upper-cased, dashes become underscores. */
export function secretEnvVar(name: string): string {
  return `SITTER_SECRET_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** The file a secret is read from when the environment does not hold it. */
export function secretFile(workspaceDir: string, name: string): string {
  return path.join(path.resolve(workspaceDir), 'secrets', name);
}

/** Where a connector's secrets come from; `lookup` throws a SitterError with a hint when it cannot. */
export interface SecretSource {
  lookup(name: string, usedBy: { connector: string; option: string }): Promise<string>;
}

function missing(name: string, file: string, usedBy: { connector: string; option: string }): SitterError {
  return new SitterError(
    'SECRET_MISSING',
    `Connector "${usedBy.connector}" needs the secret "${name}" (option ${usedBy.option}), and it is not set.`,
    // Typed or pasted at a prompt, the value stays out of the shell's history (printf 'VALUE' would not).
    `Set ${secretEnvVar(name)} in the environment of every command, or write the value to ${file} readable by you only: ` +
      `(umask 077; mkdir -p ${path.dirname(file)}; cat > ${file}), then paste the value and press Ctrl-D.`,
    { connector: usedBy.connector, option: usedBy.option, secret: name, env: secretEnvVar(name), file },
  );
}

/**
 * The secrets folder must be a real folder (not a link to one elsewhere, which whoever can change the
 * link could point anywhere) that only its owner can enter or list: 0700, as ssh wants ~/.ssh.
 */
async function checkSecretsFolder(folder: string, name: string, usedBy: { connector: string; option: string }) {
  const info = await lstat(folder).catch(() => null);
  if (!info) return false;
  if (!info.isDirectory()) {
    throw new SitterError(
      'SECRETS_FOLDER_UNSAFE',
      `The secrets folder ${folder} is not a folder of its own (a link or a file): no secret is read from it.`,
      `Replace it with a real folder, mode 0700: (rm ${folder}; umask 077; mkdir ${folder}), then write the secret files there, or set ${secretEnvVar(name)} instead.`,
      { secret: name, folder, connector: usedBy.connector },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw new SitterError(
      'SECRETS_FOLDER_EXPOSED',
      `The secrets folder ${folder} is open to others (mode 0${(info.mode & 0o777).toString(8)}): no secret is read from it.`,
      `Make it yours alone with \`chmod 700 ${folder}\`, then run the command again; if others may have read a secret in it, rotate that secret at its source.`,
      { secret: name, folder, connector: usedBy.connector },
    );
  }
  return true;
}

/** Reads a secret file: a regular file (no link), readable by its owner only, one value. */
async function readSecretFile(file: string, name: string, usedBy: { connector: string; option: string }) {
  if (!(await checkSecretsFolder(path.dirname(file), name, usedBy))) return null;
  const info = await lstat(file).catch(() => null);
  if (!info) return null;
  if (!info.isFile()) {
    throw new SitterError(
      'SECRET_NOT_A_FILE',
      `The secret file ${file} is not a regular file (a link, a folder or a device): it is not used.`,
      `Replace it with a plain file holding the value, mode 0600, or set ${secretEnvVar(name)} instead.`,
      { secret: name, file, connector: usedBy.connector },
    );
  }
  if ((info.mode & 0o077) !== 0) {
    // As ssh treats a private key: a secret others can read may already be copied.
    throw new SitterError(
      'SECRET_EXPOSED',
      `The secret file ${file} is readable by others (mode 0${(info.mode & 0o777).toString(8)}): it is not used.`,
      `Make it yours alone with \`chmod 600 ${file}\`, then run the command again; if others may have read it, rotate the secret at its source.`,
      { secret: name, file, connector: usedBy.connector },
    );
  }
  // One value: a trailing line break (an editor's, or `echo`'s) is not part of it.
  return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
}

/** Secrets from the environment first, then from `<workspace>/secrets/<name>`. */
export function workspaceSecrets(workspaceDir: string, env: NodeJS.ProcessEnv = process.env): SecretSource {
  return {
    async lookup(name, usedBy) {
      if (!isValidSecretName(name)) {
        // Stored references are checked when stored; this one was not (an edited database): not repeated.
        throw new SitterError(
          'SECRET_NAME_INVALID',
          `Connector "${usedBy.connector}" option ${usedBy.option} names no valid secret.`,
          `Give it a reference again with \`sitter shoot configure --option ${usedBy.option}=${SECRET_PREFIX}NAME\`: ${SECRET_NAME_RULE}.`,
          { connector: usedBy.connector, option: usedBy.option },
        );
      }
      const file = secretFile(workspaceDir, name);
      const fromEnv = env[secretEnvVar(name)];
      if (fromEnv) return fromEnv;
      const fromFile = await readSecretFile(file, name, usedBy);
      if (fromFile) return fromFile;
      throw missing(name, file, usedBy);
    },
  };
}

/**
 * Writes a secret file (a refresh token from `sitter connectors login`, or one the DAM rotated): the
 * secrets folder is made 0700 if missing (and must be safe if present), the value goes to a 0600
 * temp file, flushed, then renamed over the old one, so a crash leaves the old value or the new, never
 * half of one, and no moment where others could read it.
 */
export async function writeSecretFile(workspaceDir: string, name: string, value: string): Promise<string> {
  const usedBy = { connector: 'sitter', option: name };
  if (!isValidSecretName(name))
    throw new SitterError('SECRET_NAME_INVALID', 'The secret name is not valid.', SECRET_NAME_RULE);
  const file = secretFile(workspaceDir, name);
  const folder = path.dirname(file);
  if (!(await checkSecretsFolder(folder, name, usedBy))) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);
  }
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(value, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  return file;
}

/**
 * `ConnectorContext.updateSecret` for a shoot: stores a new value of a secret option in the file its
 * `secret:NAME` reference reads. False when it cannot take effect: the option holds no reference, or
 * the environment variable of that name is set (it wins over the file, so the new value would be
 * ignored): the connector then warns.
 */
export function secretUpdater(
  workspaceDir: string,
  storedOptions: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): (option: string, value: string) => Promise<boolean> {
  return async (option, value) => {
    const name = secretRefName(storedOptions[option]);
    if (name === null || !isValidSecretName(name) || env[secretEnvVar(name)]) return false;
    await writeSecretFile(workspaceDir, name, value);
    return true;
  };
}

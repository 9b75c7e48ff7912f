import { SitterError } from '../domain/errors.js';

/** The environment variable `sitter init` reads when `--database` is not given. */
export const DATABASE_URL_ENV = 'SITTER_DATABASE_URL';

/**
 * The query options a team database URL may carry. The URL is written to workspace.json, printed and
 * put on the audit chain, so only options that are neither secrets nor a second, hidden answer to
 * "which server, which database, which role" are taken: TLS (the certificate and key options are file
 * paths, the key stays in its file), the name the server shows for the connection, the connect
 * time-out. Anything else is refused rather than kept: `host=`, `port=`, `user=` or `dbname=` would
 * make node-postgres connect somewhere other than the URL reads, and an option we do not know might
 * carry a secret.
 */
export const DATABASE_URL_OPTIONS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
] as const;

/** Whether a workspace's database is a PostgreSQL server (a team workspace) rather than a SQLite file. */
export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** A query option whose value is a password (password=, sslpassword=, in any case). */
function isSecretOption(key: string): boolean {
  return /pass(word)?$/i.test(key.trim());
}

/**
 * A team workspace's database URL as recorded in workspace.json and shown to the user:
 * `postgres://user@host:port/db`, the allowed query options (sslmode...) kept. A password in it,
 * before the host or as a query option, is refused: the URL is written to disk and printed, and
 * node-postgres finds the password itself (PGPASSWORD, ~/.pgpass, PGPASSFILE), so it never needs to be in it.
 */
export function checkedDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidUrl(value);
  }
  if (!isDatabaseUrl(value) || !url.hostname || url.pathname.replace(/^\//, '') === '') throw invalidUrl(value);
  const keys = [...url.searchParams.keys()];
  const secret = keys.find(isSecretOption);
  if (url.password || secret !== undefined) throw passwordInUrl(secret);
  const unsupported = keys.filter((k) => !(DATABASE_URL_OPTIONS as readonly string[]).includes(k));
  if (unsupported.length > 0) {
    throw new SitterError(
      'DATABASE_URL_OPTION_UNSUPPORTED',
      `The database URL's option${unsupported.length > 1 ? 's' : ''} ${unsupported.map((k) => `"${k}"`).join(', ')} ` +
        'cannot be recorded: Sitter writes the URL to workspace.json and the audit chain, and keeps only options ' +
        'that are neither secrets nor a second answer to which server, database or role it uses.',
      `Give the host, port, user and database in the URL itself (postgres://USER@HOST:PORT/DB); options taken: ` +
        `${DATABASE_URL_OPTIONS.join(', ')}. Other connection settings go in the PG* environment variables. See docs/team.md.`,
      { options: unsupported },
    );
  }
  const user = url.username || process.env.PGUSER || 'postgres';
  const port = url.port || '5432';
  return `postgres://${user}@${url.hostname}:${port}${url.pathname}${url.search}`;
}

function passwordInUrl(option: string | undefined): SitterError {
  return new SitterError(
    'DATABASE_PASSWORD_IN_URL',
    option === undefined
      ? 'The database URL contains a password: Sitter records the URL in workspace.json and prints it, so it refuses one there.'
      : `The database URL carries a password in its "${option}" option: Sitter records the URL in workspace.json ` +
          'and prints it, so it refuses one there.',
    'Give the URL without the password (postgres://USER@HOST:PORT/DB) and the password through PGPASSWORD, ' +
      'or a ~/.pgpass file (mode 0600; PGPASSFILE points to another one): node-postgres reads them itself. ' +
      'A TLS client key goes in its own file (sslkey=PATH, mode 0600). See docs/team.md.',
  );
}

/**
 * What an unparsable URL is shown as: everything between `//` and the last `@` (the user and the
 * password, which may itself hold `/`, `:` or `@`) becomes `***`, so does the text after the colon of
 * an authority without `@` that is not a port, and so does the value of any password-like query option.
 */
export function maskedDatabaseUrl(value: string): string {
  const start = value.indexOf('//') >= 0 ? value.indexOf('//') + 2 : 0;
  const at = value.lastIndexOf('@');
  let shown: string;
  if (at >= start) {
    shown = `${value.slice(0, start)}***${value.slice(at)}`;
  } else {
    const rest = value.slice(start);
    const end = rest.search(/[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const colon = authority.indexOf(':');
    shown =
      colon >= 0 && !/^\d*$/.test(authority.slice(colon + 1))
        ? `${value.slice(0, start)}${authority.slice(0, colon)}:***${end < 0 ? '' : rest.slice(end)}`
        : value;
  }
  return shown.replace(/([?&;]\s*[^=&#;]*pass(?:word)?\s*=)[^&#;]*/gi, '$1***');
}

function invalidUrl(value: string): SitterError {
  return new SitterError(
    'DATABASE_URL_INVALID',
    `"${maskedDatabaseUrl(value)}" is not a PostgreSQL database URL.`,
    'Give it as postgres://USER@HOST:PORT/DATABASE (the database must exist: `createdb -O USER DATABASE`).',
  );
}

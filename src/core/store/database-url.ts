import { SitterError } from '../domain/errors.js';

/** The environment variable `sitter init` reads when `--database` is not given. */
export const DATABASE_URL_ENV = 'SITTER_DATABASE_URL';

/** Whether a workspace's database is a PostgreSQL server (a team workspace) rather than a SQLite file. */
export function isDatabaseUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * A team workspace's database URL as recorded in workspace.json and shown to the user:
 * `postgres://user@host:port/db`, query options (sslmode...) kept. A password in it is refused: the
 * URL is written to disk and printed, and node-postgres finds the password itself (PGPASSWORD,
 * ~/.pgpass, PGPASSFILE), so it never needs to be in it.
 */
export function checkedDatabaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidUrl(value);
  }
  if (!isDatabaseUrl(value) || !url.hostname || url.pathname.replace(/^\//, '') === '') throw invalidUrl(value);
  if (url.password) {
    throw new SitterError(
      'DATABASE_PASSWORD_IN_URL',
      'The database URL contains a password: Sitter records the URL in workspace.json and prints it, so it refuses one there.',
      'Give the URL without the password (postgres://USER@HOST:PORT/DB) and the password through PGPASSWORD, ' +
        'or a ~/.pgpass file (mode 0600; PGPASSFILE points to another one): node-postgres reads them itself. See docs/team.md.',
    );
  }
  const user = url.username || process.env.PGUSER || 'postgres';
  const port = url.port || '5432';
  return `postgres://${user}@${url.hostname}:${port}${url.pathname}${url.search}`;
}

function invalidUrl(value: string): SitterError {
  const shown = value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  return new SitterError(
    'DATABASE_URL_INVALID',
    `"${shown}" is not a PostgreSQL database URL.`,
    'Give it as postgres://USER@HOST:PORT/DATABASE (the database must exist: `createdb -O USER DATABASE`).',
  );
}

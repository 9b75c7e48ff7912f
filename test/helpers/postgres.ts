/**
 * A throwaway PostgreSQL cluster for tests: Debian's own server binaries (`.ci/run` installs the
 * `postgresql` package), `initdb` in a temp folder, listening on 127.0.0.1 on a free port and on a
 * socket in that folder, run as an unprivileged user when the tests run as root (PostgreSQL refuses
 * to run as root). One cluster per test file (about 1 s to create); each test makes its own
 * database with `createDatabase`. Host connections need the superuser's password (scram-sha-256),
 * as a real server would; `env` carries it as PGPASSWORD, so URLs never hold it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PgCluster {
  host: string;
  port: number;
  superuser: string;
  password: string;
  /** PGPASSWORD (and PGHOST/PGPORT/PGUSER) for child processes: how a user hands the password to Sitter */
  env: Record<string, string>;
  /** postgres://USER@127.0.0.1:PORT/DB, without a password */
  url(database: string, user?: string): string;
  /** CREATE DATABASE with a fresh name; returns its URL (superuser, no password) */
  createDatabase(prefix?: string): Promise<string>;
  /** CREATE ROLE ... LOGIN PASSWORD ...; returns the role's name */
  createRole(name: string, password: string, options?: string): Promise<string>;
  /** runs SQL as the superuser on `database` (default `postgres`) and returns the rows */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, database?: string): Promise<R[]>;
  stop(): Promise<void>;
}

/** The newest Debian server binaries on this machine, or null. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(base, versions[0]!, 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** As root, PostgreSQL's programs run as `nobody`; as anyone else, as themselves. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', cmd, ...args]];
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql: `apt-get install postgresql` (.ci/run does).',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'sitter-pg-'));
  const data = join(dir, 'data');
  const superuser = 'postgres';
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    chownSync(dir, 65534, 65534);
    chownSync(pwfile, 65534, 65534);
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    superuser,
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  await run(initCmd, initArgs);
  const port = await freePort();
  const [pgCmd, pgArgs] = asServerUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `port=${port}`,
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ]);
  const server: ChildProcess = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let serverLog = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  const host = '127.0.0.1';
  const adminConfig = (database: string): pg.ClientConfig => ({ host, port, user: superuser, password, database });

  const query = async <R extends Record<string, unknown>>(sql: string, database = 'postgres'): Promise<R[]> => {
    const client = new pg.Client(adminConfig(database));
    await client.connect();
    try {
      return (await client.query<R>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  // Ready when it accepts a connection (a few hundred ms).
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await query('select 1');
      break;
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) {
        server.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${String(error)}\n${serverLog}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let counter = 0;
  return {
    host,
    port,
    superuser,
    password,
    env: { PGPASSWORD: password, PGHOST: host, PGPORT: String(port), PGUSER: superuser },
    url: (database, user = superuser) => `postgres://${user}@${host}:${port}/${database}`,
    async createDatabase(prefix = 't') {
      const name = `${prefix}_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`.toLowerCase();
      await query(`CREATE DATABASE "${name}"`);
      return `postgres://${superuser}@${host}:${port}/${name}`;
    },
    async createRole(name, rolePassword, options = '') {
      await query(`CREATE ROLE "${name}" LOGIN PASSWORD '${rolePassword.replace(/'/g, "''")}' ${options}`);
      return name;
    },
    query,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
        server.kill('SIGINT'); // fast shutdown: disconnects clients, no checkpoint wait beyond need
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

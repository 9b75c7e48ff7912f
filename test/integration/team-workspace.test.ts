import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain, type AuditEntry } from '../../src/core/domain/audit.js';
import { embeddingToBytes } from '../../src/core/domain/embedding.js';
import { DatabaseKeyVault } from '../../src/core/store/key-vault-db.js';
import { initOrm } from '../../src/core/store/orm.js';
import { openWorkspace } from '../../src/core/store/workspace.js';
import { CLI, jsonOf, runSitter } from '../helpers/cli.js';
import { type PgCluster, postgresBinDir, startPostgres } from '../helpers/postgres.js';
import { seedApprovedShoot, seedProposal, seedTemplate } from '../helpers/seed.js';
import { makeTeamWorkspace, tempDir } from '../helpers/workspace.js';

const run = promisify(execFile);
let pg: PgCluster;
let env: Record<string, string>;
const tmp = tempDir('sitter-team-');
let folders = 0;
/** A new machine's workspace folder. */
const machine = () => join(tmp.dir, `machine-${++folders}`);

beforeAll(async () => {
  pg = await startPostgres();
  // As a user gives it: PGPASSWORD in the environment, never in the URL.
  env = { PGPASSWORD: pg.password };
  process.env.PGPASSWORD = pg.password;
}, 60_000);
afterAll(async () => {
  await pg.stop();
  tmp.cleanup();
});

const sitter = (ws: string, args: string[], extra: Record<string, string> = {}) =>
  runSitter(['-w', ws, ...args], { env: { ...env, ...extra } });

/** exit 1, the code on stderr with a hint, and no stack trace */
function expectRefusal(r: Awaited<ReturnType<typeof runSitter>>, code: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const error = (JSON.parse(r.stdout) as { error: { code: string; hint: string } }).error;
  expect(error.code, r.stdout).toBe(code);
  expect(error.hint.length).toBeGreaterThan(10);
  expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
  expect(r.stdout + r.stderr).not.toContain(pg.password);
}

describe('sitter init --database: a team workspace on PostgreSQL', () => {
  it('makes a 0700 folder with workspace.json naming the database (no password) and a 0600 master key; a second machine joins with the same key, another key is refused (MASTER_KEY_WRONG), none is MASTER_KEY_MISSING', async () => {
    const url = await pg.createDatabase('init');
    const first = machine();
    const made = await sitter(first, ['--json', 'init', '--database', url]);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    expect(jsonOf(made)).toMatchObject({
      created: true,
      joined: false,
      database: url,
      masterKey: { kind: 'workspace' },
    });
    const marker = JSON.parse(readFileSync(join(first, 'workspace.json'), 'utf8')) as Record<string, unknown>;
    expect(marker.database).toBe(url);
    expect(JSON.stringify(marker)).not.toContain(pg.password);
    expect(statSync(first).mode & 0o777).toBe(0o700);
    expect(statSync(join(first, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(first, 'workspace.json')).mode & 0o777).toBe(0o600);

    // The second machine, with the key handed over as a file: copied into its own folder, 0600.
    const second = machine();
    const joined = await sitter(second, ['--json', 'init', '--database', url], {
      SITTER_MASTER_KEY_FILE: join(first, 'master.key'),
    });
    expect(joined.code, joined.stdout + joined.stderr).toBe(0);
    expect(jsonOf(joined)).toMatchObject({ created: true, joined: true, database: url });
    expect(readFileSync(join(second, 'master.key'))).toEqual(readFileSync(join(first, 'master.key')));
    expect(statSync(join(second, 'master.key')).mode & 0o777).toBe(0o600);
    // One workspace: what one machine does, the other sees.
    expect((await sitter(first, ['settings', '--controller', 'Archive Ltd'])).code).toBe(0);
    const seen = jsonOf(await sitter(second, ['--json', 'settings']));
    expect(seen).toMatchObject({ settings: { controller: 'Archive Ltd' } });

    const other = join(tmp.dir, 'other.key');
    writeFileSync(other, randomBytes(32), { mode: 0o600 });
    expectRefusal(
      await sitter(machine(), ['--json', 'init', '--database', url], { SITTER_MASTER_KEY_FILE: other }),
      'MASTER_KEY_WRONG',
    );
    expectRefusal(
      await sitter(machine(), ['--json', 'init', '--database', url], {
        SITTER_MASTER_KEY: randomBytes(32).toString('base64'),
      }),
      'MASTER_KEY_WRONG',
    );
    expectRefusal(await sitter(machine(), ['--json', 'init', '--database', url]), 'MASTER_KEY_MISSING');
    // SITTER_DATABASE_URL stands for --database.
    const third = machine();
    const byEnv = await sitter(third, ['--json', 'init'], {
      SITTER_DATABASE_URL: url,
      SITTER_MASTER_KEY_FILE: join(first, 'master.key'),
    });
    expect(jsonOf(byEnv)).toMatchObject({ joined: true, database: url });
  });

  it('records workspace.created and workspace.machine-joined under the database role that connected, the OS user kept beside it', async () => {
    const url = await pg.createDatabase('actor');
    await pg.createRole('keeper', 'keeper-pw');
    await pg.query(`ALTER DATABASE "${new URL(url).pathname.slice(1)}" OWNER TO keeper`);
    const first = machine();
    const made = await sitter(first, ['--json', 'init', '--database', url.replace('postgres@', 'keeper@')], {
      PGPASSWORD: 'keeper-pw',
    });
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const second = machine();
    const joined = await sitter(second, ['--json', 'init', '--database', url], {
      SITTER_MASTER_KEY_FILE: join(first, 'master.key'),
    });
    expect(joined.code, joined.stdout + joined.stderr).toBe(0);
    const exported = await sitter(second, ['audit', 'export']);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const entries = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { actor: string; action: string; details: Record<string, unknown> });
    const osUser = userInfo().username;
    expect(entries.find((e) => e.action === 'workspace.created')).toMatchObject({
      actor: 'keeper',
      details: { osUser },
    });
    expect(entries.find((e) => e.action === 'workspace.machine-joined')).toMatchObject({
      actor: 'postgres',
      details: { osUser },
    });
  });

  it('refuses a password in the URL, and tells an unreachable server, a missing or wrong password, a missing database and a role without privileges apart, each with a hint and no stack', async () => {
    const url = await pg.createDatabase('errors');
    const withPassword = url.replace('postgres@', `postgres:${pg.password}@`);
    expectRefusal(await sitter(machine(), ['--json', 'init', '--database', withPassword]), 'DATABASE_PASSWORD_IN_URL');

    const closed = `postgres://postgres@127.0.0.1:1/${url.split('/').at(-1)}`;
    expectRefusal(await sitter(machine(), ['--json', 'init', '--database', closed]), 'DATABASE_UNREACHABLE');
    expectRefusal(
      await runSitter(['-w', machine(), '--json', 'init', '--database', url], {
        env: { PGPASSWORD: undefined, PGPASSFILE: join(tmp.dir, 'no-such-pgpass') },
      }),
      'DATABASE_PASSWORD_MISSING',
    );
    expectRefusal(
      await sitter(machine(), ['--json', 'init', '--database', url], { PGPASSWORD: 'wrong' }),
      'DATABASE_LOGIN_FAILED',
    );
    expectRefusal(await sitter(machine(), ['--json', 'init', '--database', `${url}_missing`]), 'DATABASE_NOT_FOUND');

    // A role that may log in but not create Sitter's tables (PostgreSQL 15: no CREATE on public).
    await pg.createRole('reader', 'reader-pw');
    const forReader = url.replace('postgres@', 'reader@');
    expectRefusal(
      await sitter(machine(), ['--json', 'init', '--database', forReader], { PGPASSWORD: 'reader-pw' }),
      'DATABASE_PERMISSION_DENIED',
    );
    // A ~/.pgpass-style file is read by node-postgres itself.
    const pgpass = join(tmp.dir, 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:${pg.port}:*:postgres:${pg.password}\n`, { mode: 0o600 });
    const viaFile = await runSitter(['-w', machine(), '--json', 'init', '--database', url], {
      env: { PGPASSWORD: undefined, PGPASSFILE: pgpass },
    });
    expect(viaFile.code, viaFile.stdout + viaFile.stderr).toBe(0);
  });

  it('refuses a password in the query string (password=, sslpassword=) through init --database, SITTER_DATABASE_URL and demo --database: nothing made, the password in no output; an option off the allow-list is DATABASE_URL_OPTION_UNSUPPORTED, sslmode is kept', async () => {
    const url = await pg.createDatabase('query');
    const secret = pg.password;
    for (const bad of [
      `${url}?password=${secret}`,
      `${url}?sslmode=disable&sslpassword=${secret}`,
      `${url}?PassWord=${secret}`,
    ]) {
      const viaOption = machine();
      expectRefusal(await sitter(viaOption, ['--json', 'init', '--database', bad]), 'DATABASE_PASSWORD_IN_URL');
      expect(existsSync(viaOption), bad).toBe(false);
      const viaEnv = machine();
      expectRefusal(await sitter(viaEnv, ['--json', 'init'], { SITTER_DATABASE_URL: bad }), 'DATABASE_PASSWORD_IN_URL');
      expect(existsSync(viaEnv), bad).toBe(false);
      const demoDir = machine();
      expectRefusal(
        await runSitter(['--json', 'demo', '--dir', demoDir, '--database', bad], { env }),
        'DATABASE_PASSWORD_IN_URL',
      );
      expect(existsSync(join(demoDir, 'workspace')), bad).toBe(false);
    }
    // No workspace was made in the database by any of them.
    const tables = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    expect(await pg.query(tables, new URL(url).pathname.slice(1))).toEqual([]);
    // host= would connect elsewhere than the recorded URL says: refused, not kept.
    const elsewhere = machine();
    expectRefusal(
      await sitter(elsewhere, ['--json', 'init', '--database', `${url}?host=/tmp`]),
      'DATABASE_URL_OPTION_UNSUPPORTED',
    );
    // An allowed option is kept in the recorded URL.
    const tls = machine();
    const made = await sitter(tls, ['--json', 'init', '--database', `${url}?sslmode=disable`]);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    expect(jsonOf(made)).toMatchObject({ created: true, database: `${url}?sslmode=disable` });
  });

  it('DATABASE_URL_INVALID never shows the password: one holding "/" or "@", or a password= option', async () => {
    for (const [bad, shown] of [
      [`postgres://u:se/cret@127.0.0.1:55432/db`, 'postgres://***@127.0.0.1:55432/db'],
      [`postgres://u:p@ss@127.0.0.1:notaport/db`, 'postgres://***@127.0.0.1:notaport/db'],
      [`postgres://127.0.0.1:notaport/db?password=se/cret`, 'postgres://127.0.0.1:***/db?password=***'],
    ] as const) {
      const r = await sitter(machine(), ['--json', 'init', '--database', bad]);
      expectRefusal(r, 'DATABASE_URL_INVALID');
      expect(r.stdout).toContain(shown);
      expect(r.stdout + r.stderr).not.toMatch(/se\/cret|p@ss/);
    }
  });
});

describe('records and dpia of a team workspace', () => {
  it('name the database server (no credentials), the roles and the machines as those with access, keep the master key out of the database, and cite no SQLite secure_delete', async () => {
    const t = await makeTeamWorkspace(pg);
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    await t.ws.close();
    await pg.createRole('rita', 'rita-pw');
    expect((await sitter(t.root, ['team', 'add-reviewer', 'rita'])).code).toBe(0);
    const server = `127.0.0.1:${pg.port}/${new URL(t.url).pathname.slice(1)}`;

    const text = await sitter(t.root, ['records']);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).not.toContain('sitter.db');
    expect(text.stdout).not.toContain('secure_delete');
    expect(text.stdout).not.toContain('beside the database');
    expect(text.stdout).not.toContain('postgres@');
    expect(text.stdout).toContain(`database server: ${server}`);
    expect(text.stdout).toContain('database owner: postgres; reviewer roles: rita');
    expect(text.stdout).toMatch(new RegExp(`${hostname()} ${t.root}, created \\d{4}-\\d\\d-\\d\\d as postgres`));
    expect(text.stdout).toContain(`never in the database on ${server}`);
    const json = jsonOf(await sitter(t.root, ['--json', 'records']));
    expect(json).toMatchObject({
      storage: 'postgresql',
      teamAccess: {
        roles: expect.arrayContaining([
          expect.objectContaining({ role: 'postgres', kind: 'owner', canLogin: true }),
          expect.objectContaining({ role: 'rita', kind: 'reviewer', canLogin: true }),
        ]),
        machines: [{ host: hostname(), folder: t.root, role: 'postgres', joined: false }],
      },
      workspace: { server },
    });
    expect(JSON.stringify(json)).not.toContain(pg.password);

    const dpia = await sitter(t.root, ['dpia', 's']);
    expect(dpia.code, dpia.stdout + dpia.stderr).toBe(0);
    expect(dpia.stdout).not.toContain('secure_delete');
    expect(dpia.stdout).toContain('on the team PostgreSQL database deleted rows are not overwritten');
    await t.cleanup();
  });
});

describe('keys of a team workspace', () => {
  it('after enrolment and a scan the database holds no master key bytes and no plaintext template; another key unwraps nothing; a lost key is refused, never worked around', async () => {
    const t = await makeTeamWorkspace(pg);
    const vector = [0.123, -0.456, 0.789, 0.321];
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    await seedTemplate(t, 's', 'P1', vector);
    await seedProposal(t, 's', 'a.jpg', 'P1');
    await t.ws.close();
    const database = t.url.split('/').at(-1)!;
    const { stdout: dump } = await run(
      join(postgresBinDir()!, 'pg_dump'),
      ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '--inserts', database],
      {
        env: { ...process.env, PGPASSWORD: pg.password },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(dump).toContain('shoot_key');
    expect(dump).toMatch(/INSERT INTO public\.template /);
    const masterKey = readFileSync(join(t.root, 'master.key'));
    const plaintext = Buffer.from(embeddingToBytes(Float32Array.from(vector)));
    for (const secret of [masterKey, plaintext]) {
      expect(dump.toLowerCase()).not.toContain(secret.toString('hex'));
      expect(dump).not.toContain(secret.toString('base64'));
    }

    // Another master key, on the same database: the shoot's data key does not unwrap.
    const orm = await initOrm({ dbName: t.url });
    try {
      const { templates } = await openWorkspace(t.root).then(async (ws) => {
        const list = await ws.store.transaction((uow) => uow.templates.listByShoot('s'));
        await ws.close();
        return { templates: list };
      });
      const stranger = new DatabaseKeyVault(randomBytes(32), orm);
      const row = templates[0]!;
      const binding = {
        kind: 'template' as const,
        shootId: 's',
        participantId: row.participantId,
        modelDigest: row.modelDigest,
        origin: row.origin,
      };
      await expect(stranger.decrypt(binding, row.embedding)).rejects.toMatchObject({ code: 'KEY_UNREADABLE' });
    } finally {
      await orm.close(true);
    }

    // The machine's key replaced by another: refused before anything is read.
    writeFileSync(join(t.root, 'master.key'), randomBytes(32), { mode: 0o600 });
    expectRefusal(await sitter(t.root, ['--json', 'shoot', 'list']), 'MASTER_KEY_WRONG');
    // A machine whose key comes from the environment, without it: MASTER_KEY_MISSING.
    const envMachine = machine();
    const key = masterKey.toString('base64');
    expect(
      (await sitter(envMachine, ['--json', 'init', '--database', t.url, '--key-from-env'], { SITTER_MASTER_KEY: key }))
        .code,
    ).toBe(0);
    expectRefusal(await sitter(envMachine, ['--json', 'shoot', 'list']), 'MASTER_KEY_MISSING');
    expect((await sitter(envMachine, ['--json', 'shoot', 'list'], { SITTER_MASTER_KEY: key })).code).toBe(0);
  });
});

describe('two reviewers on two machines at once', () => {
  it('deciding the same face at the same moment: exactly one wins each time, the other is told who decided, and the store and the audit agree', async () => {
    // Seeded as of now: the CLI runs on the real clock, and retention counts from the shoot's creation.
    const t = await makeTeamWorkspace(pg, new Date());
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    const faces = [];
    for (let i = 0; i < 6; i++) faces.push(await seedProposal(t, 's', `a${i}.jpg`, 'P1'));
    // Each reviewer is their own database role (issue 15): the owner on the first machine, bob on the second.
    const owner = pg.superuser;
    if (!(await pg.query(`select 1 from pg_roles where rolname = 'bob'`)).length) await pg.createRole('bob', 'bob-pw');
    expect((await sitter(t.root, ['team', 'add-reviewer', 'bob'])).code).toBe(0);
    const asBob = { PGUSER: 'bob', PGPASSWORD: 'bob-pw' };
    const joined = machine();
    const bobUrl = t.url.replace(`//${owner}@`, '//bob@');
    expect(
      (
        await sitter(joined, ['init', '--database', bobUrl], {
          ...asBob,
          SITTER_MASTER_KEY_FILE: join(t.root, 'master.key'),
        })
      ).code,
    ).toBe(0);
    for (const face of faces) {
      const [alice, bob] = await Promise.all([
        sitter(t.root, ['--json', 'decide', 's', String(face.id), '--confirm']),
        sitter(joined, ['--json', 'decide', 's', String(face.id), '--confirm'], asBob),
      ]);
      const winners = [alice, bob].filter((r) => r.code === 0);
      expect(winners.length, alice.stdout + alice.stderr + bob.stdout + bob.stderr).toBe(1);
      const winner = winners[0] === alice ? owner : 'bob';
      const loser = winners[0] === alice ? bob : alice;
      expect(loser.code).toBe(1);
      expect(loser.stdout).toContain(`already decided by ${winner}`);
      const decisions = await t.ws.store.transaction((uow) => uow.decisions.listByFace(face.id));
      expect(decisions.map((d) => d.reviewer)).toEqual([winner]);
    }
    const entries = await t.ws.store.transaction((uow) => uow.audit.all());
    const confirms = entries.filter((e) => e.action === 'decision.confirm');
    expect(confirms.map((e) => e.subject)).toEqual(faces.map((f) => `face:${f.id}`));
    expect(verifyChain(entries).ok).toBe(true);
    await t.cleanup();
  }, 120_000);

  it('several processes appending to the audit chain at once leave one chain that audit verify accepts', async () => {
    const t = await makeTeamWorkspace(pg);
    const writers = 4;
    const each = 4;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < each; i++) {
          const r = await sitter(t.root, ['settings', '--controller', `Controller ${w}-${i}`]);
          expect(r.code, r.stdout + r.stderr).toBe(0);
        }
      }),
    );
    const verified = await sitter(t.root, ['--json', 'audit', 'verify']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const entries: AuditEntry[] = await t.ws.store.transaction((uow) => uow.audit.all());
    const changes = entries.filter((e) => e.action === 'workspace.settings-changed');
    expect(changes.length).toBe(writers * each);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    await t.cleanup();
  }, 120_000);
});

describe('the scan lock of a team workspace', () => {
  it('a scan of a shoot being scanned on another machine is refused (SCAN_RUNNING); a holder killed with -9 loses it', async () => {
    const t = await makeTeamWorkspace(pg, new Date());
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    const other = machine();
    expect(
      (await sitter(other, ['init', '--database', t.url], { SITTER_MASTER_KEY_FILE: join(t.root, 'master.key') })).code,
    ).toBe(0);
    // Machine 1 holds the lock in another process, as a running scan does.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openWorkspace } = await import(${JSON.stringify(join(CLI, '../../core/store/workspace.js'))});
         const ws = await openWorkspace(${JSON.stringify(t.root)});
         await ws.scanLock('s');
         console.log('locked');
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()),
    );
    const refused = await sitter(other, ['--json', 'scan', 's']);
    expectRefusal(refused, 'SCAN_RUNNING');
    expect(refused.stdout).toMatch(/scanned by pid \d+ on /);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    // The server ends the dead holder's session, and its lock with it.
    let lock;
    for (let i = 0; i < 50 && !lock; i++) {
      lock = await t.ws.scanLock('s').catch(() => new Promise((r) => setTimeout(r, 100)).then(() => undefined));
    }
    expect(lock, 'the lock of a killed holder is free again').toBeDefined();
    await expect(t.ws.scanLock('s')).rejects.toMatchObject({ code: 'SCAN_RUNNING' });
    await lock!.release();
    await (await t.ws.scanLock('s')).release();
    await t.cleanup();
  }, 60_000);
});

describe('backup and restore of a team workspace', () => {
  it('pg_dump, then pg_restore into a new database: a machine joining it with the kept key reads the templates again, and the chain verifies', async () => {
    const t = await makeTeamWorkspace(pg, new Date());
    const vector = [0.25, 0.5, -0.75];
    await seedApprovedShoot(t, 's', [{ id: 'P1', name: 'Ada', consent: 'yes' }]);
    await seedTemplate(t, 's', 'P1', vector);
    await t.ws.close();
    const bin = postgresBinDir()!;
    const pgEnv = { ...process.env, PGPASSWORD: pg.password };
    const conn = ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres'];
    const dumpFile = join(tmp.dir, 'backup.dump');
    await run(join(bin, 'pg_dump'), [...conn, '-Fc', '-f', dumpFile, t.url.split('/').at(-1)!], { env: pgEnv });
    const restored = await pg.createDatabase('restored');
    await run(join(bin, 'pg_restore'), [...conn, '--no-owner', '-d', restored.split('/').at(-1)!, dumpFile], {
      env: pgEnv,
    });

    const folder = machine();
    const joined = await sitter(folder, ['--json', 'init', '--database', restored], {
      SITTER_MASTER_KEY_FILE: join(t.root, 'master.key'),
    });
    expect(jsonOf(joined)).toMatchObject({ joined: true, database: restored });
    expect((await sitter(folder, ['--json', 'audit', 'verify'])).code).toBe(0);
    const ws = await openWorkspace(folder);
    try {
      const [row] = await ws.store.transaction((uow) => uow.templates.listByShoot('s'));
      const plain = await ws.keyVault.decrypt(
        {
          kind: 'template',
          shootId: 's',
          participantId: row!.participantId,
          modelDigest: row!.modelDigest,
          origin: row!.origin,
        },
        row!.embedding,
      );
      expect(Buffer.from(plain)).toEqual(Buffer.from(embeddingToBytes(Float32Array.from(vector))));
    } finally {
      await ws.close();
    }
  }, 60_000);
});

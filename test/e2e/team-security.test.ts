import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/ports/clock.js';
import { openWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';
import { OUTPUT_SCHEMAS } from '../../src/tui/output-schemas/index.js';
import { type CliRun, jsonOf, runSitter } from '../helpers/cli.js';
import { postgresBinDir, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';
import { adaAndBen, buildShoot, risingFace } from './tui-helpers.js';

const RITA_PW = 'rita-secret-1';
const BOB_PW = 'bob-secret-2';
const NOADMIN_PW = 'noadmin-secret-3';

const errorOf = (run: CliRun) => jsonOf(run).error as { code: string; hint: string } | undefined;

/**
 * Issue 15, the independent review of team mode: what a reviewer's own psql session (their role and
 * password, outside Sitter) can no longer do, enforced by the database; reviewer groups of databases
 * with long names; reviewers on the distributed scan; an owner without CREATEROLE told as such.
 * A real PostgreSQL cluster, real login roles, the real CLI; the shoot is seeded without models.
 */
describe.skipIf(!postgresBinDir())('team workspace security (PostgreSQL, a reviewer with psql)', () => {
  const tmp = tempDir('sitter-team-security-');
  const owner = join(tmp.dir, 'owner');
  const ritaDir = join(tmp.dir, 'rita');
  let cluster: PgCluster;
  let url = '';
  let database = '';
  let ws: OpenWorkspace;
  let faces: number[] = [];

  const urlAs = (base: string, role: string) => base.replace(`//${cluster.superuser}@`, `//${role}@`);
  const asOwner = (...args: string[]) => runSitter(['-w', owner, '--json', ...args], { env: cluster.env });
  const roleEnv = (role: string, password: string) => ({ ...cluster.env, PGUSER: role, PGPASSWORD: password });
  const asRita = (...args: string[]) =>
    runSitter(['-w', ritaDir, '--json', ...args], { env: roleEnv('rita', RITA_PW) });
  const joinAs = (dir: string, base: string, role: string, password: string, keyFrom: string) =>
    runSitter(['-w', dir, '--json', 'init', '--database', urlAs(base, role)], {
      env: { ...roleEnv(role, password), SITTER_MASTER_KEY_FILE: join(keyFrom, 'master.key') },
    });

  /** SQL as a reviewer types it in psql: their own login role and password, no Sitter in between. */
  async function psqlAs(role: string, password: string, sql: string, db = database) {
    const client = new pg.Client({ host: cluster.host, port: cluster.port, user: role, password, database: db });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const asRitaSql = (sql: string) => psqlAs('rita', RITA_PW, sql);

  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase('sec');
    database = new URL(url).pathname.slice(1);
    await cluster.createRole('rita', RITA_PW);
    await cluster.createRole('bob', BOB_PW);
    const made = await asOwner('init', '--database', url);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    for (const role of ['rita', 'bob']) expect((await asOwner('team', 'add-reviewer', role)).code).toBe(0);
    const joined = await joinAs(ritaDir, url, 'rita', RITA_PW, owner);
    expect(joined.code, joined.stdout + joined.stderr).toBe(0);
    process.env.PGPASSWORD = cluster.password;
    ws = await openWorkspace(owner);
    const ctx = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: cluster.superuser };
    faces = (
      await buildShoot(ctx, tmp.dir, 'duo', {
        reviewers: 2,
        people: await adaAndBen(),
        assets: [1, 2, 3].map((i) => ({ file: `d${i}.png`, faces: [risingFace(i % 2 ? 'P1' : 'P2', i)] })),
      })
    ).faces;
  }, 120_000);

  afterAll(async () => {
    await ws?.close();
    await cluster?.stop();
    tmp.cleanup();
  });

  it('a reviewer cannot update, delete or truncate the audit chain with psql; her own appends still work', async () => {
    const before = await asRitaSql('select count(*)::int as n from audit_event');
    await expect(asRitaSql('delete from audit_event')).rejects.toThrow(/append-only/);
    await expect(asRitaSql(`update audit_event set actor = 'someone' where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(asRitaSql('truncate audit_event')).rejects.toThrow(/permission denied|append-only/);
    expect(await asRitaSql('select count(*)::int as n from audit_event')).toEqual(before);

    // Her decisions still append to the chain: the append lock needs UPDATE, which she keeps.
    const decided = await asRita('decide', 'duo', String(faces[0]), '--confirm');
    expect(decided.code, decided.stdout + decided.stderr).toBe(0);
    const verified = await asRita('audit', 'verify');
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(jsonOf(verified)).toMatchObject({ ok: true });
  }, 60_000);

  it('a reviewer cannot record a decision under another role with psql, nor alter one, nor the workspace tables', async () => {
    const face = faces[1]!;
    const insertAs = (reviewer: string) =>
      asRitaSql(
        `insert into decision (shoot_id, face_id, reviewer, action, at, previous_state)
         values ('duo', ${face}, '${reviewer}', 'confirm', now(), 'proposed')`,
      );
    // The second half of a two-person confirmation, faked as bob: refused by the database.
    await expect(insertAs('bob')).rejects.toThrow(/recorded under the role that makes it/);
    await expect(asRitaSql(`update decision set reviewer = 'bob' where reviewer = 'rita'`)).rejects.toThrow(
      /recorded under the role/,
    );
    // A decision of bob's (as his own session records it) cannot be changed by rita.
    await psqlAs(
      'bob',
      BOB_PW,
      `insert into decision (shoot_id, face_id, reviewer, action, at, previous_state)
       values ('duo', ${face}, 'bob', 'reject', now(), 'proposed')`,
    );
    await expect(asRitaSql(`update decision set action = 'confirm' where reviewer = 'bob'`)).rejects.toThrow(
      /recorded under the role/,
    );
    expect(await asRitaSql(`select action from decision where reviewer = 'bob'`)).toEqual([{ action: 'reject' }]);
    await psqlAs('bob', BOB_PW, `delete from decision where reviewer = 'bob'`);

    for (const sql of [
      `update workspace_identity set key_check = 'x'`,
      'delete from workspace_identity',
      'delete from shoot_key',
      `update shoot_key set wrapped = null`,
      'delete from mikro_orm_migrations',
    ])
      await expect(asRitaSql(sql), sql).rejects.toThrow(/permission denied/);
    // ...while reading them, as every command of hers does, still works.
    expect((await asRita('team', 'list')).code).toBe(0);
  }, 60_000);

  it('databases whose names share their first 50 characters get separate reviewer groups', async () => {
    const stem = 'a'.repeat(50);
    const urls: string[] = [];
    for (const suffix of ['_one', '_two']) {
      await cluster.query(`CREATE DATABASE "${stem}${suffix}"`);
      urls.push(cluster.url(`${stem}${suffix}`));
    }
    const [one, two] = [join(tmp.dir, 'long-one'), join(tmp.dir, 'long-two')];
    for (const [dir, u] of [
      [one, urls[0]!],
      [two, urls[1]!],
    ] as const)
      expect((await runSitter(['-w', dir, '--json', 'init', '--database', u], { env: cluster.env })).code).toBe(0);
    const add = (dir: string, role: string) =>
      runSitter(['-w', dir, '--json', 'team', 'add-reviewer', role], { env: cluster.env });
    expect((await add(one, 'rita')).code).toBe(0);
    expect((await add(two, 'bob')).code).toBe(0);

    const list = (dir: string) => runSitter(['-w', dir, '--json', 'team', 'list'], { env: cluster.env });
    const [l1, l2] = [jsonOf(await list(one)), jsonOf(await list(two))];
    expect(l1.group).not.toBe(l2.group);
    for (const g of [l1.group, l2.group]) expect(Buffer.byteLength(String(g))).toBeLessThanOrEqual(63);
    expect((l1.members as { role: string }[]).map((m) => m.role)).toEqual([cluster.superuser, 'rita']);
    expect((l2.members as { role: string }[]).map((m) => m.role)).toEqual([cluster.superuser, 'bob']);
    // rita was let into the first only: the second's tables stay closed to her.
    const joined = await joinAs(join(tmp.dir, 'rita-two'), urls[1]!, 'rita', RITA_PW, two);
    expect(joined.code).not.toBe(0);
  }, 120_000);

  it('scan --status only reads; after the owner queues, a reviewer follows and works the queue', async () => {
    const schema = async () =>
      (await cluster.query(`select 1 from pg_namespace where nspname = 'pgboss'`, database)).length;
    const early = await asRita('scan', '--status', 'duo');
    expect(early.code, early.stdout + early.stderr).toBe(0);
    expect(jsonOf(early)).toMatchObject({ shoot: 'duo', assets: 0 });
    const text = await runSitter(['-w', ritaDir, 'scan', '--status', 'duo'], { env: roleEnv('rita', RITA_PW) });
    expect(text.stdout).toMatch(/No queued scan of shoot "duo"/);
    expect(await schema()).toBe(0);

    // The owner's first `scan --queue` makes pg-boss's schema and lets the existing group in. The
    // seeded shoot has no templates for the real model, so its jobs fail (NO_TEMPLATES) and, with no
    // retries, are dead-lettered at once: enough to show rita's worker claims and settles them.
    const queued = await asOwner('scan', 'duo', '--queue', '--retries', '0');
    expect(queued.code, queued.stdout + queued.stderr).toBe(0);
    expect(await schema()).toBe(1);
    const status = await asRita('scan', '--status', 'duo');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(OUTPUT_SCHEMAS['scan-status']!.safeParse(jsonOf(status)).error).toBeUndefined();

    // `team add-reviewer` renews the same grants (here after an administrator took them away).
    await cluster.query(
      `revoke all on schema pgboss from "${String(jsonOf(await asRita('team', 'list')).group)}"`,
      database,
    );
    expect((await asRita('scan', '--status', 'duo')).code).not.toBe(0);
    expect((await asOwner('team', 'add-reviewer', 'rita')).code).toBe(0);

    const worker = await runSitter(
      ['-w', ritaDir, '--json', 'worker', '--until-idle', '--workers', '1', '--poll', '200'],
      { env: roleEnv('rita', RITA_PW), timeoutMs: 150_000 },
    );
    expect(worker.code, worker.stdout + worker.stderr).toBe(0);
    const after = await asRita('scan', '--status', 'duo');
    expect(after.code).toBe(1); // dead-lettered jobs
    expect(jsonOf(after)).toMatchObject({
      shoot: 'duo',
      jobs: { waiting: 0, active: 0, retrying: 0, deadLettered: 3 },
    });
    expect(JSON.stringify(jsonOf(after).deadLettered)).toContain('NO_TEMPLATES');
  }, 240_000);

  it('team list says whether the owner can add reviewers (CREATEROLE); a missing role gets a quoted hint', async () => {
    const mine = jsonOf(await asOwner('team', 'list'));
    expect(mine.members).toContainEqual(expect.objectContaining({ kind: 'owner', canAdminister: true }));
    expect(OUTPUT_SCHEMAS['team-list']!.safeParse(mine).success).toBe(true);

    // As docs/team.md's Set-up once made it: `createuser --pwprompt sitter_admin`, without --createrole.
    await cluster.createRole('noadmin', NOADMIN_PW);
    const db = 'owned_by_noadmin';
    await cluster.query(`CREATE DATABASE ${db} OWNER noadmin`);
    const dir = join(tmp.dir, 'noadmin');
    const env = roleEnv('noadmin', NOADMIN_PW);
    expect(
      (await runSitter(['-w', dir, '--json', 'init', '--database', cluster.url(db, 'noadmin')], { env })).code,
    ).toBe(0);
    const listed = await runSitter(['-w', dir, '--json', 'team', 'list'], { env });
    expect(jsonOf(listed).members).toEqual([{ role: 'noadmin', kind: 'owner', canLogin: true, canAdminister: false }]);
    const text = await runSitter(['-w', dir, 'team', 'list'], { env });
    expect(text.stdout).toMatch(/cannot add reviewers: no CREATEROLE/);

    const odd = 'x"; DROP TABLE shoot; --';
    const missing = await asOwner('team', 'add-reviewer', odd);
    expect(errorOf(missing)?.code).toBe('ROLE_NOT_FOUND');
    expect(errorOf(missing)?.hint).toContain('CREATE ROLE "x""; DROP TABLE shoot; --" LOGIN');
  }, 120_000);

  it('audit verify fails a chain emptied or cut at its start, even by the owner', async () => {
    await cluster.query('delete from audit_event where seq = 1', database);
    const cut = await asOwner('audit', 'verify');
    expect(cut.code).toBe(1);
    expect(jsonOf(cut)).toMatchObject({ ok: false, firstBadSeq: 1 });

    await cluster.query('delete from audit_event', database);
    const emptied = await asOwner('audit', 'verify');
    expect(emptied.code).toBe(1);
    expect(jsonOf(emptied)).toMatchObject({ ok: false, entries: 0 });
    const text = await runSitter(['-w', owner, 'audit', 'verify'], { env: cluster.env });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/chain is empty although the workspace holds 1 shoot/);
  }, 60_000);
});

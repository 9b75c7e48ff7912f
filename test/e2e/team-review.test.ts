import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/ports/clock.js';
import type { ServiceContext } from '../../src/core/services/context.js';
import { openWorkspace, type OpenWorkspace } from '../../src/core/store/workspace.js';
import { OUTPUT_SCHEMAS } from '../../src/tui/output-schemas/index.js';
import { CLI, type CliRun, runSitter } from '../helpers/cli.js';
import { postgresBinDir, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';
import { adaAndBen, appLauncher, buildShoot, hasTmux, risingFace, type TmuxSession } from './tui-helpers.js';

const ALICE_PW = 'alice-secret-1';
const BOB_PW = 'bob-secret-2';
const MALLORY_PW = 'mallory-secret-3';

/** The one JSON document a command printed (its output, or its `{error}`). */
function json(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
const errorCode = (run: CliRun) => (json(run).error as { code: string } | undefined)?.code;

/**
 * Issue 15, reviewers on several machines: a team workspace on a real PostgreSQL cluster, the owner
 * and two reviewers (alice, bob), each with their own login role and password and their own
 * workspace folder joined to the one database with the same master key, all through the real CLI.
 * The reviewer is the role the server authenticated; two-person confirmation needs two roles; the
 * audit chain verifies and names the right role on every entry; the review app of one reviewer sees
 * the other's decisions.
 */
describe.skipIf(!postgresBinDir())('two reviewers on one team workspace (PostgreSQL, real processes)', () => {
  const tmp = tempDir('sitter-team-review-');
  const owner = join(tmp.dir, 'owner');
  const wsA = join(tmp.dir, 'alice');
  const wsB = join(tmp.dir, 'bob');
  let cluster: PgCluster;
  let url = '';
  let ws: OpenWorkspace;
  let ctx: ServiceContext;
  let faces: number[] = [];
  const sessions: TmuxSession[] = [];

  /** The database URL as `role` gives it: the role is in the URL, its password only in the environment. */
  const urlAs = (role: string) => url.replace(`//${cluster.superuser}@`, `//${role}@`);
  const as = (role: 'owner' | 'alice' | 'bob', ...args: string[]) => {
    const [dir, password] =
      role === 'owner' ? [owner, cluster.password] : role === 'alice' ? [wsA, ALICE_PW] : [wsB, BOB_PW];
    return runSitter(['-w', dir, '--json', ...args], {
      env: { ...cluster.env, PGUSER: role === 'owner' ? cluster.superuser : role, PGPASSWORD: password },
    });
  };
  const join2 = (dir: string, role: string, password: string) =>
    runSitter(['-w', dir, '--json', 'init', '--database', urlAs(role)], {
      env: {
        ...cluster.env,
        PGUSER: role,
        PGPASSWORD: password,
        SITTER_MASTER_KEY_FILE: join(owner, 'master.key'),
      },
    });

  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase('team');
    for (const [name, pw] of [
      ['alice', ALICE_PW],
      ['bob', BOB_PW],
      ['mallory', MALLORY_PW],
    ] as const)
      await cluster.createRole(name, pw);
    const made = await runSitter(['-w', owner, '--json', 'init', '--database', url], { env: cluster.env });
    expect(made.code, made.stdout + made.stderr).toBe(0);
    // The test process seeds the shoot as the owner would (proposals as a scan leaves them, no model).
    process.env.PGPASSWORD = cluster.password;
    ws = await openWorkspace(owner);
    ctx = { store: ws.store, clock: systemClock, keyVault: ws.keyVault, actor: cluster.superuser };
    faces = (
      await buildShoot(ctx, tmp.dir, 'duo', {
        reviewers: 2,
        people: await adaAndBen(),
        assets: [1, 2, 3, 4, 5, 6].map((i) => ({ file: `d${i}.png`, faces: [risingFace(i % 2 ? 'P1' : 'P2', i)] })),
      })
    ).faces;
  }, 120_000);

  afterAll(async () => {
    for (const s of sessions) s.kill();
    await ws?.close();
    await cluster?.stop();
    tmp.cleanup();
  });

  it('team add-reviewer lets a role in (no password on the command line); only those join; team list shows them', async () => {
    // Before the owner lets her in, alice's login reaches the server but not Sitter's tables.
    const early = await join2(wsA, 'alice', ALICE_PW);
    expect(early.code).not.toBe(0);
    for (const role of ['alice', 'bob']) {
      const added = await as('owner', 'team', 'add-reviewer', role);
      expect(added.code, added.stdout + added.stderr).toBe(0);
      expect(OUTPUT_SCHEMAS['team-change']!.safeParse(json(added)).success).toBe(true);
    }
    expect(errorCode(await as('owner', 'team', 'add-reviewer', 'nobody'))).toBe('ROLE_NOT_FOUND');
    for (const [dir, role, pw] of [
      [wsA, 'alice', ALICE_PW],
      [wsB, 'bob', BOB_PW],
    ] as const) {
      const joined = await join2(dir, role, pw);
      expect(joined.code, joined.stdout + joined.stderr).toBe(0);
      expect(json(joined)).toMatchObject({ joined: true });
    }
    // A role nobody let in cannot join the workspace, with or without the key.
    const mallory = await join2(join(tmp.dir, 'mallory'), 'mallory', MALLORY_PW);
    expect(mallory.code).not.toBe(0);

    const list = await as('alice', 'team', 'list');
    expect(list.code, list.stdout + list.stderr).toBe(0);
    expect(OUTPUT_SCHEMAS['team-list']!.safeParse(json(list)).success).toBe(true);
    expect(json(list)).toMatchObject({
      you: 'alice',
      members: [
        { role: cluster.superuser, kind: 'owner', canLogin: true },
        { role: 'alice', kind: 'reviewer', canLogin: true },
        { role: 'bob', kind: 'reviewer', canLogin: true },
      ],
    });
    // Only the administrator changes who reviews.
    expect(errorCode(await as('alice', 'team', 'add-reviewer', 'mallory'))).toBe('TEAM_ADMIN_REQUIRED');
  }, 120_000);

  it('the reviewer is the logged-in role: another --reviewer is refused, the same role twice cannot make two confirmations', async () => {
    const [f1] = faces;
    expect(errorCode(await as('alice', 'decide', 'duo', String(f1), '--confirm', '--reviewer', 'bob'))).toBe(
      'REVIEWER_NOT_ROLE',
    );
    const first = await as('alice', 'decide', 'duo', String(f1), '--confirm');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ reviewer: 'alice', state: 'proposed', confirmedBy: ['alice'] });
    // Her own name again, from her own folder or any other: the same identity, refused.
    expect(errorCode(await as('alice', 'decide', 'duo', String(f1), '--confirm', '--reviewer', 'alice'))).toBe(
      'SAME_REVIEWER',
    );
    const second = await as('bob', 'decide', 'duo', String(f1), '--confirm');
    expect(json(second)).toMatchObject({ reviewer: 'bob', state: 'confirmed', confirmedBy: ['alice', 'bob'] });
  }, 120_000);

  it('alice and bob confirm concurrently: each face confirmed by exactly the two roles, the chain verifies and names each', async () => {
    const rest = faces.slice(1, 4);
    // Both reviewers at once, each through every face (bulk and one by one), from two processes each.
    const runs = await Promise.all([
      as('alice', 'decide', 'duo', '--all-above', '0', '--confirm'),
      as('bob', 'decide', 'duo', String(rest[0]), '--confirm'),
      as('bob', 'decide', 'duo', String(rest[1]), '--confirm'),
      as('bob', 'decide', 'duo', String(rest[2]), '--confirm'),
    ]);
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(0);
    const decisions = await ws.store.transaction((uow) => uow.decisions.listByShoot('duo'));
    for (const f of [faces[0]!, ...rest]) {
      const face = await ws.store.transaction((uow) => uow.faces.find(f));
      expect(face?.state, `face ${f}`).toBe('confirmed');
      expect(
        decisions
          .filter((d) => d.faceId === f)
          .map((d) => d.reviewer)
          .sort(),
      ).toEqual(['alice', 'bob']);
    }
    const verify = await as('bob', 'audit', 'verify');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const chain = await ws.store.transaction((uow) => uow.audit.all());
    const byFace = (f: number) => chain.filter((e) => e.subject === `face:${f}`).map((e) => e.actor);
    for (const f of [faces[0]!, ...rest]) expect(byFace(f).sort()).toEqual(['alice', 'bob']);
    expect(chain.filter((e) => e.action === 'team.reviewer-added').map((e) => [e.actor, e.subject])).toEqual([
      [cluster.superuser, 'role:alice'],
      [cluster.superuser, 'role:bob'],
    ]);
  }, 180_000);

  it.skipIf(!hasTmux)(
    "alice's review app skips a face bob decided on his machine, naming him",
    async () => {
      const [, , , , f5, f6] = faces;
      const app = appLauncher(CLI, wsA, tmp.dir, sessions);
      const s = app(['review', 'duo'], {
        cols: 120,
        env: { ...cluster.env, PGUSER: 'alice', PGPASSWORD: ALICE_PW },
      });
      await s.waitFor(new RegExp(`Sitter review · duo · alice[\\s\\S]*face ${f5} ·`), 30_000);
      expect((await as('bob', 'decide', 'duo', String(f5), '--reject')).code).toBe(0);
      // alice confirmed it earlier (the bulk above); bob's rejection takes it out of her queue.
      const screen = await s.waitFor(
        new RegExp(`Face ${f5} was rejected by bob (just now|\\d+ s ago): skipped`),
        15_000,
      );
      expect(screen).toContain(`face ${f6} ·`);
      s.send('q');
      await s.waitFor(/\[exited 0\]/);
      const on5 = await ws.store.transaction((uow) => uow.decisions.listByFace(f5!));
      expect(on5.map((d) => [d.reviewer, d.action])).toEqual([
        ['alice', 'confirm'],
        ['bob', 'reject'],
      ]);
    },
    120_000,
  );

  it('team remove-reviewer takes a role out: it can no longer open the workspace, and its decisions stay under its name', async () => {
    const removed = await as('owner', 'team', 'remove-reviewer', 'bob');
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
    expect(json(removed).members).toEqual([
      { role: cluster.superuser, kind: 'owner', canLogin: true, canAdminister: true },
      { role: 'alice', kind: 'reviewer', canLogin: true, canAdminister: false },
    ]);
    expect((await as('bob', 'decide', 'duo', String(faces[5]), '--confirm')).code).not.toBe(0);
    expect(errorCode(await as('owner', 'team', 'remove-reviewer', 'bob'))).toBe('NOT_A_REVIEWER');
    const chain = await ws.store.transaction((uow) => uow.audit.all());
    expect(chain.filter((e) => e.action === 'team.reviewer-removed').map((e) => [e.actor, e.subject])).toEqual([
      [cluster.superuser, 'role:bob'],
    ]);
    const decisions = await ws.store.transaction((uow) => uow.decisions.listByShoot('duo'));
    expect(decisions.filter((d) => d.reviewer === 'bob').length).toBeGreaterThan(0);
  }, 60_000);
});

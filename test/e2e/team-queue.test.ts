import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMAS } from '../../src/tui/output-schemas/index.js';
import { CLI, jsonOf, runSitter } from '../helpers/cli.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';

interface StatusJson {
  assets: number;
  open: number;
  settled: Record<string, number>;
  jobs: Record<string, number>;
  workers: { worker: string; assets: number }[];
  finished: boolean;
}

/**
 * The distributed scan with real processes, real models and a real PostgreSQL: a team workspace
 * (`sitter demo --database`), more photos added to its shoot, `sitter scan --queue`, two `sitter
 * worker` processes of which one is killed with SIGKILL in the middle of its work, and a third that
 * finishes. Every asset is analysed exactly once: one scan.asset entry each, no duplicate faces,
 * nothing left on the queue.
 */
describe('sitter scan --queue and sitter worker, real processes (team workspace)', () => {
  const tmp = tempDir('sitter-queue-');
  let pg: PgCluster;
  let url = '';
  let dbName = '';
  const ws = join(tmp.dir, 'demo', 'workspace');
  const env = () => pg.env;
  const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args], { env: env() });
  const added = ['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4'].map((n) => `more/${n}.jpg`);

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase('queue');
    dbName = new URL(url).pathname.slice(1);
    const demo = await runSitter(['--json', 'demo', '--dir', join(tmp.dir, 'demo'), '--database', url], {
      env: env(),
    });
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    // More photos of the same people under new names: assets the demo's own scan never saw.
    const shoot = join(tmp.dir, 'demo', 'shoot');
    mkdirSync(join(shoot, 'more'));
    for (const n of [1, 2, 3, 4]) {
      copyFileSync(join(shoot, 'day1', 'IMG_0001.jpg'), join(shoot, 'more', `A${n}.jpg`));
      copyFileSync(join(shoot, 'day1', 'IMG_0002.jpg'), join(shoot, 'more', `B${n}.jpg`));
    }
  }, 300_000);
  afterAll(async () => {
    await pg?.stop();
    tmp.cleanup();
  });

  it('a SQLite workspace refuses --queue, --status and worker with a hint', async () => {
    const solo = join(tmp.dir, 'solo');
    expect((await runSitter(['-w', solo, 'init'])).code).toBe(0);
    for (const args of [
      ['scan', 'demo', '--queue'],
      ['scan', '--status', 'demo'],
      ['worker', '--until-idle'],
    ]) {
      const run = await runSitter(['-w', solo, '--json', ...args]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(jsonOf(run)).toMatchObject({
        error: { code: 'QUEUE_NEEDS_TEAM_WORKSPACE', hint: expect.stringContaining('sitter init --database') },
      });
    }
  }, 60_000);

  it('queues once, survives a worker killed with kill -9, and analyses every asset exactly once', async () => {
    const queued = await sitter('scan', 'demo', '--queue', '--job-timeout', '4', '--retry-delay', '1');
    expect(queued.code, queued.stdout + queued.stderr).toBe(0);
    // The demo's 4 photos are queued too: the folder's listing has no hash, so a worker checks them (unchanged).
    expect(jsonOf(queued)).toMatchObject({ shoot: 'demo', listed: 12, queued: 12, requeued: 0, jobs: 12 });
    expect(OUTPUT_SCHEMAS['scan-queue']!.safeParse(jsonOf(queued)).error).toBeUndefined();
    // Run twice: nothing is queued twice.
    const again = jsonOf(await sitter('scan', 'demo', '--queue'));
    expect(again).toMatchObject({ queued: 0, requeued: 12 });
    const waiting = await pg.query<{ n: string }>(
      `SELECT count(*) AS n FROM pgboss.job WHERE name = 'sitter-scan' AND state = 'created'`,
      dbName,
    );
    expect(Number(waiting[0]!.n)).toBe(12);

    const worker = (): { child: ChildProcess; out: () => string; exited: Promise<number | null> } => {
      const child = spawn(
        process.execPath,
        [CLI, '-w', ws, 'worker', '--until-idle', '--workers', '1', '--concurrency', '1', '--poll', '200'],
        { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      return { child, out: () => out, exited: new Promise((r) => child.on('close', (code) => r(code))) };
    };
    const a = worker();
    const b = worker();
    // Kill A once it has analysed one photo: it holds its next job, which must not be lost.
    const deadline = Date.now() + 240_000;
    while (!/^analysed /m.test(a.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(a.out()).toMatch(/^analysed /m);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    expect(await b.exited, b.out()).toBe(0);
    // A third worker finds nothing left, or finishes what B could not take in time.
    const c = await runSitter(['-w', ws, '--json', 'worker', '--until-idle', '--workers', '1', '--poll', '200'], {
      env: env(),
    });
    expect(c.code, c.stdout + c.stderr).toBe(0);
    expect(OUTPUT_SCHEMAS.worker!.safeParse(jsonOf(c)).error).toBeUndefined();

    const statusRun = jsonOf(await sitter('scan', '--status', 'demo'));
    expect(OUTPUT_SCHEMAS['scan-status']!.safeParse(statusRun).error).toBeUndefined();
    const status = statusRun as unknown as StatusJson;
    expect(status).toMatchObject({
      assets: 12,
      open: 0,
      settled: { analysed: 8, unchanged: 4, failed: 0 },
      jobs: { waiting: 0, active: 0, retrying: 0, deadLettered: 0 },
      finished: true,
    });
    expect(status.workers.length).toBeGreaterThanOrEqual(2);
    // Nothing left on the queue; A's lost job came back (expired, retried) and was completed.
    const left = await pg.query(
      `SELECT id FROM pgboss.job WHERE name = 'sitter-scan' AND state IN ('created', 'retry', 'active')`,
      dbName,
    );
    expect(left).toEqual([]);
    const retried = await pg.query(
      `SELECT id FROM pgboss.job WHERE name = 'sitter-scan' AND state = 'completed' AND retry_count > 0`,
      dbName,
    );
    expect(retried.length).toBeGreaterThanOrEqual(1);

    // Exactly once: one scan.asset entry per added photo, and its faces stored once.
    const lines = (await runSitter(['-w', ws, 'audit', 'export', '--shoot', 'demo'], { env: env() })).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; subject: string; details: { faces?: number } });
    const scans = lines.filter((e) => e.action === 'scan.asset' && added.some((p) => e.subject === `asset:${p}`));
    expect(scans.map((e) => e.subject).sort()).toEqual(added.map((p) => `asset:${p}`).sort());
    const faces = await pg.query<{ asset: string; n: string }>(
      `SELECT a.connector_asset_id AS asset, count(f.id) AS n FROM asset a LEFT JOIN face f ON f.asset_id = a.id
       WHERE a.connector_asset_id LIKE 'more/%' GROUP BY a.connector_asset_id`,
      dbName,
    );
    expect(faces).toHaveLength(added.length);
    for (const row of faces) {
      const entry = scans.find((e) => e.subject === `asset:${row.asset}`)!;
      expect(Number(row.n), row.asset).toBe(entry.details.faces);
    }
    expect(jsonOf(await sitter('audit', 'verify'))).toMatchObject({ ok: true });
  }, 600_000);
});

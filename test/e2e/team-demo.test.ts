import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';

interface DemoJson {
  workspace: string;
  auditOk: boolean;
  steps: { step: string; result: string }[];
  report: { faces: { confirmed: number; proposed: number }; assets: { scanned: number } };
}

/**
 * `sitter demo --database URL` on a fresh PostgreSQL database, real models: the whole main job runs in
 * team mode, the demo's decisions recorded under the database role it connected as (a named pretend
 * reviewer is refused there, REVIEWER_NOT_ROLE). scripts/bench-queue.ts and docs/team.md rely on it.
 */
describe('sitter demo --database (team workspace)', () => {
  const tmp = tempDir('sitter-team-demo-');
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    tmp.cleanup();
  });

  it('runs the main job to the end on a fresh database: proposals confirmed as the database role, pushed, audit intact', async () => {
    const url = await pg.createDatabase('demo');
    const run = await runSitter(['--json', 'demo', '--dir', join(tmp.dir, 'demo'), '--database', url], {
      env: pg.env,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const demo = jsonOf(run) as unknown as DemoJson;
    expect(demo.auditOk).toBe(true);
    expect(demo.steps.map((s) => s.step)).toEqual([
      'init',
      'files',
      'shoot create',
      'consent import',
      'shoot approve',
      'enrol',
      'scan',
      'decide',
      'push',
      'report',
      'audit verify',
    ]);
    expect(demo.steps.find((s) => s.step === 'decide')?.result).toContain(`"${pg.superuser}" (the database role)`);
    expect(demo.report.assets.scanned).toBe(4);
    expect(demo.report.faces.confirmed).toBeGreaterThan(0);
    expect(demo.steps.find((s) => s.step === 'push')?.result).toMatch(/^[1-9]\d* XMP sidecars written/);

    // The decisions are the role's, as `sitter matches` shows them to the next reviewer.
    const matches = await runSitter(['-w', demo.workspace, '--json', 'matches', 'demo'], { env: pg.env });
    expect(matches.code, matches.stdout + matches.stderr).toBe(0);
    expect(matches.stdout).toContain(`"${pg.superuser}"`);
    expect(matches.stdout).not.toContain('demo-reviewer');
  }, 300_000);
});

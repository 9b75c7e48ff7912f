import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exiftool } from 'exiftool-vendored';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoFiles } from '../../src/tui/commands/demo.js';
import { jsonOf, runSitter, shootDaysAroundToday } from '../helpers/cli.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/workspace.js';

interface MatchesJson {
  assets: { asset: string; faces: { face: number; state: string; participant: string | null }[] }[];
}

/**
 * The main job on a team workspace (PostgreSQL), through the real CLI with the real face models, on
 * the demo's photos and consent file: init --database, shoot create, consent import, approve, enrol,
 * scan, decide, push, withdraw, audit verify; sidecars read back with ExifTool.
 */
describe('the main job on a team workspace, real models', () => {
  const tmp = tempDir('sitter-team-job-');
  const ws = join(tmp.dir, 'workspace');
  let pg: PgCluster;
  let files: { photos: string; consentFile: string };
  const sitter = (...args: string[]) => runSitter(['-w', ws, '--json', ...args], { env: { PGPASSWORD: pg.password } });
  const ok = async (...args: string[]) => {
    const r = await sitter(...args);
    expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    return r;
  };
  /** the people each sidecar names, read back by ExifTool */
  const namedInSidecars = async (m: MatchesJson) => {
    const out = new Map<string, string[]>();
    for (const a of m.assets) {
      const sidecar = join(files.photos, `${a.asset}.xmp`);
      if (!existsSync(sidecar)) continue;
      const tags = (await exiftool.read(sidecar)) as unknown as Record<string, unknown>;
      out.set(a.asset, ([] as string[]).concat((tags.PersonInImage as string[] | string | undefined) ?? []).sort());
    }
    return out;
  };

  beforeAll(async () => {
    pg = await startPostgres();
    files = await buildDemoFiles(tmp.dir);
  }, 120_000);
  afterAll(async () => {
    await exiftool.end();
    await pg.stop();
    tmp.cleanup();
  });

  it('init --database, shoot create, consent import, approve, enrol, scan, decide, push, withdraw, audit verify', async () => {
    const url = await pg.createDatabase('job');
    expect(jsonOf(await ok('init', '--database', url))).toMatchObject({ created: true, database: url });
    await ok(
      'shoot',
      'create',
      'demo',
      '--name',
      'Demo',
      '--source',
      files.photos,
      '--purpose',
      'Link the models to their releases',
      '--retention-days',
      '30',
      ...shootDaysAroundToday(),
    );
    await ok('consent', 'import', 'demo', files.consentFile);
    await ok('shoot', 'approve', 'demo', '--dpia', 'DPIA-1', '--approved-by', 'Approver');
    expect(jsonOf(await ok('enrol', 'demo'))).toMatchObject({ enrolled: 2 });
    const scanned = (await ok('scan', 'demo', '--workers', '1')).stdout.trim().split('\n');
    const summary = JSON.parse(scanned.at(-1)!) as { type: string; processed: number; proposed: number };
    expect(summary).toMatchObject({ type: 'summary', processed: 4 });
    expect(summary.proposed).toBeGreaterThanOrEqual(3);

    await ok('decide', 'demo', '--confirm', '--all-above', '0'); // as the database role: a typed --reviewer is refused in a team workspace
    const m = jsonOf(await ok('matches', 'demo')) as unknown as MatchesJson;
    const confirmed = m.assets.flatMap((a) => a.faces.filter((f) => f.state === 'confirmed'));
    expect(new Set(confirmed.map((f) => f.participant))).toEqual(new Set(['M-001', 'M-002']));

    await ok('push', 'demo');
    const pushed = await namedInSidecars(m);
    expect([...pushed.values()].flat()).toContain('Model One');
    expect([...pushed.values()].flat()).toContain('Model Two');

    await ok('withdraw', 'demo', 'M-001');
    const after = await namedInSidecars(m);
    expect([...after.values()].flat()).not.toContain('Model One');
    expect([...after.values()].flat()).toContain('Model Two');

    const verified = jsonOf(await ok('audit', 'verify')) as { ok: boolean; entries: number };
    expect(verified.ok).toBe(true);
    expect(verified.entries).toBeGreaterThanOrEqual(10);
  }, 600_000);
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoFiles } from '../../../src/tui/commands/demo.js';
import { initOrm } from '../../../src/core/store/orm.js';
import { brief, sitter, type Run } from './proc.js';

/** The points of the main job the crash and fault cases start from. */
export type Stage = 'approved' | 'enrolled' | 'scanned' | 'decided' | 'pushed' | 'expired';

/**
 * A real workspace and shoot folder built once through the real CLI (the demo's photos and consent
 * folder, real models), with a snapshot after each step. Every trial restores a snapshot to the same
 * paths (the shoot's source path is stored in the workspace) and runs real processes on it.
 */
export interface Baseline {
  root: string;
  ws: string;
  shoot: string;
  consentFile: string;
  restore(stage: Stage): void;
  /** `sitter -w WS --json ARGS` */
  run(args: string[], opts?: Parameters<typeof sitter>[1]): Promise<Run>;
}

export const SHOOT = 'demo';
export const TODAY = new Date().toISOString().slice(0, 10);

/** `cp -a`: modes and times kept, as a backup restore would. */
export function copyTree(from: string, to: string): void {
  execFileSync('cp', ['-a', from, to]);
}

async function must(step: string, run: Promise<Run>): Promise<Run> {
  const r = await run;
  if (r.code !== 0) throw new Error(`campaign baseline: ${step} failed (${brief(r)}): ${r.stdout}${r.stderr}`);
  return r;
}

/** Raw SQL on a workspace database, outside Sitter (no migrations, no purges). */
export async function rawSql<T = Record<string, unknown>>(
  dbPath: string,
  q: string,
  params: unknown[] = [],
): Promise<T[]> {
  const orm = await initOrm({ dbName: dbPath });
  try {
    return (await orm.em.getConnection().execute(q, params)) as T[];
  } finally {
    await orm.close(true);
  }
}

export async function buildBaseline(root: string): Promise<Baseline> {
  mkdirSync(root, { recursive: true });
  const ws = join(root, 'workspace');
  const { photos, consentFile } = await buildDemoFiles(root);
  const snaps = join(root, 'snap');
  const run = (args: string[], opts?: Parameters<typeof sitter>[1]) => sitter(['-w', ws, '--json', ...args], opts);
  const snapshot = (stage: Stage) => {
    const dir = join(snaps, stage);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    copyTree(ws, join(dir, 'workspace'));
    copyTree(photos, join(dir, 'shoot'));
  };
  await must('init', run(['init']));
  await must(
    'shoot create',
    run([
      'shoot',
      'create',
      SHOOT,
      '--name',
      'Campaign',
      '--source',
      photos,
      '--purpose',
      'reliability campaign',
      '--retention-days',
      '30',
      '--from',
      TODAY,
      '--to',
      TODAY,
    ]),
  );
  await must('consent import', run(['consent', 'import', SHOOT, consentFile]));
  await must('shoot approve', run(['shoot', 'approve', SHOOT, '--dpia', 'DPIA-C', '--approved-by', 'Campaign DPO']));
  snapshot('approved');
  await must('enrol', run(['enrol', SHOOT]));
  snapshot('enrolled');
  await must('scan', run(['scan', SHOOT, '--workers', '1']));
  snapshot('scanned');
  await must('decide', run(['decide', SHOOT, '--all-above', '0.6', '--confirm', '--reviewer', 'Campaign Reviewer']));
  snapshot('decided');
  await must('push', run(['push', SHOOT]));
  snapshot('pushed');
  // Past its retention: every command's due purge (and `sitter purge`) must delete its biometrics.
  await rawSql(join(ws, 'sitter.db'), 'update shoot set approved_at = ? where id = ?', [
    Date.now() - 60 * 86_400_000,
    SHOOT,
  ]);
  snapshot('expired');
  const restore = (stage: Stage) => {
    for (const dir of [ws, photos]) rmSync(dir, { recursive: true, force: true });
    copyTree(join(snaps, stage, 'workspace'), ws);
    copyTree(join(snaps, stage, 'shoot'), photos);
  };
  return { root, ws, shoot: photos, consentFile, restore, run };
}

export function hasSnapshot(b: Baseline, stage: Stage): boolean {
  return existsSync(join(b.root, 'snap', stage));
}

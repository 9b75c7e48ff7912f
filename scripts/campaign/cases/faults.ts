import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Case, CaseContext, CaseResult } from '../lib/case.js';
import { Tally } from '../lib/case.js';
import { brokenSidecars, chainOk, integrity } from '../lib/checks.js';
import { SHOOT, type Baseline, type Stage } from '../lib/fixture.js';
import { brief, errorCode, isBug, lastJsonDocument, type Run } from '../lib/proc.js';
import { canMount, onTmpfs } from '../lib/tmpfs.js';

/** The per-asset failure messages of a scan or push summary (one JSON document, or JSON lines ending with it). */
function perAssetFailures(run: Run): string[] {
  const failed = (lastJsonDocument(run.stdout) as { failed?: { message?: string }[] } | undefined)?.failed;
  return Array.isArray(failed) ? failed.map((f) => f.message ?? '') : [];
}

/** What a failed command said, for the notes column. */
function whatItSaid(run: Run): string {
  const failed = perAssetFailures(run);
  if (failed.length) return `${failed.length} assets failed, e.g. "${failed[0]!.slice(0, 120)}"`;
  return (run.stdout.trim().split('\n').at(-1) ?? '').slice(0, 160);
}

/** A refusal the user can act on: exit 1, an error code, no bug, no hang. */
function refusedClearly(run: Run, want?: string): string[] {
  if (run.signal) return ['did not exit within the time limit (killed)'];
  if (isBug(run)) return [`bug: ${brief(run)}`];
  if (run.code !== 1) return [`expected exit 1, got ${brief(run)}`];
  const code = errorCode(run);
  const said = whatItSaid(run);
  if (want && code !== want) return [`expected ${want}, got ${code ?? `no code (${said})`}`];
  return code ? [] : [`no error code (${said})`];
}

async function afterwards(b: Baseline): Promise<string[]> {
  const problems: string[] = [];
  const check = await integrity(join(b.ws, 'sitter.db'));
  if (check !== 'ok') problems.push(`integrity_check: ${check}`);
  if (!(await chainOk(b))) problems.push('audit chain broken');
  return problems;
}

function emptyKeyFiles(ws: string): string[] {
  const keys = join(ws, 'keys');
  return existsSync(keys)
    ? readdirSync(keys)
        .filter((f) => statSync(join(keys, f)).size === 0)
        .map((f) => `0-byte key left: keys/${f}`)
    : [];
}

function treeBytes(dir: string): number {
  return readdirSync(dir, { recursive: true }).reduce((n: number, f) => {
    const st = statSync(join(dir, String(f)));
    return n + (st.isFile() ? st.size : 0);
  }, 0);
}

/** Disk full while a command writes; once space is freed the same command succeeds. */
async function diskFull(b: Baseline, name: string): Promise<{ problems: string[]; observation: string }> {
  const plans = {
    scan: { stage: 'enrolled', on: b.ws, size: 1024, leave: 24, args: ['scan', SHOOT, '--workers', '1'] },
    enrol: { stage: 'approved', on: b.ws, size: 1024, leave: 0, args: ['enrol', SHOOT] },
    push: { stage: 'decided', on: b.shoot, size: 0, leave: 0, args: ['push', SHOOT] },
    export: {
      stage: 'pushed',
      on: join(b.root, 'exports'),
      size: 64,
      leave: 0,
      args: ['audit', 'export', '--output', join(b.root, 'exports', 'audit.jsonl')],
    },
  } satisfies Record<string, { stage: Stage; on: string; size: number; leave: number; args: string[] }>;
  const plan = plans[name as keyof typeof plans];
  b.restore(plan.stage);
  mkdirSync(plan.on, { recursive: true });
  // The shoot folder's tmpfs holds its photos and a little more.
  const size = plan.size || Math.ceil(treeBytes(plan.on) / 1024) + 256;
  return onTmpfs(plan.on, size, async (fs) => {
    fs.fill(plan.leave);
    const full = await b.run(plan.args, { timeoutMs: 120_000 });
    const problems = refusedClearly(full, 'DISK_FULL');
    problems.push(...emptyKeyFiles(b.ws), ...brokenSidecars(b.shoot));
    if (name === 'export' && existsSync(join(plan.on, 'audit.jsonl'))) problems.push('a partial export was left');
    fs.free();
    const again = await b.run(plan.args, { timeoutMs: 300_000 });
    if (again.code !== 0) problems.push(`after freeing space: ${brief(again)}`);
    problems.push(...(await afterwards(b)));
    return { problems, observation: `full: ${brief(full)}; freed: ${brief(again)}` };
  });
}

async function readOnlyWorkspace(b: Baseline): Promise<{ problems: string[]; observation: string }> {
  b.restore('scanned');
  return onTmpfs(b.ws, 2048, async (fs) => {
    fs.readOnly();
    const read = await b.run(['matches', SHOOT]);
    const verify = await b.run(['audit', 'verify']);
    const write = await b.run(['decide', SHOOT, '--all-above', '0.6', '--confirm', '--reviewer', 'R']);
    const problems = [
      ...(read.code === 0 ? [] : [`matches: ${brief(read)}`]),
      ...(verify.code === 0 ? [] : [`audit verify: ${brief(verify)}`]),
      ...refusedClearly(write, 'WORKSPACE_READ_ONLY'),
    ];
    return { problems, observation: `matches ${brief(read)}, decide ${brief(write)}` };
  });
}

async function readOnlyShoot(b: Baseline): Promise<{ problems: string[]; observation: string }> {
  b.restore('decided');
  return onTmpfs(b.shoot, 4096, async (fs) => {
    fs.readOnly();
    const push = await b.run(['push', SHOOT]);
    // A push fails per asset (a DAM may refuse one and take the next): each failure must name the connector and the cause.
    const failures = perAssetFailures(push);
    const problems = [
      ...(failures.length ? [] : refusedClearly(push)),
      ...brokenSidecars(b.shoot),
      ...(await afterwards(b)),
    ];
    if (push.code !== 1) problems.push(`expected exit 1, got ${brief(push)}`);
    for (const f of failures)
      if (!/Connector "local"/.test(f) || !/EROFS|read-only/i.test(f))
        problems.push(`unclear failure: ${f.slice(0, 120)}`);
    return { problems, observation: `push ${brief(push)}` };
  });
}

const KEY_FAULTS: Record<string, (ws: string) => void> = {
  'master.key missing': (ws) => rmSync(join(ws, 'master.key')),
  'master.key wrong': (ws) => writeFileSync(join(ws, 'master.key'), randomBytes(32)),
  'master.key truncated': (ws) => truncateSync(join(ws, 'master.key'), 16),
  'shoot key deleted': (ws) => readdirSync(join(ws, 'keys')).forEach((f) => rmSync(join(ws, 'keys', f))),
};

const DB_FAULTS: Record<string, (db: string) => void> = {
  'truncated to half': (db) => truncateSync(db, Math.floor(statSync(db).size / 2)),
  '8 bytes flipped at offset 100': (db) => flip(db, 100, 8),
  'a page in the middle zeroed': (db) => flip(db, Math.floor(statSync(db).size / 8192) * 4096, 4096, true),
};
function flip(file: string, offset: number, length: number, zero = false): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, zero ? Buffer.alloc(length) : Buffer.alloc(length, 0xa5), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

export const faults: Case = {
  name: 'faults',
  run: async (ctx: CaseContext): Promise<CaseResult[]> => {
    const b = await ctx.baseline();
    const rows: CaseResult[] = [];
    const mountable = canMount();
    const once = async (name: string, trial: () => Promise<{ problems: string[]; observation: string }>) => {
      const tally = new Tally(name);
      if (!mountable) return rows.push(tally.skip('cannot mount a tmpfs here (needs root)'));
      const { problems, observation } = await trial();
      ctx.log(`${name}: ${observation} ${problems.join('; ')}`);
      tally.add(problems, observation);
      rows.push(tally.done());
    };
    for (const cmd of ['scan', 'enrol', 'push', 'export'])
      await once(`fault: disk full during ${cmd}`, () => diskFull(b, cmd));
    await once('fault: read-only workspace', () => readOnlyWorkspace(b));
    await once('fault: read-only shoot folder (push)', () => readOnlyShoot(b));

    const keys = new Tally('fault: key files missing, wrong, truncated');
    for (const [name, damage] of Object.entries(KEY_FAULTS)) {
      b.restore('enrolled');
      damage(b.ws);
      const r = await b.run(['scan', SHOOT, '--workers', '1'], { timeoutMs: 120_000 });
      keys.add(
        refusedClearly(r).map((p) => `${name}: ${p}`),
        `${name}: ${brief(r)}`,
      );
    }
    rows.push(keys.done());

    const damaged = new Tally('fault: damaged database');
    for (const [name, damage] of Object.entries(DB_FAULTS)) {
      b.restore('scanned');
      damage(join(b.ws, 'sitter.db'));
      const r = await b.run(['matches', SHOOT], { timeoutMs: 30_000 });
      damaged.add(
        refusedClearly(r, 'DATABASE_CORRUPT').map((p) => `${name}: ${p}`),
        `${name}: ${brief(r)}`,
      );
    }
    rows.push(damaged.done());
    return rows;
  },
};

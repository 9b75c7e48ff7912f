import { join } from 'node:path';
import type { Case, CaseContext, CaseResult } from '../lib/case.js';
import { Tally } from '../lib/case.js';
import { auditActions, brokenSidecars, chainOk, integrity, sidecarState, storeState } from '../lib/checks.js';
import { SHOOT, type Baseline, type Stage } from '../lib/fixture.js';
import { brief, errorCode, isBug } from '../lib/proc.js';

/** A command the crash case kills: where it starts from and its arguments. */
export interface CrashTarget {
  name: string;
  from: Stage;
  args: string[];
  /**
   * Audit actions whose entries must be on the chain after the rerun as after an uninterrupted run
   * (a receipt the person or the DPO relies on must not be lost to a crash).
   */
  records?: string[];
}

/**
 * The commands killed with SIGKILL at random points. Generic on purpose: a new command that changes
 * the workspace or the DAM is one more line here.
 */
export const CRASH_TARGETS: CrashTarget[] = [
  { name: 'scan', from: 'enrolled', args: ['scan', SHOOT, '--workers', '1'] },
  { name: 'push', from: 'decided', args: ['push', SHOOT] },
  {
    name: 'withdraw',
    from: 'pushed',
    args: ['withdraw', SHOOT, 'M-001'],
    records: ['consent.withdrawn', 'consent.withdrawal-receipt'],
  },
  { name: 'purge', from: 'expired', args: ['purge'] },
  // Erasure after a push: the cascade, the sidecars rewritten without the person, the records and names
  // removed, the proof. The store state compares the participant rows (a half-erased person shows) and
  // the erasure rows (one pending, or without its receipt, shows); the receipt must be on the chain.
  {
    name: 'erase',
    from: 'pushed',
    args: ['erase', SHOOT, 'M-001'],
    records: ['consent.withdrawn', 'participant.erased', 'participant.erasure-receipt'],
  },
];

interface Reference {
  store: string;
  sidecars: string;
  records: string;
  ms: number;
}

/** The state an uninterrupted run reaches, and how long it takes (the range kill points are drawn from). */
async function reference(b: Baseline, t: CrashTarget): Promise<Reference> {
  b.restore(t.from);
  const r = await b.run(t.args);
  if (r.code !== 0) throw new Error(`crash/${t.name}: the uninterrupted run failed (${brief(r)}) ${r.stdout}`);
  return {
    store: await storeState(b),
    sidecars: JSON.stringify(sidecarState(b.shoot)),
    records: JSON.stringify(await auditActions(b, t.records ?? [])),
    ms: r.ms,
  };
}

/** One trial: kill -9 at `killAt`, check what the crash left, rerun, compare with the uninterrupted run. */
export async function crashTrial(
  b: Baseline,
  t: CrashTarget,
  ref: Reference,
  killAt: number,
): Promise<{ problems: string[]; observation: string }> {
  b.restore(t.from);
  const problems: string[] = [];
  const killed = await b.run(t.args, { killAfterMs: killAt });
  if (!killed.killed && isBug(killed)) problems.push(`bug before the kill: ${brief(killed)}`);
  const check = await integrity(join(b.ws, 'sitter.db'));
  if (check !== 'ok') problems.push(`integrity_check after kill: ${check}`);
  for (const s of brokenSidecars(b.shoot)) problems.push(`half-written sidecar after kill: ${s}`);
  const rerun = await b.run(t.args);
  if (rerun.code !== 0) {
    // A rerun may rightly say the work is done (ALREADY_WITHDRAWN); it must then have left the same state.
    if (isBug(rerun) || !errorCode(rerun)) problems.push(`rerun: ${brief(rerun)}`);
  }
  if (!(await chainOk(b))) problems.push('audit chain broken');
  if ((await storeState(b)) !== ref.store) problems.push('store differs from an uninterrupted run');
  if (JSON.stringify(sidecarState(b.shoot)) !== ref.sidecars)
    problems.push('sidecars differ from an uninterrupted run');
  const records = JSON.stringify(await auditActions(b, t.records ?? []));
  if (records !== ref.records) problems.push(`audit entries ${records}, an uninterrupted run has ${ref.records}`);
  return { problems, observation: `rerun ${brief(rerun)}${killed.killed ? '' : ' (finished before the kill)'}` };
}

export async function crashCase(
  ctx: CaseContext,
  t: CrashTarget,
  trials = ctx.trialsFor?.[t.name] ?? ctx.trials,
): Promise<CaseResult> {
  const tally = new Tally(`crash: kill -9 during ${t.name}`);
  const b = await ctx.baseline();
  const ref = await reference(b, t);
  for (let i = 0; i < trials; i++) {
    // Kill points over the whole run, start-up included, a little past its usual end.
    const killAt = Math.round(ctx.random() * ref.ms * 1.1);
    const { problems, observation } = await crashTrial(b, t, ref, killAt);
    ctx.log(`crash ${t.name} #${i + 1} kill at ${killAt} ms: ${problems.length ? problems.join('; ') : 'ok'}`);
    tally.add(problems, observation);
  }
  return tally.done();
}

export const crash: Case = {
  name: 'crash',
  run: async (ctx) => {
    const rows: CaseResult[] = [];
    for (const t of CRASH_TARGETS) rows.push(await crashCase(ctx, t));
    return rows;
  },
};

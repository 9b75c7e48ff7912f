import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consentUri } from '../../../src/core/domain/consent-uri.js';
import type { Case, CaseContext, CaseResult } from '../lib/case.js';
import { Tally } from '../lib/case.js';
import { chainOk, integrity, storeState } from '../lib/checks.js';
import { SHOOT, type Stage } from '../lib/fixture.js';
import { brief, errorCode, isBug, lastJsonDocument, type Run } from '../lib/proc.js';

/** Two real processes on one workspace: the long one, and a second started while it runs. */
export interface Pair {
  name: string;
  from: Stage;
  first: string[];
  second: string[];
  /** when the first must finish its work whatever the second does (a long scan must not be stopped) */
  firstMustFinish: boolean;
  /** when the second changes nothing the first does: the store must end as after the first alone (nothing lost or processed twice) */
  sameAsFirstAlone?: boolean;
  /** the error code the second must be refused with at start while the first runs (exit 1, nothing done) */
  secondRefusedWith?: string;
  /** the participant the pair withdraws: afterwards no sidecar in the shoot may name them (rule 6) */
  withdraws?: string;
}

const SCAN = ['scan', SHOOT, '--workers', '1'];

export const PAIRS: Pair[] = [
  // One scan per shoot at a time: the second is refused at start, naming the process that is scanning.
  {
    name: 'scan + scan',
    from: 'enrolled',
    first: SCAN,
    second: SCAN,
    firstMustFinish: true,
    sameAsFirstAlone: true,
    secondRefusedWith: 'SCAN_RUNNING',
  },
  {
    name: 'scan + decide',
    from: 'enrolled',
    first: SCAN,
    second: ['decide', SHOOT, '--all-above', '0.6', '--confirm', '--reviewer', 'R2'],
    firstMustFinish: true,
  },
  // The reviewer's path, headless: the review app reads what `matches` reads.
  {
    name: 'scan + review (matches)',
    from: 'enrolled',
    first: SCAN,
    second: ['matches', SHOOT],
    firstMustFinish: true,
    sameAsFirstAlone: true,
  },
  {
    name: 'scan + withdraw',
    from: 'enrolled',
    first: SCAN,
    second: ['withdraw', SHOOT, 'M-002'],
    firstMustFinish: true,
    withdraws: 'M-002',
  },
  {
    name: 'push + withdraw',
    from: 'decided',
    first: ['push', SHOOT],
    second: ['withdraw', SHOOT, 'M-001'],
    firstMustFinish: false,
    // A push that read the shoot before the withdrawal must not write the person back afterwards.
    withdraws: 'M-001',
  },
];

/** A refusal is clear when it is a user-level error with a code and a hint, never a bug. */
function unclear(run: Run, who: string): string[] {
  if (isBug(run)) return [`${who}: bug (${brief(run)})`];
  if (run.code !== 0 && !errorCode(run)) return [`${who}: failed without an error code (${brief(run)})`];
  return [];
}

/** The second command was refused with `code`, a message naming the process that holds the work. */
function refusedWith(run: Run, who: string, code: string): string[] {
  if (run.code !== 1 || errorCode(run) !== code) return [`${who}: expected exit 1 ${code}, got ${brief(run)}`];
  const message = (lastJsonDocument(run.stdout) as { error?: { message?: string } }).error?.message ?? '';
  return /process \d+/.test(message) ? [] : [`${who}: ${code} does not name the process: ${message.slice(0, 120)}`];
}

/** Sidecars in the shoot folder that still carry the withdrawn person's consent URI (Sitter's statement about them). */
function stillNamedIn(shootFolder: string, participant: string): string[] {
  const uri = consentUri(SHOOT, participant);
  return readdirSync(shootFolder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.xmp') && readFileSync(join(shootFolder, f), 'utf8').includes(uri))
    .map((f) => `${f} still names the withdrawn ${participant}`);
}

/** The store after the first command alone, for pairs that must end the same. */
async function aloneState(ctx: CaseContext, p: Pair): Promise<string | undefined> {
  if (!p.sameAsFirstAlone) return undefined;
  const b = await ctx.baseline();
  b.restore(p.from);
  await b.run(p.first);
  return storeState(b);
}

export async function pairTrial(
  ctx: CaseContext,
  p: Pair,
  delayMs: number,
  alone?: string,
): Promise<{ problems: string[]; observation: string }> {
  const b = await ctx.baseline();
  b.restore(p.from);
  let firstEnded = false;
  const first = b.run(p.first).finally(() => (firstEnded = true));
  await new Promise((r) => setTimeout(r, delayMs));
  const firstRunning = !firstEnded;
  const second = await b.run(p.second);
  const one = await first;
  const problems = [...unclear(one, p.first[0]!), ...unclear(second, p.second[0]!)];
  if (p.secondRefusedWith && firstRunning) problems.push(...refusedWith(second, p.second[0]!, p.secondRefusedWith));
  if (p.firstMustFinish && one.code !== 0) problems.push(`${p.first[0]} stopped by the second command: ${brief(one)}`);
  const check = await integrity(join(b.ws, 'sitter.db'));
  if (check !== 'ok') problems.push(`integrity_check: ${check}`);
  if (!(await chainOk(b))) problems.push('audit chain broken');
  if (p.withdraws) problems.push(...stillNamedIn(b.shoot, p.withdraws));
  if (alone !== undefined && (await storeState(b)) !== alone)
    problems.push(`store differs from ${p.first[0]} alone (an asset lost or processed twice)`);
  const late = firstRunning ? '' : ` (${p.first[0]} had ended before ${p.second[0]} started)`;
  return { problems, observation: `${p.first[0]} ${brief(one)}, ${p.second[0]} ${brief(second)}${late}` };
}

export const concurrency: Case = {
  name: 'concurrency',
  run: async (ctx) => {
    const rows: CaseResult[] = [];
    // Pairs are slow (a full scan each): a fifth of the trial count, at least one.
    const trials = Math.max(1, Math.round(ctx.trials / 5));
    for (const p of PAIRS) {
      const tally = new Tally(`concurrency: ${p.name}`);
      const alone = await aloneState(ctx, p);
      for (let i = 0; i < trials; i++) {
        // The second command arrives while the first is past start-up and writing.
        const { problems, observation } = await pairTrial(ctx, p, 3000 + Math.round(ctx.random() * 6000), alone);
        ctx.log(`concurrency ${p.name} #${i + 1}: ${observation} ${problems.join('; ')}`);
        tally.add(problems, observation);
      }
      rows.push(tally.done());
    }
    return rows;
  },
};

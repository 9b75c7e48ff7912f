import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseContext } from './case.js';
import { buildBaseline, type Baseline } from './fixture.js';
import { seededRandom } from './rng.js';

/** A campaign's context in its own scratch folder; `dispose` removes the folder. */
export function campaignContext(opts: {
  trials: number;
  seed: number;
  verbose?: boolean;
  trialsFor?: Record<string, number>;
}): CaseContext & { dispose(): void } {
  const workDir = mkdtempSync(join(tmpdir(), 'sitter-campaign-'));
  let baseline: Promise<Baseline> | undefined;
  return {
    baseline: () => (baseline ??= buildBaseline(join(workDir, 'baseline'))),
    trials: opts.trials,
    ...(opts.trialsFor ? { trialsFor: opts.trialsFor } : {}),
    random: seededRandom(opts.seed),
    workDir,
    log: (line) => opts.verbose && process.stderr.write(`${line}\n`),
    dispose: () => rmSync(workDir, { recursive: true, force: true }),
  };
}

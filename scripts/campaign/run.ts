/**
 * `npm run campaign [-- --trials N --seed S --only CASE[,CASE] --trials-for TARGET=N[,TARGET=N] --keep]`: the reliability campaign on
 * real processes and real files (docs/reliability.md). Prints a table of case, runs, result and notes;
 * exits 1 when any case failed.
 */
import { parseArgs } from 'node:util';
import { CASES } from './cases/index.js';
import type { CaseResult } from './lib/case.js';
import { campaignContext } from './lib/context.js';
import { renderTable } from './lib/table.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    // e.g. `scan=10`: fewer kill -9 trials of one crash target (a scan trial is the slow one)
    'trials-for': { type: 'string' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const trialsFor = Object.fromEntries(
  (values['trials-for'] ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [name, n] = pair.split('=');
      return [name ?? '', Number(n)];
    }),
);
const ctx = campaignContext({
  trials: Number(values.trials),
  seed: Number(values.seed),
  verbose: values.verbose,
  trialsFor,
});

const only = values.only?.split(',');
const rows: CaseResult[] = [];
const started = Date.now();
try {
  for (const c of CASES.filter((x) => !only || only.includes(x.name))) {
    process.stderr.write(`campaign: ${c.name}…\n`);
    try {
      const done = await c.run(ctx);
      rows.push(...done);
      // Each case's rows as soon as they are known: a long campaign stopped early still says something.
      process.stderr.write(`${renderTable(done, values.markdown)}\n`);
    } catch (e) {
      rows.push({ case: c.name, runs: 1, passed: 0, notes: [`harness error: ${(e as Error).message.split('\n')[0]}`] });
    }
  }
} finally {
  if (!values.keep) ctx.dispose();
}
process.stdout.write(`${renderTable(rows, values.markdown)}\n`);
process.stdout.write(
  `trials ${ctx.trials}${values['trials-for'] ? ` (${values['trials-for']})` : ''}, seed ${values.seed}, ${Math.round((Date.now() - started) / 1000)} s${values.keep ? `, files kept in ${ctx.workDir}` : ''}\n`,
);
process.exitCode = rows.every((r) => r.runs === 0 || r.passed === r.runs) ? 0 : 1;

import type { Baseline } from './fixture.js';

/** One row of the campaign table. */
export interface CaseResult {
  case: string;
  runs: number;
  passed: number;
  notes: string[];
}

export interface CaseContext {
  /** the shared baseline (built on first use, about a minute with the real models) */
  baseline(): Promise<Baseline>;
  /** how many trials a repeated case runs (kill -9 points, concurrent pairs) */
  trials: number;
  /** the trials of one crash target, when `--trials-for NAME=N` set them (a slow scan on a shared machine) */
  trialsFor?: Record<string, number>;
  /** seeded: the same --seed replays the same kill points */
  random(): number;
  /** a scratch folder of the campaign's own */
  workDir: string;
  log(line: string): void;
}

export interface Case {
  name: string;
  run(ctx: CaseContext): Promise<CaseResult[]>;
}

export function resultOf(row: CaseResult): 'pass' | 'FAIL' | 'skipped' {
  if (row.runs === 0) return 'skipped';
  return row.passed === row.runs ? 'pass' : 'FAIL';
}

/** Tallies trials into a row: each trial returns the problems it found (none = passed). */
export class Tally {
  readonly row: CaseResult;
  private readonly seen = new Map<string, number>();
  constructor(name: string) {
    this.row = { case: name, runs: 0, passed: 0, notes: [] };
  }
  add(problems: string[], observation?: string): void {
    this.row.runs++;
    if (problems.length === 0) this.row.passed++;
    for (const p of [...problems, ...(observation ? [observation] : [])]) this.seen.set(p, (this.seen.get(p) ?? 0) + 1);
  }
  skip(reason: string): CaseResult {
    this.row.notes.push(`skipped: ${reason}`);
    return this.done();
  }
  done(): CaseResult {
    for (const [note, n] of this.seen) this.row.notes.push(this.row.runs > 1 ? `${note} (×${n})` : note);
    return this.row;
  }
}

/**
 * Which per-face measures separate the strangers that came closest to an enrolled person from the
 * genuine matches (scripts/eval.ts --calibrate; docs/engine.md, "Open-set safety").
 */
import { rank, type FaceMeasures, type Probe, type Template } from '../src/core/engine/calibrate.js';

export const RISK_MEASURES = [
  'interocularPx',
  'faceFraction',
  'sharpness',
  'yaw',
  'roll',
  'boxScore',
  'meshScore',
] as const satisfies readonly (keyof FaceMeasures)[];

export interface Comparison {
  image: string;
  kind: 'genuine' | 'stranger' | 'held-out';
  /** distance to the best template (own identity for genuine, anyone else's otherwise) */
  distance: number;
  /** runner-up distance minus best distance */
  margin: number;
  measures: FaceMeasures;
}

/** Every scored comparison: genuine faces, real strangers, and each labelled face held out as a stranger. */
export function comparisons(probes: Probe[], templates: Template[]): Comparison[] {
  const out: Comparison[] = [];
  for (const p of probes) {
    if (p.label === undefined || !p.quality) continue;
    const all = rank(p.embedding, templates);
    const m = (best?: { distance: number }, second?: { distance: number }) =>
      best && second ? second.distance - best.distance : Infinity;
    if (p.label === null) {
      out.push({
        image: p.image,
        kind: 'stranger',
        distance: all.best?.distance ?? Infinity,
        margin: m(all.best, all.second),
        measures: p.quality,
      });
      continue;
    }
    const own = rank(
      p.embedding,
      templates.filter((t) => t.identity === p.label),
    ).best;
    const others = rank(
      p.embedding,
      templates.filter((t) => t.identity !== p.label),
    );
    if (own)
      out.push({
        image: p.image,
        kind: 'genuine',
        distance: own.distance,
        margin: m(own, others.best),
        measures: p.quality,
      });
    out.push({
      image: p.image,
      kind: 'held-out',
      distance: others.best?.distance ?? Infinity,
      margin: m(others.best, others.second),
      measures: p.quality,
    });
  }
  return out;
}

export interface RiskRow {
  measure: string;
  genuineMedian: number;
  closeStrangerMedian: number;
  /** P(close stranger's value < genuine's value): 0.5 is no separation, near 0 or 1 separates */
  auc: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

function auc(a: number[], b: number[]): number {
  let below = 0;
  for (const x of a) for (const y of b) below += x < y ? 1 : x === y ? 0.5 : 0;
  return a.length && b.length ? below / (a.length * b.length) : NaN;
}

/** Close strangers: the quarter of stranger comparisons (real and held-out) nearest to an enrolled person. */
export function riskTable(cs: Comparison[]): { rows: RiskRow[]; closeStrangers: number; genuine: number } {
  const strangers = cs.filter((c) => c.kind !== 'genuine').sort((a, b) => a.distance - b.distance);
  const close = strangers.slice(0, Math.max(1, Math.ceil(strangers.length / 4)));
  const genuine = cs.filter((c) => c.kind === 'genuine');
  const value = (c: Comparison, k: string) =>
    k === 'distance' || k === 'margin' ? c[k] : Math.abs((c.measures as unknown as Record<string, number>)[k] ?? NaN);
  const rows = [...RISK_MEASURES, 'distance', 'margin'].map((k) => {
    const g = genuine.map((c) => value(c, k)).filter(Number.isFinite);
    const s = close.map((c) => value(c, k)).filter(Number.isFinite);
    return { measure: k, genuineMedian: median(g), closeStrangerMedian: median(s), auc: auc(s, g) };
  });
  return { rows, closeStrangers: close.length, genuine: genuine.length };
}

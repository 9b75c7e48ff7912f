/**
 * Pure scoring and calibration maths for the evaluation script (scripts/eval.ts): verification rates
 * (TAR at a FAR), the identification operating point at a threshold and margin, and the
 * leave-one-identity-out choice of the default threshold and margin.
 */
import type { FaceQuality } from '../ports/face-engine.js';

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    s += d * d;
  }
  return Math.sqrt(s);
}

export interface Template {
  identity: string;
  embedding: Float32Array;
}

/** What the engine measured of a face (ports/face-engine.ts FaceQuality) and its width / image width. */
export type FaceMeasures = FaceQuality & { faceFraction: number };

/**
 * One probe face and what it should match: `label` an enrolled identity, null a stranger (distractor
 * or no-face image: any match is false), undefined unknown (unlabelled face of a partial group: not scored).
 */
export interface Probe {
  image: string;
  embedding: Float32Array;
  label: string | null | undefined;
  quality?: FaceMeasures;
}

export interface Ranked {
  best?: { identity: string; distance: number };
  second?: { identity: string; distance: number };
}

export function rank(probe: Float32Array, templates: Template[]): Ranked {
  // best distance per identity, then the two closest identities
  const per = new Map<string, number>();
  for (const t of templates) {
    const d = euclidean(probe, t.embedding);
    const prev = per.get(t.identity);
    if (prev === undefined || d < prev) per.set(t.identity, d);
  }
  const sorted = [...per.entries()].sort((a, b) => a[1] - b[1]);
  const out: Ranked = {};
  if (sorted[0]) out.best = { identity: sorted[0][0], distance: sorted[0][1] };
  if (sorted[1]) out.second = { identity: sorted[1][0], distance: sorted[1][1] };
  return out;
}

/** Is this probe proposed as a match at (threshold, margin)? */
export function proposal(r: Ranked, threshold: number, margin: number): string | null {
  if (!r.best || r.best.distance > threshold) return null;
  if (r.second && r.second.distance - r.best.distance < margin) return null;
  return r.best.identity;
}

/**
 * True accept rate at a false accept rate: the threshold is the largest distance at which at most
 * far * |impostors| impostor pairs are accepted (distance <= threshold).
 */
export function tarAtFar(genuine: number[], impostor: number[], far: number): { tar: number; threshold: number } {
  const imp = [...impostor].sort((a, b) => a - b);
  const allowed = Math.floor(far * imp.length);
  // accept d <= threshold; the (allowed)th impostor (0-based) must be rejected
  const limit = imp[allowed];
  const threshold = limit === undefined ? Infinity : limit - 1e-9;
  const tar = genuine.length ? genuine.filter((d) => d <= threshold).length / genuine.length : 0;
  return { tar, threshold };
}

export interface OperatingPoint {
  threshold: number;
  margin: number;
  /** labelled faces proposed as their own identity */
  true_matches: number;
  /** labelled faces proposed as someone else */
  wrong_matches: number;
  /** stranger faces (distractors, no-face images) proposed as anyone */
  strangers_matched: number;
  labelled: number;
  strangers: number;
  precision: number;
  recall: number;
}

export function operatingPoint(
  probes: Probe[],
  templates: Template[],
  threshold: number,
  margin: number,
): OperatingPoint {
  let tm = 0;
  let wm = 0;
  let sm = 0;
  let labelled = 0;
  let strangers = 0;
  for (const p of probes) {
    if (p.label === undefined) continue;
    const who = proposal(rank(p.embedding, templates), threshold, margin);
    if (p.label === null) {
      strangers++;
      if (who !== null) sm++;
    } else {
      labelled++;
      if (who === p.label) tm++;
      else if (who !== null) wm++;
    }
  }
  const proposed = tm + wm + sm;
  return {
    threshold,
    margin,
    true_matches: tm,
    wrong_matches: wm,
    strangers_matched: sm,
    labelled,
    strangers,
    precision: proposed ? tm / proposed : 1,
    recall: labelled ? tm / labelled : 0,
  };
}

export interface LoioResult {
  threshold: number;
  margin: number;
  folds: { heldOut: string; threshold: number; margin: number; recall: number; falseMatches: number; probes: number }[];
  /** over all held-out folds: held-out identity's own probes found when enrolled */
  heldOutRecall: number;
  /** held-out identity's probes (its template removed) proposed as anyone: strangers never seen */
  heldOutStrangerMatches: number;
  heldOutStrangerProbes: number;
}

/** Best and runner-up identity of a probe from its per-identity distances, skipping one identity. */
function top2(dists: Map<string, number>, skip?: string): Ranked {
  const out: Ranked = {};
  for (const [identity, distance] of dists) {
    if (identity === skip) continue;
    if (!out.best || distance < out.best.distance) {
      out.second = out.best;
      out.best = { identity, distance };
    } else if (!out.second || distance < out.second.distance) out.second = { identity, distance };
  }
  return out;
}

function perIdentity(probe: Float32Array, templates: Template[]): Map<string, number> {
  const per = new Map<string, number>();
  for (const t of templates) {
    const d = euclidean(probe, t.embedding);
    const prev = per.get(t.identity);
    if (prev === undefined || d < prev) per.set(t.identity, d);
  }
  return per;
}

/**
 * Choose (threshold, margin) on the training identities only. A pair is admissible when it makes no
 * false match there, counting (a) wrong identities and named strangers with everyone enrolled and
 * (b) simulated strangers: each training identity's probes scored with its own template removed
 * (the case that matters: someone not enrolled who resembles an enrolled person). Among admissible
 * pairs keep the best recall; ties go to the smaller threshold and the larger margin.
 */
export function chooseOperatingPoint(
  probes: Probe[],
  templates: Template[],
  margins: number[],
  thresholds: number[],
): { threshold: number; margin: number; recall: number } {
  let best = { threshold: thresholds[0] ?? 0, margin: margins[0] ?? 0, recall: -1 };
  const scored = probes
    .filter((p) => p.label !== undefined)
    .map((p) => {
      const d = perIdentity(p.embedding, templates);
      return { p, full: top2(d), without: p.label ? top2(d, p.label) : undefined };
    });
  const sortedMargins = [...margins].sort((a, b) => b - a);
  const sortedThresholds = [...thresholds].sort((a, b) => a - b);
  for (const t of sortedThresholds) {
    for (const m of sortedMargins) {
      let tm = 0;
      let bad = 0;
      let labelled = 0;
      for (const { p, full, without } of scored) {
        if (p.label) labelled++;
        const who = proposal(full, t, m);
        if (who !== null) {
          if (who === p.label) tm++;
          else bad++;
        }
        if (without && proposal(without, t, m) !== null) bad++;
        if (bad > 0) break;
      }
      if (bad > 0) continue;
      const recall = labelled ? tm / labelled : 0;
      if (recall > best.recall + 1e-12) best = { threshold: t, margin: m, recall };
    }
  }
  return best;
}

/**
 * Leave-one-identity-out: for each enrolled identity, choose (threshold, margin) without it, then
 * score its probes (a) with its template enrolled, for recall, and (b) with its template removed,
 * where any proposal names a stranger. The defaults are the medians of the fold choices.
 */
export function leaveOneIdentityOut(
  probes: Probe[],
  templates: Template[],
  margins: number[],
  thresholds: number[],
): LoioResult {
  const identities = [...new Set(templates.map((t) => t.identity))].sort();
  const folds: LoioResult['folds'] = [];
  let found = 0;
  let total = 0;
  let strangerMatches = 0;
  let strangerProbes = 0;
  for (const id of identities) {
    const trainTemplates = templates.filter((t) => t.identity !== id);
    // in training, the held-out identity's probes are not used at all
    const trainProbes = probes.filter((p) => p.label !== id);
    const choice = chooseOperatingPoint(trainProbes, trainTemplates, margins, thresholds);
    const own = probes.filter((p) => p.label === id);
    let fRecall = 0;
    let fFalse = 0;
    for (const p of own) {
      total++;
      const who = proposal(rank(p.embedding, templates), choice.threshold, choice.margin);
      if (who === id) {
        found++;
        fRecall++;
      } else if (who !== null) fFalse++;
      strangerProbes++;
      if (proposal(rank(p.embedding, trainTemplates), choice.threshold, choice.margin) !== null) {
        strangerMatches++;
        fFalse++;
      }
    }
    folds.push({
      heldOut: id,
      threshold: choice.threshold,
      margin: choice.margin,
      recall: own.length ? fRecall / own.length : 0,
      falseMatches: fFalse,
      probes: own.length,
    });
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  };
  return {
    threshold: median(folds.map((f) => f.threshold)),
    margin: median(folds.map((f) => f.margin)),
    folds,
    heldOutRecall: total ? found / total : 0,
    heldOutStrangerMatches: strangerMatches,
    heldOutStrangerProbes: strangerProbes,
  };
}

/**
 * Calibrating the quality bands of the match rule (domain/quality-bands.ts) by leave-one-identity-out,
 * for the evaluation script (scripts/eval.ts --calibrate; docs/engine.md, "Open-set safety").
 *
 * The risk is a stranger: someone not enrolled whose face lands within the threshold of an enrolled
 * person. Strangers are the evaluation's own (distractors, faces of complete groups) and simulated
 * ones: every labelled face scored with its own identity's templates removed. For each band, the
 * distances from those strangers to their nearest template are fitted with a normal distribution
 * and the band's threshold is put where a stranger of that band falls inside it with probability
 * `tail` (z-score `z`), never above the base threshold: the lowest stranger seen so far is one sample,
 * the tail of the distribution is what the next, unseen stranger is drawn from. Each fold fits on the
 * other identities only; the shipped tightening of a band is the strictest over the folds.
 */
import type { MatchThresholds } from '../domain/matching.js';
import {
  belowFloor,
  faceLimits,
  type BandMeasure,
  type QualityBand,
  type QualityFloor,
  type QualityPolicy,
} from '../domain/quality-bands.js';
import { proposal, rank, type Probe, type Ranked, type Template } from './calibrate.js';

export const BAND_MEASURES: BandMeasure[] = ['interocularPx', 'sharpness', 'yaw', 'boxScore'];
/** below this many stranger samples a band's own fit is too noisy: it takes the pooled fit */
export const MIN_BAND_SAMPLES = 15;
/** the calibration's step: tightenings are rounded up to it */
const STEP = 0.005;

export interface BandFitOptions {
  base: MatchThresholds;
  floor: QualityFloor;
  /** z-score of the stranger tail each band's threshold keeps out (3.09: one stranger in 1000) */
  z: number;
}

export interface Split {
  measure: BandMeasure;
  at: number;
}

interface Sample {
  probe: Probe;
  /** ranked without the probe's own identity: how the closest other person sees it */
  asStranger: Ranked;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / Math.max(1, xs.length - 1));
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Strangers of a training set: real ones (label null) and every labelled face with its identity removed. */
function strangers(probes: Probe[], templates: Template[]): Sample[] {
  return probes
    .filter((p) => p.label !== undefined)
    .map((p) => ({
      probe: p,
      asStranger: rank(
        p.embedding,
        templates.filter((t) => t.identity !== p.label),
      ),
    }));
}

/** The distance below which a stranger falls with the tail probability of `z`, fitted on `ds`. */
export function tailThreshold(ds: number[], z: number): number {
  return mean(ds) - z * sd(ds);
}

function bandsFor(split: Split | null): Omit<QualityBand, 'tighten'>[] {
  if (!split) return [{ name: 'all', measure: 'interocularPx' }];
  return [
    { name: `${split.measure}<${round(split.at)}`, measure: split.measure, to: split.at },
    { name: `${split.measure}>=${round(split.at)}`, measure: split.measure, from: split.at },
  ];
}

const round = (v: number) => Math.round(v * 1000) / 1000;
const tightenOf = (base: number, threshold: number) => Math.max(0, Math.ceil((base - threshold) / STEP - 1e-9) * STEP);

/** Fits each band's tightening on these probes and templates (one fold's training set). */
export function fitPolicy(
  probes: Probe[],
  templates: Template[],
  split: Split | null,
  o: BandFitOptions,
): QualityPolicy {
  const samples = strangers(probes, templates).filter(
    (s) => s.probe.quality && belowFloor(s.probe.quality, o.floor).length === 0 && s.asStranger.best,
  );
  const dist = (s: Sample) => s.asStranger.best!.distance;
  const pooled = tailThreshold(samples.map(dist), o.z);
  const bands = bandsFor(split).map((b) => {
    const own = samples.filter((s) => {
      const v = s.probe.quality?.[b.measure];
      return v !== undefined && (b.from === undefined || v >= b.from) && (b.to === undefined || v < b.to);
    });
    const t = own.length >= MIN_BAND_SAMPLES ? tailThreshold(own.map(dist), o.z) : pooled;
    return { ...b, tighten: round(tightenOf(o.base.threshold, t)) };
  });
  return { floor: o.floor, bands };
}

export interface PolicyScore {
  labelled: number;
  found: number;
  wrong: number;
  /** real strangers (label null) proposed as anyone */
  strangersProposed: number;
  strangers: number;
  belowFloor: number;
  perBand: Record<string, { faces: number; genuineFound: number; strangersProposed: number }>;
}

function proposeWith(r: Ranked, p: Probe, base: MatchThresholds, policy: QualityPolicy) {
  const fl = faceLimits(p.quality, base, policy);
  if (fl.kind === 'below-floor') return { band: 'below-floor', who: null };
  return { band: fl.band, who: proposal(r, fl.limits.threshold, fl.limits.margin) };
}

/** Recall and strangers proposed with everyone enrolled (`heldOut` set: only that identity's faces). */
export function scorePolicy(probes: Probe[], templates: Template[], base: MatchThresholds, policy: QualityPolicy) {
  const s: PolicyScore = {
    labelled: 0,
    found: 0,
    wrong: 0,
    strangersProposed: 0,
    strangers: 0,
    belowFloor: 0,
    perBand: {},
  };
  for (const p of probes) {
    if (p.label === undefined) continue;
    const { band, who } = proposeWith(rank(p.embedding, templates), p, base, policy);
    const b = (s.perBand[band] ??= { faces: 0, genuineFound: 0, strangersProposed: 0 });
    b.faces++;
    if (band === 'below-floor') s.belowFloor++;
    if (p.label === null) {
      s.strangers++;
      if (who !== null) {
        s.strangersProposed++;
        b.strangersProposed++;
      }
    } else {
      s.labelled++;
      if (who === p.label) {
        s.found++;
        b.genuineFound++;
      } else if (who !== null) s.wrong++;
    }
  }
  return s;
}

/** Every labelled face of `identity` scored with that identity's templates removed: any proposal names a stranger. */
export function heldOutStrangers(
  probes: Probe[],
  templates: Template[],
  base: MatchThresholds,
  policy: QualityPolicy,
  identity: string,
): { faces: number; proposed: string[] } {
  const others = templates.filter((t) => t.identity !== identity);
  const own = probes.filter((p) => p.label === identity);
  const proposed = own
    .filter((p) => proposeWith(rank(p.embedding, others), p, base, policy).who !== null)
    .map((p) => p.image);
  return { faces: own.length, proposed };
}

export interface LoioBandsResult {
  split: Split | null;
  policy: QualityPolicy;
  folds: { heldOut: string; bands: QualityBand[]; found: number; faces: number; strangersProposed: number }[];
  heldOutRecall: number;
  heldOutStrangersProposed: number;
  heldOutStrangerFaces: number;
}

/** Leave-one-identity-out for one way of splitting the bands (null: one band for every face). */
export function loioBands(
  probes: Probe[],
  templates: Template[],
  split: Split | null,
  o: BandFitOptions,
): LoioBandsResult {
  const identities = [...new Set(templates.map((t) => t.identity))].sort();
  const folds: LoioBandsResult['folds'] = [];
  const cuts: number[] = [];
  for (const id of identities) {
    const trainProbes = probes.filter((p) => p.label !== id);
    const trainTemplates = templates.filter((t) => t.identity !== id);
    // the cut itself is a median of the training identities' faces, so it is fitted in the fold too
    const foldSplit = split ? { measure: split.measure, at: cutOf(trainProbes, split.measure) } : null;
    if (foldSplit) cuts.push(foldSplit.at);
    const policy = fitPolicy(trainProbes, trainTemplates, foldSplit, o);
    const own = probes.filter((p) => p.label === id);
    const found = own.filter((p) => proposeWith(rank(p.embedding, templates), p, o.base, policy).who === id).length;
    const strangersProposed = heldOutStrangers(probes, templates, o.base, policy, id).proposed.length;
    folds.push({ heldOut: id, bands: policy.bands, found, faces: own.length, strangersProposed });
  }
  // shipped: the fold cuts' median, each band as strict as its strictest fold (the safety margin)
  const shippedSplit = split ? { measure: split.measure, at: round(median(cuts)) } : null;
  const bands = bandsFor(shippedSplit).map((b, i) => ({
    ...b,
    tighten: Math.max(...folds.map((f) => f.bands[i]?.tighten ?? 0)),
  }));
  const faces = folds.reduce((n, f) => n + f.faces, 0);
  return {
    split: shippedSplit,
    policy: { floor: o.floor, bands },
    folds,
    heldOutRecall: faces ? folds.reduce((n, f) => n + f.found, 0) / faces : 0,
    heldOutStrangersProposed: folds.reduce((n, f) => n + f.strangersProposed, 0),
    heldOutStrangerFaces: faces,
  };
}

/** The median of a measure over the labelled faces: the candidate cut between two bands. */
export function cutOf(probes: Probe[], measure: BandMeasure): number {
  return median(probes.filter((p) => p.label && p.quality?.[measure] !== undefined).map((p) => p.quality![measure]!));
}

/** The z-scores tried, strictest first: 3.5 (about one stranger in 4300) down to 1.0 (one in 6). */
export const Z_GRID = Array.from({ length: 26 }, (_, i) => round(3.5 - i * 0.1));

export interface BandChoice extends LoioBandsResult {
  z: number;
  /** the shipped policy scored on every face with everyone enrolled */
  shipped: PolicyScore;
  /** the shipped policy with each identity held out in turn: its faces proposed as anyone */
  shippedHeldOutStrangers: number;
}

/**
 * The strictest stranger tail (largest z) and band split whose leave-one-identity-out folds propose no
 * held-out stranger and keep `minRecall` of the held-out faces, and whose shipped bands (each band as
 * strict as its strictest fold) still keep `minRecall` on the whole set and propose no stranger when
 * any identity is held out. Splits tried: one band for all, and two bands at the median of each measure.
 * Returns the choice and every candidate tried at the chosen z (for the report); undefined when none holds.
 */
export function chooseBands(
  probes: Probe[],
  templates: Template[],
  o: Omit<BandFitOptions, 'z'> & { minRecall: number },
): { best: BandChoice | undefined; tried: BandChoice[] } {
  const identities = [...new Set(templates.map((t) => t.identity))];
  let last: BandChoice[] = [];
  for (const z of Z_GRID) {
    const tried = [null, ...BAND_MEASURES.map((m) => ({ measure: m, at: 0 }))].map((split): BandChoice => {
      const r = loioBands(probes, templates, split, { ...o, z });
      const shipped = scorePolicy(probes, templates, o.base, r.policy);
      const shippedHeldOutStrangers = identities.reduce(
        (n, id) => n + heldOutStrangers(probes, templates, o.base, r.policy, id).proposed.length,
        0,
      );
      return { ...r, z, shipped, shippedHeldOutStrangers };
    });
    last = tried;
    const ok = tried.filter(
      (c) =>
        c.heldOutStrangersProposed === 0 &&
        c.heldOutRecall >= o.minRecall &&
        c.shippedHeldOutStrangers === 0 &&
        c.shipped.strangersProposed === 0 &&
        c.shipped.found / Math.max(1, c.shipped.labelled) >= o.minRecall,
    );
    if (ok.length) {
      const best = ok.reduce((a, b) => (b.heldOutRecall > a.heldOutRecall + 1e-12 ? b : a));
      return { best, tried };
    }
  }
  return { best: undefined, tried: last };
}

/**
 * Headroom: how far beyond its own face's threshold the closest stranger stayed (real strangers and
 * every labelled face with its identity held out). The larger, the more an unseen stranger may differ.
 */
export function strangerHeadroom(probes: Probe[], templates: Template[], base: MatchThresholds, policy: QualityPolicy) {
  let closest = { image: '', headroom: Infinity };
  for (const s of strangers(probes, templates)) {
    const fl = faceLimits(s.probe.quality, base, policy);
    if (fl.kind !== 'match' || !s.asStranger.best) continue;
    const headroom = s.asStranger.best.distance - fl.limits.threshold;
    if (headroom < closest.headroom) closest = { image: s.probe.image, headroom };
  }
  return closest;
}

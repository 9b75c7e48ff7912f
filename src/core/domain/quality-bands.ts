import type { MatchThresholds } from './matching.js';

/**
 * Open-set safety: how far a face may be from a participant to be proposed depends on how well the
 * engine saw it. The calibration (engine/calibration.ts, docs/engine.md "Open-set safety") carries a
 * quality floor and a few bands; each band tightens the shoot's threshold by its own measured amount.
 * A face below the floor is never proposed: it stays in the review queue, unidentified
 * (`low-quality`), where a reviewer can still assign it by hand.
 */

/** What the engine measured of one face (ports/face-engine.ts `FaceQuality`), as the rule reads it. */
export interface FaceMeasures {
  /** eye distance in full-resolution pixels */
  interocularPx: number;
  /** nose offset from the eye-mouth line / eye distance: 0 frontal, 0.5 and more in profile */
  yaw: number;
  /** variance of the Laplacian of the aligned chip: low for blurred or upsampled faces */
  sharpness?: number;
  /** the face detector's confidence 0..1 */
  boxScore?: number;
}

export type BandMeasure = 'interocularPx' | 'yaw' | 'sharpness' | 'boxScore';

/** Below any of these (above, for yaw) the calibration measured no genuine face: nothing to vouch for. */
export interface QualityFloor {
  minInterocularPx: number;
  maxYaw: number;
  minSharpness: number;
  minBoxScore: number;
}

/** Faces whose `measure` lies in [from, to) (an end left out is open) are matched at the base threshold minus `tighten`. */
export interface QualityBand {
  name: string;
  measure: BandMeasure;
  from?: number;
  to?: number;
  /** subtracted from the shoot's threshold (or the calibration's) for faces of this band */
  tighten: number;
}

export interface QualityPolicy {
  floor: QualityFloor;
  /** the first band that holds a face applies; a face in none is matched at the base threshold */
  bands: QualityBand[];
}

/** What one face is matched with: its band and limits, or nothing because it is below the floor. */
export type FaceLimits =
  { kind: 'match'; band: string; limits: MatchThresholds } | { kind: 'below-floor'; failed: (keyof QualityFloor)[] };

/** Which floor rules a face fails (empty: it may be matched). */
export function belowFloor(m: FaceMeasures, floor: QualityFloor): (keyof QualityFloor)[] {
  const failed: (keyof QualityFloor)[] = [];
  if (m.interocularPx < floor.minInterocularPx) failed.push('minInterocularPx');
  if (Math.abs(m.yaw) > floor.maxYaw) failed.push('maxYaw');
  if (m.sharpness !== undefined && m.sharpness < floor.minSharpness) failed.push('minSharpness');
  if (m.boxScore !== undefined && m.boxScore < floor.minBoxScore) failed.push('minBoxScore');
  return failed;
}

export function bandOf(m: FaceMeasures, bands: readonly QualityBand[]): QualityBand | undefined {
  return bands.find((b) => {
    const v = m[b.measure];
    return v !== undefined && (b.from === undefined || v >= b.from) && (b.to === undefined || v < b.to);
  });
}

/**
 * The limits one face is matched with. `base` is the shoot's threshold and margin (matchLimits), so a
 * shoot's own `--threshold` is what the bands tighten. A face the engine reported no measures for
 * (only test doubles do: the real engine always measures) is matched at the base.
 */
export function faceLimits(
  measures: FaceMeasures | undefined,
  base: MatchThresholds,
  policy: QualityPolicy | undefined,
): FaceLimits {
  if (!policy || !measures) return { kind: 'match', band: 'unmeasured', limits: base };
  const failed = belowFloor(measures, policy.floor);
  if (failed.length) return { kind: 'below-floor', failed };
  const band = bandOf(measures, policy.bands);
  if (!band) return { kind: 'match', band: 'base', limits: base };
  return { kind: 'match', band: band.name, limits: { ...base, threshold: base.threshold - band.tighten } };
}

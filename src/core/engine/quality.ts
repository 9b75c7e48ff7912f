/**
 * Measured rules that drop non-faces and faces too poor to embed. The thresholds come from the
 * detections on ../shared/faces (docs/engine.md, "Quality rules"): every labelled face passes, every
 * detection on the no-face images fails.
 */
import type { FaceGeometry } from './align.js';

export interface QualityRules {
  /** minimum mesh confidence (Human's faceScore) */
  minMeshScore: number;
  /** minimum BlazeFace confidence, first look */
  minBoxScore: number;
  /** minimum BlazeFace confidence on the second look (a crop centred on the face) */
  minVerifyScore: number;
  /** faces only the padded or tiled pass found: minimum confidence on their close look */
  minSecondLookScore: number;
  /** minimum eye distance in full-resolution pixels: below it the chip is mostly upsampling */
  minInterocular: number;
  /** plausible human eye-distance / eye-to-mouth ratio */
  minEyeMouthRatio: number;
  maxEyeMouthRatio: number;
}

export const DEFAULT_QUALITY: QualityRules = {
  minMeshScore: 0.5,
  minBoxScore: 0.2,
  minVerifyScore: 0.4,
  minSecondLookScore: 0.65,
  minInterocular: 8,
  minEyeMouthRatio: 0.6,
  maxEyeMouthRatio: 2.0,
};

export interface QualityInput {
  meshScore: number;
  boxScore: number;
  verifyScore: number;
  /** which pass found it: 'edge' and 'tile' are second looks */
  pass: string;
  geometry: FaceGeometry;
}

/** The reasons a detection is rejected; empty when it is kept. */
export function rejectionReasons(q: QualityInput, rules: QualityRules = DEFAULT_QUALITY): string[] {
  const reasons: string[] = [];
  if (q.meshScore < rules.minMeshScore) reasons.push('mesh-score');
  if (q.boxScore < rules.minBoxScore) reasons.push('detector-score');
  if (q.verifyScore < rules.minVerifyScore) reasons.push('not-confirmed');
  if ((q.pass === 'edge' || q.pass === 'tile') && q.verifyScore < rules.minSecondLookScore)
    reasons.push('not-confirmed-second-look');
  if (q.geometry.interocular < rules.minInterocular) reasons.push('too-small');
  if (q.geometry.eyeMouthRatio < rules.minEyeMouthRatio || q.geometry.eyeMouthRatio > rules.maxEyeMouthRatio)
    reasons.push('geometry');
  return reasons;
}

/**
 * The default match calibration of this model set, chosen by leave-one-identity-out on
 * ../shared/faces (`npm run eval -- --data ../shared/faces --calibrate`; docs/engine.md): per fold,
 * the (threshold, margin) with the best recall and no false match on the other identities, counting
 * simulated strangers (an identity's probes with its own template removed); defaults = fold medians.
 * Held out, it found 96% of faces and named 0 of 82 unseen strangers. A calibration only applies to
 * embeddings whose model digest equals `modelDigest`.
 */
import type { ThresholdBounds } from '../domain/match-limits.js';
import type { MatchCalibration } from '../ports/face-engine.js';
import { DEFAULT_QUALITY_POLICY } from './quality-policy.js';

export const DEFAULT_CALIBRATION: MatchCalibration = {
  modelDigest: 'd6156b1502891e58a92b0b53f4ce4c72a3d19c9c19747f0e1d26621130ed79d1',
  /** Euclidean distance between 128-d descriptors: at or below it a match may be proposed */
  threshold: 0.565,
  /** the runner-up participant must be at least this much further away */
  margin: 0.05,
  quality: DEFAULT_QUALITY_POLICY,
};

/**
 * The thresholds a shoot may set at creation (`shoot create --threshold`), from this model's
 * measurements (docs/engine.md): at most 0.582, the distance at which the evaluation measured a 0.1%
 * false-accept rate (TAR @ FAR 0.1%), so no shoot accepts more strangers than that; at least 0.35, the
 * strictest value the calibration searched, below which nothing was measured.
 */
export const THRESHOLD_BOUNDS: ThresholdBounds = {
  min: 0.35,
  max: 0.582,
  basis:
    'above 0.582 the measured false-accept rate exceeds 0.1% (TAR @ FAR 0.1%), below 0.35 nothing was measured (docs/engine.md)',
};

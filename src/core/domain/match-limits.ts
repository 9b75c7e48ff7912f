import { SitterError } from './errors.js';
import type { MatchThresholds } from './matching.js';
import type { Shoot } from './shoot.js';

/**
 * The limits a shoot's faces are matched and reviewed with: the shoot's own threshold and margin
 * where it sets them, else the engine's calibration. The scan proposes with these and the review
 * queue orders by the same threshold, so both always agree.
 */
export function matchLimits(
  shoot: Pick<Shoot, 'matchThreshold' | 'matchMargin'>,
  calibration: MatchThresholds,
): MatchThresholds {
  return {
    threshold: shoot.matchThreshold ?? calibration.threshold,
    margin: shoot.matchMargin ?? calibration.margin,
  };
}

/**
 * The distance thresholds a shoot may choose, from the model's measured figures (models/accuracy.json,
 * docs/engine.md): `max`, the most permissive, is where the measured false-accept rate reaches its
 * target (TAR @ FAR 0.1%): beyond it more strangers are named; `min`, the strictest, is the low end of
 * the range the calibration searched: below it nothing was measured.
 */
export interface ThresholdBounds {
  min: number;
  max: number;
  /** why the bounds are where they are, for the refusal's hint */
  basis: string;
}

/** The threshold a shoot matches at, and whether the shoot set it or the model's calibration gives it. */
export interface EffectiveThreshold {
  value: number;
  source: 'shoot' | 'calibration';
}

export function effectiveThreshold(
  shoot: Pick<Shoot, 'matchThreshold' | 'matchMargin'>,
  calibration: MatchThresholds,
): EffectiveThreshold {
  return {
    value: matchLimits(shoot, calibration).threshold,
    source: shoot.matchThreshold === null ? 'calibration' : 'shoot',
  };
}

/** Refuses a shoot threshold outside the bounds the model's measurements support. */
export function assertThresholdWithin(value: number, bounds: ThresholdBounds): void {
  if (!Number.isFinite(value) || value < bounds.min || value > bounds.max)
    throw new SitterError(
      'THRESHOLD_OUT_OF_BOUNDS',
      `A match threshold of ${value} is outside the bounds ${bounds.min} to ${bounds.max} (Euclidean distance).`,
      `Give --threshold from ${bounds.min} (strictest) to ${bounds.max} (most permissive): ${bounds.basis}. ` +
        'Leave it out to use the model calibration (`sitter model-card`).',
    );
}

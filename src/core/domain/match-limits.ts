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

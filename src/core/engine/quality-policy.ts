/**
 * The shipped quality floor and bands of the match rule (domain/quality-bands.ts), measured by
 * `npm run eval -- --data ../shared/faces --calibrate` (docs/engine.md, "Open-set safety"; the same
 * values and their basis are in models/accuracy.json under `qualityPolicy`, and a test holds the two equal).
 */
import type { QualityPolicy } from '../domain/quality-bands.js';

/** The recall the calibration must keep (issue 16): the bands are as strict as the data allows above it. */
export const MIN_RECALL = 0.97;

export const DEFAULT_QUALITY_POLICY: QualityPolicy = {
  /**
   * Outside the range the calibration measured genuine faces in, it cannot vouch for a match: the
   * smallest genuine face had 44 px between the eyes (the model card's stated limit is about 40 px),
   * the most turned a yaw of 0.34 (0.5 is profile), the blurriest chip a sharpness of 19, the least
   * confident detection 0.66.
   */
  floor: { minInterocularPx: 40, maxYaw: 0.5, minSharpness: 15, minBoxScore: 0.6 },
  /**
   * Chosen by leave-one-identity-out (calibrate-bands.ts `chooseBands`): the strictest stranger tail
   * (z 2.5) and split that keep recall 0.97 held out. Genuine faces with 79 px or more between the eyes
   * lie within 0.520 of their template, so strangers as close as 0.53-0.565 are kept out for them;
   * smaller faces spread their genuine distances up to the base threshold.
   */
  bands: [
    { name: 'interocularPx<79.025', measure: 'interocularPx', to: 79.025, tighten: 0 },
    { name: 'interocularPx>=79.025', measure: 'interocularPx', from: 79.025, tighten: 0.035 },
  ],
};

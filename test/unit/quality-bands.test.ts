import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchImage } from '../../src/core/domain/matching.js';
import { faceLimits, type FaceMeasures } from '../../src/core/domain/quality-bands.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';

/**
 * Open-set safety (issue 16): the match rule's threshold depends on how well the engine saw the face,
 * with the shipped calibration's floor and bands (engine/quality-policy.ts, docs/engine.md).
 */
const base = { threshold: DEFAULT_CALIBRATION.threshold, margin: DEFAULT_CALIBRATION.margin };
const policy = DEFAULT_CALIBRATION.quality!;
const roster = [
  { participantId: 1, embeddings: [Float32Array.from([1, 0, 0])] },
  { participantId: 2, embeddings: [Float32Array.from([0, 0, 1])] },
];
/** a face `d` from participant 1 and far from participant 2 */
const at = (d: number) => Float32Array.from([1, d, 0]);
const sharpFrontal = { yaw: 0.05, sharpness: 500, boxScore: 0.9 };
const closeUp: FaceMeasures = { interocularPx: 120, ...sharpFrontal };
const smaller: FaceMeasures = { interocularPx: 60, ...sharpFrontal };

const verdictOf = (distance: number, measures: FaceMeasures | undefined, limits = base) => {
  const fl = faceLimits(measures, limits, policy);
  return matchImage([at(distance)], roster, [fl.kind === 'match' ? fl.limits : null])[0];
};

describe('quality-dependent match rule (shipped calibration)', () => {
  it('a close-up face at 0.55, which the old rule (0.565 for every face) proposed, is no longer proposed; a smaller face at 0.55 still is', () => {
    expect(matchImage([at(0.55)], roster, base)[0]).toMatchObject({ kind: 'proposed', participantId: 1 });
    expect(verdictOf(0.55, closeUp)).toMatchObject({ kind: 'unidentified', reason: 'no-match' });
    expect(verdictOf(0.55, smaller)).toMatchObject({ kind: 'proposed', participantId: 1 });
    // a close-up face as close as genuine ones are measured (at most 0.520) is still proposed
    expect(verdictOf(0.5, closeUp)).toMatchObject({ kind: 'proposed', participantId: 1 });
  });

  it('a face below the quality floor (profile, tiny, blurred or doubtful) is never proposed, however close: low-quality', () => {
    for (const poor of [
      { ...closeUp, yaw: 0.7 },
      { ...smaller, interocularPx: 30 },
      { ...smaller, sharpness: 5 },
      { ...smaller, boxScore: 0.4 },
    ])
      expect(verdictOf(0.1, poor)).toMatchObject({ kind: 'unidentified', reason: 'low-quality' });
    expect(faceLimits({ ...closeUp, yaw: -0.7, interocularPx: 30 }, base, policy)).toEqual({
      kind: 'below-floor',
      failed: ['minInterocularPx', 'maxYaw'],
    });
  });

  it("a shoot's own threshold is the base the bands tighten", () => {
    expect(faceLimits(closeUp, { threshold: 0.5, margin: 0.08 }, policy)).toEqual({
      kind: 'match',
      band: 'interocularPx>=79.025',
      limits: { threshold: 0.5 - 0.035, margin: 0.08 },
    });
    expect(verdictOf(0.48, closeUp, { threshold: 0.5, margin: 0.05 })).toMatchObject({ kind: 'unidentified' });
    expect(verdictOf(0.48, smaller, { threshold: 0.5, margin: 0.05 })).toMatchObject({ kind: 'proposed' });
  });

  it('models/accuracy.json carries the same floor and bands the scan uses, with their basis', () => {
    const accuracy = JSON.parse(readFileSync(new URL('../../models/accuracy.json', import.meta.url), 'utf8')) as {
      qualityPolicy: { floor: unknown; bands: unknown; basis: string };
    };
    expect(accuracy.qualityPolicy.floor).toEqual(policy.floor);
    expect(accuracy.qualityPolicy.bands).toEqual(policy.bands);
    expect(accuracy.qualityPolicy.basis).toMatch(/leave-one-identity-out/);
  });
});

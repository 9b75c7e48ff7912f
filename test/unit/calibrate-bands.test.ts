import { describe, expect, it } from 'vitest';
import {
  chooseBands,
  fitPolicy,
  loioBands,
  scorePolicy,
  tailThreshold,
} from '../../src/core/engine/calibrate-bands.js';
import type { FaceMeasures, Probe, Template } from '../../src/core/engine/calibrate.js';

/**
 * The band calibration's maths (engine/calibrate-bands.ts) on a synthetic set: 20 identities whose
 * templates are 0.5 apart; each has close-up faces (100 px between the eyes) near its template and
 * smaller faces (50 px) further out. Held out, an identity's close-ups sit about 0.5 from the others.
 */
const N = 20;
const DIM = 64 + N * 8;
const vec = (entries: [number, number][]) => {
  const v = new Float32Array(DIM);
  for (const [i, x] of entries) v[i] = x;
  return v;
};
const r = 0.5 / Math.SQRT2;
const templates: Template[] = Array.from({ length: N }, (_, i) => ({
  identity: `id${i}`,
  embedding: vec([
    [0, 1],
    [1 + i, r],
  ]),
}));
const measures = (interocularPx: number): FaceMeasures => ({
  meshScore: 1,
  interocularPx,
  yaw: 0.05,
  sharpness: 400,
  boxScore: 0.9,
  faceFraction: 0.5,
});
let axis = 1 + N;
/** a face of identity i at `d` from its template, along a direction of its own */
const probe = (i: number, d: number, px: number): Probe => ({
  image: `id${i}-${axis}`,
  label: `id${i}`,
  quality: measures(px),
  embedding: vec([
    [0, 1],
    [1 + i, r],
    [axis++, d],
  ]),
});
const probes: Probe[] = Array.from({ length: N }, (_, i) => [
  probe(i, 0.1 + (i % 5) * 0.02, 100),
  probe(i, 0.15 + (i % 3) * 0.02, 100),
  probe(i, 0.3 + (i % 4) * 0.04, 50),
  probe(i, 0.35 + (i % 5) * 0.03, 50),
]).flat();
const o = {
  base: { threshold: 0.565, margin: 0 },
  floor: { minInterocularPx: 40, maxYaw: 0.5, minSharpness: 15, minBoxScore: 0.6 },
};

describe('quality band calibration', () => {
  it("tailThreshold is the stranger distances' mean less z standard deviations", () => {
    expect(tailThreshold([0.6, 0.7, 0.8], 2)).toBeCloseTo(0.7 - 2 * 0.1, 10);
  });

  it('a band whose strangers come close is tightened more; tightenings are rounded up to 0.005 and never negative', () => {
    const policy = fitPolicy(probes, templates, { measure: 'interocularPx', at: 75 }, { ...o, z: 2.5 });
    const [small, closeUp] = policy.bands;
    expect(closeUp!.tighten).toBeGreaterThan(small!.tighten);
    expect(small!.tighten).toBeGreaterThanOrEqual(0);
    for (const b of policy.bands) expect(Math.round(b.tighten / 0.005) * 0.005).toBeCloseTo(b.tighten, 10);
    // the close-up strangers: sqrt(0.25 + d^2) from the nearest other template
    const ds = probes
      .filter((p) => p.quality!.interocularPx >= 75)
      .map((p) => Math.hypot(0.5, p.embedding[axisOf(p)]!));
    expect(0.565 - closeUp!.tighten).toBeLessThanOrEqual(tailThreshold(ds, 2.5) + 1e-9);
  });

  it('leave-one-identity-out ships each band as strict as its strictest fold, and scores held-out faces only with bands fitted without them', () => {
    const r = loioBands(probes, templates, { measure: 'interocularPx', at: 0 }, { ...o, z: 2.5 });
    expect(r.folds).toHaveLength(N);
    for (const [i, b] of r.policy.bands.entries())
      expect(b.tighten).toBe(Math.max(...r.folds.map((f) => f.bands[i]!.tighten)));
    expect(r.split).toEqual({ measure: 'interocularPx', at: 75 });
    expect(r.heldOutStrangersProposed).toBe(0);
  });

  it('chooseBands keeps the required recall and proposes no held-out stranger at the shipped bands', () => {
    const { best } = chooseBands(probes, templates, { ...o, minRecall: 0.97 });
    expect(best).toBeDefined();
    expect(best!.heldOutRecall).toBeGreaterThanOrEqual(0.97);
    const s = scorePolicy(probes, templates, o.base, best!.policy);
    expect(s.found / s.labelled).toBeGreaterThanOrEqual(0.97);
    expect(best!.shippedHeldOutStrangers).toBe(0);
  });
});

/** the probe's own axis (its last non-zero entry) */
function axisOf(p: Probe): number {
  for (let i = p.embedding.length - 1; i >= 0; i--) if (p.embedding[i] !== 0) return i;
  return 0;
}

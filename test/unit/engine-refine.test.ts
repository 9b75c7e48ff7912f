/** Which faces get their landmarks again from a close look (engine/refine.ts): pure, no model. */
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/core/engine/detect.js';
import { needsCloseLook } from '../../src/core/engine/refine.js';

const seen = (fullSide: number, inputFaceSide: number, pass: Candidate['pass'] = 'whole'): Candidate => ({
  box: { x: 100, y: 100, w: fullSide, h: fullSide },
  score: 0.9,
  boxScore: 0.9,
  mesh: [],
  inputFaceSide,
  pass,
  verifyScore: 0.9,
});

describe('needsCloseLook', () => {
  it('takes a face the whole-image pass meshed at a fraction of its pixels (3% and 4% of a 6000 px photo)', () => {
    expect(needsCloseLook(seen(180, 31))).toBe(true);
    expect(needsCloseLook(seen(240, 41))).toBe(true);
  });

  it('leaves a face meshed at full resolution, or at least at the mesh input of 192 px', () => {
    expect(needsCloseLook(seen(150, 148))).toBe(false); // a 150 px crop meshed as it is
    expect(needsCloseLook(seen(1050, 576))).toBe(false); // a portrait: 576 px already more than 192
    expect(needsCloseLook(seen(140, 128, 'tile'))).toBe(false); // a tile's close look saw 140 px at 128
  });

  it("looks again at a tile's face that its 256 px close look saw below its pixels (180 px at 128)", () => {
    expect(needsCloseLook(seen(180, 128, 'tile'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { chipFromLandmarks, geometryOf, landmarksFromMesh } from '../../src/core/engine/align.js';
import {
  chooseOperatingPoint,
  euclidean,
  leaveOneIdentityOut,
  operatingPoint,
  proposal,
  rank,
  tarAtFar,
  type Probe,
  type Template,
} from '../../src/core/engine/calibrate.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import { iou, overlapOfSmaller, suppress, tileGrid } from '../../src/core/engine/geometry.js';
import { identityOf, loadVerifiedModels, readManifest } from '../../src/core/engine/model-manifest.js';
import { DEFAULT_QUALITY, rejectionReasons } from '../../src/core/engine/quality.js';

describe('tiling', () => {
  it('covers the image and every face smaller than the overlap lies wholly inside one tile', () => {
    const W = 6000;
    const H = 4000;
    const side = 1200;
    const overlap = 0.35;
    const tiles = tileGrid(W, H, side, overlap);
    for (const t of tiles) {
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.y).toBeGreaterThanOrEqual(0);
      expect(t.x + t.w).toBeLessThanOrEqual(W);
      expect(t.y + t.h).toBeLessThanOrEqual(H);
    }
    const face = Math.floor(side * overlap) - 1;
    for (let x = 0; x + face <= W; x += 97) {
      for (let y = 0; y + face <= H; y += 89) {
        const inside = tiles.some((t) => x >= t.x && y >= t.y && x + face <= t.x + t.w && y + face <= t.y + t.h);
        expect(inside, `face at ${x},${y}`).toBe(true);
      }
    }
  });

  it('gives one tile when the image is smaller than a tile', () => {
    expect(tileGrid(500, 300, 800, 0.35)).toEqual([{ x: 0, y: 0, w: 500, h: 300 }]);
  });

  it('merges duplicates and nested boxes, keeping the best', () => {
    const a = { box: { x: 0, y: 0, w: 100, h: 100 }, s: 0.9 };
    const b = { box: { x: 5, y: 5, w: 100, h: 100 }, s: 0.8 };
    const nested = { box: { x: 20, y: 20, w: 40, h: 40 }, s: 0.95 };
    const far = { box: { x: 500, y: 500, w: 50, h: 50 }, s: 0.5 };
    const kept = suppress(
      [a, b, nested, far],
      (x) => x.box,
      (x) => x.s,
    );
    expect(kept).toEqual([nested, far]);
    expect(iou(a.box, a.box)).toBe(1);
    expect(overlapOfSmaller(a.box, nested.box)).toBe(1);
  });
});

describe('alignment recipe', () => {
  it('builds the dlib-style chip from eye and mouth points', () => {
    const mesh: number[][] = Array.from({ length: 468 }, () => [0, 0]);
    const set = (i: number, x: number, y: number) => (mesh[i] = [x, y]);
    set(33, 90, 100);
    set(133, 110, 100); // left eye centre (100, 100)
    set(362, 190, 100);
    set(263, 210, 100); // right eye centre (200, 100)
    for (const i of [61, 291, 13, 14]) set(i, 150, 180); // mouth (150, 180)
    set(1, 150, 140);
    const l = landmarksFromMesh(mesh);
    const chip = chipFromLandmarks(l, false);
    const eyeMouth = Math.hypot(50, 80);
    expect(chip.side).toBeCloseTo(eyeMouth / 0.45, 6);
    expect(chip.cx).toBeCloseTo(150, 6);
    // top-left y = cy - 0.43 side, so the centre is 0.07 side below the landmark centroid
    expect(chip.cy).toBeCloseTo((100 + 100 + 180) / 3 + 0.07 * chip.side, 6);
    expect(chip.angle).toBe(0);
    const g = geometryOf(l);
    expect(g.interocular).toBe(100);
    expect(g.yaw).toBeCloseTo(0, 6);
  });
});

describe('quality rules', () => {
  const geometry = { interocular: 40, yaw: 0.05, eyeMouthRatio: 1 };
  it('keeps a confident face and names each failed rule', () => {
    expect(rejectionReasons({ meshScore: 1, boxScore: 0.9, verifyScore: 0.9, pass: 'whole', geometry })).toEqual([]);
    expect(rejectionReasons({ meshScore: 0.24, boxScore: 0.34, verifyScore: 0, pass: 'whole', geometry })).toEqual([
      'mesh-score',
      'not-confirmed',
    ]);
    expect(rejectionReasons({ meshScore: 1, boxScore: 0.54, verifyScore: 0.54, pass: 'tile', geometry })).toEqual([
      'not-confirmed-second-look',
    ]);
    expect(
      rejectionReasons({
        meshScore: 1,
        boxScore: 0.9,
        verifyScore: 0.9,
        pass: 'whole',
        geometry: { ...geometry, interocular: 3 },
      }),
    ).toEqual(['too-small']);
    expect(DEFAULT_QUALITY.minVerifyScore).toBeGreaterThan(0);
  });
});

const v = (...xs: number[]) => Float32Array.from(xs);

describe('scoring and calibration', () => {
  it('computes TAR at a FAR with the threshold just below the first rejected impostor', () => {
    const r = tarAtFar([0.1, 0.2, 0.5, 0.9], [0.3, 0.6, 0.7, 0.8], 0.25);
    // one impostor in four may pass: threshold just below 0.6
    expect(r.threshold).toBeCloseTo(0.6, 6);
    expect(r.tar).toBe(0.75);
    expect(tarAtFar([0.1], [0.3, 0.6], 0).tar).toBe(1);
  });

  it('proposes only within the threshold and with a margin to the runner-up', () => {
    const templates: Template[] = [
      { identity: 'a', embedding: v(0, 0) },
      { identity: 'b', embedding: v(1, 0) },
    ];
    expect(euclidean(v(0, 0), v(3, 4))).toBe(5);
    const near = rank(v(0.1, 0), templates);
    expect(proposal(near, 0.5, 0.05)).toBe('a');
    expect(proposal(rank(v(0.48, 0), templates), 0.5, 0.05)).toBeNull(); // runner-up too close
    expect(proposal(rank(v(0, 0.9), templates), 0.5, 0)).toBeNull(); // too far from everyone
  });

  it('chooses an operating point with no false match, counting simulated strangers', () => {
    const templates: Template[] = [
      { identity: 'a', embedding: v(0, 0) },
      { identity: 'b', embedding: v(1, 0) },
      { identity: 'c', embedding: v(0, 1) },
    ];
    const probes: Probe[] = [
      { image: 'a1', embedding: v(0.2, 0), label: 'a' },
      { image: 'b1', embedding: v(1, 0.3), label: 'b' },
      { image: 'c1', embedding: v(0, 0.7), label: 'c' },
      { image: 'x', embedding: v(5, 5), label: null },
    ];
    const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const choice = chooseOperatingPoint(probes, templates, [0, 0.1], thresholds);
    // c1 with c removed is 0.76 from a: a threshold of 0.8 would name it
    expect(choice.threshold).toBeLessThan(0.76);
    const op = operatingPoint(probes, templates, choice.threshold, choice.margin);
    expect(op.wrong_matches + op.strangers_matched).toBe(0);
    const loio = leaveOneIdentityOut(probes, templates, [0, 0.1], thresholds);
    expect(loio.folds).toHaveLength(3);
    expect(loio.heldOutStrangerProbes).toBe(3);
  });
});

describe('model manifest', () => {
  it('lists every model file with package, version, sha256, size and licence, and they verify', () => {
    const m = readManifest();
    for (const f of m.files) {
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(f.size).toBeGreaterThan(0);
      expect(f.licence).toBe('MIT');
    }
    const verified = loadVerifiedModels();
    expect(verified.bytes.size).toBe(m.files.length);
    expect(verified.identity.files).toHaveLength(m.files.length);
  });

  it('the default calibration belongs to this model set', () => {
    expect(DEFAULT_CALIBRATION.modelDigest).toBe(identityOf(readManifest()).digest);
    expect(DEFAULT_CALIBRATION.threshold).toBeGreaterThan(0.3);
    expect(DEFAULT_CALIBRATION.threshold).toBeLessThan(0.7);
  });
});

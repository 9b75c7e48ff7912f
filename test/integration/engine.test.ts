/**
 * The face engine with real models on a few images of ../shared/faces (read in place, never copied)
 * and on synthetic images made with sharp. Full evaluations are scripts (npm run eval).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticGroup } from '../../src/core/engine/synthetic.js';
import { SitterError } from '../../src/core/domain/errors.js';
import { euclidean } from '../../src/core/engine/calibrate.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import { belowFloor } from '../../src/core/domain/quality-bands.js';
import { LocalFaceEngine } from '../../src/core/engine/local-engine.js';

const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces');
const photo = (p: string) => readFileSync(join(FACES, p));
const bbt = (n: string) => photo(`face-api.js/examples/images/${n.replace(/\d+$/, '')}/${n}.png`);

let engine: LocalFaceEngine;
beforeAll(async () => {
  engine = await LocalFaceEngine.create();
});
afterAll(async () => {
  await engine.close();
});

describe('face engine (real models)', () => {
  it('carries the model identity the calibration belongs to', () => {
    expect(engine.model.digest).toBe(DEFAULT_CALIBRATION.modelDigest);
    expect(engine.model.files.map((f) => f.path)).toContain('@vladmandic/face-api/model/face_recognition_model.bin');
  });

  it('finds a tight grayscale crop (padding retry) and matches the same person, not another', async () => {
    const [a1, a2, b1] = await Promise.all([
      engine.analyse(bbt('amy1')),
      engine.analyse(bbt('amy2')),
      engine.analyse(bbt('bernadette1')),
    ]);
    for (const r of [a1, a2, b1]) expect(r.faces).toHaveLength(1);
    const e = (r: typeof a1) => r.faces[0]!.embedding;
    expect(e(a1)).toHaveLength(128);
    expect(euclidean(e(a1), e(a2))).toBeLessThan(DEFAULT_CALIBRATION.threshold);
    expect(euclidean(e(a1), e(b1))).toBeGreaterThan(DEFAULT_CALIBRATION.threshold);
    const f = a1.faces[0]!;
    for (const v of [f.box.x, f.box.y, f.box.w, f.box.h]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(f.landmarks)).toEqual(expect.arrayContaining(['leftEye', 'rightEye', 'mouth']));
  });

  it('measures every face for the match rule: a blurred copy of a portrait has a softer chip, the same eye distance and a level roll; a sharp frontal portrait passes the quality floor', async () => {
    const original = photo('deepface/tests/unit/dataset/img2.jpg');
    const blurred = await sharp(original).blur(4).jpeg({ quality: 95 }).toBuffer();
    const [sharpFace, blurredFace] = (await Promise.all([engine.analyse(original), engine.analyse(blurred)])).map(
      (r) => r.faces[0]!.quality!,
    );
    expect(sharpFace).toMatchObject({ meshScore: expect.any(Number), roll: expect.any(Number) });
    expect(blurredFace!.sharpness!).toBeLessThan(sharpFace!.sharpness! / 2);
    expect(blurredFace!.interocularPx).toBeCloseTo(sharpFace!.interocularPx, -1);
    expect(Math.abs(sharpFace!.roll!)).toBeLessThan(20);
    expect(sharpFace!.boxScore!).toBeGreaterThan(0.6);
    expect(belowFloor(sharpFace!, DEFAULT_CALIBRATION.quality!.floor)).toEqual([]);
  });

  it('applies EXIF orientation: a rotated file with an orientation tag gives the same face', async () => {
    const original = photo('deepface/tests/unit/dataset/img2.jpg');
    // store the pixels turned a quarter left, tagged "rotate 90 clockwise to display"
    const stored = await sharp(original).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const [a, b] = await Promise.all([engine.analyse(original), engine.analyse(stored)]);
    expect([b.image.width, b.image.height]).toEqual([a.image.width, a.image.height]);
    expect(a.faces).toHaveLength(1);
    expect(b.faces).toHaveLength(1);
    expect(Math.abs(a.faces[0]!.box.x - b.faces[0]!.box.x)).toBeLessThan(0.03);
    expect(euclidean(a.faces[0]!.embedding, b.faces[0]!.embedding)).toBeLessThan(0.2);
  });

  it('finds no face on no-face images (the rocket the detector likes is filtered)', async () => {
    const rocket = await engine.analyseDetailed(photo('scikit-image/src/_skimage2/data/rocket.jpg'));
    expect(rocket.faces).toHaveLength(0);
    expect(rocket.rejected.length).toBeGreaterThan(0);
    expect((await engine.analyse(photo('face-api.js/test/images/white.png'))).faces).toHaveLength(0);
  });

  it('finds the faces at the frame edges of a group selfie', async () => {
    const r = await engine.analyse(photo('deepface/tests/unit/dataset/selfie-many-people.jpg'));
    expect(r.faces.length).toBeGreaterThanOrEqual(7);
  });

  it('finds faces of 3% of the width in a 24-megapixel group photo (tiling)', async () => {
    const names = ['amy1', 'bernadette1', 'howard1', 'leonard1', 'penny1', 'raj1', 'sheldon1', 'stuart1'];
    const { jpeg, faces } = await syntheticGroup(names.map(bbt), 6000, 4000, 0.03, names);
    const r = await engine.analyse(jpeg);
    expect([r.image.width, r.image.height]).toEqual([6000, 4000]);
    for (const f of faces) {
      const cx = (f.x + f.side / 2) / 6000;
      const cy = (f.y + f.side / 2) / 4000;
      const hit = r.faces.some(
        (d) => cx >= d.box.x && cx <= d.box.x + d.box.w && cy >= d.box.y && cy <= d.box.y + d.box.h,
      );
      expect(hit, `face ${f.file}`).toBe(true);
    }
    expect(r.faces.length).toBe(faces.length);
  });

  it('reports unreadable input as a user error', async () => {
    await expect(engine.analyse(Buffer.from('not an image'))).rejects.toBeInstanceOf(SitterError);
  });
});

/**
 * Small faces in a big group photo are named as reliably as close up (issue 16). Close-ups of
 * ../shared/faces (read in place, never copied) are pasted with their surroundings into 6000x4000
 * JPEG group photos, scaled so each face is 3% or 4% of the width (180 or 240 px, more than the
 * recognition net's 150 px input), and analysed with the real models. Before landmarks were taken
 * again from a close look, a face the whole-image pass found on its 1024 px copy was aligned from a
 * 31-41 px mesh: found, but its embedding drifted up to 0.8 from its close-up's, and it went unnamed.
 * The full measurement over 80 photos and three sizes is `npm run measure:small-faces` (docs/engine.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { euclidean, proposal, rank, type Template } from '../../src/core/engine/calibrate.js';
import { DEFAULT_CALIBRATION } from '../../src/core/engine/calibration.js';
import { iou, type Rect } from '../../src/core/engine/geometry.js';
import { LocalFaceEngine } from '../../src/core/engine/local-engine.js';
import { compositeGroup, type CloseUp } from '../../src/core/engine/small-face-composite.js';
import type { DetectedFace } from '../../src/core/ports/face-engine.js';

const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces');
const photo = (p: string) => readFileSync(join(FACES, p));
const deepface = (n: string) => `deepface/tests/unit/dataset/${n}.jpg`;

/** close-ups (photo, identity) that today's small faces lost, and the enrolment photo of each identity */
const PEOPLE: [string, string][] = [
  ['img9', 'img8'],
  ['img11', 'img1'],
  ['img6', 'img1'],
  ['img43', 'img26'],
  ['img44', 'img26'],
  ['img54', 'img3'],
  ['img59', 'img16'],
  ['img35', 'img34'],
];
/** how far a small face's embedding may be from its close-up's (same-photo noise; a match is <= 0.565) */
const DRIFT = 0.35;
const { threshold, margin } = DEFAULT_CALIBRATION;

let engine: LocalFaceEngine;
const templates: Template[] = [];
const closeUps: (CloseUp & { embedding: Float32Array; named: string | null })[] = [];

const largest = (faces: DetectedFace[]) => [...faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h)[0];
const named = (f: DetectedFace) => proposal(rank(f.embedding, templates), threshold, margin);

beforeAll(async () => {
  engine = await LocalFaceEngine.create();
  for (const enrol of new Set(PEOPLE.map(([, e]) => e))) {
    const f = largest((await engine.analyse(photo(deepface(enrol)))).faces);
    if (!f) throw new Error(`no face on ${enrol}`);
    templates.push({ identity: enrol, embedding: f.embedding });
  }
  for (const [query, enrol] of PEOPLE) {
    const bytes = photo(deepface(query));
    const r = await engine.analyse(bytes);
    const f = largest(r.faces);
    if (!f) throw new Error(`no face on ${query}`);
    const { width: W, height: H } = r.image;
    closeUps.push({
      id: enrol,
      bytes,
      face: { x: f.box.x * W, y: f.box.y * H, w: f.box.w * W, h: f.box.h * H },
      embedding: f.embedding,
      named: named(f),
    });
  }
}, 120_000);
afterAll(async () => {
  await engine.close();
});

describe('small faces in a 24-megapixel group photo (real models)', () => {
  it('the close-ups are named, each as its own person', () => {
    expect(closeUps.map((c) => c.named)).toEqual(closeUps.map((c) => c.id));
  });

  it.each([0.04, 0.03])(
    'a face of %s of the width is found, named as its close-up, and embedded within 0.35 of it',
    async (share) => {
      const background = {
        wall: photo('scikit-image/src/_skimage2/data/brick.png'),
        ground: photo('scikit-image/src/_skimage2/data/grass.png'),
      };
      const { jpeg, faces } = await compositeGroup(closeUps, {
        width: 6000,
        height: 4000,
        faceShare: share,
        quality: 85,
        background,
        seed: 1,
      });
      const r = await engine.analyse(jpeg);
      const abs = (d: DetectedFace): Rect => ({
        x: d.box.x * 6000,
        y: d.box.y * 4000,
        w: d.box.w * 6000,
        h: d.box.h * 4000,
      });
      const seen = faces.map((placed, i) => {
        const hit = r.faces.find((d) => iou(abs(d), placed.box) >= 0.3);
        const closeUp = closeUps[i]!;
        return {
          person: placed.id,
          found: hit !== undefined,
          named: hit ? named(hit) : null,
          drift: hit ? Math.round(euclidean(hit.embedding, closeUp.embedding) * 1000) / 1000 : null,
        };
      });
      // all in one assertion, so a failure shows every face
      expect(seen).toEqual(
        closeUps.map((c) => ({
          person: c.id,
          found: true,
          named: c.id,
          drift: expect.toSatisfy((d: number) => d <= DRIFT) as unknown,
        })),
      );
    },
    120_000,
  );
});

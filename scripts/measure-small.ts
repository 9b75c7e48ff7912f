/**
 * How small may a photo be before no face can be found in it? Downsizes real photos step by step
 * and analyses each size with the real engine (the too-small refusal switched off), then prints, per
 * photo, the smallest shorter side and face width at which its face was still found.
 *
 *   npm run measure:small -- --data ../shared/faces
 *
 * Photos: single-face `enrol` and `query` images spread over the manifest's source collections
 * (`--per-source N`, default 12), so the figure is not one photo's nor one collection's. The LAST line is one JSON object;
 * `minFoundSide` (the smallest side at which any photo still showed its face) is the floor
 * `src/core/engine/too-small.ts` uses: below it no photo showed a face, so "0 faces" would say
 * nothing. docs/engine.md, "Too small to analyse", records the figures.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { LocalFaceEngine } from '../src/core/engine/local-engine.js';

interface Entry {
  file: string;
  kind: string;
  role: string;
}

const { values } = parseArgs({
  options: { data: { type: 'string', default: '../shared/faces' }, 'per-source': { type: 'string', default: '12' } },
});
const dataDir = resolve(values.data ?? '../shared/faces');
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: Entry[] };
// Up to N photos from each source collection: tight 150 px crops (face-api.js), wider portraits
// (deepface), and scikit-image's astronaut, so the floor is not one collection's.
const perSource = Number(values['per-source']);
const bySource = new Map<string, Entry[]>();
for (const e of manifest.images) {
  if (e.kind !== 'single' || (e.role !== 'enrol' && e.role !== 'query')) continue;
  const source = e.file.split('/')[0] ?? '';
  bySource.set(source, [...(bySource.get(source) ?? []), e]);
}
const photos = [...bySource.values()].flatMap((list) =>
  list.filter((_, i) => i % Math.max(1, Math.floor(list.length / perSource)) === 0).slice(0, perSource),
);
/** shorter sides tried, large to small */
const SIDES = [160, 128, 112, 96, 80, 72, 64, 56, 48, 40, 32, 28, 24, 20, 16, 12];

const engine = await LocalFaceEngine.create({ minSide: 0 });
const rows: { file: string; side: number | null; facePx: number | null; faceShare: number | null }[] = [];
for (const e of photos) {
  const original = readFileSync(resolve(dataDir, e.file));
  const meta = await sharp(original).rotate().metadata();
  const short = Math.min(meta.width ?? 0, meta.height ?? 0);
  let found: { side: number; facePx: number; faceShare: number } | null = null;
  for (const side of SIDES.filter((s) => s < short)) {
    const scale = side / short;
    const small = await sharp(original)
      .rotate()
      .resize(Math.round((meta.width ?? 0) * scale), Math.round((meta.height ?? 0) * scale))
      .png()
      .toBuffer();
    const { image, faces } = await engine.analyse(small);
    const face = faces[0];
    if (!face) break; // smaller sizes are not tried once a size loses the face
    found = { side, facePx: Math.round(face.box.w * image.width), faceShare: face.box.w };
  }
  rows.push({
    file: e.file,
    side: found?.side ?? null,
    facePx: found?.facePx ?? null,
    faceShare: found?.faceShare ?? null,
  });
  console.log(
    `${e.file}: ${short} px short side; face still found down to ${found ? `${found.side} px (face ${found.facePx} px wide, ${(found.faceShare * 100).toFixed(0)}% of the width)` : 'no tried size'}`,
  );
}
await engine.close();
const sides = rows.flatMap((r) => (r.side === null ? [] : [r.side])).sort((a, b) => a - b);
const faces = rows.flatMap((r) => (r.facePx === null ? [] : [r.facePx])).sort((a, b) => a - b);
const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? null;
console.log(
  JSON.stringify({
    photos: rows.length,
    sidesTried: SIDES,
    minFoundSide: sides[0] ?? null,
    medianFoundSide: median(sides),
    maxFoundSide: sides[sides.length - 1] ?? null,
    minFaceWidthPx: faces[0] ?? null,
    medianFaceWidthPx: median(faces),
  }),
);

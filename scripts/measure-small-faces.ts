/**
 * Are small faces in a big group photo named as reliably as the same faces close up? Every labelled
 * single-face query photo of the data set is analysed as it is (the close-up), then pasted with its
 * surroundings into 6000x4000 group photos (8 people each, a brick wall and grass behind them, JPEG quality
 * 85) scaled so its face is 2%, 3% and 4% of the width (120, 180, 240 px), and analysed again.
 * Prints, per face size, how many faces were **found** (a detection on the face's pasted box) and
 * **named** (proposed as the right person at the shipped threshold and margin, against one template
 * per enrolled identity), against the same faces close up, and the distances to the own template
 * (small vs close-up) and between the small face and its own close-up.
 *
 *   npm run measure:small-faces -- --data ../shared/faces [--shares 0.02,0.03,0.04] [--verbose]
 *
 * The LAST line is one JSON object; docs/engine.md, "Small faces in big photos", records it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { euclidean, proposal, rank, type Template } from '../src/core/engine/calibrate.js';
import { DEFAULT_CALIBRATION } from '../src/core/engine/calibration.js';
import { iou } from '../src/core/engine/geometry.js';
import { LocalFaceEngine } from '../src/core/engine/local-engine.js';
import { compositeGroup, type CloseUp } from '../src/core/engine/small-face-composite.js';
import type { DetectedFace } from '../src/core/ports/face-engine.js';

interface Entry {
  file: string;
  identities: string[];
  kind: string;
  role: string;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces' },
    shares: { type: 'string', default: '0.02,0.03,0.04' },
    'per-canvas': { type: 'string', default: '8' },
    quality: { type: 'string', default: '85' },
    limit: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const dataDir = resolve(values.data ?? '../shared/faces');
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: Entry[] };
const shares = (values.shares ?? '').split(',').map(Number);
const perCanvas = Number(values['per-canvas']);
const quality = Number(values.quality);
const { threshold, margin } = DEFAULT_CALIBRATION;
const read = (file: string) => readFileSync(resolve(dataDir, file));
const largest = (faces: DetectedFace[]) => [...faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h)[0];

const engine = await LocalFaceEngine.create();
const templates: Template[] = [];
for (const e of manifest.images.filter((x) => x.role === 'enrol')) {
  const f = largest((await engine.analyse(read(e.file))).faces);
  if (f && e.identities[0]) templates.push({ identity: e.identities[0], embedding: f.embedding });
}
const enrolled = new Set(templates.map((t) => t.identity));

interface Seen {
  /** the photo's source collection: tight 150 px crops (face-api.js) or portraits with their surroundings (deepface) */
  source: string;
  found: boolean;
  named: boolean;
  /** proposed as somebody else */
  wrong: boolean;
  /** distance to the own template (Infinity when not found) */
  own: number;
}
const judge = (face: DetectedFace | undefined, label: string, file: string): Seen => {
  const source = file.split('/')[0] ?? '';
  if (!face) return { source, found: false, named: false, wrong: false, own: Infinity };
  const named = proposal(rank(face.embedding, templates), threshold, margin);
  const own = Math.min(
    ...templates.filter((t) => t.identity === label).map((t) => euclidean(face.embedding, t.embedding)),
  );
  return { source, found: true, named: named === label, wrong: named !== null && named !== label, own };
};

// the close-ups: every labelled single-face query photo whose face the engine finds as it is
const queries = manifest.images
  .filter((e) => e.role === 'query' && e.kind === 'single' && enrolled.has(e.identities[0] ?? ''))
  .slice(0, values.limit ? Number(values.limit) : undefined);
const closeUps: (CloseUp & { label: string; seen: Seen; embedding: Float32Array })[] = [];
let closeUpsMissed = 0;
for (const e of queries) {
  const bytes = read(e.file);
  const r = await engine.analyse(bytes);
  const f = largest(r.faces);
  const label = e.identities[0] ?? '';
  if (!f) {
    closeUpsMissed++;
    continue;
  }
  const { width: W, height: H } = r.image;
  closeUps.push({
    id: e.file,
    bytes,
    face: { x: f.box.x * W, y: f.box.y * H, w: f.box.w * W, h: f.box.h * H },
    label,
    seen: judge(f, label, e.file),
    embedding: f.embedding,
  });
}

const quantile = (xs: number[], q: number) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN) * 1000) / 1000 : null;
};
const distances = (seen: Seen[], q: number) =>
  quantile(
    seen.map((s) => s.own),
    q,
  );
const counts = (seen: Seen[]) => ({
  faces: seen.length,
  found: seen.filter((s) => s.found).length,
  named: seen.filter((s) => s.named).length,
  wrong: seen.filter((s) => s.wrong).length,
  ownDistance: { median: distances(seen, 0.5), p90: distances(seen, 0.9) },
});
const summary = (seen: Seen[]) => ({
  ...counts(seen),
  bySource: Object.fromEntries(
    [...new Set(seen.map((s) => s.source))].map((src) => [src, counts(seen.filter((s) => s.source === src))]),
  ),
});
const bySourceText = (s: ReturnType<typeof summary>) =>
  Object.entries(s.bySource)
    .map(([src, c]) => `${src} found ${c.found}/${c.faces} named ${c.named}`)
    .join(', ');
const closeUpSummary = summary(closeUps.map((c) => c.seen));
console.log(
  `close-ups: ${closeUps.length} found of ${queries.length} query photos; named ${closeUpSummary.named}, ` +
    `own-template distance median ${closeUpSummary.ownDistance.median} p90 ${closeUpSummary.ownDistance.p90}\n` +
    `    (${bySourceText(closeUpSummary)})`,
);

const bySize: Record<string, unknown> = {};
const background = {
  wall: read('scikit-image/src/_skimage2/data/brick.png'),
  ground: read('scikit-image/src/_skimage2/data/grass.png'),
};
for (const share of shares) {
  const seen: Seen[] = [];
  const drift: number[] = [];
  let lostNamed = 0;
  let gainedNamed = 0;
  let ms = 0;
  for (let i = 0; i < closeUps.length; i += perCanvas) {
    const group = closeUps.slice(i, i + perCanvas);
    const { jpeg, faces } = await compositeGroup(group, {
      width: 6000,
      height: 4000,
      faceShare: share,
      quality,
      background,
      seed: i + 1,
    });
    const t0 = performance.now();
    const r = await engine.analyse(jpeg);
    ms += performance.now() - t0;
    const abs = (d: DetectedFace) => ({ x: d.box.x * 6000, y: d.box.y * 4000, w: d.box.w * 6000, h: d.box.h * 4000 });
    for (const [j, placed] of faces.entries()) {
      const c = group[j]!;
      const hit = r.faces
        .map((d) => ({ d, o: iou(abs(d), placed.box) }))
        .filter((x) => x.o >= 0.3)
        .sort((a, b) => b.o - a.o)[0]?.d;
      const s = judge(hit, c.label, c.id);
      seen.push(s);
      if (hit) drift.push(euclidean(hit.embedding, c.embedding));
      if (c.seen.named && !s.named) lostNamed++;
      if (!c.seen.named && s.named) gainedNamed++;
      if (values.verbose && (!s.named || !c.seen.named))
        console.log(
          `  ${(share * 100).toFixed(0)}% ${c.id}: ${s.found ? `found, own ${s.own.toFixed(3)} (close-up ${c.seen.own.toFixed(3)}), to close-up ${euclidean(hit!.embedding, c.embedding).toFixed(3)}${s.named ? ', named' : s.wrong ? ', named WRONG' : ', not named'}` : 'NOT FOUND'}; close-up ${c.seen.named ? 'named' : 'not named'}`,
        );
    }
  }
  const s = summary(seen);
  bySize[String(share)] = {
    facePx: Math.round(6000 * share),
    ...s,
    lostNamed,
    gainedNamed,
    toCloseUp: { median: quantile(drift, 0.5), p90: quantile(drift, 0.9), max: quantile(drift, 1) },
    msPerImage: Math.round(ms / Math.ceil(closeUps.length / perCanvas)),
  };
  console.log(
    `${(share * 100).toFixed(0)}% of the width (${Math.round(6000 * share)} px): found ${s.found}/${s.faces}, named ` +
      `${s.named}/${s.faces} (close-up ${closeUpSummary.named}), wrong ${s.wrong}; lost ${lostNamed}, gained ${gainedNamed}; ` +
      `own-template distance median ${s.ownDistance.median} p90 ${s.ownDistance.p90}; to its close-up median ` +
      `${quantile(drift, 0.5)} p90 ${quantile(drift, 0.9)} max ${quantile(drift, 1)}\n    (${bySourceText(s)})`,
  );
}
await engine.close();
console.log(
  JSON.stringify({
    threshold,
    margin,
    canvas: '6000x4000',
    jpegQuality: quality,
    perCanvas,
    queryPhotos: queries.length,
    closeUpsMissed,
    closeUp: closeUpSummary,
    small: bySize,
  }),
);

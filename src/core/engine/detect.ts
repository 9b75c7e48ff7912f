/**
 * Detection with Human (BlazeFace + FaceMesh) on downscaled copies of the full raster:
 * 1. the whole image, long side at most `wholeSide` pixels;
 * 2. for big images, overlapping square tiles (each resized to `tileInputSide`), so faces of a few
 *    percent of the image width in a group photo are still seen at a size BlazeFace finds;
 * 3. when nothing is found, the image padded on every side (tight face crops fill the frame, which
 *    BlazeFace misses).
 * Detections found more than once are merged; every point comes back in full-resolution pixels.
 */
import sharp from 'sharp';
import { BugError } from '../domain/errors.js';
import type { RgbImage } from './decode.js';
import { downscale, paddedSquare, region } from './decode.js';
import { overlapOfSmaller, type Rect, suppress, tileGrid } from './geometry.js';
import type { HumanFace, Runtime } from './runtime.js';
import { Spans } from './spans.js';

export interface DetectOptions {
  /** long side of the whole-image detection copy */
  wholeSide: number;
  /** tile only images whose long side exceeds this (in pixels) */
  tileAbove: number;
  /** tile side as a fraction of the image's long side */
  tileFraction: number;
  /** overlap between neighbouring tiles, as a fraction of the tile side */
  tileOverlap: number;
  /** smallest tile side in full-resolution pixels */
  minTileSide: number;
  /** side tiles are resized to before detection */
  tileInputSide: number;
  /** padding (fraction of the long side) around the whole-image copy: faces cut by the frame */
  wholePad: number;
  /** padding (fraction of each side) for the retry when nothing is found */
  padFraction: number;
  /** candidates whose detector score is below this are re-detected on a centred crop */
  verifyBelow: number;
  /** side of the verification crop relative to the face box */
  verifyContext: number;
  /** side of the close-look crop around a box found by the padded or tiled pass */
  focusContext: number;
  /** one face at least this share of the long side makes a portrait: no padded or tiled pass */
  portraitFaceSide: number;
}

export const DEFAULT_DETECT: DetectOptions = {
  wholeSide: 1024,
  tileAbove: 1600,
  tileFraction: 0.2,
  tileOverlap: 0.35,
  minTileSide: 800,
  tileInputSide: 512,
  wholePad: 0.1,
  padFraction: 0.4,
  verifyBelow: 0.6,
  verifyContext: 2.5,
  focusContext: 2,
  portraitFaceSide: 0.15,
};

const GRAY = { r: 128, g: 128, b: 128 };

/** side of a close look's raster: the face (1 / focusContext of it) is seen at up to 128 px */
export const CLOSE_LOOK_SIDE = 256;

export interface Candidate {
  /** face box in full-resolution pixels (from the mesh) */
  box: Rect;
  /** mesh confidence (Human's face score) */
  score: number;
  /** BlazeFace confidence */
  boxScore: number;
  /** 468 mesh points, full-resolution pixels */
  mesh: [number, number][];
  /** the face's width in the pixels the mesh saw (its effective resolution) */
  inputFaceSide: number;
  pass: 'whole' | 'edge' | 'tile' | 'padded';
  /** detector score when re-detected on a crop centred on the face (= boxScore when not re-checked) */
  verifyScore: number;
}

interface RasterView {
  data: Buffer;
  width: number;
  height: number;
  /** full-resolution pixels per raster pixel, and the raster's origin in full-resolution pixels */
  k: number;
  dx: number;
  dy: number;
}

/** Human configured per call (Human merges a call's config into its own: always say both). */
const WITH_MESH = { face: { mesh: { enabled: true } } };
const BOXES_ONLY = { face: { mesh: { enabled: false } } };

/**
 * The int32 pixels Human is handed, kept for the thread's next detection: tfjs-wasm copies a tensor's
 * values into its own heap at once, and a fresh array per pass (9 MB for a 1024 px copy) was what drove
 * most of the workers' garbage collections (docs/engine.md, "Where the time goes").
 */
let pixels = new Int32Array(0);
/** the largest array kept (a 1024 x 1024 copy, 12 MB): the rare bigger pass (a padded copy) gets its own */
const KEPT_PIXELS = 1024 * 1024 * 3;

function int32Pixels(v: RasterView): Int32Array {
  const n = v.width * v.height * 3;
  if (pixels.length < n && n <= KEPT_PIXELS) pixels = new Int32Array(n);
  const out = n <= KEPT_PIXELS ? pixels.subarray(0, n) : new Int32Array(n);
  out.set(new Uint8Array(v.data.buffer, v.data.byteOffset, n));
  return out;
}

async function runHuman(rt: Runtime, v: RasterView, mesh: boolean): Promise<HumanFace[]> {
  const t = rt.tf.tensor3d(int32Pixels(v), [v.height, v.width, 3], 'int32');
  try {
    const res = await rt.human.detect(t, mesh ? WITH_MESH : BOXES_ONLY);
    if (res.error) throw new BugError(`face detection failed: ${res.error}`);
    return res.face;
  } finally {
    rt.tf.dispose(t);
  }
}

const mapBox = (v: RasterView, b: [number, number, number, number]): Rect => ({
  x: b[0] * v.k + v.dx,
  y: b[1] * v.k + v.dy,
  w: b[2] * v.k,
  h: b[3] * v.k,
});

/** Faces with a full mesh, mapped to full-resolution pixels. */
async function detectRaster(rt: Runtime, v: RasterView, pass: Candidate['pass']): Promise<Candidate[]> {
  return (await runHuman(rt, v, true))
    .filter((f) => f.mesh.length >= 468)
    .map((f) => ({
      box: mapBox(v, f.box),
      score: f.faceScore || f.score,
      boxScore: f.boxScore,
      mesh: f.mesh.map((p) => [(p[0] ?? 0) * v.k + v.dx, (p[1] ?? 0) * v.k + v.dy] as [number, number]),
      inputFaceSide: Math.max(f.box[2], f.box[3]),
      pass,
      verifyScore: f.boxScore,
    }));
}

/** Detector boxes only (no mesh: a third of the cost), mapped to full-resolution pixels. */
async function detectBoxes(rt: Runtime, v: RasterView): Promise<{ box: Rect; score: number }[]> {
  return (await runHuman(rt, v, false)).map((f) => ({ box: mapBox(v, f.box), score: f.boxScore }));
}

async function padded(base: RasterView, fraction: number): Promise<RasterView> {
  const pad = Math.round(Math.max(base.width, base.height) * fraction);
  const out = await sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } })
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: GRAY })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: out.data,
    width: out.info.width,
    height: out.info.height,
    k: base.k,
    dx: base.dx - pad * base.k,
    dy: base.dy - pad * base.k,
  };
}

/** A square crop of the full raster centred on a box, `context` times its side, resized to `out`. */
async function focusView(img: RgbImage, box: Rect, context: number, out = CLOSE_LOOK_SIDE): Promise<RasterView | null> {
  const square = await paddedSquare(
    img,
    box.x + box.w / 2,
    box.y + box.h / 2,
    Math.max(box.w, box.h) * context,
    GRAY,
    2,
  );
  if (!square) return null;
  // sharp applies extend after resize within one pipeline: pad first, resize in a second pass
  const { side: s, left, top } = square;
  const data = await sharp(square.data, { raw: { width: s, height: s, channels: 3 } })
    .resize(out, out, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width: out, height: out, k: s / out, dx: left, dy: top };
}

/** The face at the centre of a focused crop (full mesh), if BlazeFace confirms one there. */
export async function focus(
  rt: Runtime,
  img: RgbImage,
  box: Rect,
  context: number,
  pass: Candidate['pass'],
  out = CLOSE_LOOK_SIDE,
): Promise<Candidate | null> {
  const v = await focusView(img, box, context, out);
  if (!v) return null;
  let best: Candidate | null = null;
  for (const c of await detectRaster(rt, v, pass)) {
    if (overlapOfSmaller(c.box, box) > 0.5 && (!best || c.boxScore > best.boxScore)) best = c;
  }
  return best;
}

export async function detectCandidates(
  rt: Runtime,
  img: RgbImage,
  opts: DetectOptions = DEFAULT_DETECT,
  spans: Spans = new Spans(),
): Promise<Candidate[]> {
  const small = await spans.time('resize', () => downscale(img, opts.wholeSide));
  const whole: RasterView = {
    data: small.data,
    width: small.width,
    height: small.height,
    k: 1 / small.scale,
    dx: 0,
    dy: 0,
  };
  const found = await spans.time('whole', () => detectRaster(rt, whole, 'whole'));

  // second chances, detector only: faces cut by the frame (a gray-padded copy) and small faces in
  // big images (overlapping tiles). Each new box is then looked at closely, with the mesh.
  const extra: { box: Rect; score: number; pass: Candidate['pass'] }[] = [];
  const long = Math.max(img.width, img.height);
  // a portrait (one face, large in the frame) needs no second look: spend it on groups, on small
  // faces and on images where nothing was found
  const confident = found.filter((f) => f.boxScore >= opts.verifyBelow);
  const secondLook =
    confident.length !== 1 || confident.some((f) => Math.max(f.box.w, f.box.h) < opts.portraitFaceSide * long);
  if (secondLook && opts.wholePad > 0)
    for (const b of await spans.time('edge', async () => detectBoxes(rt, await padded(whole, opts.wholePad))))
      extra.push({ ...b, pass: 'edge' });
  if (secondLook && long > opts.tileAbove) {
    const t0 = performance.now();
    const side = Math.max(opts.minTileSide, Math.round(long * opts.tileFraction));
    for (const tile of tileGrid(img.width, img.height, side, opts.tileOverlap)) {
      const s = Math.min(1, opts.tileInputSide / Math.max(tile.w, tile.h));
      const w = Math.max(1, Math.round(tile.w * s));
      const h = Math.max(1, Math.round(tile.h * s));
      const data = await region(img, tile.x, tile.y, tile.w, tile.h, w, h);
      // a face cut by an inner tile edge is seen whole by a neighbour or by the whole-image pass;
      // a face bigger than the overlap is the whole-image pass's job
      const edge = 0.02 * tile.w;
      const maxSide = opts.tileOverlap * tile.w;
      for (const c of await detectBoxes(rt, { data, width: w, height: h, k: tile.w / w, dx: tile.x, dy: tile.y })) {
        const b = c.box;
        const cutLeft = tile.x > 0 && b.x < tile.x + edge;
        const cutTop = tile.y > 0 && b.y < tile.y + edge;
        const cutRight = tile.x + tile.w < img.width && b.x + b.w > tile.x + tile.w - edge;
        const cutBottom = tile.y + tile.h < img.height && b.y + b.h > tile.y + tile.h - edge;
        if (cutLeft || cutTop || cutRight || cutBottom || Math.max(b.w, b.h) > maxSide) continue;
        extra.push({ ...c, pass: 'tile' });
      }
    }
    spans.ms.tiles = performance.now() - t0;
  }
  const fresh = suppress(
    extra.filter((e) => !found.some((f) => overlapOfSmaller(f.box, e.box) > 0.3)),
    (e) => e.box,
    (e) => e.score,
  );
  for (const e of fresh) {
    const c = await spans.time('closeLooks', () => focus(rt, img, e.box, opts.focusContext, e.pass));
    if (c && !found.some((f) => overlapOfSmaller(f.box, c.box) > 0.3)) {
      c.verifyScore = c.boxScore;
      found.push(c);
    }
  }

  if (found.length === 0) {
    // tight crops: give the detector the context it was trained with
    found.push(
      ...(await spans.time('padded', async () => detectRaster(rt, await padded(whole, opts.padFraction), 'padded'))),
    );
  }

  // the same face seen by several passes: keep the view with the best mesh, then detector score
  const merged = suppress(
    found,
    (c) => c.box,
    (c) => Math.round(c.score * 10) * 10 + c.boxScore,
  );
  for (const c of merged) {
    if (c.boxScore < opts.verifyBelow && (c.pass === 'whole' || c.pass === 'padded')) {
      // second look at a doubtful face: real faces score high when centred at a good scale
      const again = await spans.time('verify', () => focus(rt, img, c.box, opts.verifyContext, c.pass));
      c.verifyScore = again?.boxScore ?? 0;
    }
  }
  return merged;
}

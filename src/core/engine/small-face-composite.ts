/**
 * Group photos made of close-ups (for `npm run measure:small-faces` and the engine tests, at run time
 * from photos the caller reads; no photo is copied into the repository). Each close-up is scaled so
 * its face is a given share of the canvas width, and pasted with its own surroundings (hair,
 * shoulders, the room) fading out into a textured background, as a person stands in a group photo;
 * the canvas is JPEG-encoded at a typical camera quality. The face's expected box in the canvas is
 * the close-up's detected box scaled and moved with it, so a detection can be scored against it.
 */
import sharp, { type OverlayOptions } from 'sharp';
import type { Rect } from './geometry.js';

export interface CloseUp {
  /** any name for the person in the close-up (it comes back with the placed face) */
  id: string;
  bytes: Buffer;
  /** the face's box in the close-up, pixels of its displayed frame (what the engine found there) */
  face: Rect;
}

export interface PlacedFace {
  id: string;
  /** where the face is in the canvas, pixels */
  box: Rect;
}

export interface CompositeOptions {
  width: number;
  height: number;
  /** face width as a share of the canvas width (0.03: 180 px in a 6000 px photo) */
  faceShare: number;
  /** JPEG quality of the canvas */
  quality: number;
  /**
   * the scene behind the people, as textures tiled at their own scale (clutter as sharp as the faces):
   * a wall over the top 60% of the canvas, the ground below
   */
  background: { wall: Buffer; ground: Buffer };
  /** shifts the positions: the same seed places the same faces in the same places */
  seed: number;
}

/** how much of the close-up around the face comes along, in face widths (head, shoulders, room) */
const CONTEXT = 2.6;

/**
 * Where in its cell (0..1 across, 0..1 down) the i-th cut-out goes: an additive recurrence with the
 * plastic number's ratios (evenly spread, never repeating a layout), shifted by the seed.
 */
function jitter(i: number, seed: number): [number, number] {
  const frac = (v: number) => v - Math.floor(v);
  return [frac(0.5 + seed * 0.3819 + (i + 1) * 0.7548776662), frac(0.5 + seed * 0.618 + (i + 1) * 0.569840291)];
}

/** An alpha mask of w x h that is opaque inside and fades to nothing over `feather` pixels at the edges. */
async function featherMask(w: number, h: number, feather: number): Promise<Buffer> {
  const f = Math.max(1, Math.round(feather));
  const inner = Buffer.from(
    `<svg width="${w}" height="${h}"><rect x="${f}" y="${f}" width="${Math.max(1, w - 2 * f)}" ` +
      `height="${Math.max(1, h - 2 * f)}" rx="${f * 2}" fill="#fff"/></svg>`,
  );
  return sharp(inner)
    .flatten({ background: '#000' })
    .blur(Math.max(0.3, f / 2))
    .extractChannel(0)
    .raw()
    .toBuffer();
}

/** The close-up cut around its face, scaled so the face is `faceSide` wide, with a feathered alpha edge. */
async function cutout(c: CloseUp, faceSide: number): Promise<{ png: Buffer; w: number; h: number; face: Rect }> {
  const oriented = await sharp(c.bytes).rotate().removeAlpha().toColourspace('srgb').toBuffer({
    resolveWithObject: true,
  });
  const { width: iw, height: ih } = oriented.info;
  const side = Math.max(c.face.w, c.face.h) * CONTEXT;
  const cx = c.face.x + c.face.w / 2;
  const cy = c.face.y + c.face.h / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  const right = Math.min(iw, Math.round(cx + side / 2));
  const bottom = Math.min(ih, Math.round(cy + side / 2));
  const k = faceSide / c.face.w;
  const w = Math.max(1, Math.round((right - left) * k));
  const h = Math.max(1, Math.round((bottom - top) * k));
  const rgb = await sharp(oriented.data)
    .extract({ left, top, width: right - left, height: bottom - top })
    .resize(w, h, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  const alpha = await featherMask(w, h, Math.min(w, h) * 0.08);
  const png = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .joinChannel(alpha, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
  return { png, w, h, face: { x: (c.face.x - left) * k, y: (c.face.y - top) * k, w: c.face.w * k, h: c.face.h * k } };
}

/** A texture tiled over a width x height raw RGB raster. */
async function tiled(texture: Buffer, width: number, height: number): Promise<Buffer> {
  const png = await sharp(texture).rotate().removeAlpha().toColourspace('srgb').png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#777' }, limitInputPixels: false })
    .composite([{ input: png, tile: true }])
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** The wall and the ground, one raw RGB raster of the canvas. */
async function scene(o: CompositeOptions): Promise<Buffer> {
  const wallHeight = Math.round(o.height * 0.6);
  return sharp({
    create: { width: o.width, height: o.height, channels: 3, background: '#777' },
    limitInputPixels: false,
  })
    .composite([
      { input: await tiled(o.background.wall, o.width, wallHeight), left: 0, top: 0 },
      { input: await tiled(o.background.ground, o.width, o.height - wallHeight), left: 0, top: wallHeight },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
}

/**
 * One canvas with every close-up on it, one per cell of a grid, jittered within its cell. The cells
 * must be large enough for the cut-outs: at 2-4% of a 6000 px width, 8-12 people fit easily.
 */
export async function compositeGroup(
  closeUps: CloseUp[],
  o: CompositeOptions,
): Promise<{ jpeg: Buffer; faces: PlacedFace[] }> {
  const faceSide = o.width * o.faceShare;
  const n = closeUps.length;
  const cols = Math.ceil(Math.sqrt((n * o.width) / o.height));
  const rows = Math.ceil(n / cols);
  const cellW = o.width / cols;
  const cellH = o.height / rows;
  const composites: OverlayOptions[] = [];
  const faces: PlacedFace[] = [];
  for (const [i, c] of closeUps.entries()) {
    const cut = await cutout(c, faceSide);
    const col = i % cols;
    const row = Math.floor(i / cols);
    const [jx, jy] = jitter(i, o.seed);
    const x = Math.round(col * cellW + Math.max(0, cellW - cut.w) * jx);
    const y = Math.round(row * cellH + Math.max(0, cellH - cut.h) * jy);
    composites.push({ input: cut.png, left: x, top: y });
    faces.push({ id: c.id, box: { x: x + cut.face.x, y: y + cut.face.y, w: cut.face.w, h: cut.face.h } });
  }
  const jpeg = await sharp(await scene(o), {
    raw: { width: o.width, height: o.height, channels: 3 },
    limitInputPixels: false,
  })
    .composite(composites)
    .jpeg({ quality: o.quality })
    .toBuffer();
  return { jpeg, faces };
}

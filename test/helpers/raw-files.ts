/**
 * Camera RAW files written here, field by field after the specifications, because no DNG writer
 * installs from the registries this project reaches (npm, Debian): a DNG after Adobe's DNG 1.4
 * specification (IFD0 a reduced-resolution RGB thumbnail, DNGVersion, SubIFDs holding the CFA sensor
 * data and a JPEG preview), and a NEF laid out as Nikon's cameras write them (IFD0 thumbnail, Make
 * "NIKON CORPORATION", SubIFD0 the full-size JpgFromRaw by JPEGInterchangeFormat, SubIFD1 the CFA
 * data). They are not renamed TIFFs: ExifTool reads them as DNG and NEF and finds their previews
 * (test/unit/raw-format.test.ts checks that).
 */
import sharp from 'sharp';

type Value = { type: 1 | 2 | 3 | 4; values: number[] | string };
type Ifd = Map<number, Value>;

const SHORT = 3;
const LONG = 4;
const BYTE = 1;
const ASCII = 2;

const short = (...values: number[]): Value => ({ type: SHORT, values });
const long = (...values: number[]): Value => ({ type: LONG, values });
const text = (s: string): Value => ({ type: ASCII, values: `${s}\0` });

function sizeOf(v: Value): number {
  if (typeof v.values === 'string') return v.values.length;
  return v.values.length * (v.type === SHORT ? 2 : v.type === LONG ? 4 : 1);
}

/**
 * A little-endian TIFF of IFD0 and its sub-IFDs (tag 0x014A), each with its data blocks. Offsets in
 * a data tag are filled in from `blocks`: `{ tag: index of the block }`.
 */
function writeTiff(ifd0: Ifd, subIfds: Ifd[], blocks: Buffer[], refs: Map<Ifd, Map<number, number>>): Buffer {
  const all = [ifd0, ...subIfds];
  // Every tag is in place (offsets as placeholders) before the layout is measured.
  for (const [ifd, r] of refs) for (const tag of r.keys()) ifd.set(tag, long(0));
  if (subIfds.length) ifd0.set(0x014a, long(...subIfds.map(() => 0)));
  const ifdSize = (ifd: Ifd) =>
    2 +
    ifd.size * 12 +
    4 +
    [...ifd.values()].reduce((n, v) => n + (sizeOf(v) > 4 ? sizeOf(v) + (sizeOf(v) % 2) : 0), 0);
  // As cameras write them: the directories first (IFD0 right after the header), the data after.
  let cursor = 8;
  const ifdAt: number[] = [];
  for (const ifd of all) {
    ifdAt.push(cursor);
    cursor += ifdSize(ifd);
  }
  const parts: Buffer[] = [];
  const blockAt: number[] = [];
  for (const b of blocks) {
    blockAt.push(cursor);
    parts.push(b);
    cursor += b.length + (b.length % 2);
    if (b.length % 2) parts.push(Buffer.alloc(1));
  }
  if (subIfds.length) ifd0.set(0x014a, long(...ifdAt.slice(1)));
  for (const [ifd, r] of refs) for (const [tag, block] of r) ifd.set(tag, long(blockAt[block]!));
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0, 0, 0, 0]);
  header.writeUInt32LE(ifdAt[0]!, 4);
  const ifdBuffers = all.map((ifd, i) => {
    const at = ifdAt[i]!;
    const buf = Buffer.alloc(ifdSize(ifd));
    const tags = [...ifd.keys()].sort((a, b) => a - b);
    buf.writeUInt16LE(tags.length, 0);
    let extra = 2 + tags.length * 12 + 4;
    tags.forEach((tag, k) => {
      const v = ifd.get(tag)!;
      const e = 2 + k * 12;
      const count = typeof v.values === 'string' ? v.values.length : v.values.length;
      buf.writeUInt16LE(tag, e);
      buf.writeUInt16LE(v.type, e + 2);
      buf.writeUInt32LE(count, e + 4);
      const data = Buffer.alloc(sizeOf(v));
      if (typeof v.values === 'string') data.write(v.values, 'latin1');
      else
        v.values.forEach((n, j) => {
          if (v.type === SHORT) data.writeUInt16LE(n, j * 2);
          else if (v.type === LONG) data.writeUInt32LE(n, j * 4);
          else data.writeUInt8(n, j);
        });
      if (data.length <= 4) data.copy(buf, e + 8);
      else {
        buf.writeUInt32LE(at + extra, e + 8);
        data.copy(buf, extra);
        extra += data.length + (data.length % 2);
      }
    });
    return buf;
  });
  return Buffer.concat([header, ...ifdBuffers, ...parts]);
}

export interface RawOptions {
  /** the picture the camera saw, in sensor orientation; its JPEG becomes the preview */
  picture: Buffer;
  /** sensor size; the preview is the picture resized to `preview` (default: the sensor size) */
  sensor: { width: number; height: number };
  preview?: { width: number; height: number } | null;
  orientation?: number;
}

async function parts(o: RawOptions) {
  const thumb = await sharp(o.picture).resize(160, 120, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const p = o.preview === undefined ? o.sensor : o.preview;
  const jpeg = p
    ? await sharp(o.picture).resize(p.width, p.height, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer()
    : null;
  // The sensor data itself: a flat 16-bit CFA mosaic (Sitter never develops it).
  const cfa = Buffer.alloc(o.sensor.width * o.sensor.height * 2, 0x10);
  return { thumb, jpeg, p, cfa };
}

function thumbIfd(make: string, model: string, orientation: number): Ifd {
  return new Map<number, Value>([
    [0x00fe, long(1)],
    [0x0100, long(160)],
    [0x0101, long(120)],
    [0x0102, short(8, 8, 8)],
    [0x0103, short(1)],
    [0x0106, short(2)],
    [0x010f, text(make)],
    [0x0110, text(model)],
    [0x0112, short(orientation)],
    [0x0115, short(3)],
    [0x0116, long(120)],
    [0x0117, long(160 * 120 * 3)],
    [0x011c, short(1)],
  ]);
}

function cfaIfd(width: number, height: number, bytes: number): Ifd {
  return new Map<number, Value>([
    [0x00fe, long(0)],
    [0x0100, long(width)],
    [0x0101, long(height)],
    [0x0102, short(16)],
    [0x0103, short(1)],
    [0x0106, short(32803)],
    [0x0115, short(1)],
    [0x0116, long(height)],
    [0x0117, long(bytes)],
    [0x828d, short(2, 2)],
    [0x828e, { type: BYTE, values: [0, 1, 1, 2] }],
  ]);
}

/** A DNG (DNG 1.4) with a thumbnail in IFD0, the CFA data and (unless `preview: null`) a JPEG preview. */
export async function makeDng(o: RawOptions): Promise<Buffer> {
  const { thumb, jpeg, p, cfa } = await parts(o);
  const ifd0 = thumbIfd('Sitter Test', 'DNG writer', o.orientation ?? 1);
  ifd0.set(0xc612, { type: BYTE, values: [1, 4, 0, 0] });
  ifd0.set(0xc613, { type: BYTE, values: [1, 1, 0, 0] });
  ifd0.set(0xc614, text('Sitter Test DNG writer'));
  const raw = cfaIfd(o.sensor.width, o.sensor.height, cfa.length);
  const subs = [raw];
  const blocks = [thumb, cfa];
  const refs = new Map<Ifd, Map<number, number>>([
    [ifd0, new Map([[0x0111, 0]])],
    [raw, new Map([[0x0111, 1]])],
  ]);
  if (jpeg && p) {
    const preview = new Map<number, Value>([
      [0x00fe, long(1)],
      [0x0100, long(p.width)],
      [0x0101, long(p.height)],
      [0x0102, short(8, 8, 8)],
      [0x0103, short(7)],
      [0x0106, short(6)],
      [0x0115, short(3)],
      [0x0116, long(p.height)],
      [0x0117, long(jpeg.length)],
    ]);
    subs.push(preview);
    blocks.push(jpeg);
    refs.set(preview, new Map([[0x0111, 2]]));
  }
  return writeTiff(ifd0, subs, blocks, refs);
}

/** A NEF as Nikon cameras lay it out: IFD0 thumbnail, SubIFD0 the JpgFromRaw, SubIFD1 the CFA data. */
export async function makeNef(o: RawOptions): Promise<Buffer> {
  const { thumb, jpeg, cfa } = await parts(o);
  const ifd0 = thumbIfd('NIKON CORPORATION', 'NIKON D750', o.orientation ?? 1);
  const raw = cfaIfd(o.sensor.width, o.sensor.height, cfa.length);
  const blocks = [thumb, cfa];
  const refs = new Map<Ifd, Map<number, number>>([
    [ifd0, new Map([[0x0111, 0]])],
    [raw, new Map([[0x0111, 1]])],
  ]);
  const subs: Ifd[] = [];
  if (jpeg) {
    const jpgIfd = new Map<number, Value>([
      [0x00fe, long(1)],
      [0x0103, short(6)],
      [0x0202, long(jpeg.length)],
    ]);
    blocks.push(jpeg);
    refs.set(jpgIfd, new Map([[0x0201, 2]]));
    subs.push(jpgIfd);
  }
  subs.push(raw);
  return writeTiff(ifd0, subs, blocks, refs);
}

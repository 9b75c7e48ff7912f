/**
 * HEIC photos made here: Debian's `heif-enc` (libheif-examples) encodes a JPEG to HEVC-coded HEIF
 * and keeps its EXIF, but writes no `irot` transformation, which is how phones store a photo taken
 * upright: the pixels as the sensor saw them, turned by `irot` when shown. `withIrot` adds that
 * property to the primary item the way the HEIF specification lays it out (an `irot` box in `ipco`,
 * associated as essential in `ipma`), and moves the `iloc` offsets by the bytes it inserted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Encodes `jpeg` with heif-enc; throws if libheif-examples is not installed (.ci/run installs it). */
export function heifEnc(jpeg: Buffer, dir: string, name: string): Buffer {
  const input = join(dir, `${name}.source.jpg`);
  const output = join(dir, `${name}.heic`);
  writeFileSync(input, jpeg);
  execFileSync('heif-enc', ['-q', '85', input, '-o', output], { stdio: 'pipe' });
  return readFileSync(output);
}

interface Box {
  type: string;
  at: number;
  size: number;
}

function boxes(b: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at < to;) {
    const size = b.readUInt32BE(at);
    out.push({ type: b.toString('latin1', at + 4, at + 8), at, size });
    at += size;
  }
  return out;
}

function find(list: Box[], type: string): Box {
  const box = list.find((x) => x.type === type);
  if (!box) throw new Error(`no ${type} box`);
  return box;
}

/**
 * The HEIF with an `irot` of `quarters` x 90 degrees anticlockwise on its primary item (heif-enc's
 * layout: iloc version 0 with 4-byte offsets and no base offset, ipma version 0 with 1-byte entries).
 */
export function withIrot(heic: Buffer, quarters: 1 | 2 | 3): Buffer {
  const top = boxes(heic, 0, heic.length);
  const meta = find(top, 'meta');
  const inMeta = boxes(heic, meta.at + 12, meta.at + meta.size);
  const iprp = find(inMeta, 'iprp');
  const iloc = find(inMeta, 'iloc');
  const pitm = find(inMeta, 'pitm');
  const inIprp = boxes(heic, iprp.at + 8, iprp.at + iprp.size);
  const ipco = find(inIprp, 'ipco');
  const ipma = find(inIprp, 'ipma');
  const primary = heic.readUInt16BE(pitm.at + 12);
  const properties = boxes(heic, ipco.at + 8, ipco.at + ipco.size).length;
  if (heic[ipma.at + 8] !== 0 || heic.readUInt32BE(ipma.at + 8) !== 0) throw new Error('ipma layout not handled');
  const baseSize = heic[iloc.at + 13]! >> 4;
  if (heic[iloc.at + 8] !== 0 || heic[iloc.at + 12] !== 0x44 || (baseSize !== 0 && baseSize !== 4))
    throw new Error('iloc layout not handled');

  const irot = Buffer.from([0, 0, 0, 9, 0x69, 0x72, 0x6f, 0x74, quarters]);
  // ipma: find the primary item's entry and add one essential association to the new property.
  let at = ipma.at + 16;
  const entries = heic.readUInt32BE(ipma.at + 12);
  let insertAt = -1;
  for (let i = 0; i < entries; i++) {
    const item = heic.readUInt16BE(at);
    const count = heic[at + 2]!;
    if (item === primary) insertAt = at + 3 + count;
    at += 3 + count;
  }
  if (insertAt < 0) throw new Error('primary item has no properties');
  const added = irot.length + 1;
  const out = Buffer.concat([
    heic.subarray(0, ipco.at + ipco.size),
    irot,
    heic.subarray(ipco.at + ipco.size, insertAt),
    Buffer.from([0x80 | (properties + 1)]),
    heic.subarray(insertAt),
  ]);
  const grow = (boxAt: number, by: number) => out.writeUInt32BE(out.readUInt32BE(boxAt) + by, boxAt);
  grow(meta.at, added);
  grow(iprp.at, added);
  grow(ipco.at, irot.length);
  const ipmaAt = ipma.at + irot.length;
  grow(ipmaAt, 1);
  // the primary entry's association count (its entry moved by the irot box)
  let e = ipmaAt + 16;
  for (let i = 0; i < entries; i++) {
    const count = out[e + 2]!;
    if (out.readUInt16BE(e) === primary) {
      out[e + 2] = count + 1;
      break;
    }
    e += 3 + count;
  }
  // iloc (before ipco, so not moved): every item's data moves by the inserted bytes, through its base
  // offset when it has one, else through each extent's offset.
  const items = out.readUInt16BE(iloc.at + 14);
  let p = iloc.at + 16;
  for (let i = 0; i < items; i++) {
    const baseAt = p + 4;
    const base = baseSize === 4 ? out.readUInt32BE(baseAt) : 0;
    if (base !== 0) out.writeUInt32BE(base + added, baseAt);
    p += 4 + baseSize;
    const extents = out.readUInt16BE(p);
    p += 2;
    for (let k = 0; k < extents; k++) {
      if (base === 0) out.writeUInt32BE(out.readUInt32BE(p) + added, p);
      p += 8;
    }
  }
  return out;
}

/**
 * Camera RAW files, told apart from ordinary images by their first bytes. Most RAW formats are TIFF
 * underneath (NEF, DNG, CR2, ARW, PEF...), and their first image directory (IFD0) is a small
 * thumbnail: decoded as a TIFF, a 6000x4000 photo becomes a 160x120 picture with no face in it. So a
 * TIFF is a RAW when it says so (DNGVersion, the CR2 marker) or when IFD0 is a reduced-resolution
 * image with further images in SubIFDs, which an ordinary TIFF's first image never is. The others
 * have magic numbers of their own (ORF, RW2, RAF) or are ISO-BMFF with the `crx ` brand (CR3).
 * Pure: used by the local connector's sniffing and by the engine's decoding alike.
 */

export type RawFormat = 'dng' | 'nef' | 'cr2' | 'cr3' | 'arw' | 'orf' | 'rw2' | 'raf' | 'pef' | 'raw';

/** How many leading bytes sniffing needs to see IFD0 and its Make string in the RAW files cameras write. */
export const RAW_SNIFF_BYTES = 4096;

const TAG_NEW_SUBFILE_TYPE = 0x00fe;
const TAG_MAKE = 0x010f;
const TAG_SUB_IFDS = 0x014a;
const TAG_DNG_VERSION = 0xc612;

function ascii(b: Uint8Array, at: number, s: string): boolean {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

interface Ifd0 {
  tags: Set<number>;
  /** NewSubfileType bit 0: IFD0 is a reduced-resolution copy of another image in the file */
  reduced: boolean;
  make: string | null;
}

/** The tags of IFD0 as far as `head` holds them; null when `head` is not a TIFF. */
function readIfd0(head: Uint8Array): Ifd0 | null {
  if (head.length < 8) return null;
  const little = head[0] === 0x49 && head[1] === 0x49;
  const big = head[0] === 0x4d && head[1] === 0x4d;
  if (!little && !big) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const magic = u16(2);
  // 42 is TIFF; ORF ('RO', 'SR') and RW2 (0x55) reuse the layout with a magic of their own.
  if (magic !== 42 && magic !== 0x4f52 && magic !== 0x5352 && magic !== 0x55) return null;
  const at = u32(4);
  const ifd: Ifd0 = { tags: new Set(), reduced: false, make: null };
  if (at + 2 > head.length) return ifd;
  const count = u16(at);
  for (let i = 0; i < count; i++) {
    const e = at + 2 + i * 12;
    if (e + 12 > head.length) break;
    const tag = u16(e);
    ifd.tags.add(tag);
    if (tag === TAG_NEW_SUBFILE_TYPE) ifd.reduced = (u32(e + 8) & 1) === 1;
    if (tag === TAG_MAKE) {
      const n = u32(e + 4);
      const from = n <= 4 ? e + 8 : u32(e + 8);
      if (from + n <= head.length) {
        ifd.make = String.fromCharCode(...head.subarray(from, from + n))
          .replace(/\0.*$/s, '')
          .trim();
      }
    }
  }
  return ifd;
}

const MAKERS: [RegExp, RawFormat][] = [
  [/^nikon/i, 'nef'],
  [/^canon/i, 'cr2'],
  [/^sony/i, 'arw'],
  [/^(pentax|ricoh)/i, 'pef'],
];

/** The RAW format of a file's first bytes, or null when it is not a camera RAW. */
export function rawFormatOf(head: Uint8Array): RawFormat | null {
  if (ascii(head, 0, 'FUJIFILMCCD-RAW')) return 'raf';
  if (ascii(head, 4, 'ftyp') && ascii(head, 8, 'crx ')) return 'cr3';
  if (ascii(head, 0, 'IIRO') || ascii(head, 0, 'IIRS') || ascii(head, 0, 'MMOR')) return 'orf';
  if (ascii(head, 0, 'IIU\0')) return 'rw2';
  const ifd = readIfd0(head);
  if (!ifd) return null;
  if (ifd.tags.has(TAG_DNG_VERSION)) return 'dng';
  if (ascii(head, 8, 'CR\x02')) return 'cr2';
  if (ifd.reduced && ifd.tags.has(TAG_SUB_IFDS)) {
    const maker = MAKERS.find(([re]) => ifd.make !== null && re.test(ifd.make));
    return maker ? maker[1] : 'raw';
  }
  return null;
}

/** The media type a RAW format is listed with. */
export function rawMediaType(format: RawFormat): string {
  return format === 'dng' ? 'image/x-adobe-dng' : `image/x-raw-${format}`;
}

/** File name extensions cameras give their RAW files: only to say so when a file so named is not one. */
const RAW_EXTENSIONS = new Set([
  '3fr',
  'arw',
  'cr2',
  'cr3',
  'crw',
  'dcr',
  'dng',
  'erf',
  'iiq',
  'kdc',
  'mef',
  'mos',
  'mrw',
  'nef',
  'nrw',
  'orf',
  'pef',
  'raf',
  'raw',
  'rw2',
  'rwl',
  'sr2',
  'srf',
  'srw',
  'x3f',
]);

/** Whether a file name ends in a camera RAW extension (`.nef`, `.CR2`...); the content decides what it is. */
export function hasRawExtension(fileName: string): boolean {
  const dot = fileName.lastIndexOf('.');
  return dot >= 0 && RAW_EXTENSIONS.has(fileName.slice(dot + 1).toLowerCase());
}

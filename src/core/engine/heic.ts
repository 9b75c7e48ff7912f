/**
 * HEIC/HEIF photos from phones: the prebuilt sharp decodes AVIF but not HEVC, so HEVC-coded HEIF is
 * decoded by heic-decode (libheif compiled to wasm, installed from the registry with nothing to
 * download). libheif applies the container's transformations (`irot` rotation, `imir` mirror,
 * `clap` crop) before it hands the pixels over, which is what every HEIF viewer shows; the EXIF
 * orientation inside a HEIF is informational only (the HEIF specification, and libheif, leave it to
 * `irot`/`imir`), so it is not applied a second time. The pixels come back in the displayed frame.
 */
import decodeHeic from 'heic-decode';

/** HEVC-coded HEIF brands; AVIF (`avif`, `avis`) stays with sharp. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

export function isHeic(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const latin = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return latin(4, 8) === 'ftyp' && HEIC_BRANDS.has(latin(8, 12));
}

/**
 * libheif-js reports a file it cannot parse with `console.log` (then returns no image): on stdout, in
 * the middle of `scan --json`'s NDJSON. What it says is kept for the error instead. The engine runs
 * one image at a time per thread, so nothing else of Sitter's logs while this is swapped.
 */
async function quietly<T>(said: string[], run: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...args: unknown[]) => void said.push(args.map(String).join(' '));
  try {
    return await run();
  } finally {
    console.log = log;
  }
}

export interface HeicPixels {
  /** RGBA, 8 bits per channel, in the displayed frame */
  data: Buffer;
  width: number;
  height: number;
}

/**
 * The primary image's pixels. `checkSize` sees the size before anything is decoded (the pixel limit
 * against decompression bombs) and throws to refuse it.
 */
export async function decodeHeicPixels(
  bytes: Uint8Array,
  checkSize: (width: number, height: number) => void,
): Promise<HeicPixels> {
  const said: string[] = [];
  const primary = await quietly(said, async () => (await decodeHeic.all({ buffer: bytes }))[0]);
  if (!primary) throw new Error(`HEIF image not found${said.length ? `: ${said.join('; ')}` : ''}`);
  checkSize(primary.width, primary.height);
  const { width, height, data } = await primary.decode();
  return { width, height, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
}

import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Exiv2, the library digiKam and darktable read and write XMP with (Debian's `exiv2` command; CI
 * installs it, see .ci/run). Sidecars are read the way those tools read them.
 */

/** Every XMP key of the file with its interpreted value, as `exiv2 -PXkv` prints them. */
export function exiv2Keys(file: string): Map<string, string> {
  const out = execFileSync('exiv2', ['-PXkv', file], { encoding: 'utf8' });
  const keys = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (m) keys.set(m[1]!, m[2]!.trimEnd());
    else if (line.trim() !== '') keys.set(line.trim(), '');
  }
  return keys;
}

/** The raw XMP packet Exiv2 reads from an image (`exiv2 -pX`; Exiv2 prints no packet of a sidecar itself). */
export function exiv2Packet(image: string): string {
  return execFileSync('exiv2', ['-pX', image], { encoding: 'utf8' });
}

/**
 * Embeds a sidecar into an image with `exiv2 -iX` (as a photo tool does on export): Exiv2 takes it
 * from `<folder>/<stem>.xmp`, so the sidecar is copied there first.
 */
export function exiv2Embed(sidecar: string, image: string): void {
  copyFileSync(sidecar, join(dirname(image), `${basename(image, extname(image))}.xmp`));
  execFileSync('exiv2', ['-iX', image], { encoding: 'utf8' });
}

/** Modifies the file with Exiv2 `-M` commands, as digiKam does when a user rates or tags a photo. */
export function exiv2Modify(file: string, commands: string[]): void {
  execFileSync('exiv2', [...commands.flatMap((c) => ['-M', c]), file], { encoding: 'utf8' });
}

/**
 * Peak memory of masking one 24-megapixel photo for `sitter publish` (issue 13: bounded memory).
 * Generates a 6000x4000 JPEG, then masks six face-sized areas in a fresh child process that does
 * nothing else, and prints the child's peak resident set size next to the size of the image's raw
 * pixels (what holding the decoded photo in JavaScript would take on its own).
 *   npm run bench:publish
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SharpFaceMasker } from '../src/core/engine/face-masker.js';
import { MASK_BLOCKS_ACROSS, maskArea } from '../src/core/domain/masking.js';

const WIDTH = 6000;
const HEIGHT = 4000;

async function child(file: string): Promise<void> {
  const started = performance.now();
  const boxes = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8].map((x) => ({ x, y: 0.3, w: 0.08, h: 0.12 }));
  const out = await new SharpFaceMasker().mask({
    bytes: readFileSync(file),
    orientation: 1,
    areas: boxes.map((b) => maskArea(b)),
    blocksAcross: MASK_BLOCKS_ACROSS,
  });
  const ms = Math.round(performance.now() - started);
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ peakRssMiB, ms, outputBytes: out.bytes.byteLength }));
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') return child(process.argv[3]!);
  const dir = mkdtempSync(join(tmpdir(), 'sitter-bench-publish-'));
  try {
    const file = join(dir, 'big.jpg');
    await sharp({
      create: {
        width: WIDTH,
        height: HEIGHT,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .jpeg({ quality: 90 })
      .toFile(file);
    const baseline = execFileSync(process.execPath, [
      '-e',
      'console.log(Math.round(process.resourceUsage().maxRSS/1024))',
    ])
      .toString()
      .trim();
    const result = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', file]).toString(),
    ) as { peakRssMiB: number; ms: number };
    console.log(
      `${WIDTH}x${HEIGHT} JPEG (${((WIDTH * HEIGHT) / 1e6).toFixed(0)} MP), six faces masked: peak RSS ${result.peakRssMiB} MiB ` +
        `(an empty node process: ${baseline} MiB; the raw RGB pixels alone: ${Math.round((WIDTH * HEIGHT * 3) / 2 ** 20)} MiB), ${result.ms} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

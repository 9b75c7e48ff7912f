/**
 * The faster paths of issue 16 against the paths they replaced, on real faces:
 * - the engine embeds with its own fused run of face-api's recognition net (recognition-net.ts: scale
 *   layers folded into the convolutions), on onnxruntime-node where it loads (onnx/recognition-onnx.ts).
 *   Both must give face-api's descriptors, alone and in a batch: a slip in the folding, a padding, a
 *   stride or the ONNX graph would move every embedding and every match;
 * - a chip inside the image is cut and resized in one sharp pipeline: the same bytes as the two passes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chipFromLandmarks, landmarksFromMesh, type ChipSpec } from '../../src/core/engine/align.js';
import sharp from 'sharp';
import { euclidean } from '../../src/core/engine/calibrate.js';
import { decodeImage, paddedSquare, type RgbImage } from '../../src/core/engine/decode.js';
import { detectCandidates } from '../../src/core/engine/detect.js';
import { cutChip } from '../../src/core/engine/embed.js';
import { loadVerifiedModels } from '../../src/core/engine/model-manifest.js';
import { getRuntime, type Runtime } from '../../src/core/engine/runtime.js';

const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces');
// a tight grayscale crop, a portrait and a group photo (several chips of several sizes)
const PHOTOS = [
  'face-api.js/examples/images/amy/amy1.png',
  'deepface/tests/unit/dataset/img1.jpg',
  'deepface/tests/unit/dataset/couple.jpg',
];

let rt: Runtime;
const chips: Buffer[] = [];
const cuts: { img: RgbImage; spec: ChipSpec; chip: Buffer }[] = [];
beforeAll(async () => {
  rt = await getRuntime(loadVerifiedModels({}));
  for (const p of PHOTOS) {
    const img = await decodeImage(readFileSync(join(FACES, p)));
    for (const c of await detectCandidates(rt, img)) {
      const spec = chipFromLandmarks(landmarksFromMesh(c.mesh), false);
      const chip = await cutChip(img, spec);
      chips.push(chip);
      cuts.push({ img, spec, chip });
    }
  }
}, 120_000);

async function faceApi(chip: Buffer): Promise<Float32Array> {
  const t = rt.tf.tensor3d(new Uint8Array(chip.buffer, chip.byteOffset, chip.byteLength), [150, 150, 3], 'int32');
  try {
    return (await rt.recognition.computeFaceDescriptor(t)) as Float32Array;
  } finally {
    t.dispose();
  }
}

describe.each([
  ['the fused tfjs-wasm net', () => rt.fused],
  ['the embedder in use (onnxruntime here)', () => rt.embedder],
])('%s', (_name, embedderOf) => {
  it("gives face-api's descriptor for every face, alone and in one batch", async () => {
    expect(chips.length).toBeGreaterThanOrEqual(4);
    const embedder = embedderOf();
    const batch = await embedder.describe(chips);
    for (const [i, chip] of chips.entries()) {
      const reference = await faceApi(chip);
      const [alone] = await embedder.describe([chip]);
      // the default threshold is 0.565: float32 rounding moves a descriptor by about 1e-6
      expect(euclidean(alone!, reference)).toBeLessThan(1e-4);
      expect(euclidean(batch[i]!, reference)).toBeLessThan(1e-4);
      // and not trivially: different faces stay far apart
      if (i > 0) expect(euclidean(alone!, batch[0]!)).toBeGreaterThan(0.1);
    }
  });

  it('leaves no tensor behind', async () => {
    const before = rt.tf.memory().numTensors;
    await embedderOf().describe(chips.slice(0, 2));
    expect(rt.tf.memory().numTensors).toBe(before);
  });
});

describe('embedding runtime', () => {
  it('embeds on onnxruntime-node where it is installed (as npm ci installs it here), with no fallback', () => {
    // SITTER_EMBEDDER unset is `auto`: a broken onnxruntime would silently cost the scan its speed-up
    expect(process.env.SITTER_EMBEDDER ?? 'auto').toBe('auto');
    expect(rt.embedderFallback).toBeUndefined();
    expect(rt.embedder.runtime).toMatch(/^onnxruntime-node \d+\.\d+/);
  });
});

describe('chip cutting', () => {
  it('cuts a chip inside the image in one pass to the same bytes as the padded two-pass cut', async () => {
    let inside = 0;
    for (const { img, spec, chip } of cuts) {
      const square = await paddedSquare(img, spec.cx, spec.cy, spec.side, { r: 0, g: 0, b: 0 });
      if (!square) throw new Error('a detected face lies outside its image');
      const { side, left, top } = square;
      if (left >= 0 && top >= 0 && left + side <= img.width && top + side <= img.height) inside++;
      const twoPass = await sharp(square.data, { raw: { width: side, height: side, channels: 3 } })
        .resize(150, 150, { kernel: 'lanczos3', fit: 'fill' })
        .raw()
        .toBuffer();
      expect(Buffer.compare(chip, twoPass)).toBe(0);
    }
    expect(inside).toBeGreaterThanOrEqual(3);
  });
});

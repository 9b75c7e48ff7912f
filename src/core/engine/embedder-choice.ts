/**
 * Which runtime embeds the chips. onnxruntime-node (an optional dependency) runs the recognition net
 * about three times faster than tfjs-wasm; tfjs-wasm is the path that always works. `SITTER_EMBEDDER`:
 * `auto` (the default: onnxruntime when it loads and agrees with tfjs-wasm, else tfjs-wasm), `onnx`
 * (onnxruntime or an error) or `wasm` (tfjs-wasm only). Both compute the same net from the same
 * verified weights, so the model digest and the calibration are the same whichever runs.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { SitterError } from '../domain/errors.js';
import { CHIP_SIZE } from './align.js';
import { OnnxRecognitionNet, type OrtModule } from './onnx/recognition-onnx.js';
import { requireCjs } from './packages.js';
import type { ChipEmbedder, FusedRecognitionNet } from './recognition-net.js';

type Tf = typeof tfjs;

export type EmbedderSetting = 'auto' | 'onnx' | 'wasm';

const SETTINGS: readonly EmbedderSetting[] = ['auto', 'onnx', 'wasm'];

/**
 * The largest difference allowed between a descriptor of onnxruntime and of tfjs-wasm on the same
 * chip. Measured: 3e-7 (float32 rounding in another order); the match threshold is about 0.56, so a
 * difference of 1e-4 could not move a decision, while a wrong graph or weights differ by far more.
 */
export const EMBEDDER_AGREEMENT = 1e-4;

export function embedderSetting(value: string | undefined): EmbedderSetting {
  if (value === undefined || value === '') return 'auto';
  if ((SETTINGS as readonly string[]).includes(value)) return value as EmbedderSetting;
  throw new SitterError(
    'ENGINE_EMBEDDER_INVALID',
    `SITTER_EMBEDDER is "${value}", which is not an embedding runtime.`,
    'Set SITTER_EMBEDDER to auto (the default), onnx or wasm, or unset it.',
  );
}

/** Chips of fixed pseudo-random pixels (the same on every machine) to compare the two runtimes on. */
export function checkChips(count = 2): Uint8Array[] {
  let seed = 0x5177e4;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  return Array.from({ length: count }, () => Uint8Array.from({ length: CHIP_SIZE * CHIP_SIZE * 3 }, next));
}

/**
 * The largest absolute difference between two sets of descriptors; Infinity when they differ in number
 * or length, or when any value is not finite (a NaN must never pass for agreement).
 */
export function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  if (a.length !== b.length || a.length === 0) return Infinity;
  let most = 0;
  for (const [i, d] of a.entries()) {
    const other = b[i]!;
    if (d.length !== other.length || d.length === 0) return Infinity;
    for (const [j, v] of d.entries()) {
      const diff = Math.abs(v - other[j]!);
      if (!Number.isFinite(diff)) return Infinity;
      most = Math.max(most, diff);
    }
  }
  return most;
}

export interface EmbedderChoice {
  embedder: ChipEmbedder;
  /** why onnxruntime is not used, when `auto` fell back to tfjs-wasm */
  fallback?: string;
}

/** onnxruntime-node when it is installed and loads here (its native build may be missing or refuse the CPU). */
export function loadOnnxRuntime(): OrtModule {
  return requireCjs('onnxruntime-node') as OrtModule;
}

/**
 * The embedder for this thread. With `auto`, onnxruntime is used only after it described the check
 * chips as tfjs-wasm does; any failure falls back to tfjs-wasm, with the reason kept.
 */
export async function chooseEmbedder(
  tf: Tf,
  wasm: FusedRecognitionNet,
  setting: EmbedderSetting,
  load: () => OrtModule = loadOnnxRuntime,
): Promise<EmbedderChoice> {
  if (setting === 'wasm') return { embedder: wasm };
  let why: string;
  let disagrees = false;
  let onnx: OnnxRecognitionNet | undefined;
  try {
    onnx = await OnnxRecognitionNet.create(load(), tf, wasm.layers());
    const chips = checkChips();
    const diff = largestDifference(await onnx.describe(chips), await wasm.describe(chips));
    if (diff <= EMBEDDER_AGREEMENT) return { embedder: onnx };
    disagrees = true;
    why = `its descriptors differ from tfjs-wasm's by ${diff.toExponential(2)} (at most ${EMBEDDER_AGREEMENT} allowed)`;
  } catch (error) {
    why = `it did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  await onnx?.close().catch(() => undefined);
  if (setting === 'onnx')
    throw new SitterError(
      'ENGINE_EMBEDDER_UNAVAILABLE',
      `SITTER_EMBEDDER=onnx, but onnxruntime-node cannot embed here: ${why}.`,
      disagrees
        ? 'Set SITTER_EMBEDDER=wasm (or unset it) to embed on tfjs-wasm, and report the difference: reinstalling will not change it.'
        : 'Install it with the optional dependencies (in a checkout: npm ci; installed globally: npm install -g THE.tgz --onnxruntime-node-install=skip), or set SITTER_EMBEDDER=wasm (or unset it) to embed on tfjs-wasm.',
    );
  return { embedder: wasm, fallback: `onnxruntime-node is not used: ${why}` };
}

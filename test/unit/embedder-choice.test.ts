/**
 * Which runtime embeds (engine/embedder-choice.ts): onnxruntime only when it loads and agrees with
 * tfjs-wasm on the check chips, tfjs-wasm otherwise, and `SITTER_EMBEDDER` obeyed. Runs the real nets
 * from the verified models; the failing runtimes are the real onnxruntime made to fail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkChips,
  chooseEmbedder,
  EMBEDDER_AGREEMENT,
  embedderSetting,
  largestDifference,
  loadOnnxRuntime,
} from '../../src/core/engine/embedder-choice.js';
import { loadVerifiedModels } from '../../src/core/engine/model-manifest.js';
import type { OrtModule, OrtSession } from '../../src/core/engine/onnx/recognition-onnx.js';
import { getRuntime, type Runtime } from '../../src/core/engine/runtime.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await getRuntime(loadVerifiedModels({}));
}, 120_000);

/** The real onnxruntime, whose sessions answer with every descriptor moved by `shift`. */
function shifted(shift: number): OrtModule {
  const ort = loadOnnxRuntime();
  return {
    ...ort,
    Tensor: ort.Tensor,
    env: ort.env,
    InferenceSession: {
      async create(model, options) {
        const session = await ort.InferenceSession.create(model, options);
        const run: OrtSession['run'] = async (feeds) => {
          const out = await session.run(feeds);
          const data = (out.descriptors!.data as Float32Array).map((v) => v + shift);
          return { descriptors: { data } };
        };
        return { run, release: () => session.release() };
      },
    },
  };
}

describe('SITTER_EMBEDDER', () => {
  it('is auto when unset or empty, and refuses anything but auto, onnx and wasm with a hint', () => {
    expect(embedderSetting(undefined)).toBe('auto');
    expect(embedderSetting('')).toBe('auto');
    expect(embedderSetting('wasm')).toBe('wasm');
    expect(() => embedderSetting('gpu')).toThrow(expect.objectContaining({ code: 'ENGINE_EMBEDDER_INVALID' }));
  });
});

describe('largestDifference', () => {
  const d = (...v: number[]) => Float32Array.from(v);
  it('is the largest absolute difference of equal sets', () => {
    expect(largestDifference([d(1, 2), d(3, 4)], [d(1, 2.5), d(2, 4)])).toBe(1);
  });
  it('is Infinity for a NaN, for sets or descriptors of other lengths, and for nothing at all', () => {
    expect(largestDifference([d(Number.NaN, 0)], [d(Number.NaN, 0)])).toBe(Infinity);
    expect(largestDifference([d(1, 2)], [d(1)])).toBe(Infinity);
    expect(largestDifference([d(1, 2)], [d(1, 2), d(1, 2)])).toBe(Infinity);
    expect(largestDifference([d()], [d()])).toBe(Infinity);
    expect(largestDifference([], [])).toBe(Infinity);
  });
});

describe('chooseEmbedder', () => {
  it('auto: onnxruntime, whose descriptors of the check chips are tfjs-wasm’s within the agreement', async () => {
    const { embedder, fallback } = await chooseEmbedder(rt.tf, rt.fused, 'auto');
    expect(fallback).toBeUndefined();
    expect(embedder.runtime).toMatch(/^onnxruntime-node/);
    const chips = checkChips(3);
    const [a, b] = [await embedder.describe(chips), await rt.fused.describe(chips)];
    expect(a).toHaveLength(3);
    for (const [i, d] of a.entries())
      for (const [j, v] of d.entries()) expect(Math.abs(v - b[i]![j]!)).toBeLessThanOrEqual(EMBEDDER_AGREEMENT);
  }, 60_000);

  it('wasm: tfjs-wasm without trying onnxruntime', async () => {
    const { embedder } = await chooseEmbedder(rt.tf, rt.fused, 'wasm', () => {
      throw new Error('must not be loaded');
    });
    expect(embedder).toBe(rt.fused);
  });

  it('auto falls back to tfjs-wasm, saying why, when onnxruntime does not load', async () => {
    const { embedder, fallback } = await chooseEmbedder(rt.tf, rt.fused, 'auto', () => {
      throw new Error("Cannot find module 'onnxruntime-node'");
    });
    expect(embedder).toBe(rt.fused);
    expect(fallback).toMatch(/did not start: Cannot find module 'onnxruntime-node'/);
  });

  it('auto falls back when onnxruntime answers other descriptors than tfjs-wasm (a wrong graph or weights)', async () => {
    const { embedder, fallback } = await chooseEmbedder(rt.tf, rt.fused, 'auto', () => shifted(1e-3));
    expect(embedder).toBe(rt.fused);
    expect(fallback).toMatch(/differ from tfjs-wasm's by 1\.00e-3/);
  }, 60_000);

  it('auto falls back when onnxruntime answers NaN (a NaN never passes for agreement)', async () => {
    const { embedder, fallback } = await chooseEmbedder(rt.tf, rt.fused, 'auto', () => shifted(Number.NaN));
    expect(embedder).toBe(rt.fused);
    expect(fallback).toMatch(/differ from tfjs-wasm's by Infinity/);
  }, 60_000);

  it('onnx: an error with a hint, not a silent fallback, when onnxruntime cannot embed', async () => {
    await expect(chooseEmbedder(rt.tf, rt.fused, 'onnx', () => shifted(1e-3))).rejects.toMatchObject({
      code: 'ENGINE_EMBEDDER_UNAVAILABLE',
      hint: expect.stringMatching(/SITTER_EMBEDDER/),
    });
  }, 60_000);
});

/**
 * The recognition net on onnxruntime-node's CPU build: the fused net of recognition-net.ts (the same
 * verified weights, the scale layers folded the same way) written out as an ONNX graph in memory and
 * run by onnxruntime, about three times faster per face than tfjs-wasm on this machine (docs/engine.md,
 * "Embedding on onnxruntime"). It is an accelerator, never a requirement: `onnxruntime-node` is an
 * optional dependency, and the engine falls back to tfjs-wasm when it does not load or its
 * descriptors do not match the tfjs net's (runtime.ts `chooseEmbedder`).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { CHIP_SIZE } from '../align.js';
import { type ChipEmbedder, type FusedConv, type FusedLayers, MEAN_RGB } from '../recognition-net.js';
import { OnnxGraph } from './onnx-model.js';

/** The part of onnxruntime-node's API used here (its own types come with the optional package). */
export interface OrtTensor {
  readonly data: unknown;
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  env: { versions?: { node?: string } };
}

type Tf = typeof tfjs;

/**
 * tfjs's filters are HWIO, ONNX's OIHW. Reordered here, in one pass: tfjs-wasm's transpose took a
 * second for the net's 22 MB of filters, the loop takes milliseconds.
 */
export function hwioToOihw(src: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++) {
        const from = ((h * kw + w) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + h) * kw + w] = src[from + o]!;
      }
  return out;
}

/** The graph of the fused net, NHWC 0..255 chips in, 128-d descriptors out, as face-api computes them. */
export function recognitionGraph(tf: Tf, net: FusedLayers): Uint8Array {
  const g = new OnnxGraph();
  let size = CHIP_SIZE;
  let channels = 3;
  const conv = (x: string, c: FusedConv, down: boolean, relu: boolean) => {
    const [kh, kw, cin, cout] = c.filter.shape;
    const w = g.floats('W', hwioToOihw(c.filter.dataSync() as Float32Array, kh, kw, cin, cout), [cout, cin, kh, kw]);
    const b = g.floats('B', c.bias.dataSync() as Float32Array, [cout]);
    // tfjs 'same' at stride 1 pads (k - 1) / 2 on every side; 'valid' pads nothing
    const pad = down ? 0 : (kh - 1) / 2;
    const y = g.op('Conv', [x, w, b], {
      kernel_shape: [kh, kw],
      strides: down ? [2, 2] : [1, 1],
      pads: [pad, pad, pad, pad],
    });
    return { y: relu ? g.op('Relu', [y]) : y, k: kh, out: cout };
  };
  let x = g.op('Sub', ['chips', g.floats('mean', MEAN_RGB, [3])]);
  x = g.op('Div', [x, g.floats('scale', [255], [])]);
  x = g.op('Transpose', [x], { perm: [0, 3, 1, 2] });
  const stem = conv(x, net.stem, true, true);
  size = Math.floor((size - stem.k) / 2) + 1;
  channels = stem.out;
  x = g.op('MaxPool', [stem.y], { kernel_shape: [3, 3], strides: [2, 2] });
  size = Math.floor((size - 3) / 2) + 1;
  for (const block of net.blocks) {
    const first = conv(x, block.conv1, block.down, true);
    const second = conv(first.y, block.conv2, false, false);
    let out = second.y;
    let shortcut = x;
    if (block.down) {
      const outSize = Math.floor((size - first.k) / 2) + 1;
      shortcut = g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      const poolSize = Math.floor((size - 2) / 2) + 1;
      // face-api: zero rows and columns appended when the sizes differ, zero channels to the shortcut
      const d = poolSize - outSize;
      if (d > 0) out = g.op('Pad', [out, g.int64s('pads', [0, 0, 0, 0, 0, 0, d, d])]);
      const dc = second.out - channels;
      if (dc > 0) shortcut = g.op('Pad', [shortcut, g.int64s('pads', [0, 0, 0, 0, 0, dc, 0, 0])]);
      size = poolSize;
    }
    channels = second.out;
    x = g.op('Relu', [g.op('Add', [out, shortcut])]);
  }
  x = g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
  g.op('MatMul', [x, g.floats('fc', net.fc.dataSync() as Float32Array, net.fc.shape)], {}, 'descriptors');
  return g.encode(
    'faceapi-recognition',
    { name: 'chips', dims: ['n', CHIP_SIZE, CHIP_SIZE, 3] },
    { name: 'descriptors', dims: ['n', 128] },
  );
}

export class OnnxRecognitionNet implements ChipEmbedder {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly runtime: string,
  ) {}

  /**
   * One session, one thread: the pool already runs one engine per core, and a second thread per
   * session would only compete with the other workers.
   */
  static async create(ort: OrtModule, tf: Tf, net: FusedLayers): Promise<OnnxRecognitionNet> {
    const session = await ort.InferenceSession.create(recognitionGraph(tf, net), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new OnnxRecognitionNet(ort, session, `onnxruntime-node ${ort.env.versions?.node ?? '?'}`);
  }

  async describe(chips: Uint8Array[]): Promise<Float32Array[]> {
    if (chips.length === 0) return [];
    const n = chips.length;
    const side = CHIP_SIZE * CHIP_SIZE * 3;
    const pixels = new Float32Array(n * side);
    chips.forEach((c, i) => pixels.set(c, i * side));
    const out = await this.session.run({ chips: new this.ort.Tensor('float32', pixels, [n, CHIP_SIZE, CHIP_SIZE, 3]) });
    const flat = out.descriptors?.data as Float32Array;
    return Array.from({ length: n }, (_, i) => flat.slice(i * 128, (i + 1) * 128));
  }

  close(): Promise<void> {
    return this.session.release();
  }
}

/**
 * face-api's faceRecognitionNet (dlib's ResNet, 150x150 in, 128-d out) run with fused layers, from the
 * same verified weights face-api loaded. face-api runs every convolution as conv2d, add bias, multiply
 * and add the scale layer, relu: four full passes over the activations after each convolution, and it
 * subtracts the mean colour through a concatenated constant image and pads channels by concatenating
 * zeros. Here the scale is folded into the filters and bias once at load (out = (conv(x, W) + b) * s + c
 * = conv(x, W * s) + (b * s + c)), so each layer is one fused convolution with its bias and relu, and the
 * paddings are tf.pad. The maths is face-api's; the results differ from it only by float32 rounding
 * (test/integration/engine/recognition-net.test.ts holds them together). Measured: docs/engine.md,
 * "Where the time goes".
 */
import type * as tfjs from '@tensorflow/tfjs';
import { CHIP_SIZE } from './align.js';

type Tf = typeof tfjs;
type T4 = tfjs.Tensor4D;
type T1 = tfjs.Tensor1D;

/** face-api's parameter layout (src/faceRecognitionNet/types.ts of @vladmandic/face-api). */
export interface ConvLayerParams {
  conv: { filters: T4; bias: T1 };
  scale: { weights: T1; biases: T1 };
}
export interface ResidualLayerParams {
  conv1: ConvLayerParams;
  conv2: ConvLayerParams;
}
export type RecognitionParams = { conv32_down: ConvLayerParams; fc: tfjs.Tensor2D } & Record<
  (typeof RESIDUAL_LAYERS)[number],
  ResidualLayerParams
>;

/** The residual blocks in order; a `_down` block halves the size and doubles the channels. */
const RESIDUAL_LAYERS = [
  'conv32_1',
  'conv32_2',
  'conv32_3',
  'conv64_down',
  'conv64_1',
  'conv64_2',
  'conv64_3',
  'conv128_down',
  'conv128_1',
  'conv128_2',
  'conv256_down',
  'conv256_1',
  'conv256_2',
  'conv256_down_out',
] as const;

/** face-api's mean colour of its training set, subtracted before scaling to 0..1 by 255. */
export const MEAN_RGB = [122.782, 117.001, 104.298];

/** One convolution with the scale layer folded in: filter HWIO, bias per output channel. */
export interface FusedConv {
  filter: T4;
  bias: T1;
}
/** A residual block; `down` halves the size (stride 2, valid) and widens the channels. */
export interface Block {
  down: boolean;
  conv1: FusedConv;
  conv2: FusedConv;
}
/** The fused net's layers, what another runtime builds the same net from (onnx/recognition-onnx.ts). */
export interface FusedLayers {
  stem: FusedConv;
  blocks: readonly Block[];
  fc: tfjs.Tensor2D;
}

/** What embeds chips: the fused tfjs net here, or the same net on onnxruntime (onnx/recognition-onnx.ts). */
export interface ChipEmbedder {
  /** which runtime computes the descriptors, for the record (e.g. "tfjs-wasm", "onnxruntime-node 1.24.3") */
  readonly runtime: string;
  describe(chips: Uint8Array[]): Promise<Float32Array[]>;
}

export class FusedRecognitionNet implements ChipEmbedder {
  readonly runtime = 'tfjs-wasm';
  private readonly stem: FusedConv;
  private readonly blocks: Block[];
  private readonly fc: tfjs.Tensor2D;
  private readonly mean: T1;

  constructor(
    private readonly tf: Tf,
    params: RecognitionParams,
  ) {
    const fuse = (p: ConvLayerParams): FusedConv =>
      tf.tidy(() => ({
        filter: tf.mul<T4>(p.conv.filters, p.scale.weights),
        bias: tf.add<T1>(tf.mul(p.conv.bias, p.scale.weights), p.scale.biases),
      }));
    this.stem = fuse(params.conv32_down);
    this.blocks = RESIDUAL_LAYERS.map((name) => ({
      down: name.endsWith('_down') || name.endsWith('_down_out'),
      conv1: fuse(params[name].conv1),
      conv2: fuse(params[name].conv2),
    }));
    this.fc = tf.clone(params.fc);
    this.mean = tf.tensor1d(MEAN_RGB, 'float32');
  }

  layers(): FusedLayers {
    return { stem: this.stem, blocks: this.blocks, fc: this.fc };
  }

  private conv(x: T4, c: FusedConv, down: boolean, relu: boolean): T4 {
    return this.tf.fused.conv2d({
      x,
      filter: c.filter,
      bias: c.bias,
      strides: down ? 2 : 1,
      pad: down ? 'valid' : 'same',
      activation: relu ? 'relu' : 'linear',
    });
  }

  private block(x: T4, b: Block): T4 {
    const { tf } = this;
    let out = this.conv(this.conv(x, b.conv1, b.down, true), b.conv2, false, false);
    let shortcut = x;
    if (b.down) {
      shortcut = tf.avgPool(x, 2, 2, 'valid');
      // face-api: zero rows/columns appended when the sizes differ, zero channels appended to the shortcut
      const dh = shortcut.shape[1] - out.shape[1];
      const dw = shortcut.shape[2] - out.shape[2];
      if (dh > 0 || dw > 0)
        out = tf.pad(out, [
          [0, 0],
          [0, Math.max(0, dh)],
          [0, Math.max(0, dw)],
          [0, 0],
        ]);
      const dc = out.shape[3] - shortcut.shape[3];
      if (dc > 0)
        shortcut = tf.pad(shortcut, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, dc],
        ]);
    }
    return tf.relu(tf.add<T4>(out, shortcut));
  }

  /** 128-d descriptors of 150x150 RGB chips (8-bit, row-major), in order. */
  async describe(chips: Uint8Array[]): Promise<Float32Array[]> {
    if (chips.length === 0) return [];
    const { tf } = this;
    const n = chips.length;
    const pixels = new Float32Array(n * CHIP_SIZE * CHIP_SIZE * 3);
    chips.forEach((c, i) => pixels.set(c, i * CHIP_SIZE * CHIP_SIZE * 3));
    const descriptors = tf.tidy(() => {
      const input = tf.tensor4d(pixels, [n, CHIP_SIZE, CHIP_SIZE, 3], 'float32');
      let x = tf.div(tf.sub(input, this.mean), 255) as T4;
      x = this.conv(x, this.stem, true, true);
      x = tf.maxPool(x, 3, 2, 'valid');
      for (const b of this.blocks) x = this.block(x, b);
      return tf.matMul(tf.mean(x, [1, 2]) as tfjs.Tensor2D, this.fc);
    });
    try {
      const flat = await descriptors.data<'float32'>();
      return Array.from({ length: n }, (_, i) => flat.slice(i * 128, (i + 1) * 128));
    } finally {
      descriptors.dispose();
    }
  }
}

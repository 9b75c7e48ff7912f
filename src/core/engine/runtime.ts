/**
 * One tfjs + wasm runtime per thread, with Human (detector + mesh) and face-api's recognition net
 * built from verified bytes. tfjs and Human keep module-level state, so this is a per-thread
 * singleton: a worker thread owns one runtime.
 */
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { SitterError } from '../domain/errors.js';
import { MODEL_SCHEME, registerModelRouter, weightMapFrom } from './io-handler.js';
import type { VerifiedModels } from './model-manifest.js';
import { packageRoot, requireCjs } from './packages.js';
import { chooseEmbedder, embedderSetting } from './embedder-choice.js';
import { type ChipEmbedder, FusedRecognitionNet, type RecognitionParams } from './recognition-net.js';

export type Tf = typeof tfjs;

/** The part of Human's API the engine uses (Human ships its own types; these keep us independent). */
export interface HumanFace {
  score: number;
  boxScore: number;
  faceScore: number;
  /** [x, y, w, h] in input pixels */
  box: [number, number, number, number];
  /** 468 (or 478) points [x, y, z] in input pixels */
  mesh: [number, number, number?][];
}
export interface HumanInstance {
  config: Record<string, unknown>;
  init(): Promise<void>;
  load(): Promise<void>;
  detect(input: tfjs.Tensor, config?: Record<string, unknown>): Promise<{ face: HumanFace[]; error?: string | null }>;
}
interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}
export interface RecognitionNet {
  loadFromWeightMap(map: tfjs.NamedTensorMap): void;
  computeFaceDescriptor(input: tfjs.Tensor3D[] | tfjs.Tensor3D): Promise<Float32Array | Float32Array[]>;
  isLoaded: boolean;
  params: unknown;
}
interface FaceApiModule {
  nets: { faceRecognitionNet: RecognitionNet };
}

export interface Runtime {
  tf: Tf;
  human: HumanInstance;
  /** face-api's own net: kept as the reference the fused one is tested against */
  recognition: RecognitionNet;
  /** the same net and weights with fused layers on tfjs-wasm (recognition-net.ts): always there */
  fused: FusedRecognitionNet;
  /** what the engine embeds with: onnxruntime when it loads and agrees with `fused`, else `fused` (embedder-choice.ts) */
  embedder: ChipEmbedder;
  /** why onnxruntime is not used, when it was not */
  embedderFallback?: string;
  backend: string;
  /**
   * Run one image at a time: Human keeps per-call state at module level (its box cache), so two
   * interleaved detections in one thread would mix their faces.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

/** Human configured for still photos: no frame skipping, no caching, only detector + mesh. */
export function humanConfig(wasmPath: string): Record<string, unknown> {
  const still = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath,
    wasmPlatformFetch: false,
    modelBasePath: MODEL_SCHEME + '@vladmandic/human/models/',
    cacheModels: false,
    validateModels: false,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    skipAllowed: false,
    deallocate: false,
    filter: { enabled: false, return: false },
    gesture: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        rotation: true,
        maxDetected: 50,
        minConfidence: 0.2,
        iouThreshold: 0.1,
        scale: 1.4,
        mask: false,
        return: false,
        ...still,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', keepInvalid: false },
      attention: { enabled: false },
      iris: { enabled: false },
      emotion: { enabled: false, ...still },
      description: { enabled: false, ...still },
      antispoof: { enabled: false, ...still },
      liveness: { enabled: false, ...still },
      gear: { enabled: false },
    },
  };
}

let current: Promise<Runtime> | null = null;
let currentDigest = '';

async function create(models: VerifiedModels): Promise<Runtime> {
  const tf = requireCjs('@tensorflow/tfjs') as Tf;
  const wasmDir = join(packageRoot('@tensorflow/tfjs-backend-wasm'), 'dist') + '/';
  registerModelRouter(tf, models.bytes);
  // Human's exports map refuses dist/human.node-wasm.js: load it by its resolved file path.
  const humanPath = join(packageRoot('@vladmandic/human'), 'dist', 'human.node-wasm.js');
  const faceApiPath = join(packageRoot('@vladmandic/face-api'), 'dist', 'face-api.node-wasm.js');
  const { Human } = requireCjs(humanPath) as HumanModule;
  const faceapi = requireCjs(faceApiPath) as FaceApiModule;
  const human = new Human(humanConfig(wasmDir));
  await human.init();
  if (tf.getBackend() !== 'wasm') {
    throw new SitterError(
      'ENGINE_BACKEND_UNAVAILABLE',
      `The tfjs wasm backend did not start (active backend: ${tf.getBackend()}).`,
      'Run npm ci; @tensorflow/tfjs-backend-wasm must be installed with its .wasm files.',
    );
  }
  await human.load();
  const recognition = faceapi.nets.faceRecognitionNet;
  const recognitionKey = models.manifest.files.find((f) => f.role === 'embedding' && f.path.endsWith('.json'));
  if (!recognitionKey)
    throw new SitterError(
      'MODEL_MANIFEST_INVALID',
      'models/manifest.json lists no embedding model manifest.',
      'Restore models/manifest.json.',
    );
  recognition.loadFromWeightMap(weightMapFrom(tf, models.bytes, `${recognitionKey.package}/${recognitionKey.path}`));
  const fused = new FusedRecognitionNet(tf, recognition.params as RecognitionParams);
  const { embedder, fallback } = await chooseEmbedder(tf, fused, embedderSetting(process.env.SITTER_EMBEDDER));
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  return {
    tf,
    human,
    recognition,
    fused,
    embedder,
    ...(fallback ? { embedderFallback: fallback } : {}),
    backend: tf.getBackend(),
    exclusive,
  };
}

/** The thread's runtime, created on first use from the verified models. */
export function getRuntime(models: VerifiedModels): Promise<Runtime> {
  if (current && currentDigest !== models.identity.digest) {
    throw new SitterError(
      'ENGINE_MODEL_CONFLICT',
      'This thread already runs other face models.',
      'Use one model set per process or worker.',
    );
  }
  if (!current) {
    currentDigest = models.identity.digest;
    current = create(models);
    current.catch(() => {
      current = null;
      currentDigest = '';
    });
  }
  return current;
}

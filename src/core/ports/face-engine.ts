/**
 * The FaceEngine port: everything between image bytes and "these faces, with these boxes and these
 * embeddings". The core never sees a model, a tensor or a decoder; the adapter in src/core/engine does.
 */

import type { RelativeBox } from '../domain/geometry.js';
import type { ExifOrientation } from '../domain/orientation.js';
import type { QualityPolicy } from '../domain/quality-bands.js';

export type { RelativeBox } from '../domain/geometry.js';

/** One weight or topology file a model was loaded from. */
export interface ModelFile {
  /** package-relative path, e.g. "@vladmandic/human/models/blazeface.json" */
  path: string;
  sha256: string;
}

/**
 * Which models produced an embedding. Stored with every template and embedding so that vectors from
 * different models are never compared (their distances mean nothing to each other).
 */
export interface ModelIdentity {
  /** a stable name of the whole pipeline, e.g. "human-blazeface+faceapi-resnet128" */
  id: string;
  /** the versions of the packages that ship the models */
  versions: Record<string, string>;
  files: ModelFile[];
  /** sha256 over the id, versions and every file hash: the one value to compare */
  digest: string;
}

export interface DetectedFace {
  box: RelativeBox;
  /** detector confidence 0..1 */
  score: number;
  /** named landmarks in relative coordinates (eyes, mouth) */
  landmarks: Record<string, { x: number; y: number }>;
  /** the recognition embedding; compared by Euclidean distance */
  embedding: Float32Array;
  /** measures behind the engine's quality rules, for ranking and review (optional for fakes) */
  quality?: FaceQuality;
}

export interface FaceQuality {
  /** face-mesh confidence 0..1 */
  meshScore: number;
  /** eye distance in full-resolution pixels */
  interocularPx: number;
  /** 0 frontal, about 0.5 and more in profile */
  yaw: number;
  /** roll of the eye line in degrees, 0 level */
  roll?: number;
  /** the face detector's confidence 0..1 (BlazeFace, the better of its two looks; `score` is the mesh's) */
  boxScore?: number;
  /** variance of the Laplacian of the aligned chip's luma: low for blurred or upsampled faces */
  sharpness?: number;
}

/**
 * What the engine learnt about the image while decoding it, reported so that nobody after it decodes
 * the file again to learn the same (the scan stores it on the asset, push hands it to the connector).
 */
export interface ImageFacts {
  /** width and height after EXIF orientation: the frame every box is relative to */
  width: number;
  height: number;
  /** the EXIF orientation the engine applied (1 when the file has none or an invalid one) */
  orientation: ExifOrientation;
  /** `sha256:<hex>` of the bytes analysed (`contentHashOf`): what the faces and boxes were found in */
  contentHash: string;
  format: string;
  /**
   * A camera RAW: the embedded JPEG preview that was analysed in its place (ExifTool's tag and its
   * stored size). `width`/`height` are then the RAW's displayed size, the preview showing the same
   * frame (docs/engine.md, "RAW files"), and `contentHash` is still that of the whole RAW file.
   */
  preview?: { tag: string; width: number; height: number };
}

export interface FaceAnalysis {
  image: ImageFacts;
  faces: DetectedFace[];
  /**
   * What ran the recognition net for these faces (the same net either way: `onnxruntime-node ...` or
   * `tfjs-wasm`), put on each asset's record: a pool may fall back to tfjs-wasm during a scan.
   */
  embeddingRuntime?: string;
}

/** Distance threshold and margin, calibrated per model (see docs/engine.md). */
export interface MatchCalibration {
  /** the model digest this calibration belongs to */
  modelDigest: string;
  /** a face at or below this Euclidean distance may be proposed */
  threshold: number;
  /** the runner-up participant must be at least this much further away */
  margin: number;
  /**
   * Open-set safety: the quality floor and bands that tighten the threshold for faces the engine saw
   * poorly (domain/quality-bands.ts). Absent only for test doubles, whose faces carry no measures.
   */
  quality?: QualityPolicy;
}

export interface AnalyseOptions {
  /**
   * The caller will not read the bytes again: an engine in another thread may take them without a
   * copy, leaving the caller's array empty (its buffer detached). A scan hands over each photo it
   * fetched; a caller that reuses its bytes (a benchmark, an enrolment photo) does not.
   */
  handOver?: boolean;
}

export interface FaceEngine {
  readonly model: ModelIdentity;
  /**
   * Which runtime computes the embeddings (e.g. "onnxruntime-node 1.24.3" or "tfjs-wasm"), for the
   * record: the same net and weights either way, so the model digest does not change with it.
   */
  readonly embeddingRuntime?: string;
  /** why the faster runtime (onnxruntime) is not the one embedding, when it is not */
  readonly embeddingFallback?: string;
  /** Decode, detect and embed every face in the image. Throws a SitterError for bad input. */
  analyse(image: Uint8Array, options?: AnalyseOptions): Promise<FaceAnalysis>;
  /** Free the models and any worker threads. */
  close(): Promise<void>;
}

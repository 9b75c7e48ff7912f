/**
 * The in-process FaceEngine: decode -> detect (whole, tiles, padded retry) -> quality rules ->
 * landmarks again from a close look for faces seen small -> align from the mesh -> cut chips from the full-resolution raster -> embed. Chips are not rotated
 * to level the eyes: measured, that lowered TAR@FAR0.1% (0.963 vs 0.976; docs/engine.md). One per thread; the
 * pool (pool.ts) runs one of these in each worker.
 */
import { BugError } from '../domain/errors.js';
import type { DetectedFace, FaceAnalysis, FaceEngine, ModelIdentity } from '../ports/face-engine.js';
import { chipFromLandmarks, geometryOf, landmarksFromMesh, type FaceGeometry, type FaceLandmarks } from './align.js';
import { contentHashOf } from '../domain/content-hash.js';
import { decodeImage, type DecodeOptions } from './decode.js';
import { assertAnalysable } from './too-small.js';
import { DEFAULT_DETECT, detectCandidates, type Candidate, type DetectOptions } from './detect.js';
import { cutChip, embedChips } from './embed.js';
import { refineLandmarks } from './refine.js';
import { loadVerifiedModels, type ModelSource, type VerifiedModels } from './model-manifest.js';
import { chipSharpness, rollOf } from './face-measures.js';
import { DEFAULT_QUALITY, rejectionReasons, type QualityRules } from './quality.js';
import { getRuntime, type Runtime } from './runtime.js';
import { Spans, type Stage } from './spans.js';

export interface EngineOptions extends ModelSource, DecodeOptions {
  /** below this shorter side an image is refused as too small (default MIN_ANALYSABLE_SIDE; 0 to measure it) */
  minSide?: number;
  detect?: Partial<DetectOptions>;
  quality?: Partial<QualityRules>;
}

export interface RejectedFace {
  box: DetectedFace['box'];
  score: number;
  boxScore: number;
  verifyScore: number;
  geometry: FaceGeometry;
  reasons: string[];
  pass: Candidate['pass'];
}

export interface DetailedAnalysis extends FaceAnalysis {
  /** every detection after merging, kept (reasons empty) or not, in the order of `faces` first */
  candidates: RejectedFace[];
  rejected: RejectedFace[];
  timings: { decodeMs: number; detectMs: number; embedMs: number };
  /** wall time per stage (ms; a stage that did not run is absent): docs/engine.md, "Where the time goes" */
  stages: Partial<Record<Stage, number>>;
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export class LocalFaceEngine implements FaceEngine {
  readonly model: ModelIdentity;
  readonly embeddingRuntime: string;
  readonly embeddingFallback: string | undefined;
  private readonly detectOpts: DetectOptions;
  private readonly rules: QualityRules;
  private closed = false;

  private constructor(
    private readonly rt: Runtime,
    models: VerifiedModels,
    private readonly options: EngineOptions,
  ) {
    this.model = models.identity;
    this.embeddingRuntime = rt.embedder.runtime;
    this.embeddingFallback = rt.embedderFallback;
    this.detectOpts = { ...DEFAULT_DETECT, ...options.detect };
    this.rules = { ...DEFAULT_QUALITY, ...options.quality };
  }

  /** Verify the models against the manifest, start the wasm runtime and load the models. */
  static async create(options: EngineOptions = {}): Promise<LocalFaceEngine> {
    const models = loadVerifiedModels(options);
    const rt = await getRuntime(models);
    return new LocalFaceEngine(rt, models, options);
  }

  async analyse(image: Uint8Array): Promise<FaceAnalysis> {
    const { image: facts, faces } = await this.analyseDetailed(image);
    return { image: facts, faces, embeddingRuntime: this.embeddingRuntime };
  }

  analyseDetailed(bytes: Uint8Array): Promise<DetailedAnalysis> {
    if (this.closed) return Promise.reject(new BugError('face engine is closed'));
    return this.rt.exclusive(() => this.run(bytes));
  }

  private async run(bytes: Uint8Array): Promise<DetailedAnalysis> {
    const spans = new Spans();
    const t0 = performance.now();
    const img = await spans.time('decode', () => decodeImage(bytes, this.options));
    assertAnalysable(img.width, img.height, this.options.minSide);
    const t1 = performance.now();
    const candidates = await detectCandidates(this.rt, img, this.detectOpts, spans);
    const kept: { c: Candidate; l: FaceLandmarks; g: FaceGeometry }[] = [];
    const rejected: RejectedFace[] = [];
    const accepted: RejectedFace[] = [];
    const rel = (b: Candidate['box']) => {
      const x = Math.max(0, b.x);
      const y = Math.max(0, b.y);
      const x2 = Math.min(img.width, b.x + b.w);
      const y2 = Math.min(img.height, b.y + b.h);
      return {
        x: round(x / img.width),
        y: round(y / img.height),
        w: round(Math.max(0, x2 - x) / img.width),
        h: round(Math.max(0, y2 - y) / img.height),
      };
    };
    for (const seen of candidates) {
      // a face seen small is judged and aligned on its close look at full resolution (refine.ts)
      const c = await refineLandmarks(this.rt, img, seen, this.detectOpts);
      const l = landmarksFromMesh(c.mesh);
      const g = geometryOf(l);
      const reasons = rejectionReasons(
        { meshScore: c.score, boxScore: c.boxScore, verifyScore: c.verifyScore, pass: c.pass, geometry: g },
        this.rules,
      );
      if (reasons.length === 0) {
        kept.push({ c, l, g });
        accepted.push({
          box: rel(c.box),
          score: c.score,
          boxScore: c.boxScore,
          verifyScore: c.verifyScore,
          geometry: g,
          reasons,
          pass: c.pass,
        });
      } else
        rejected.push({
          box: rel(c.box),
          score: c.score,
          boxScore: c.boxScore,
          verifyScore: c.verifyScore,
          geometry: g,
          reasons,
          pass: c.pass,
        });
    }
    const t2 = performance.now();
    const chips = await spans.time('align', () =>
      Promise.all(kept.map((k) => cutChip(img, chipFromLandmarks(k.l, false)))),
    );
    const embeddings = await spans.time('embed', () => embedChips(this.rt, chips));
    const t3 = performance.now();
    const faces: DetectedFace[] = kept.map((k, i) => {
      const point = (p: { x: number; y: number }) => ({ x: round(p.x / img.width), y: round(p.y / img.height) });
      const embedding = embeddings[i];
      if (!embedding) throw new BugError('an accepted face has no embedding');
      return {
        box: rel(k.c.box),
        score: round(k.c.score),
        landmarks: {
          leftEye: point(k.l.leftEye),
          rightEye: point(k.l.rightEye),
          mouth: point(k.l.mouth),
          nose: point(k.l.nose),
        },
        embedding,
        quality: {
          meshScore: round(k.c.score),
          interocularPx: round(k.g.interocular),
          yaw: round(k.g.yaw),
          roll: round(rollOf(k.l)),
          // the detector's confidence: the better of its first look and its look centred on the face
          boxScore: round(Math.max(k.c.boxScore, k.c.verifyScore)),
          sharpness: round(chipSharpness(chips[i]!)),
        },
      };
    });
    return {
      image: {
        // A RAW's boxes are relative to its displayed frame, which its preview shows at another size.
        width: img.rawPreview?.frameWidth ?? img.width,
        height: img.rawPreview?.frameHeight ?? img.height,
        orientation: img.orientation,
        // Over the bytes handed in (the whole RAW, not its preview): push's guard hashes the same file.
        contentHash: contentHashOf(bytes),
        format: img.format,
        ...(img.rawPreview
          ? { preview: { tag: img.rawPreview.tag, width: img.rawPreview.width, height: img.rawPreview.height } }
          : {}),
      },
      faces,
      candidates: [...accepted, ...rejected],
      rejected,
      timings: { decodeMs: t1 - t0, detectMs: t2 - t1, embedMs: t3 - t2 },
      stages: spans.ms,
    };
  }

  close(): Promise<void> {
    // The runtime is per thread and shared by engines in it; a worker frees it by exiting.
    this.closed = true;
    return Promise.resolve();
  }
}

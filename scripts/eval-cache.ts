/**
 * The evaluation's analysis cache: every image's faces (boxes, scores, quality measures, embeddings)
 * stored once per model and pipeline, so calibrating again does not run the models again.
 *
 * The key is the model digest plus a hash of the compiled pipeline (dist/src/core/engine and the
 * domain modules it decodes with, calibration files excluded) plus the eval's engine options: a change
 * to detection, alignment or embedding, or another model, makes a new cache; calibration changes do not.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetailedAnalysis } from '../src/core/engine/local-engine.js';

/** Engine modules whose code does not change what an image's analysis is. */
const NOT_PIPELINE = /^(calibration|calibrate.*|quality-policy|model-card|face-masker|index|synthetic)\.js$/;
const DOMAIN_USED = ['content-hash.js', 'geometry.js', 'orientation.js', 'raw-format.js', 'raw-preview.js'];

export function pipelineHash(): string {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'core');
  const h = createHash('sha256');
  const add = (dir: string, name: string) => {
    h.update(name);
    h.update(readFileSync(join(dist, dir, name)));
  };
  for (const name of readdirSync(join(dist, 'engine')).sort())
    if (name.endsWith('.js') && !NOT_PIPELINE.test(name)) add('engine', name);
  for (const name of DOMAIN_USED) add('domain', name);
  return h.digest('hex');
}

export type CachedAnalysis = Omit<DetailedAnalysis, 'faces'> & {
  faces: (Omit<DetailedAnalysis['faces'][number], 'embedding'> & { embedding: Float32Array })[];
  /** wall and CPU time of the analysis, as measured when it was cached */
  ms: number;
  cpuMs: number;
};
type Stored = { error: string } | (Omit<CachedAnalysis, 'faces'> & { faces: { embedding: number[] }[] });

export class AnalysisCache {
  readonly file: string;
  private readonly entries: Record<string, Stored>;
  private dirty = false;

  constructor(folder: string, key: { modelDigest: string; pipeline: string; options: unknown }) {
    const id = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 24);
    this.file = join(folder, `analyses-${id}.json`);
    this.entries = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Stored>) : {};
  }

  get(sha256: string): CachedAnalysis | Error | undefined {
    const s = this.entries[sha256];
    if (!s) return undefined;
    if ('error' in s) return new Error(s.error);
    return {
      ...s,
      faces: s.faces.map((f) => ({ ...f, embedding: Float32Array.from(f.embedding) })),
    } as unknown as CachedAnalysis;
  }

  set(sha256: string, value: CachedAnalysis | Error): void {
    this.dirty = true;
    this.entries[sha256] =
      value instanceof Error
        ? { error: value.message }
        : ({ ...value, faces: value.faces.map((f) => ({ ...f, embedding: [...f.embedding] })) } as Stored);
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.entries));
  }
}

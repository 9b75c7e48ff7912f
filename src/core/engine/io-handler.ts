/**
 * tfjs model loading from verified in-memory bytes. Human builds model URLs from a base path; a load
 * router claims the `sitter-model://` scheme and answers from the bytes model-manifest.ts checked, so
 * no model is ever fetched (the wasm build's fetch cannot read files, and nothing may touch a network).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { BugError } from '../domain/errors.js';

export const MODEL_SCHEME = 'sitter-model://';

type Tf = typeof tfjs;
type IOHandler = tfjs.io.IOHandler;
type ModelArtifacts = tfjs.io.ModelArtifacts;
type WeightsManifestEntry = tfjs.io.WeightsManifestEntry;

interface GraphModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
  weightsManifest: { paths: string[]; weights: WeightsManifestEntry[] }[];
}

function dirOf(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i + 1);
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}

function need(bytes: Map<string, Uint8Array>, key: string): Uint8Array {
  const b = bytes.get(key);
  if (!b) throw new BugError(`model file ${key} is referenced by a model but not listed in models/manifest.json`);
  return b;
}

/** Model artifacts of a tfjs graph model (model.json + its weight shards) from verified bytes. */
export function graphModelArtifacts(bytes: Map<string, Uint8Array>, jsonKey: string): ModelArtifacts {
  const json = JSON.parse(Buffer.from(need(bytes, jsonKey)).toString('utf8')) as GraphModelJson;
  const base = dirOf(jsonKey);
  const weightSpecs: WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(need(bytes, base + p));
  }
  const artifacts: ModelArtifacts = {
    modelTopology: json.modelTopology as ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData: concat(shards),
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
  };
  if (json.signature !== undefined) artifacts.signature = json.signature as object;
  if (json.userDefinedMetadata !== undefined)
    artifacts.userDefinedMetadata = json.userDefinedMetadata as Record<string, object>;
  if (json.modelInitializer !== undefined) artifacts.modelInitializer = json.modelInitializer as object;
  return artifacts;
}

/** The weights of a face-api net (a weights manifest + shards) decoded to named tensors. */
export function weightMapFrom(tf: Tf, bytes: Map<string, Uint8Array>, manifestKey: string): tfjs.NamedTensorMap {
  const groups = JSON.parse(Buffer.from(need(bytes, manifestKey)).toString('utf8')) as {
    paths: string[];
    weights: WeightsManifestEntry[];
  }[];
  const base = dirOf(manifestKey);
  const specs: WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const g of groups) {
    specs.push(...g.weights);
    for (const p of g.paths) shards.push(need(bytes, base + p));
  }
  return tf.io.decodeWeights(concat(shards), specs);
}

const registered = new WeakSet<object>();
let current: Map<string, Uint8Array> = new Map();

/**
 * Register, once per tfjs instance, a load router answering `sitter-model://<package>/<path>.json`
 * from `bytes`. Any other URL is left to tfjs (and nothing else should ask).
 */
export function registerModelRouter(tf: Tf, bytes: Map<string, Uint8Array>): void {
  current = bytes;
  if (registered.has(tf.io)) return;
  registered.add(tf.io);
  // tfjs treats a null answer as "not mine" (its own routers do the same); its type says IOHandler
  const router = (url: string | string[]): IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith(MODEL_SCHEME)) return null;
    const key = url.slice(MODEL_SCHEME.length);
    return { load: () => Promise.resolve(graphModelArtifacts(current, key)) };
  };
  tf.io.registerLoadRouter(router as (url: string | string[]) => IOHandler);
}

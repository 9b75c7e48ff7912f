/**
 * The model card (`sitter model-card`, `sitter records`): the model files in use from
 * models/manifest.json, checked against the installed packages' versions, the match calibration,
 * and the measured accuracy from models/accuracy.json, each figure with the date and the command
 * that produced it. Figures are transcribed from docs/engine.md, never computed here.
 */
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { QualityPolicy } from '../domain/quality-bands.js';
import { DEFAULT_CALIBRATION } from './calibration.js';
import { type ManifestFile, readManifest, readModelsJson } from './model-manifest.js';
import { defaultManifestPath, packageVersion } from './packages.js';

const accuracySchema = z.object({
  schema: z.literal(1),
  modelId: z.string(),
  measuredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  command: z.string(),
  source: z.string(),
  dataset: z.string(),
  figures: z.array(z.object({ figure: z.string(), value: z.string(), target: z.string().nullable() })).min(1),
  limitations: z.array(z.string()),
});

export type ModelAccuracy = z.infer<typeof accuracySchema>;

export interface ModelCard {
  id: string;
  description: string | null;
  files: (ManifestFile & { installedVersion: string | null; versionMatches: boolean })[];
  /** `quality`: the floor and bands that tighten the threshold per face (docs/engine.md, "Open-set safety") */
  calibration: { modelDigest: string; threshold: number; margin: number; quality: QualityPolicy | null };
  accuracy: {
    dataset: string;
    source: string;
    /** the model the figures were measured on; a different one means they do not apply */
    appliesToThisModel: boolean;
    figures: { figure: string; value: string; target: string | null; measuredOn: string; command: string }[];
  };
  limitations: string[];
}

export function readAccuracy(path = join(dirname(defaultManifestPath()), 'accuracy.json')): ModelAccuracy {
  return readModelsJson(path, accuracySchema, {
    what: 'measured accuracy',
    codePrefix: 'MODEL_CARD',
    file: 'models/accuracy.json',
  });
}

function installed(pkg: string): string | null {
  try {
    return packageVersion(pkg);
  } catch {
    return null;
  }
}

export function readModelCard(): ModelCard {
  const manifest = readManifest();
  const accuracy = readAccuracy();
  const versions = new Map<string, string | null>();
  for (const f of manifest.files) if (!versions.has(f.package)) versions.set(f.package, installed(f.package));
  const { modelDigest, threshold, margin, quality } = DEFAULT_CALIBRATION;
  return {
    id: manifest.id,
    description: manifest.description ?? null,
    files: manifest.files.map((f) => {
      const installedVersion = versions.get(f.package) ?? null;
      return { ...f, installedVersion, versionMatches: installedVersion === f.version };
    }),
    calibration: { modelDigest, threshold, margin, quality: quality ?? null },
    accuracy: {
      dataset: accuracy.dataset,
      source: accuracy.source,
      appliesToThisModel: accuracy.modelId === manifest.id,
      figures: accuracy.figures.map((f) => ({ ...f, measuredOn: accuracy.measuredOn, command: accuracy.command })),
    },
    limitations: accuracy.limitations,
  };
}

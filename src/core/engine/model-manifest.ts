/**
 * The model manifest (models/manifest.json): every weight and topology file the engine loads, with
 * its package, version, sha256, size and licence. Files are read and hashed once at load; the models
 * are then built from those verified bytes only, so what runs is exactly what was checked.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SitterError } from '../domain/errors.js';
import type { ModelIdentity } from '../ports/face-engine.js';
import { defaultManifestPath, packageRoot, packageVersion } from './packages.js';

const fileSchema = z.object({
  name: z.string(),
  role: z.string(),
  package: z.string(),
  version: z.string(),
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  licence: z.string(),
});

export const manifestSchema = z.object({
  schema: z.literal(1),
  id: z.string(),
  description: z.string().optional(),
  files: z.array(fileSchema).min(1),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileSchema>;

export interface VerifiedModels {
  identity: ModelIdentity;
  manifest: ModelManifest;
  /** verified bytes by "<package>/<path>" */
  bytes: Map<string, Uint8Array>;
}

export interface ModelSource {
  /** path of models/manifest.json (default: the project's) */
  manifestPath?: string;
  /** a folder laid out as "<package>/<path>" to read the files from instead of node_modules */
  modelRoot?: string;
}

export function fileKey(f: { package: string; path: string }): string {
  return `${f.package}/${f.path}`;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A JSON file of the models folder, checked against its schema. `what` names it in the message,
 * `codePrefix` gives the codes (`_UNREADABLE`, `_INVALID`), and `file` is its path in the release.
 */
export function readModelsJson<T>(
  path: string,
  schema: z.ZodType<T>,
  names: { what: string; codePrefix: string; file: string },
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SitterError(
      `${names.codePrefix}_UNREADABLE`,
      `Cannot read the ${names.what} ${path}: ${(e as Error).message}`,
      `Restore ${names.file} from the release (git checkout ${names.file}).`,
      undefined,
      { cause: e },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new SitterError(
      `${names.codePrefix}_INVALID`,
      `The ${names.what} ${path} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      `Restore ${names.file} from the release.`,
    );
  }
  return parsed.data;
}

export function readManifest(manifestPath = defaultManifestPath()): ModelManifest {
  return readModelsJson(manifestPath, manifestSchema, {
    what: 'model manifest',
    codePrefix: 'MODEL_MANIFEST',
    file: 'models/manifest.json',
  });
}

/** The identity stored with every template: id, package versions, file hashes, and one digest over them. */
export function identityOf(manifest: ModelManifest): ModelIdentity {
  const versions: Record<string, string> = {};
  for (const f of manifest.files) versions[f.package] = f.version;
  const files = manifest.files
    .map((f) => ({ path: fileKey(f), sha256: f.sha256 }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const sortedVersions = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
  const digest = createHash('sha256')
    .update(JSON.stringify({ id: manifest.id, versions: sortedVersions, files }))
    .digest('hex');
  return { id: manifest.id, versions: sortedVersions, files, digest };
}

/** Read every file of the manifest, check size and sha256, and return the verified bytes. */
export function loadVerifiedModels(source: ModelSource = {}): VerifiedModels {
  const manifest = readManifest(source.manifestPath);
  const bytes = new Map<string, Uint8Array>();
  const checkedVersions = new Set<string>();
  for (const f of manifest.files) {
    let location: string;
    if (source.modelRoot) {
      location = join(source.modelRoot, f.package, f.path);
    } else {
      let root: string;
      try {
        root = packageRoot(f.package);
      } catch (e) {
        throw new SitterError(
          'MODEL_PACKAGE_MISSING',
          `The model package ${f.package} is not installed.`,
          'Run npm ci in the Sitter folder.',
          undefined,
          { cause: e },
        );
      }
      if (!checkedVersions.has(f.package)) {
        const installed = packageVersion(f.package);
        if (installed !== f.version) {
          throw new SitterError(
            'MODEL_VERSION_MISMATCH',
            `${f.package} ${installed} is installed but the model manifest expects ${f.version}.`,
            'Run npm ci so the installed packages match package-lock.json, or update models/manifest.json and recalibrate (docs/engine.md).',
          );
        }
        checkedVersions.add(f.package);
      }
      location = join(root, f.path);
    }
    let data: Buffer;
    try {
      data = readFileSync(location);
    } catch (e) {
      throw new SitterError(
        'MODEL_FILE_MISSING',
        `Model file ${fileKey(f)} is missing (${location}).`,
        'Run npm ci to restore the model packages.',
        { file: fileKey(f), location },
        { cause: e },
      );
    }
    const actual = sha256(data);
    if (data.byteLength !== f.size || actual !== f.sha256) {
      throw new SitterError(
        'MODEL_MISMATCH',
        `Model file ${fileKey(f)} does not match the manifest (expected sha256 ${f.sha256}, ${f.size} ` +
          `bytes; found ${actual}, ${data.byteLength} bytes at ${location}).`,
        'The model files were changed or corrupted. Run npm ci to restore them; never edit models/manifest.json to silence this.',
        { file: fileKey(f), location, expected: f.sha256, actual },
      );
    }
    bytes.set(fileKey(f), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return { identity: identityOf(manifest), manifest, bytes };
}

/**
 * Where the model packages live on disk. Resolved through Node's module resolution, never through a
 * network: the weights ship inside the npm packages.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SitterError } from '../domain/errors.js';

export const requireCjs = createRequire(import.meta.url);

/** The folder of an installed package (its package.json may be hidden by an `exports` map). */
export function packageRoot(name: string): string {
  let main: string;
  try {
    main = requireCjs.resolve(name);
  } catch (e) {
    throw new SitterError(
      'ENGINE_PACKAGE_MISSING',
      `The package ${name} is not installed.`,
      'Run npm ci in the Sitter folder.',
      undefined,
      { cause: e },
    );
  }
  let dir = dirname(main);
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      const parsed = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string };
      if (parsed.name === name) return dir;
    }
    const up = dirname(dir);
    if (up === dir)
      throw new SitterError(
        'ENGINE_PACKAGE_MISSING',
        `Cannot find the folder of the package ${name}.`,
        'Run npm ci in the Sitter folder.',
      );
    dir = up;
  }
}

export function packageVersion(name: string): string {
  const parsed = JSON.parse(readFileSync(join(packageRoot(name), 'package.json'), 'utf8')) as { version?: string };
  return parsed.version ?? 'unknown';
}

/** The project root: the nearest folder above this module holding models/manifest.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'models', 'manifest.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new SitterError(
        'MODEL_MANIFEST_UNREADABLE',
        `Cannot find models/manifest.json above ${fileURLToPath(import.meta.url)}.`,
        'Reinstall Sitter: models/manifest.json ships with it.',
      );
    dir = up;
  }
}

export function defaultManifestPath(): string {
  return resolve(projectRoot(), 'models', 'manifest.json');
}

/**
 * The plugin loader (the gemini-cli extension-manager pattern): every folder under a plugins
 * directory with a `sitter-plugin.json` manifest is a connector plugin. Each manifest is validated,
 * duplicates are refused, and a broken plugin is skipped and reported instead of stopping Sitter.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { pluginHost, type PluginFactory } from './plugin-host.js';
import { PluginOptionsDecl, pluginOptionsSpec } from './plugin-options.js';
import type { ConnectorRegistry } from './registry.js';

export { CONTRACT_VERSION, SUPPORTED_CONTRACTS } from './contract-version.js';
export { pluginHost, type PluginFactory, type PluginHost } from './plugin-host.js';

const Manifest = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes'),
  title: z.string().min(1),
  version: z.string().min(1),
  /** the module, relative to the plugin folder, whose default export is `create(options, host)` */
  entry: z.string().min(1),
  contract: z.union([z.literal(2), z.literal(3)]),
  /** the options the connector accepts (plugin-options.ts); without it, it accepts none */
  options: PluginOptionsDecl.optional(),
});

export type PluginManifest = z.infer<typeof Manifest>;

export interface PluginReport {
  loaded: { name: string; version: string; folder: string }[];
  skipped: { folder: string; reason: string }[];
}

/** Loads every plugin under `dir` into the registry; returns what was loaded and what was skipped. */
export async function loadPlugins(dir: string, registry: ConnectorRegistry): Promise<PluginReport> {
  const report: PluginReport = { loaded: [], skipped: [] };
  if (!existsSync(dir)) return report;
  for (const name of readdirSync(dir).sort()) {
    const folder = path.join(dir, name);
    const manifestFile = path.join(folder, 'sitter-plugin.json');
    try {
      // A dangling link or unreadable entry is skipped quietly, like any folder without a manifest.
      if (!statSync(folder).isDirectory() || !existsSync(manifestFile)) continue;
    } catch {
      continue;
    }
    try {
      const parsed = Manifest.safeParse(JSON.parse(readFileSync(manifestFile, 'utf8')));
      if (!parsed.success)
        throw new Error(
          `invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
        );
      const manifest = parsed.data;
      const entry = path.resolve(folder, manifest.entry);
      if (!entry.startsWith(folder + path.sep)) throw new Error(`entry "${manifest.entry}" leaves the plugin folder`);
      const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
      if (typeof mod.default !== 'function')
        throw new Error(`${manifest.entry} has no default export create(options, host)`);
      const create = mod.default as PluginFactory;
      registry.register({
        name: manifest.name,
        title: manifest.title,
        origin: folder,
        contract: manifest.contract,
        factory: (options, context) => create(options, pluginHost(context)),
        options: pluginOptionsSpec(manifest.options),
      });
      report.loaded.push({ name: manifest.name, version: manifest.version, folder });
    } catch (e) {
      report.skipped.push({ folder, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return report;
}

/**
 * The plugin loader (the gemini-cli extension-manager pattern): every folder under a plugins
 * directory with a `sitter-plugin.json` manifest is a connector plugin. Each manifest is validated,
 * duplicates are refused, and a broken plugin is skipped and reported instead of stopping Sitter.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CONSENT_URI_PREFIX } from '../core/domain/consent-uri.js';
import { SitterError } from '../core/domain/errors.js';
import type { ConnectorContext, ConnectorFactory } from '../core/ports/connector.js';
import { CONNECTOR_ERROR_CODES, connectorFailure, errorKind } from './errors.js';
import { PluginOptionsDecl, pluginOptionsSpec } from './plugin-options.js';
import type { ConnectorRegistry } from './registry.js';

/**
 * The version of the connector contract this Sitter implements; a plugin names the one it targets.
 * 2: push receives `expectedContentHash` and must refuse a changed asset (ASSET_CHANGED). A plugin
 * written for 1 would write old names onto a replaced photo, so it is not loaded.
 * 3: the additive REST-DAM contract (src/core/ports/connector.ts); a 2 plugin still loads and runs.
 */
export const CONTRACT_VERSION = 3;
/** The contract versions a plugin may name. */
export const SUPPORTED_CONTRACTS = [2, 3] as const;

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

/**
 * What Sitter lends a plugin: its error class (so refusals carry a hint), the consent URI prefix, the
 * typed connector failures (contract 3) and, when the caller made the connector with a context, the
 * request budget and the secret updater of that context. A plugin never imports Sitter's internals:
 * what it needs of the host comes here (or, typed, from the package's `sitter/connector`).
 */
export interface PluginHost {
  SitterError: typeof SitterError;
  consentUriPrefix: string;
  /** the contract this Sitter implements */
  contract: typeof CONTRACT_VERSION;
  /** typed failures: `errors.connectorFailure('rate-limited', message, hint, { retryAfterMs })` */
  errors: {
    connectorFailure: typeof connectorFailure;
    CONNECTOR_ERROR_CODES: typeof CONNECTOR_ERROR_CODES;
    errorKind: typeof errorKind;
  };
  /** the host's request budgets (same key, same budget in this process); absent without a context */
  budget?: ConnectorContext['budget'];
  /** stores a rotated secret where the shoot keeps it; absent without a context or when it cannot */
  updateSecret?: ConnectorContext['updateSecret'];
  /** the host's clock (tests inject one) */
  now?: () => Date;
}

export type PluginFactory = (options: Record<string, unknown>, host: PluginHost) => ReturnType<ConnectorFactory>;

export interface PluginReport {
  loaded: { name: string; version: string; folder: string }[];
  skipped: { folder: string; reason: string }[];
}

/** The host a plugin gets: the same tools for every plugin, plus what this call's context lends. */
export function pluginHost(context?: ConnectorContext): PluginHost {
  const budget = context?.budget;
  const updateSecret = context?.updateSecret;
  const now = context?.now;
  return {
    SitterError,
    consentUriPrefix: CONSENT_URI_PREFIX,
    contract: CONTRACT_VERSION,
    errors: { connectorFailure, CONNECTOR_ERROR_CODES, errorKind },
    ...(budget ? { budget: budget.bind(context) } : {}),
    ...(updateSecret ? { updateSecret: updateSecret.bind(context) } : {}),
    ...(now ? { now: now.bind(context) } : {}),
  };
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

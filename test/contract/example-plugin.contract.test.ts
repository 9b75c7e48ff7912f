import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../src/connectors/plugins.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import { connectShoot } from '../../src/connectors/configure.js';
import { validateOptions } from '../../src/connectors/options.js';
import type { SecretSource } from '../../src/connectors/secrets.js';
import { runConnectorContract } from '../../src/testing/connector-contract.js';
import { makeImage, put, tempDir } from './fixtures.js';

const PLUGINS = path.resolve(import.meta.dirname, '../../plugins');

runConnectorContract({
  name: 'json-sidecar',
  make: async () => {
    const registry = builtinRegistry();
    const report = await loadPlugins(PLUGINS, registry);
    expect(report.skipped).toEqual([]);
    const { dir, cleanup } = await tempDir('sitter-contract-plugin-');
    for (const f of ['a.jpg', 'b.png', 'c.jpg', 'd.webp'])
      await put(path.join(dir, f), await makeImage(f.endsWith('png') ? 'png' : f.endsWith('webp') ? 'webp' : 'jpeg'));
    await put(path.join(dir, 'notes.txt'), 'not an image');
    const sidecar = (id: string) => path.join(dir, `${id}.json`);
    const snapshot = (id: string) => readFile(sidecar(id), 'utf8').catch(() => null);
    let added = 0;
    return {
      // The registry hands out wrapped connectors; the suite wraps again as the core would.
      connector: registry.create('json-sidecar'),
      source: dir,
      cleanup,
      expectedAssetIds: ['a.jpg', 'b.png', 'c.jpg', 'd.webp'],
      foreignIds: ['notes.txt', 'sub/a.jpg'],
      snapshot,
      mutate: {
        add: async () => {
          const id = `b-added-${++added}.jpg`;
          await put(path.join(dir, id), await makeImage('jpeg', 32, 24, { r: added, g: 0, b: 0 }));
          return id;
        },
        remove: (id) => rm(path.join(dir, id)),
      },
      seedForeign: (id) => writeFile(sidecar(id), JSON.stringify({ rating: 4, keywords: ['gala'] })),
      foreignIntact: async (id) => {
        const data = JSON.parse((await snapshot(id)) ?? '{}') as { rating?: number; keywords?: string[] };
        return data.rating === 4 && data.keywords?.[0] === 'gala';
      },
      sitterConsentUris: async (id) => {
        const data = JSON.parse((await snapshot(id)) ?? '{}') as { sitter?: { persons: { consent: string }[] } };
        return (data.sitter?.persons ?? []).map((p) => p.consent).sort();
      },
    };
  },
});

describe('the plugin loader', () => {
  it('skips and reports a broken plugin, refuses a duplicate, and keeps the good ones', async () => {
    const { dir, cleanup } = await tempDir('sitter-plugins-');
    try {
      const make = (name: string, manifest: object, code?: string) => {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, 'sitter-plugin.json'), JSON.stringify(manifest));
        if (code !== undefined) writeFileSync(path.join(dir, name, 'index.js'), code);
      };
      const ok = { title: 't', version: '1', entry: 'index.js', contract: 2 };
      const factory =
        'export default () => ({ info: { name: "x", title: "x", version: "1" }, capabilities: {}, list() {}, fetch() {}, push() {}, clear() {} });';
      make('a-good', { ...ok, name: 'good' }, factory);
      make('b-bad-manifest', { ...ok, name: 'Bad Name' }, factory);
      make('c-no-export', { ...ok, name: 'noexport' }, 'export const nothing = 1;');
      make('d-shadow', { ...ok, name: 'local' }, factory);
      make('e-escape', { ...ok, name: 'escape', entry: '../a-good/index.js' });
      make('f-wrong-contract', { ...ok, name: 'future', contract: 4 }, factory);
      const registry = builtinRegistry();
      const report = await loadPlugins(dir, registry);
      expect(report.loaded.map((l) => l.name)).toEqual(['good']);
      const reasons = Object.fromEntries(report.skipped.map((s) => [path.basename(s.folder), s.reason]));
      expect(Object.keys(reasons).sort()).toEqual([
        'b-bad-manifest',
        'c-no-export',
        'd-shadow',
        'e-escape',
        'f-wrong-contract',
      ]);
      expect(reasons['d-shadow']).toMatch(/clashes/);
      expect(reasons['e-escape']).toMatch(/leaves the plugin folder/);
      expect(registry.has('local') && registry.has('good')).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('builds the options schema a manifest declares: typed values with defaults reach the plugin, secrets resolved by name; a bad declaration is skipped', async () => {
    const { dir, cleanup } = await tempDir('sitter-plugin-options-');
    try {
      const ok = { title: 't', version: '1', entry: 'index.js', contract: 2 };
      const make = (name: string, options: object) => {
        mkdirSync(path.join(dir, name));
        writeFileSync(path.join(dir, name, 'sitter-plugin.json'), JSON.stringify({ ...ok, name, options }));
        // The connector reports the options it was made with as its title, for the test to read.
        writeFileSync(
          path.join(dir, name, 'index.js'),
          'export default (options) => ({ info: { name: "x", title: JSON.stringify(options), version: "1" }, capabilities: {}, list() {}, fetch() {}, push() {}, clear() {} });',
        );
      };
      make('dam', {
        token: { type: 'string', secret: true, required: true },
        pageSize: { type: 'integer', default: 25, minimum: 1 },
        region: { type: 'string', enum: ['eu', 'us'] },
      });
      make('bad-secret', { pin: { type: 'integer', secret: true } });
      make('bad-key', { 'no spaces': { type: 'string' } });
      const registry = builtinRegistry();
      const report = await loadPlugins(dir, registry);
      expect(report.loaded.map((l) => l.name)).toEqual(['dam']);
      expect(report.skipped.map((s) => s.reason).join('\n')).toMatch(/secret option must be of type "string"/);
      expect(report.skipped).toHaveLength(2);
      expect(registry.optionsOf('dam').secrets).toEqual(['token']);
      const stored = validateOptions('dam', registry.optionsOf('dam'), { token: 'secret:dam-key', region: 'us' });
      expect(stored).toEqual({ token: 'secret:dam-key', region: 'us' });
      const secrets: SecretSource = { lookup: async (name) => `value-of-${name}` };
      const connector = await connectShoot(registry, { connector: 'dam', connectorOptions: stored }, secrets);
      expect(JSON.parse(connector.info.title)).toEqual({ token: 'value-of-dam-key', pageSize: 25, region: 'us' });
      let refused: unknown;
      try {
        validateOptions('dam', registry.optionsOf('dam'), { region: 'mars', pageSize: 0 });
      } catch (e) {
        refused = e;
      }
      const problems = (refused as { details: { problems: { key: string }[] } }).details.problems;
      expect(problems.map((p) => p.key).sort()).toEqual(['pageSize', 'region', 'token']);
    } finally {
      await cleanup();
    }
  });
});

/**
 * What the wrapper (src/connectors/wrap-connector.ts) adds for contract 3, on hand-made connectors
 * that misbehave on purpose: start memoised, health wrapped, aborts passed through, bare network
 * errors typed as transient, typed failures kept, the byte cap and outcomes enforced, v2 connectors
 * called as contract 2 called them, close run once. The contract suite holds the real connectors to
 * the same rules (src/testing/connector-contract.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SitterError } from '../../src/core/domain/errors.js';
import { contentHashOf } from '../../src/core/domain/content-hash.js';
import type { Connector, ConnectorContext, RequestBudget } from '../../src/core/ports/connector.js';
import { connectorFailure, errorKind } from '../../src/connectors/errors.js';
import { loadPlugins, type PluginHost } from '../../src/connectors/plugins.js';
import { builtinRegistry } from '../../src/connectors/registry.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { sampleImage } from '../../src/testing/sample-images.js';
import { tempDir } from '../helpers/workspace.js';
import { refusal } from '../helpers/refusal.js';

const bytes = sampleImage('jpeg');
const asset = { id: 'a.jpg', fileName: 'a.jpg', size: bytes.byteLength, modifiedAt: new Date(0) };

/** A connector that works, recording the arguments of every call; `over` replaces members. */
function fake(over: Partial<Connector> = {}, contract?: 2 | 3): { connector: Connector; args: unknown[][] } {
  const args: unknown[][] = [];
  const connector: Connector = {
    info: { name: 'dam', title: 'DAM', version: '1', ...(contract ? { contract } : {}) },
    capabilities: { listingHashes: false, regions: false, modelRelease: false, partialClear: false },
    list: (...a) => (args.push(a), Promise.resolve({ assets: [asset], skipped: [], nextCursor: null })),
    fetch: (...a) => (
      args.push(a),
      Promise.resolve({ asset, bytes, contentHash: contentHashOf(bytes), mediaType: 'image/jpeg' })
    ),
    push: (...a) => (args.push(a), Promise.resolve({ changed: true, location: 'dam://a' })),
    clear: (...a) => (args.push(a), Promise.resolve({ changed: false, location: 'dam://a' })),
    ...over,
  };
  return { connector, args };
}

const payload = {
  assetId: 'a.jpg',
  expectedContentHash: contentHashOf(bytes),
  image: { width: 64, height: 48 },
  persons: [],
  otherFaces: 0,
};

describe('the wrapper, contract 3', () => {
  it('runs start once before the first calls, and tries a failed start again on the next call', async () => {
    let starts = 0;
    const { connector } = fake({
      start: async () => {
        starts += 1;
        if (starts === 1) throw new Error('token endpoint down');
      },
    });
    const w = wrapConnector(connector);
    const e = await refusal(w.list('s'));
    expect(e.code).toBe('CONNECTOR_FAILED');
    expect(e.details).toMatchObject({ connector: 'dam', operation: 'start' });
    await Promise.all([w.list('s'), w.fetch('s', 'a.jpg'), w.start!()]);
    await w.list('s');
    expect(starts).toBe(2);
  });

  it('wraps health (operation health), checks its report and hides secret values in it', async () => {
    const { connector } = fake({
      health: async (source) => ({
        ok: true,
        checks: [{ name: 'token', ok: true, message: `signed in with s3cr3t-token to ${source ?? 'no source'}` }],
      }),
    });
    const w = wrapConnector(connector, { secrets: { DAM_TOKEN: 's3cr3t-token' } });
    const report = await w.health!('shoot-42');
    expect(report.checks[0]!.message).toBe('signed in with secret:DAM_TOKEN to shoot-42');
    const lying = wrapConnector(
      fake({ health: async () => ({ ok: true, checks: [{ name: 'x', ok: false, message: 'down' }] }) }).connector,
    );
    expect((await refusal(lying.health!(null))).details).toMatchObject({ operation: 'health' });
  });

  it("rejects a pre-aborted call before the connector runs, and passes the caller's AbortError through", async () => {
    const { connector, args } = fake(
      {
        fetch: (_s, _id, o) =>
          new Promise((_resolve, reject) => o?.signal?.addEventListener('abort', () => reject(o.signal!.reason))),
      },
      3,
    );
    const w = wrapConnector(connector);
    const done = new AbortController();
    done.abort();
    await expect(w.list('s', { signal: done.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(w.push('s', payload, { signal: done.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(args).toEqual([]);
    const later = new AbortController();
    const pending = w.fetch('s', 'a.jpg', { signal: later.signal });
    later.abort();
    const e = await pending.then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBe(later.signal.reason);
    expect(errorKind(e)).toBe('aborted');
  });

  it("types a plugin's bare ECONNRESET, ETIMEDOUT, EAI_AGAIN and ECONNREFUSED as CONNECTOR_TRANSIENT", async () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED']) {
      const err = Object.assign(new Error(`read ${code}`), { code });
      const w = wrapConnector(fake({ list: () => Promise.reject(err) }).connector, { name: 'dam' });
      const e = await refusal(w.list('s'));
      expect(e.code, code).toBe('CONNECTOR_TRANSIENT');
      expect(e.message).toContain('Connector "dam"');
      expect(errorKind(e)).toBe('transient');
      expect((e.cause as SitterError).cause).toBe(err);
    }
    const other = Object.assign(new Error('nope'), { code: 'EACCES' });
    expect((await refusal(wrapConnector(fake({ list: () => Promise.reject(other) }).connector).list('s'))).code).toBe(
      'CONNECTOR_FAILED',
    );
  });

  it("keeps a typed failure's code, also when another copy of Sitter's classes made it", async () => {
    const limited = connectorFailure('rate-limited', 'slow down', 'wait', { retryAfterMs: 5000, status: 429 });
    const e = await refusal(wrapConnector(fake({ list: () => Promise.reject(limited) }).connector).list('s'));
    expect(e.code).toBe('CONNECTOR_RATE_LIMITED');
    expect(e.details).toMatchObject({ retryAfterMs: 5000, status: 429, connector: 'dam' });
    // what a plugin bundling its own copy of `sitter/connector` throws: the same shape, another class
    class OtherSitterError extends Error {
      constructor(
        readonly code: string,
        message: string,
        readonly hint?: string,
        readonly details?: unknown,
      ) {
        super(message);
      }
    }
    const foreign = new OtherSitterError('ASSET_NOT_FOUND', 'gone', 'rescan', { status: 404 });
    const f = await refusal(
      wrapConnector(fake({ fetch: () => Promise.reject(foreign) }).connector).fetch('s', 'a.jpg'),
    );
    expect([f.code, f.hint, errorKind(f)]).toEqual(['ASSET_NOT_FOUND', 'rescan', 'not-found']);
  });

  it('re-checks fetched bytes against maxBytes, whatever the connector did', async () => {
    const w = wrapConnector(fake().connector);
    const e = await refusal(w.fetch('s', 'a.jpg', { maxBytes: 100 }));
    expect(e.code).toBe('ASSET_TOO_LARGE');
    expect(e.message).toContain('Connector "dam"');
    expect((await w.fetch('s', 'a.jpg', { maxBytes: bytes.byteLength })).bytes).toBe(bytes);
  });

  it('derives outcome from changed when absent, and refuses one that contradicts it', async () => {
    const w = wrapConnector(fake().connector);
    expect(await w.push('s', payload)).toMatchObject({ changed: true, outcome: 'written' });
    expect(await w.clear('s', { assetId: 'a.jpg' })).toMatchObject({ changed: false, outcome: 'unchanged' });
    const queued = fake({ push: async () => ({ changed: true, location: 'x', outcome: 'queued-for-approval' }) });
    expect((await wrapConnector(queued.connector).push('s', payload)).outcome).toBe('queued-for-approval');
    const liar = fake({ push: async () => ({ changed: true, location: 'x', outcome: 'ignored-by-server' }) });
    const e = await refusal(wrapConnector(liar.connector).push('s', payload));
    expect(e.code).toBe('CONNECTOR_FAILED');
    expect(e.message).toContain('contradicts changed');
  });

  it('calls a v2 connector as contract 2 did (no call options), and a v3 one with them', async () => {
    const signal = new AbortController().signal;
    const v2 = fake();
    const w2 = wrapConnector(v2.connector);
    await w2.fetch('s', 'a.jpg', { rendition: { maxDimension: 512 }, maxBytes: 10_000, signal });
    await w2.push('s', payload, { priority: 'push', signal });
    await w2.list('s', { cursor: null, pageSize: 5, signal, priority: 'bulk' });
    expect(v2.args).toEqual([
      ['s', 'a.jpg'],
      ['s', payload],
      ['s', { cursor: null, pageSize: 5, signal }],
    ]);
    expect(w2.info.contract).toBe(2);
    expect(w2.capabilities).toMatchObject({ revisions: false, renditions: false, approvalQueue: false });
    const v3 = fake({}, 3);
    await wrapConnector(v3.connector).fetch('s', 'a.jpg', { maxBytes: 10_000 });
    expect(v3.args).toEqual([['s', 'a.jpg', { maxBytes: 10_000 }]]);
    // the host's word wins over the connector's: a manifest saying 2 means contract 2 calls
    const declared3 = fake({}, 3);
    await wrapConnector(declared3.connector, { contract: 2 }).fetch('s', 'a.jpg', { maxBytes: 10_000 });
    expect(declared3.args).toEqual([['s', 'a.jpg']]);
  });

  it('closes once however often it is asked', async () => {
    let closes = 0;
    const w = wrapConnector(fake({ close: async () => void (closes += 1) }).connector);
    await Promise.all([w.close!(), w.close!()]);
    await w.close!();
    expect(closes).toBe(1);
    await expect(wrapConnector(fake().connector).close!()).resolves.toBeUndefined();
  });
});

describe('the plugin host and the registry, contract 3', () => {
  it('lends a plugin typed errors and the caller’s context, and calls it per its manifest contract', async () => {
    const { dir, cleanup } = await tempDir('sitter-plugin-host-');
    try {
      const folder = path.join(dir, 'dam');
      mkdirSync(folder);
      writeFileSync(
        path.join(folder, 'sitter-plugin.json'),
        JSON.stringify({ name: 'dam', title: 'DAM', version: '1', entry: 'index.js', contract: 3 }),
      );
      // The plugin throws the host's typed failure from list, and reports what the host lent it as its title.
      writeFileSync(
        path.join(folder, 'index.js'),
        `export default (options, host) => ({
          info: { name: 'dam', title: JSON.stringify({ keys: Object.keys(host).sort(), budget: typeof host.budget === 'function' && host.budget('k', { requestsPerSecond: 2, concurrency: 1 }).name }), version: '1' },
          capabilities: { listingHashes: false, regions: false, modelRelease: false, partialClear: false },
          async list() { throw host.errors.connectorFailure('auth', 'token refused', 'log in again', { status: 401 }); },
          async fetch(s, id, o) { throw new Error('fetch options: ' + JSON.stringify(o)); },
          async push() {}, async clear() {},
        });`,
      );
      const registry = builtinRegistry();
      expect((await loadPlugins(dir, registry)).loaded.map((p) => p.name)).toEqual(['dam']);
      expect(registry.get('dam').contract).toBe(3);
      expect(registry.get('local').contract).toBe(3);
      const budget = { name: 'the-budget' } as unknown as RequestBudget;
      const context: ConnectorContext = { budget: () => budget };
      const c = registry.create('dam', {}, {}, context);
      const lent = JSON.parse(c.info.title) as { keys: (keyof PluginHost)[]; budget: string };
      expect(lent).toEqual({
        keys: ['SitterError', 'budget', 'consentUriPrefix', 'contract', 'errors'],
        budget: 'the-budget',
      });
      const e = await refusal(c.list('s'));
      expect([e.code, errorKind(e)]).toEqual(['CONNECTOR_AUTH', 'auth']);
      expect((await refusal(c.fetch('s', 'x', { maxBytes: 7 }))).message).toContain('fetch options: {"maxBytes":7}');
      // made without a context (every existing call site), it still loads: no budget lent
      expect(JSON.parse(registry.create('dam').info.title)).toMatchObject({ budget: false });
    } finally {
      await cleanup();
    }
  });
});

/**
 * The Asset Bank connector (contract 3): list, fetch, push, clear and read back a shoot held in Asset
 * Bank, every request through one HTTP client on the request budget for this Asset Bank's origin.
 */
import { SitterError } from '../../core/domain/errors.js';
import type {
  AssetPage,
  CallOptions,
  ClearRequest,
  ClearResult,
  Connector,
  ConnectorContext,
  FetchedAsset,
  FetchOptions,
  HealthCheck,
  HealthReport,
  ListOptions,
  PushPayload,
  PushResult,
  RequestBudget,
  SourceRef,
  WrittenFile,
} from '../../core/ports/connector.js';
import { assetChanged } from '../asset-changed.js';
import type { HttpClient, HttpClientOptions } from '../http/types.js';
import { AssetBankApi } from './api.js';
import { AssetBankAuth, AUTH_HINT } from './auth.js';
import { fetchAsset } from './fetch.js';
import { decodeCursor, encodeCursor, listIdWindowPage, listPlainPage } from './listing.js';
import type { AssetBankSettings } from './options.js';
import { AttributeWriter, fieldName, mappingsOf } from './push.js';
import { DROPDOWN_TYPE, TEXT_TYPES, type ListedRepr } from './reprs.js';
import { numericId, revisionOf, ScopeCache, skipOf, toListedAsset } from './scope.js';
import { parseSource, sourceTag } from './source-ref.js';

export const ASSET_BANK_CONNECTOR_VERSION = '1.0.0';

export interface AssetBankDeps {
  settings: AssetBankSettings;
  budget: RequestBudget;
  makeClient: (options: HttpClientOptions) => HttpClient;
  context?: ConnectorContext;
}

const DEFAULT_PAGE = 100;

export function createAssetBankConnectorWith(deps: AssetBankDeps): Connector {
  const s = deps.settings;
  const now = () => deps.context?.now?.().getTime() ?? Date.now();
  const common = {
    connector: 'asset-bank',
    budget: deps.budget,
    timeoutMs: s.timeoutMs,
    downloadTimeoutMs: s.downloadTimeoutMs,
    maxRetries: s.maxRetries,
    maxRateLimitWaitMs: s.maxRateLimitWaitMs,
    maxJsonBytes: s.maxJsonBytes,
    contentHosts: s.contentHosts,
    authHint: AUTH_HINT,
  };
  const auth = new AssetBankAuth({ settings: s, budget: deps.budget, context: deps.context, now });
  const http = deps.makeClient({
    ...common,
    baseUrl: s.webapp + '/',
    authorization: () => auth.authorization(),
    onUnauthorized: () => auth.onUnauthorized(),
  });
  const api = new AssetBankApi(http, s);
  const scope = new ScopeCache();
  const writer = new AttributeWriter(api, s);
  /** ids met by `paging: page` listings, per source, to drop repeats across pages */
  const seenByPage = new Map<string, Set<number>>();
  let started: Promise<void> | null = null;
  let closed = false;

  async function checkAttributes(o?: CallOptions): Promise<void> {
    for (const m of mappingsOf(s)) {
      const { data } = await api.attribute(m.id, o);
      const ok = TEXT_TYPES.has(data.typeId) || (m.role === 'usageClearance' && data.typeId === DROPDOWN_TYPE);
      if (!ok)
        throw new SitterError(
          'ATTRIBUTE_TYPE_UNSUPPORTED',
          `${fieldName(m)} "${data.label ?? ''}" is of type ${data.typeId}, not a text attribute${m.role === 'usageClearance' ? ' or a dropdown' : ''}.`,
          'Create a dedicated text attribute for it in Asset Bank (Admin > Attributes) and map its id (docs/asset-bank.md).',
          { attribute: m.id, typeId: data.typeId },
        );
    }
  }

  function start(o?: CallOptions): Promise<void> {
    if (closed) return Promise.reject(new SitterError('CONNECTOR_CLOSED', 'The asset-bank connector was closed.'));
    started ??= (async () => {
      await auth.start();
      await checkAttributes(o);
    })().catch((e: unknown) => {
      started = null; // a failed start is tried again on the next call
      throw e;
    });
    return started;
  }

  async function list(source: SourceRef, options: ListOptions = {}): Promise<AssetPage> {
    await start(options);
    const src = parseSource(source);
    const tag = sourceTag(source);
    const pageSize = options.pageSize ?? DEFAULT_PAGE;
    let items: ListedRepr[];
    let nextCursor: string | null;
    if (s.paging === 'id-window') {
      const pos = decodeCursor('id-window', tag, options.cursor);
      const page = await listIdWindowPage((range) => api.search(src, { range }, options), pos, pageSize, s.maxAssets);
      items = page.items;
      nextCursor = page.next ? encodeCursor('id-window', tag, page.next) : null;
    } else {
      const pos = decodeCursor('page', tag, options.cursor);
      if (pos.after === 0) seenByPage.set(source, new Set());
      const seen = seenByPage.get(source) ?? new Set<number>();
      seenByPage.set(source, seen);
      const page = await listPlainPage(
        (p) => api.search(src, { page: p }, options),
        pos.after,
        pos.requests,
        seen,
        s.maxAssets,
      );
      items = page.items;
      nextCursor =
        page.nextPage === null ? null : encodeCursor('page', tag, { after: page.nextPage, requests: page.requests });
    }
    scope.remember(source, items);
    const assets = [];
    const skipped = [];
    for (const item of items) {
      const skip = skipOf(item, s);
      if (skip) skipped.push(skip);
      else assets.push(toListedAsset(item, s));
    }
    return { assets, skipped, nextCursor };
  }

  async function fetch(source: SourceRef, assetId: string, options: FetchOptions = {}): Promise<FetchedAsset> {
    await start(options);
    const item = await scope.lookup(api, s, parseSource(source), source, assetId, options);
    return fetchAsset(http, s, item, options);
  }

  /**
   * The content guard: the asset's revision (a fresh scoped search, which also proves scope) equal to
   * the one scanned passes; otherwise the rendition scanned is fetched again and its hash compared,
   * so an edit of metadata only (another editor's, or Sitter's own last push) passes and a replaced
   * file is refused. ⚠ This assumes transforms are byte-stable; if not, the push is refused (safe).
   */
  async function guard(source: SourceRef, payload: PushPayload, o: CallOptions): Promise<void> {
    const item = await scope.lookup(api, s, parseSource(source), source, payload.assetId, { ...o, fresh: true });
    if (payload.expectedRevision !== undefined && revisionOf(item) === payload.expectedRevision) return;
    const fetched = await fetchAsset(http, s, item, {
      rendition: payload.expectedRendition ?? 'original',
      signal: o.signal,
      priority: 'push',
    });
    if (fetched.contentHash !== payload.expectedContentHash)
      throw assetChanged(payload.assetId, payload.expectedContentHash, fetched.contentHash);
  }

  async function push(source: SourceRef, payload: PushPayload, options: CallOptions = {}): Promise<PushResult> {
    await start(options);
    await guard(source, payload, options);
    const id = numericId(payload.assetId, source);
    const r = await writer.push(id, payload, options);
    return { location: api.assetUrl(id), ...r };
  }

  async function clear(source: SourceRef, request: ClearRequest, options: CallOptions = {}): Promise<ClearResult> {
    await start(options);
    await scope.lookup(api, s, parseSource(source), source, request.assetId, { ...options, fresh: true });
    const id = numericId(request.assetId, source);
    const r = await writer.clear(id, request, options);
    return { location: api.assetUrl(id), ...r };
  }

  async function readWritten(source: SourceRef, assetId: string, options: CallOptions = {}): Promise<WrittenFile[]> {
    await start(options);
    await scope.lookup(api, s, parseSource(source), source, assetId, options);
    return writer.readWritten(numericId(assetId, source), options);
  }

  async function health(source: SourceRef | null, options: CallOptions = {}): Promise<HealthReport> {
    const checks: HealthCheck[] = [];
    let identity: string | undefined;
    const step = async (name: string, ok: string, run: () => Promise<void>) => {
      try {
        await run();
        checks.push({ name, ok: true, message: ok });
        return true;
      } catch (e) {
        const se = e instanceof SitterError ? e : null;
        checks.push({
          name,
          ok: false,
          message: se ? se.message : `${name} failed: ${e instanceof Error ? e.name : 'error'}`,
          ...(se ? { code: se.code, ...(se.hint ? { hint: se.hint } : {}) } : {}),
        });
        return false;
      }
    };
    const interactive = { ...options, priority: 'interactive' as const };
    const steps: [string, string, () => Promise<void>][] = [
      [
        'reachable',
        `The REST API answers at ${s.webapp}/rest/.`,
        async () => {
          await api.root(interactive);
        },
      ],
      ['token', auth.enabled ? 'Signed in.' : 'No sign-in (auth=none).', () => auth.start()],
      [
        'identity',
        'The user is known to Asset Bank.',
        async () => {
          identity = (await api.user(interactive)).data.username;
        },
      ],
      [
        'attributes',
        `The ${mappingsOf(s).length} mapped attributes are text attributes.`,
        () => checkAttributes(interactive),
      ],
    ];
    if (source !== null)
      steps.push([
        'source',
        `Source ${source} answers a search.`,
        async () => {
          await api.search(parseSource(source), { range: { from: 1, to: 2147483647 } }, interactive);
        },
      ]);
    // Each step needs the one before (no token without an address): stop at the first failure.
    for (const [name, ok, run] of steps) if (!(await step(name, ok, run))) break;
    for (const w of auth.warnings) checks.push({ name: 'refresh-token', ok: true, message: w });
    return {
      ok: checks.every((c) => c.ok),
      checks,
      ...(identity ? { identity } : {}),
      requestsPerSecond: s.requestsPerSecond,
    };
  }

  return {
    info: { name: 'asset-bank', title: 'Asset Bank', version: ASSET_BANK_CONNECTOR_VERSION, contract: 3 },
    capabilities: {
      listingHashes: false,
      regions: s.faceRegionsAttribute !== undefined,
      modelRelease: s.usageClearanceAttribute !== undefined,
      partialClear: true,
      revisions: true,
      renditions: true,
      approvalQueue: s.editsNeedApproval,
    },
    list,
    fetch,
    push,
    clear,
    readWritten,
    start,
    health,
    async close() {
      closed = true;
      http.close();
      auth.close();
    },
  };
}

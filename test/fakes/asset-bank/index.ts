/**
 * A faithful fake Asset Bank for tests (issue 12): two real HTTP servers on 127.0.0.1 (the Asset Bank
 * webapp and the content host its 303s point to), the documented shapes of ../shared/docs/dam-apis.md
 * §1, its own rate limit, and controls to break it the ways a real instance or network does.
 *
 * Where dam-apis.md marks something ⚠ unconfirmed, it is an option here (listed in FakeAssetBankOptions)
 * so the connector can be tested against each reading: page base, how several folders are sent, where
 * the password grant's client credentials go, whether a PUT that leaves attributes out keeps them,
 * whether transforms are byte-stable, and legacy token-less auth.
 */
import type { FakeHttpServer, RecordedRequest } from '../../../src/testing/fake-http.js';
import { startFakeHttpServer } from '../../../src/testing/fake-http.js';
import { startContentHost, type ContentHost, type ContentObject } from './content-host.js';
import { seedCatalogue, seedShoot, FAKE_AB, type SeedShootOptions } from './seed.js';
import { createAssetBankHandler, routeOf } from './server.js';
import type { FakeRoute, Misbehaviour, ServerSettings } from './settings.js';
import { FakeAssetBankState, type FakeAsset, type FakeWrite } from './state.js';
import { imageKey, isTransformExtension, transformImage } from './transform.js';

export { FAKE_AB, photo, seedShoot } from './seed.js';
export { ATTRIBUTE_TYPE, assetBankDate } from './state.js';
export type { FakeAsset, FakeAttribute, FakeUser, FakeWrite } from './state.js';
export type { FakeRoute } from './settings.js';

export interface FakeAssetBankOptions {
  /** webapp path segment (default `assetbank-fake`): the connector's `url` is `{origin}/{webapp}` */
  webapp?: string;
  /** the server's own rate limit, requests per rolling second (default 15, dedicated hosting; null: none) */
  limitPerSecond?: number | null;
  /** ⚠ page base of `/rest/asset-search` (default 0, as Uniform sends) */
  firstPage?: 0 | 1;
  /** ⚠ several folders as a repeated key, a comma list, or either (default either) */
  folderIdsStyle?: 'repeat' | 'comma' | 'both';
  /** ⚠ password grant client credentials: form body (RFC 6749), Basic, or either (default either) */
  clientAuth?: 'body' | 'basic' | 'either';
  /** access token lifetime, `expires_in` (default 3600) */
  tokenTtlSeconds?: number;
  /** a refresh answers a new refresh token and revokes the old one (default false) */
  rotateRefreshTokens?: boolean;
  /** ⚠ a PUT that leaves attributes out keeps them (default true); false blanks them */
  acceptChangedOnly?: boolean;
  /** ⚠ transforms give the same bytes every time (default true) */
  byteStableTransforms?: boolean;
  /**
   * keep each transform, by image (comments ignored) and size, as a real server's cache or CDN would
   * (default false): the DAM benchmark's 24 MP originals would otherwise time the fake's sharp, not Sitter
   */
  cacheTransforms?: boolean;
  /** legacy IP-whitelist mode: calls without a token run as the first user (or `userId=`) */
  legacyAuth?: boolean;
  /** lifetime of a signed content URL (default 300 s) */
  contentUrlTtlSeconds?: number;
  /** attribute ids in search results' `displayAttributes` (default Title and Date Taken) */
  searchDisplayAttributeIds?: number[];
  /** the user `/oauth/authorize` approves as (default the archivist) */
  authorizeAs?: number;
  /** photos seeded in the shoot folder, with the Shoot ID attribute (default 0) */
  assets?: number;
  /** the clock (ms) for tokens, signed URLs and modification times */
  now?: () => number;
}

export interface FakeAssetBankStats {
  /** requests to the Asset Bank server */
  requests: number;
  byRoute: Partial<Record<FakeRoute, number>>;
  /** 429 answers, the server's own limit and storms alike */
  rateLimited: number;
  /** bytes of response bodies, Asset Bank server and content host */
  apiBytes: number;
  contentBytes: number;
  /** requests to the content host */
  contentRequests: number;
  /** requests that reached the content host with an Authorization header */
  authorizationLeaks: number;
}

export interface FakeAssetBank {
  /** the Asset Bank address with its webapp, what the connector's `url` option takes */
  url: string;
  /** `{url}/rest` */
  restUrl: string;
  /** `127.0.0.1:PORT` of the Asset Bank server */
  host: string;
  contentHost: { url: string; host: string; violations: ContentHost['violations'] };
  /** the state behind the servers, for seeding and assertions */
  state: FakeAssetBankState;
  /** the Asset Bank server's recorded requests (never an Authorization value) */
  requests: RecordedRequest[];
  /** the content host's recorded requests */
  contentRequests: RecordedRequest[];

  // seeding and other users
  addAsset(input: Parameters<FakeAssetBankState['addAsset']>[0]): number;
  seedShoot(options: SeedShootOptions): Promise<number[]>;
  removeAsset(id: number): void;
  asset(id: number): FakeAsset | undefined;
  /** the value of an attribute on an asset (computed ones included) */
  valueOf(assetId: number, attributeId: number): string;
  /** another editor changes attributes (the timestamp moves) */
  editAsOther(assetId: number, values: Record<number, string>): void;
  /** another editor uploads a new file (the timestamp moves) */
  replaceFile(assetId: number, bytes: Uint8Array): void;
  /** an approver accepts the queued edit of an edit-with-approval user */
  approvePending(assetId: number): void;
  /** a password-grant access token for a seeded user, without a request */
  tokenFor(username?: string): string;

  // faults
  rateLimitStorm(options: { requests: number; retryAfter?: number }): void;
  serverErrors(n: number, status?: number): void;
  slow(ms: number, route?: FakeRoute): void;
  /** requests of `route` are never answered */
  hang(route?: FakeRoute): void;
  expireTokens(): void;
  revokeRefreshTokens(): void;
  /** called before each search is answered with its 1-based number: add or remove assets there */
  onSearch(hook: (n: number) => void | Promise<void>): void;
  html(route: FakeRoute): void;
  wrongTypes(route: FakeRoute): void;
  hugeBody(route: FakeRoute, bytes: number): void;
  /** `/content` and `/transform` redirect here instead of the content host */
  redirectContentTo(url: string): void;
  /** the search answers as if `assetIds` were not given */
  ignoreAssetIdsFilter(): void;
  /** removes every fault and misbehaviour (not the state) */
  resetFaults(): void;

  // inspection
  /** every change to an asset (PUTs, queued edits, approvals, other editors) */
  writes(): FakeWrite[];
  stats(): FakeAssetBankStats;
  close(): Promise<void>;
}

export async function startFakeAssetBank(opts: FakeAssetBankOptions = {}): Promise<FakeAssetBank> {
  const now = opts.now ?? (() => Date.now());
  const state = new FakeAssetBankState({
    now,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
    rotateRefreshTokens: opts.rotateRefreshTokens ?? false,
  });
  seedCatalogue(state);
  const settings: ServerSettings = {
    webapp: opts.webapp ?? 'assetbank-fake',
    limitPerSecond: opts.limitPerSecond === undefined ? 15 : opts.limitPerSecond,
    firstPage: opts.firstPage ?? 0,
    folderIdsStyle: opts.folderIdsStyle ?? 'both',
    clientAuth: opts.clientAuth ?? 'either',
    acceptChangedOnly: opts.acceptChangedOnly ?? true,
    legacyAuth: opts.legacyAuth ?? false,
    contentUrlTtlSeconds: opts.contentUrlTtlSeconds ?? 300,
    searchDisplayAttributeIds: opts.searchDisplayAttributeIds ?? [
      FAKE_AB.attributes.title,
      FAKE_AB.attributes.dateTaken,
    ],
    authorizeAs: opts.authorizeAs ?? FAKE_AB.users.archivist.id,
  };
  const bad: Misbehaviour = {
    html: new Set(),
    wrongTypes: new Set(),
    hugeBody: new Map(),
    redirectContentTo: null,
    ignoreAssetIdsFilter: false,
    onSearch: [],
    searches: 0,
  };

  const transforms = new Map<string, Promise<ContentObject>>();
  const resolveContent = async (key: string): Promise<ContentObject | null> => {
    const m = /^(\d+)\/(?:original|transform\/(\d+)x(\d+)\.([a-z]+))$/.exec(key);
    const asset = m ? state.assets.get(Number(m[1])) : undefined;
    if (!m || !asset) return null;
    if (m[2] === undefined) return { bytes: asset.bytes, mediaType: asset.mediaType };
    const extension = m[4]!;
    if (!isTransformExtension(extension)) return null;
    const make = () =>
      transformImage(
        asset.bytes,
        { width: Number(m[2]), height: Number(m[3]), extension },
        opts.byteStableTransforms ?? true,
      );
    if (!opts.cacheTransforms) return make();
    const cacheKey = `${imageKey(asset.bytes)}/${m[2]}x${m[3]}.${extension}`;
    let cached = transforms.get(cacheKey);
    if (!cached) transforms.set(cacheKey, (cached = make()));
    return cached;
  };
  const content = await startContentHost(resolveContent, now);
  let server: FakeHttpServer | null = null;
  server = await startFakeHttpServer(createAssetBankHandler(state, settings, bad, content, () => server!.url));
  const api = server;
  if (opts.assets) await seedShoot(state, { count: opts.assets });

  const routeMatch = (route?: FakeRoute) =>
    route === undefined
      ? undefined
      : (r: { method: string; path: string }) => routeOf(settings.webapp, r.method, r.path) === route;
  const mustAsset = (id: number): FakeAsset => {
    const a = state.assets.get(id);
    if (!a) throw new Error(`fake Asset Bank: no asset ${id}`);
    return a;
  };

  return {
    url: `${api.url}/${settings.webapp}`,
    restUrl: `${api.url}/${settings.webapp}/rest`,
    host: api.host,
    contentHost: { url: content.server.url, host: content.server.host, violations: content.violations },
    state,
    requests: api.requests,
    contentRequests: content.server.requests,

    addAsset: (input) => state.addAsset(input),
    seedShoot: (options) => seedShoot(state, options),
    removeAsset: (id) => state.removeAsset(id),
    asset: (id) => state.assets.get(id),
    valueOf: (assetId, attributeId) => state.valueOf(mustAsset(assetId), attributeId),
    editAsOther(assetId, values) {
      state.apply(
        mustAsset(assetId),
        new Map(Object.entries(values).map(([k, v]) => [Number(k), v])),
        'other-editor',
        'other-editor',
      );
    },
    replaceFile: (assetId, bytes) => state.replaceFile(mustAsset(assetId), bytes),
    approvePending(assetId) {
      const queued = state.pending.get(assetId);
      if (!queued) throw new Error(`fake Asset Bank: no edit of asset ${assetId} waits for approval`);
      state.pending.delete(assetId);
      state.apply(mustAsset(assetId), queued.values, 'approver', 'approved');
    },
    tokenFor(username = FAKE_AB.users.archivist.username) {
      const user = [...state.users.values()].find((u) => u.username === username);
      if (!user) throw new Error(`fake Asset Bank: no user ${username}`);
      return state.issueTokens(user.id, FAKE_AB.clientId).access_token;
    },

    rateLimitStorm: ({ requests, retryAfter = 1 }) => api.faults.rateLimit(requests, { retryAfter }),
    serverErrors: (n, status = 503) => api.faults.fail(n, status, 'Service Unavailable'),
    slow: (ms, route) => api.faults.delay(ms, routeMatch(route)),
    hang: (route) => api.faults.hang(routeMatch(route)),
    expireTokens: () => state.expireTokens(),
    revokeRefreshTokens: () => state.revokeRefreshTokens(),
    onSearch: (hook) => void bad.onSearch.push(hook),
    html: (route) => void bad.html.add(route),
    wrongTypes: (route) => void bad.wrongTypes.add(route),
    hugeBody: (route, bytes) => void bad.hugeBody.set(route, bytes),
    redirectContentTo(url) {
      bad.redirectContentTo = url;
    },
    ignoreAssetIdsFilter() {
      bad.ignoreAssetIdsFilter = true;
    },
    resetFaults() {
      api.faults.reset();
      bad.html.clear();
      bad.wrongTypes.clear();
      bad.hugeBody.clear();
      bad.redirectContentTo = null;
      bad.ignoreAssetIdsFilter = false;
      bad.onSearch.length = 0;
    },

    writes: () => [...state.writes],
    stats() {
      const byRoute: Partial<Record<FakeRoute, number>> = {};
      for (const r of api.requests) {
        const route = routeOf(settings.webapp, r.method, r.path);
        byRoute[route] = (byRoute[route] ?? 0) + 1;
      }
      return {
        requests: api.requests.length,
        byRoute,
        rateLimited: api.requests.filter((r) => r.status === 429).length,
        apiBytes: api.requests.reduce((n, r) => n + r.bytesSent, 0),
        contentBytes: content.server.requests.reduce((n, r) => n + r.bytesSent, 0),
        contentRequests: content.server.requests.length,
        authorizationLeaks: content.violations.length,
      };
    },
    async close() {
      await Promise.all([api.close(), content.close()]);
    },
  };
}

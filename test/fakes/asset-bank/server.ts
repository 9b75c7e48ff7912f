/**
 * The fake Asset Bank's HTTP face: every route of ../shared/docs/dam-apis.md §1 that the connector
 * calls (design §2.2), answering the documented shapes (bare arrays, 303s, text/plain errors), with its
 * own sliding-window rate limit and switchable broken answers. State lives in state.ts.
 */
import type { FakeRequest, FakeResponse } from '../../../src/testing/fake-http.js';
import { ATTRIBUTE_TYPE, type FakeAsset, type FakeAssetBankState, type FakeUser } from './state.js';
import { isTransformExtension } from './transform.js';

export type FakeRoute =
  | 'token'
  | 'authorize'
  | 'root'
  | 'user'
  | 'attributes'
  | 'search'
  | 'asset'
  | 'put'
  | 'content'
  | 'transform'
  | 'other';

export interface ServerSettings {
  /** the webapp path segment (`assetbank-fake`) */
  webapp: string;
  /** requests per rolling second before 429 (null: no limit) */
  limitPerSecond: number | null;
  /** ⚠ the `page` of the first page (docs silent; Uniform sends 0) */
  firstPage: number;
  /** ⚠ how several folders may be sent: repeated key (api-docs), comma list (Bright's Java client), or both */
  folderIdsStyle: 'repeat' | 'comma' | 'both';
  /** ⚠ where a password grant's client credentials may be: form body (RFC 6749), Basic header, or either */
  clientAuth: 'body' | 'basic' | 'either';
  /** ⚠ a PUT that leaves attributes out keeps them (true) or blanks them (false) */
  acceptChangedOnly: boolean;
  /** legacy IP-whitelist mode: no token needed, calls run as the first user or `userId=` */
  legacyAuth: boolean;
  /** how long a signed content URL lives */
  contentUrlTtlSeconds: number;
  /** attribute ids shown as `displayAttributes` in search results (Admin > "API Search results") */
  searchDisplayAttributeIds: number[];
  /** the user `/oauth/authorize` logs in at once (no browser in a test); null: the first user */
  authorizeAs: number | null;
}

/** Switchable misbehaviour (controls in index.ts). */
export interface Misbehaviour {
  html: Set<FakeRoute>;
  wrongTypes: Set<FakeRoute>;
  hugeBody: Map<FakeRoute, number>;
  redirectContentTo: string | null;
  ignoreAssetIdsFilter: boolean;
  onSearch: ((n: number) => void | Promise<void>)[];
  searches: number;
}

export interface ContentSigner {
  sign(key: string, ttlSeconds: number): string;
}

const PAGE_SIZE_CAP = 100;
const MAX_ID = 2147483647;

const text = (status: number, body: string): FakeResponse => ({ status, text: body });

/** Which route a request is (stats, slow(), html()...). */
export function routeOf(webapp: string, method: string, path: string): FakeRoute {
  const w = `/${webapp}`;
  if (path === `${w}/oauth/token`) return 'token';
  if (path === `${w}/oauth/authorize`) return 'authorize';
  if (path === `${w}/rest` || path === `${w}/rest/`) return 'root';
  if (path === `${w}/rest/authenticated-user`) return 'user';
  if (path.startsWith(`${w}/rest/attributes`)) return 'attributes';
  if (path === `${w}/rest/asset-search`) return 'search';
  const m = /^\/[^/]+\/rest\/assets\/\d+(\/[a-z/]+)?$/.exec(path);
  if (m && path.startsWith(w)) {
    if (!m[1]) return method === 'PUT' ? 'put' : 'asset';
    if (m[1].startsWith('/content')) return 'content';
    if (m[1] === '/transform') return 'transform';
  }
  return 'other';
}

/** What a misbehaving proxy, or a type-confused server, answers instead. */
function brokenAnswer(route: FakeRoute, bad: Misbehaviour): FakeResponse | null {
  if (bad.html.has(route))
    return {
      status: 200,
      headers: { 'content-type': 'text/html;charset=UTF-8' },
      body: '<!DOCTYPE html><html><head><title>Asset Bank - Log in</title></head><body><form>Log in</form></body></html>',
    };
  const huge = bad.hugeBody.get(route);
  if (huge !== undefined) {
    const pad = 'x'.repeat(Math.max(0, huge - 20));
    return { status: 200, headers: { 'content-type': 'application/json' }, body: `[{"padding":"${pad}"}]` };
  }
  if (bad.wrongTypes.has(route)) {
    const wrong: Partial<Record<FakeRoute, unknown>> = {
      token: { access_token: 5, token_type: 'bearer', expires_in: 'soon' },
      root: { api_name: 5, api_version_1_3: 'none' },
      user: { id: 'one', username: 7 },
      attributes: { id: 'x', label: 9, typeId: 'text' },
      search: [{ id: 'one', originalFilename: 5, dateLastModifiedTimestamp: 'yesterday', approved: 'yes' }],
      asset: { id: 'one', attributes: 'none' },
      put: { id: 'one', attributes: 'none' },
    };
    return { status: 200, json: wrong[route] ?? { unexpected: true } };
  }
  return null;
}

export function createAssetBankHandler(
  state: FakeAssetBankState,
  settings: ServerSettings,
  bad: Misbehaviour,
  signer: ContentSigner,
  origin: () => string,
): (req: FakeRequest) => Promise<FakeResponse> {
  const w = `/${settings.webapp}`;
  const restUrl = () => `${origin()}${w}/rest`;
  const window: number[] = [];

  /** Sliding window over the last second: the server's own limiter (429 + Retry-After). */
  function overLimit(): boolean {
    if (settings.limitPerSecond === null) return false;
    const now = Date.now();
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    if (window.length >= settings.limitPerSecond) return true;
    window.push(now);
    return false;
  }

  function caller(req: FakeRequest): FakeUser | null {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return state.userOfToken(auth.slice('Bearer '.length));
    if (settings.legacyAuth && auth === undefined) {
      const asId = Number(req.query.get('userId'));
      return state.users.get(asId) ?? state.users.values().next().value ?? null;
    }
    return null;
  }

  // ---- representations ---------------------------------------------------------------------------

  const attributeRepr = (id: number) => {
    const a = state.attributes.get(id)!;
    return {
      id: a.id,
      label: a.label,
      staticName: a.staticName ?? null,
      typeId: a.typeId,
      url: `${restUrl()}/attributes/${a.id}`,
      listValuesUrl:
        a.typeId === ATTRIBUTE_TYPE.dropdown || a.typeId === ATTRIBUTE_TYPE.checklist
          ? `${restUrl()}/attributes/${a.id}/list-attribute-values`
          : null,
      keywordsUrl: null,
    };
  };

  const imageUrls = (a: FakeAsset) => ({
    thumbnailUrl: signer.sign(`${a.id}/transform/260x260.jpg`, settings.contentUrlTtlSeconds),
    previewUrl: signer.sign(`${a.id}/transform/480x480.jpg`, settings.contentUrlTtlSeconds),
    unwatermarkedLargeImageUrl: signer.sign(`${a.id}/transform/1300x1300.jpg`, settings.contentUrlTtlSeconds),
  });

  /** LightweightAssetRepr (search results). */
  const lightweight = (a: FakeAsset) => ({
    id: a.id,
    originalFilename: a.originalFilename,
    fullAssetUrl: `${restUrl()}/assets/${a.id}`,
    ...imageUrls(a),
    dateLastModifiedTimestamp: a.modified,
    approved: a.approved,
    typeId: a.typeId,
    typeName: a.typeName,
    accessLevelIds: a.accessLevelIds.join(','),
    displayAttributes: settings.searchDisplayAttributeIds
      .filter((id) => state.attributes.has(id))
      .map((id) => ({ label: state.attributes.get(id)!.label, value: state.valueOf(a, id) })),
    attributes: [],
  });

  /** AssetRepr (GET/PUT /rest/assets/{id}). */
  const full = (a: FakeAsset) => ({
    id: a.id,
    url: `${restUrl()}/assets/${a.id}`,
    originalFilename: a.originalFilename,
    attributes: [...state.attributes.values()].map((attr) => ({
      id: attr.id,
      name: attr.staticName ?? `attribute${attr.id}`,
      label: attr.label,
      value: state.valueOf(a, attr.id),
    })),
    parents: a.accessLevelIds.map((id) => `${restUrl()}/access-levels/${id}`),
    submitted: true,
    approved: a.approved,
    type: a.typeName,
    accessLevelIds: a.accessLevelIds.join(','),
    contentUrl: `${restUrl()}/assets/${a.id}/content`,
    contentUrlUrl: `${restUrl()}/assets/${a.id}/content/url`,
    displayUrl: signer.sign(`${a.id}/transform/1000x1000.jpg`, settings.contentUrlTtlSeconds),
    conversionUrl: `${restUrl()}/assets/${a.id}/conversion`,
    ...imageUrls(a),
  });

  // ---- routes ------------------------------------------------------------------------------------

  function token(req: FakeRequest): FakeResponse {
    const oauthError = (status: number, error: string, description: string): FakeResponse => ({
      status,
      json: { error, error_description: description },
    });
    if (req.method !== 'POST') return text(405, 'Request method not supported');
    const form = req.form();
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = req.headers.authorization;
    if (basic?.startsWith('Basic ')) {
      if (settings.clientAuth === 'body') return oauthError(401, 'invalid_client', 'Bad client credentials');
      const [id, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
      clientId = id ?? '';
      clientSecret = secret ?? '';
    } else if (settings.clientAuth === 'basic') return oauthError(401, 'invalid_client', 'Bad client credentials');
    const client = state.client(clientId, clientSecret);
    if (!client) return oauthError(401, 'invalid_client', 'Bad client credentials');
    switch (form.get('grant_type')) {
      case 'password': {
        const user = state.userByLogin(form.get('username') ?? '', form.get('password') ?? '');
        if (!user) return oauthError(400, 'invalid_grant', 'Bad credentials');
        return { json: state.issueTokens(user.id, client.clientId) };
      }
      case 'authorization_code': {
        const code = state.codes.get(form.get('code') ?? '');
        if (!code || code.clientId !== client.clientId || code.redirectUri !== form.get('redirect_uri'))
          return oauthError(400, 'invalid_grant', 'Invalid authorization code');
        state.codes.delete(form.get('code')!);
        return { json: state.issueTokens(code.userId, client.clientId) };
      }
      case 'refresh_token': {
        const presented = form.get('refresh_token') ?? '';
        const refresh = state.refreshTokens.get(presented);
        if (!refresh || refresh.clientId !== client.clientId)
          return oauthError(400, 'invalid_grant', 'Invalid refresh token');
        const issued = state.issueTokens(refresh.userId, client.clientId);
        if (state.options.rotateRefreshTokens) state.refreshTokens.delete(presented);
        else {
          state.refreshTokens.delete(issued.refresh_token);
          issued.refresh_token = presented;
        }
        return { json: issued };
      }
      default:
        return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type');
    }
  }

  /** No browser in a test: the fake approves at once as `authorizeAs` and redirects with the code. */
  function authorize(req: FakeRequest, authorizeAs: number): FakeResponse {
    const clientId = req.query.get('client_id') ?? '';
    const redirectUri = req.query.get('redirect_uri') ?? '';
    if (!state.clients.some((c) => c.clientId === clientId)) return text(400, 'Unknown client');
    const redirect = new URL(redirectUri);
    if (redirect.protocol !== 'https:' && redirect.hostname !== 'localhost' && redirect.hostname !== '127.0.0.1')
      return text(400, 'Redirect URIs must be https unless on localhost');
    redirect.searchParams.set('code', state.issueCode(authorizeAs, clientId, redirectUri));
    const st = req.query.get('state');
    if (st !== null) redirect.searchParams.set('state', st);
    return { status: 302, headers: { location: redirect.toString() } };
  }

  function root(): FakeResponse {
    const r = restUrl();
    return {
      json: {
        api_name: 'Asset Bank REST API',
        api_version_1_3: {
          assetSearchUrl: `${r}/asset-search`,
          assetsUrl: `${r}/assets`,
          attributesUrl: `${r}/attributes`,
          categorySearchUrl: `${r}/category-search`,
          accessLevelSearchUrl: `${r}/access-level-search`,
          lightboxesUrl: `${r}/lightboxes`,
          usersUrl: `${r}/users`,
          authenticatedUserUrl: `${r}/authenticated-user`,
        },
      },
    };
  }

  function authenticatedUser(user: FakeUser): FakeResponse {
    const { id, username, forename, surname, emailAddress, groupIds, isAdmin } = user;
    return { json: { id, username, forename, surname, emailAddress, groupIds, isAdmin } };
  }

  function attributes(req: FakeRequest): FakeResponse {
    const rest = req.path.slice(`${w}/rest/attributes`.length);
    if (rest === '' || rest === '/') return { json: [...state.attributes.keys()].map((id) => attributeRepr(id).url) };
    const m = /^\/(\d+)(\/list-attribute-values)?$/.exec(rest);
    const attr = m ? state.attributes.get(Number(m[1])) : undefined;
    if (!m || !attr) return text(404, 'Attribute not found');
    if (!m[2]) return { json: attributeRepr(attr.id) };
    if (attr.typeId !== ATTRIBUTE_TYPE.dropdown && attr.typeId !== ATTRIBUTE_TYPE.checklist)
      return text(400, 'This attribute does not have list values.');
    if (req.method === 'GET') return { json: (attr.listValues ?? []).map((value) => ({ value })) };
    if (req.method !== 'POST') return text(405, 'Request method not supported');
    let body: { value?: unknown };
    try {
      body = req.json() as { value?: unknown };
    } catch {
      return text(400, 'Could not parse the request body.');
    }
    const value = typeof body.value === 'string' ? body.value.trim() : '';
    if (value === '') return text(400, 'The list value cannot be blank.');
    attr.listValues = [...(attr.listValues ?? []), value];
    return {
      status: 201,
      headers: { location: `${restUrl()}/attributes/${attr.id}/list-attribute-values/${attr.listValues.length}` },
    };
  }

  async function search(req: FakeRequest, user: FakeUser): Promise<FakeResponse> {
    if (req.rawQuery === '') return text(500, 'An unexpected error occurred: no search criteria');
    bad.searches++;
    for (const hook of bad.onSearch) await hook(bad.searches);
    const q = req.query;
    let found = [...state.assets.values()].filter((a) => state.canSee(user, a));

    const folderParams = q.getAll('permissionCategoryForm.categoryIds');
    if (folderParams.length > 0) {
      if (settings.folderIdsStyle === 'comma' && folderParams.length > 1)
        return text(400, 'permissionCategoryForm.categoryIds may be given once');
      if (settings.folderIdsStyle === 'repeat' && folderParams.some((p) => p.includes(',')))
        return text(400, `Invalid value for permissionCategoryForm.categoryIds: ${folderParams.join('&')}`);
      const ids = folderParams.flatMap((p) => p.split(',')).map(Number);
      if (ids.some((id) => !Number.isInteger(id)))
        return text(400, 'Invalid value for permissionCategoryForm.categoryIds');
      const scope = state.folderScope(ids, q.get('includeImplicitCategoryMembers') === 'true');
      found = found.filter((a) => a.accessLevelIds.some((id) => scope.has(id)));
    }
    for (const [key, value] of q) {
      const m = /^attribute_(\d+)$/.exec(key);
      if (!m) continue;
      const id = Number(m[1]);
      if (!state.attributes.has(id)) return text(400, `Unknown attribute ${id}`);
      found = found.filter((a) => (value === 'isempty' ? state.valueOf(a, id) === '' : state.valueOf(a, id) === value));
    }
    const assetIds = q.get('assetIds');
    if (assetIds !== null && !bad.ignoreAssetIdsFilter) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(assetIds);
      if (!m) return text(400, `Invalid value for assetIds: ${assetIds}`);
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Math.min(Number(m[2]), MAX_ID);
      found = found.filter((a) => a.id >= lo && a.id <= hi);
    }
    const approval = q.get('approvalStatuses');
    if (approval === 'full') found = found.filter((a) => a.approved);
    else if (approval === 'none') found = found.filter((a) => !a.approved);
    else if (approval !== null) return text(400, `Invalid value for approvalStatuses: ${approval}`);

    // Sorted by date modified, most recent first: never by id (design §2.3 must not rely on an order).
    found.sort((a, b) => b.modified - a.modified || b.id - a.id);
    const pageSize = Math.min(Math.max(1, Number(q.get('pageSize') ?? PAGE_SIZE_CAP) || PAGE_SIZE_CAP), PAGE_SIZE_CAP);
    const page = Number(q.get('page') ?? settings.firstPage) - settings.firstPage;
    if (!Number.isInteger(page) || page < 0) return text(400, `Invalid value for page: ${q.get('page')}`);
    return { json: found.slice(page * pageSize, (page + 1) * pageSize).map(lightweight) };
  }

  function assetOf(req: FakeRequest, user: FakeUser): FakeAsset | FakeResponse {
    const id = Number(/\/assets\/(\d+)/.exec(req.path)![1]);
    const asset = state.assets.get(id);
    if (!asset) return text(404, `Asset with id ${id} not found`);
    if (!state.canSee(user, asset)) return text(403, 'You do not have permission to view this asset');
    return asset;
  }

  function put(req: FakeRequest, user: FakeUser, asset: FakeAsset): FakeResponse {
    let body: { attributes?: unknown };
    try {
      body = req.json() as { attributes?: unknown };
    } catch {
      return text(400, 'Could not parse the request body.');
    }
    if (!Array.isArray(body.attributes)) return text(400, 'attributes must be a list');
    const sent = new Map<number, string>();
    for (const item of body.attributes as { id?: unknown; value?: unknown }[]) {
      const id = Number(item.id);
      const attr = state.attributes.get(id);
      if (!attr || attr.readOnly) continue; // read-only attributes are silently ignored (doc/asset.md)
      const value = item.value === null || item.value === undefined ? '' : String(item.value);
      if (attr.typeId === ATTRIBUTE_TYPE.dropdown && value !== '' && !(attr.listValues ?? []).includes(value))
        return text(400, `"${value}" is not a value of the list attribute ${attr.label}.`);
      sent.set(id, value);
    }
    if (!settings.acceptChangedOnly)
      for (const attr of state.attributes.values()) if (!attr.readOnly && !sent.has(attr.id)) sent.set(attr.id, '');
    if (user.editsNeedApproval) {
      const changed = new Map([...sent].filter(([id, v]) => state.valueOf(asset, id) !== v));
      if (changed.size > 0) {
        const queued = state.pending.get(asset.id)?.values ?? new Map<number, string>();
        for (const [id, v] of changed) queued.set(id, v);
        state.pending.set(asset.id, { by: user.username, values: queued });
        state.writes.push({
          at: state.now(),
          assetId: asset.id,
          by: user.username,
          kind: 'queued',
          changes: Object.fromEntries([...changed].map(([id, to]) => [id, { from: state.valueOf(asset, id), to }])),
        });
      }
      return { json: full(asset) }; // the old values: the edit waits for approval
    }
    state.apply(asset, sent, user.username, 'put');
    return { json: full(asset) };
  }

  function content(req: FakeRequest, asset: FakeAsset): FakeResponse {
    const location = bad.redirectContentTo ?? signer.sign(`${asset.id}/original`, settings.contentUrlTtlSeconds);
    if (req.path.endsWith('/content/url')) return text(200, location);
    return { status: 303, headers: { location } };
  }

  function transform(req: FakeRequest, asset: FakeAsset): FakeResponse {
    const width = Number(req.query.get('width') ?? 1000);
    const height = Number(req.query.get('height') ?? 1000);
    const extension = req.query.get('extension') ?? 'webp';
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      width > 10000 ||
      height > 10000
    )
      return text(400, 'width and height must be whole numbers between 1 and 10000');
    if (!isTransformExtension(extension)) return text(400, `Unsupported extension: ${extension}`);
    const location =
      bad.redirectContentTo ??
      signer.sign(`${asset.id}/transform/${width}x${height}.${extension}`, settings.contentUrlTtlSeconds);
    return { status: 303, headers: { location } };
  }

  return async (req) => {
    const route = routeOf(settings.webapp, req.method, req.path);
    if (overLimit()) return { status: 429, headers: { 'retry-after': '1' }, text: 'Too many requests' };
    const broken = brokenAnswer(route, bad);
    if (broken) return broken;
    if (route === 'token') return token(req);
    if (route === 'authorize') return authorize(req, settings.authorizeAs ?? state.users.keys().next().value ?? 0);
    if (route === 'other') return text(404, 'Not Found');
    const user = caller(req);
    if (!user)
      return {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="assetbank", error="invalid_token"' },
        json: { error: 'invalid_token', error_description: 'Invalid or expired access token' },
      };
    switch (route) {
      case 'root':
        return root();
      case 'user':
        return authenticatedUser(user);
      case 'attributes':
        return attributes(req);
      case 'search':
        return req.method === 'GET' ? search(req, user) : text(405, 'Request method not supported');
      default: {
        const asset = assetOf(req, user);
        if (!('id' in asset)) return asset;
        if (route === 'asset') return { json: full(asset) };
        if (route === 'put') return put(req, user, asset);
        if (route === 'content') return content(req, asset);
        return transform(req, asset);
      }
    }
  };
}

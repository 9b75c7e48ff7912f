/**
 * The fake Asset Bank's HTTP face: every route of ../shared/docs/dam-apis.md §1 that the connector
 * calls (design §2.2), answering the documented shapes (bare arrays, 303s, text/plain errors), with its
 * own sliding-window rate limit and switchable broken answers. State lives in state.ts; the OAuth
 * endpoints in oauth.ts, the representations in reprs.ts, the search in search.ts.
 */
import type { FakeRequest, FakeResponse } from '../../../src/testing/fake-http.js';
import { authorizeEndpoint, tokenEndpoint } from './oauth.js';
import { representations } from './reprs.js';
import { searchAssets } from './search.js';
import type { ContentSigner, FakeRoute, Misbehaviour, ServerSettings } from './settings.js';
import { ATTRIBUTE_TYPE, type FakeAsset, type FakeAssetBankState, type FakeUser } from './state.js';
import { isTransformExtension } from './transform.js';

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

  const { attributeRepr, lightweight, full } = representations(state, settings, signer, restUrl);

  // ---- routes ------------------------------------------------------------------------------------

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
    if (route === 'token') return tokenEndpoint(state, settings.clientAuth, req);
    if (route === 'authorize')
      return authorizeEndpoint(state, req, settings.authorizeAs ?? state.users.keys().next().value ?? 0);
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
        return req.method === 'GET'
          ? searchAssets(state, settings, bad, lightweight, req, user)
          : text(405, 'Request method not supported');
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

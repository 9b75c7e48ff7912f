// A fake ResourceSpace for the plugin's tests: the request handler and state behind a real HTTP server
// (hand `fake.handler` to `startFakeHttpServer` from `sitter/testing`). It checks every signature over
// the raw query exactly as api/index.php does, and reproduces the quirks of ../shared/docs/dam-apis.md
// §2 that a connector must survive:
// - a bad signature: 401 with the text `Invalid signature` under a JSON content type;
// - a disabled user: 401 {"error":{"status":401,"title":…,"detail":…}};
// - the API turned off: 403 `API not enabled.`;
// - an unknown function: 200 with an empty body;
// - no permission / not found inside a function: 200 `false` (or `[]` for a search);
// - do_search with fetchrows "offset,rows": {total, data}; without: a bare array;
// - get_resource_path with size "" needs the resource's own extension, or the URL leads nowhere.
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The positional parameters of the functions the fake knows, so by-name calls work too. */
const PARAMS = {
  do_search: ['search', 'restypes', 'order_by', 'archive', 'fetchrows', 'sort', 'offset'],
  get_resource_collections: ['ref'],
  get_resource_data: ['resource'],
  get_resource_field_data: ['resource'],
  get_resource_path: ['ref', 'not_used', 'size', 'generate', 'extension'],
  get_resource_type_fields: ['by_resource_types', 'find', 'by_types'],
  update_field: ['resource', 'field', 'value', 'nodevalues'],
};
/** Preview boxes (ResourceSpace defaults): fit inside, never enlarged. */
const PREVIEW_BOX = { thm: [150, 150], pre: [900, 900], scr: [1400, 800] };

/** Default fields: two of ResourceSpace's own, four mapped to Sitter, one read-only. */
export const FAKE_RS_FIELDS = {
  title: 8,
  caption: 18,
  consentRefs: 80,
  participants: 81,
  faceRegions: 82,
  usageClearance: 83,
  locked: 84,
};

/** @param {Date} d `2026-06-01 10:00:00` */
const sqlDate = (d) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * @param {{ users?: { username: string, privateKey?: string }[], start?: Date }} [options]
 */
export function createFakeResourceSpace(options = {}) {
  const fileSecret = randomBytes(16);
  let clock = (options.start ?? new Date('2026-06-02T09:00:00Z')).getTime();
  /** every change moves the clock a whole second: file_modified has second resolution */
  const tick = () => sqlDate(new Date((clock += 1000)));

  const state = {
    apiEnabled: true,
    /** @type {Map<string, { privateKey: string, enabled: boolean }>} */
    users: new Map(),
    /** @type {Map<number, { ref: number, name: string, title: string, type: number, readOnly?: boolean }>} */
    fields: new Map(),
    /** @type {Map<number, { ref: number, file_extension: string, bytes: Uint8Array, file_modified: string, modified: string, creation_date: string, values: Map<number, string> }>} */
    resources: new Map(),
    /** @type {Map<number, { name: string, refs: number[] }>} */
    collections: new Map(),
    /** @type {Set<number>} resources the API user may not read */
    denied: new Set(),
    /** @type {Set<string>} functions this server does not know (an older version, a plugin off) */
    unknown: new Set(),
    /** @type {{ fn: string, ok: boolean }[]} every API call that passed the signature check */
    calls: [],
    /** @type {{ resource: number, field: number, from: string, to: string }[]} every stored update_field */
    writes: [],
    nextRef: 1,
  };
  for (const u of options.users ?? [{ username: 'sitter' }])
    state.users.set(u.username, { privateKey: u.privateKey ?? randomBytes(32).toString('hex'), enabled: true });
  const F = FAKE_RS_FIELDS;
  for (const [ref, name, title, readOnly] of /** @type {[number, string, string, boolean?][]} */ ([
    [F.title, 'title', 'Title'],
    [F.caption, 'caption', 'Caption'],
    [F.consentRefs, 'sitterconsent', 'Consent refs (Sitter)'],
    [F.participants, 'sitterparticipants', 'Consented participants (Sitter)'],
    [F.faceRegions, 'sitterfaces', 'Face regions (Sitter)'],
    [F.usageClearance, 'sitterclearance', 'Usage clearance (Sitter)'],
    [F.locked, 'locked', 'Locked note', true],
  ]))
    state.fields.set(ref, { ref, name, title, type: 1, readOnly });

  const fieldOf = (/** @type {string} */ key) =>
    /^\d+$/.test(key) ? state.fields.get(Number(key)) : [...state.fields.values()].find((f) => f.name === key);
  const row = (/** @type {number} */ ref) => {
    const r = /** @type {NonNullable<ReturnType<typeof state.resources.get>>} */ (state.resources.get(ref));
    return {
      ref: r.ref,
      resource_type: 1,
      file_extension: r.file_extension,
      file_modified: r.file_modified,
      modified: r.modified,
      creation_date: r.creation_date,
      has_image: 1,
      archive: 0,
      [`field${F.title}`]: r.values.get(F.title) ?? '',
    };
  };
  const fileKey = (/** @type {number} */ ref, /** @type {string} */ size, /** @type {string} */ ext) =>
    createHmac('sha256', fileSecret).update(`${ref}/${size}/${ext}`).digest('hex').slice(0, 16);

  /** @type {Record<string, (p: string[], origin: string) => unknown | Promise<unknown>>} */
  const functions = {
    do_search([search = '', , orderBy = 'relevance', , fetchrows = '-1', sort = 'desc']) {
      const m = /^!collection(\d+)$/.exec(search.trim());
      if (!m) return [];
      let refs = [...(state.collections.get(Number(m[1]))?.refs ?? [])].filter((ref) => state.resources.has(ref));
      if (orderBy === 'resourceid') refs.sort((a, b) => a - b);
      if (String(sort).toLowerCase() === 'desc') refs.reverse();
      const rows = refs.map(row);
      const window = /^(\d+),(\d+)$/.exec(fetchrows);
      if (window)
        return { total: rows.length, data: rows.slice(Number(window[1]), Number(window[1]) + Number(window[2])) };
      const n = Number(fetchrows);
      return n > 0 ? rows.slice(0, n) : rows;
    },
    get_resource_collections([ref]) {
      return [...state.collections]
        .filter(([, c]) => c.refs.includes(Number(ref)))
        .map(([id, c]) => ({ ref: id, name: c.name }));
    },
    get_resource_data([ref]) {
      return state.resources.has(Number(ref)) && !state.denied.has(Number(ref)) ? row(Number(ref)) : false;
    },
    get_resource_field_data([ref]) {
      const r = state.resources.get(Number(ref));
      if (!r || state.denied.has(r.ref)) return false;
      return [...state.fields.values()].map((f) => ({
        ref: f.ref,
        fref: f.ref,
        resource_type_field: f.ref,
        name: f.name,
        title: f.title,
        type: f.type,
        value: r.values.get(f.ref) ?? '',
      }));
    },
    get_resource_path([ref, , size = '', , extension = 'jpg'], origin) {
      return `${origin}/filestore/${Number(ref)}_${size || 'orig'}_${fileKey(Number(ref), size, extension)}.${extension}`;
    },
    get_resource_type_fields() {
      return [...state.fields.values()].map(({ ref, name, title, type }) => ({ ref, name, title, type }));
    },
    update_field([resource, field = '', value = '']) {
      const r = state.resources.get(Number(resource));
      const f = fieldOf(field);
      if (!r || !f || f.readOnly || state.denied.has(r.ref)) return false;
      const from = r.values.get(f.ref) ?? '';
      if (value === '') r.values.delete(f.ref);
      else r.values.set(f.ref, value);
      if (from !== value) {
        r.modified = tick();
        state.writes.push({ resource: r.ref, field: f.ref, from, to: value });
      }
      return true;
    },
  };

  /** The part of the raw query ResourceSpace signs: without sign=, authmode=, pretty=, cut at &ajax=. */
  function signedPart(/** @type {string} */ raw) {
    const cut = raw.indexOf('&ajax=');
    return (cut < 0 ? raw : raw.slice(0, cut))
      .split('&')
      .filter((p) => !/^(sign|authmode|pretty)=/.test(p))
      .join('&');
  }

  const json = (/** @type {unknown} */ value, status = 200) => ({ status, json: value });
  const asJsonType = (/** @type {string} */ body, status = 200) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body,
  });

  async function file(/** @type {string} */ path) {
    const m = /^\/filestore\/(\d+)_([a-z]+)_([0-9a-f]{16})\.([a-z0-9]+)$/.exec(path);
    const r = m ? state.resources.get(Number(m[1])) : undefined;
    if (!m || !r) return { status: 404, text: 'Not Found' };
    const size = m[2] === 'orig' ? '' : m[2];
    if (m[3] !== fileKey(r.ref, size, m[4])) return { status: 403, text: 'Forbidden' };
    if (size === '') {
      // The original exists only under the resource's own extension.
      if (m[4] !== r.file_extension) return { status: 404, text: 'Not Found' };
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: r.bytes };
    }
    const box = PREVIEW_BOX[/** @type {keyof typeof PREVIEW_BOX} */ (size)];
    if (!box || m[4] !== 'jpg') return { status: 404, text: 'Not Found' };
    const { default: sharp } = await import('sharp');
    const preview = await sharp(r.bytes)
      .rotate()
      .resize(box[0], box[1], { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 85 })
      .toBuffer();
    return { status: 200, headers: { 'content-type': 'image/jpeg' }, body: preview };
  }

  /**
   * @param {{ method: string, path: string, rawQuery: string, query: URLSearchParams, headers: Record<string, unknown> }} req
   */
  async function handler(req) {
    const origin = `http://${req.headers.host}`;
    if (req.path.startsWith('/filestore/')) return file(req.path);
    if (req.path !== '/api/' && req.path !== '/api/index.php') return { status: 404, text: 'Not Found' };
    if (!state.apiEnabled) return { status: 403, text: 'API not enabled.' };
    const q = req.query;
    const user = state.users.get(q.get('user') ?? '');
    const expected = user
      ? createHash('sha256')
          .update(user.privateKey + signedPart(req.rawQuery))
          .digest('hex')
      : null;
    if (!user || q.get('sign') !== expected) return asJsonType('Invalid signature', 401);
    if (!user.enabled)
      return json({ error: { status: 401, title: 'Unauthorized', detail: 'This user account is disabled.' } }, 401);
    const fn = q.get('function') ?? '';
    const impl = Object.hasOwn(functions, fn) && !state.unknown.has(fn) ? functions[fn] : undefined;
    if (!impl) {
      state.calls.push({ fn, ok: false });
      return asJsonType(''); // execute_api_call returned false: an empty body
    }
    const names = PARAMS[/** @type {keyof typeof PARAMS} */ (fn)];
    const params = names.map((name, i) => q.get(`param${i + 1}`) ?? q.get(name) ?? undefined);
    state.calls.push({ fn, ok: true });
    return json(await impl(/** @type {string[]} */ (params), origin));
  }

  return {
    handler,
    state,
    /** the private key of a user (for the connector's `privateKey` secret) */
    keyOf: (/** @type {string} */ username) => state.users.get(username)?.privateKey ?? '',
    /** adds a resource (ref from 1 up) and answers its ref */
    addResource(
      /** @type {{ bytes: Uint8Array, extension?: string, collections?: number[], values?: Record<number, string> }} */ r,
    ) {
      const ref = state.nextRef++;
      const now = tick();
      state.resources.set(ref, {
        ref,
        file_extension: r.extension ?? 'jpg',
        bytes: r.bytes,
        file_modified: now,
        modified: now,
        creation_date: now,
        values: new Map(Object.entries(r.values ?? {}).map(([k, v]) => [Number(k), v])),
      });
      for (const c of r.collections ?? []) this.addToCollection(c, ref);
      return ref;
    },
    addToCollection(/** @type {number} */ collection, /** @type {number} */ ref) {
      if (!state.collections.has(collection))
        state.collections.set(collection, { name: `Collection ${collection}`, refs: [] });
      state.collections.get(collection)?.refs.push(ref);
    },
    removeFromCollection(/** @type {number} */ collection, /** @type {number} */ ref) {
      const c = state.collections.get(collection);
      if (c) c.refs = c.refs.filter((x) => x !== ref);
    },
    /** another user uploads a new file: file_modified moves */
    replaceFile(/** @type {number} */ ref, /** @type {Uint8Array} */ bytes) {
      const r = state.resources.get(ref);
      if (!r) throw new Error(`fake ResourceSpace: no resource ${ref}`);
      r.bytes = bytes;
      r.file_modified = r.modified = tick();
    },
    /** another user edits a field (not through the API user) */
    setField(/** @type {number} */ ref, /** @type {number} */ field, /** @type {string} */ value) {
      const r = state.resources.get(ref);
      if (!r) throw new Error(`fake ResourceSpace: no resource ${ref}`);
      if (value === '') r.values.delete(field);
      else r.values.set(field, value);
      r.modified = tick();
    },
    fieldValue: (/** @type {number} */ ref, /** @type {number} */ field) =>
      state.resources.get(ref)?.values.get(field) ?? '',
    disableApi: () => void (state.apiEnabled = false),
    disableUser(/** @type {string} */ username) {
      const u = state.users.get(username);
      if (u) u.enabled = false;
    },
    deny: (/** @type {number} */ ref) => void state.denied.add(ref),
    /** the server stops knowing a function (answers it with an empty body) */
    forget: (/** @type {string} */ fn) => void state.unknown.add(fn),
  };
}

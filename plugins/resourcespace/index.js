// A ResourceSpace connector plugin (contract 3), in plain JavaScript with JSDoc types so it runs
// without a build: the guide's worked example (docs/writing-a-connector.md).
//
// - Source: one collection, `collection:<ref>`, listed with do_search("!collection<ref>") ordered by
//   resource ref, a page at a time ("offset,rows" → {total, data}).
// - Fetch: get_resource_path; the original (size "" with the resource's own extension) or a preview
//   (scr ≤1400, pre ≤900, thm ≤150 px) when a smaller rendition is asked for.
// - Push/clear: update_field on the fields the archivist maps to Sitter, nothing else. The consent-refs
//   field is a ledger (lib/values.js) that says which values are Sitter's, so clear removes only them.
// - Every request is signed as ResourceSpace checks it (lib/signing.js) and goes through lib/api.js.
import { createHash } from 'node:crypto';
import { createApi } from './lib/api.js';
import { collectionOf, makeCursor, readCursor, refOf } from './lib/source.js';
import {
  isSitterLedger,
  ledgerFromPayload,
  normaliseNewlines,
  parseLedger,
  parseRegions,
  regionsFromPayload,
  valuesFor,
  withoutPersons,
} from './lib/values.js';

/**
 * @typedef {import('./lib/types.js').Connector} Connector
 * @typedef {import('./lib/types.js').PushPayload} PushPayload
 * @typedef {import('./lib/types.js').ListedAsset} ListedAsset
 * @typedef {import('./lib/types.js').Rendition} Rendition
 * @typedef {{ ref: number, file_extension?: string | null, file_modified?: string | null, modified?: string | null,
 *   [field: string]: unknown }} ResourceRow
 * @typedef {'consentRefs' | 'participants' | 'faceRegions' | 'usageClearance'} Role
 */

const VERSION = '1.0.0';
/** Extensions of files Sitter decodes; anything else is listed as skipped, not offered. */
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff']);
/** ResourceSpace's preview sizes, largest first, with the longest side each is at most (defaults). */
const PREVIEWS = [
  { size: 'scr', max: 1400 },
  { size: 'pre', max: 900 },
  { size: 'thm', max: 150 },
];
/** Rows read past a page's start, so a removal before the cursor does not make the next page skip one. */
const OVERLAP = 5;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** @param {Uint8Array} b the media type the bytes say they are (never the extension) */
function sniff(b) {
  const at = (/** @type {number} */ i, /** @type {number[]} */ sig) => sig.every((v, k) => b[i + k] === v);
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (at(0, [0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  if (at(0, [0x49, 0x49, 0x2a, 0x00]) || at(0, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return 'application/octet-stream';
}

/** `2026-06-01 10:00:00` (ResourceSpace's SQL datetime, server time ⚠ read as UTC) → Date */
function rsDate(/** @type {unknown} */ s) {
  const m = typeof s === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(s) : null;
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

/**
 * @param {Record<string, unknown>} options
 * @param {{ SitterError: any, consentUriPrefix: string,
 *   errors: { connectorFailure: (kind: string, message: string, hint: string, details?: object) => Error },
 *   budget?: (key: string, settings: { requestsPerSecond: number, concurrency: number }) => any }} host
 * @returns {Connector}
 */
export default function create(options, host) {
  const { SitterError } = host;
  // Typed failures (contract 3): a 429 storm pauses a scan, a bad key stops it, a lost resource is skipped.
  const fail = host.errors.connectorFailure;
  /** @param {string} code @param {string} message @param {string} hint @param {unknown} [details] */
  const refuse = (code, message, hint, details) => new SitterError(code, message, hint, details);

  let baseUrl;
  try {
    baseUrl = new URL(String(options.baseUrl));
  } catch {
    throw refuse(
      'CONNECTOR_OPTIONS_INVALID',
      'baseUrl is not an address.',
      'Give the ResourceSpace address, e.g. https://dam.example.org.',
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(baseUrl.hostname);
  if (baseUrl.protocol !== 'https:' && !(baseUrl.protocol === 'http:' && loopback))
    throw refuse(
      'CONNECTOR_OPTIONS_INVALID',
      `baseUrl must use https (${baseUrl.protocol.replace(':', '')} would send the signed requests in the clear).`,
      'Use the https address of ResourceSpace.',
    );
  const user = String(options.user);
  const requestsPerSecond = Number(options.requestsPerSecond ?? 5);
  /** @type {Record<Role, string | undefined>} */
  const fields = {
    consentRefs: /** @type {string} */ (options.consentRefsField),
    participants: /** @type {string | undefined} */ (options.participantsField),
    faceRegions: /** @type {string | undefined} */ (options.faceRegionsField),
    usageClearance: /** @type {string | undefined} */ (options.usageClearanceField),
  };
  /** @type {Role[]} */
  const roles = /** @type {Role[]} */ (Object.keys(fields)).filter((r) => fields[r]);
  const api = createApi({
    baseUrl,
    user,
    privateKey: String(options.privateKey),
    requestsPerSecond,
    timeoutMs: Number(options.timeoutMs ?? 30_000),
    maxRetries: Number(options.maxRetries ?? 4),
    fail,
    SitterError,
    // One budget per ResourceSpace per process, shared by scan, review and push (contract 3 hosts).
    budget: host.budget?.(`resourcespace:${baseUrl.origin}`, { requestsPerSecond, concurrency: 2 }),
  });
  const where = (/** @type {number} */ ref) => `${baseUrl.origin}${baseUrl.pathname.replace(/\/$/, '')}/?r=${ref}`;

  // ---- scope --------------------------------------------------------------------------------------

  /** The ref of `assetId` when it is a resource of the source's collection; else ASSET_OUT_OF_SCOPE. */
  async function inScope(/** @type {string} */ source, /** @type {string} */ assetId, /** @type {any} */ opts) {
    const collection = collectionOf(source, refuse);
    const ref = refOf(assetId);
    const outside = () =>
      fail(
        'out-of-scope',
        `"${String(assetId).slice(0, 80)}" is not a resource of collection ${collection}.`,
        "Only the resources of the shoot's collection belong to the shoot.",
      );
    if (ref === null) throw outside();
    const collections = await api.call('get_resource_collections', [ref], opts);
    if (!Array.isArray(collections) || !collections.some((c) => Number(c?.ref) === collection)) throw outside();
    return ref;
  }

  /** @param {number} ref @returns {Promise<ResourceRow>} */
  async function resourceData(ref, /** @type {any} */ opts) {
    const row = await api.call('get_resource_data', [ref], opts);
    if (!row || typeof row !== 'object' || Number(/** @type {any} */ (row).ref) !== ref)
      throw fail(
        'access-denied',
        `ResourceSpace does not let user "${user}" read resource ${ref}.`,
        "Check the user's access to the resource.",
      );
    return /** @type {ResourceRow} */ (row);
  }

  /** @param {ResourceRow} row @returns {ListedAsset} */
  function listed(row) {
    const ext = String(row.file_extension ?? '').toLowerCase();
    const modified = rsDate(row.file_modified) ?? rsDate(row.modified) ?? new Date(0);
    return {
      id: String(row.ref),
      fileName: `${row.ref}.${ext || 'bin'}`,
      modifiedAt: modified,
      // file_modified moves when a new file is uploaded, not when metadata changes: the content token.
      revision: `f${String(row.file_modified ?? row.modified ?? '')}`.slice(0, 200),
    };
  }

  // ---- fields -------------------------------------------------------------------------------------

  /** The current value of each mapped field; a mapped field the resource does not have is refused. */
  async function mappedValues(/** @type {number} */ ref, /** @type {any} */ opts) {
    const rows = await api.call('get_resource_field_data', [ref], opts);
    if (!Array.isArray(rows))
      throw fail(
        'access-denied',
        `ResourceSpace does not let user "${user}" read the fields of resource ${ref}.`,
        "Check the user's access to the resource.",
      );
    /** @type {Partial<Record<Role, string>>} */
    const values = {};
    for (const role of roles) {
      const key = /** @type {string} */ (fields[role]);
      const row = rows.find((r) => (/^\d+$/.test(key) ? Number(r?.ref ?? r?.fref) === Number(key) : r?.name === key));
      if (!row)
        throw refuse(
          'FIELD_NOT_FOUND',
          `Resource ${ref} has no field "${key}" (mapped as ${role}Field).`,
          'Map a field (id or shortname) that exists for this resource type, e.g. a global text field.',
        );
      values[role] = normaliseNewlines(String(row.value ?? ''));
    }
    return values;
  }

  /** Refuses fields mapped to Sitter that hold someone else's text (no ledger, yet not empty). */
  function assertSitters(/** @type {number} */ ref, /** @type {Partial<Record<Role, string>>} */ current) {
    if (isSitterLedger(current.consentRefs ?? '')) return true;
    const foreign = roles.filter((r) => (current[r] ?? '') !== '');
    if (foreign.length > 0)
      throw refuse(
        'FIELD_NOT_SITTERS',
        `Resource ${ref} has text in ${foreign.map((r) => fields[r]).join(', ')} that Sitter did not write.`,
        'Map fields that only Sitter writes to, or empty these ones in ResourceSpace first.',
        { fields: foreign.map((r) => fields[r]) },
      );
    return false;
  }

  /**
   * Makes the mapped fields hold `wanted`: the ledger is written first when it gains text and last when
   * it is emptied, so an interrupted write always leaves the ledger that marks the other fields Sitter's.
   * Reads back after writing; fields that did not take the value are reported.
   */
  async function writeFields(
    /** @type {number} */ ref,
    /** @type {Partial<Record<Role, string>>} */ current,
    /** @type {Record<Role, string>} */ wanted,
    /** @type {any} */ opts,
  ) {
    const changed = roles.filter((r) => (current[r] ?? '') !== wanted[r]);
    if (changed.length === 0)
      return { changed: false, location: where(ref), outcome: /** @type {const} */ ('unchanged') };
    const ledgerFirst = wanted.consentRefs !== '';
    const order = [...changed].sort((a, b) =>
      a === 'consentRefs' ? (ledgerFirst ? -1 : 1) : b === 'consentRefs' ? (ledgerFirst ? 1 : -1) : 0,
    );
    const writeOpts = { ...opts, priority: opts?.priority ?? 'push' };
    for (const role of order) {
      const ok = await api.call('update_field', [ref, /** @type {string} */ (fields[role]), wanted[role]], writeOpts);
      if (ok !== true)
        throw fail(
          'refused',
          `ResourceSpace did not store field "${fields[role]}" of resource ${ref}${typeof ok === 'string' ? `: ${ok.slice(0, 200)}` : ''}.`,
          'Check that the user may edit the resource and that the field is not read-only.',
        );
    }
    const after = await mappedValues(ref, writeOpts);
    const ignored = changed.filter((r) => after[r] !== wanted[r]).map((r) => /** @type {string} */ (fields[r]));
    if (ignored.length === changed.length)
      return {
        changed: false,
        location: where(ref),
        outcome: /** @type {const} */ ('ignored-by-server'),
        ignoredFields: ignored,
      };
    return {
      changed: true,
      location: where(ref),
      outcome: /** @type {const} */ ('written'),
      ...(ignored.length ? { ignoredFields: ignored } : {}),
    };
  }

  // ---- fetch --------------------------------------------------------------------------------------

  /**
   * The preview size for a rendition: the largest whose side fits. ResourceSpace's sizes are fixed, so
   * below the smallest (thm, 150 px) the smallest is the nearest there is; `rendition` says which.
   */
  function sizeFor(/** @type {Rendition | undefined} */ rendition) {
    if (!rendition || rendition === 'original') return null;
    return PREVIEWS.find((p) => p.max <= rendition.maxDimension) ?? PREVIEWS[PREVIEWS.length - 1];
  }

  async function download(
    /** @type {ResourceRow} */ row,
    /** @type {Rendition | undefined} */ rendition,
    /** @type {number} */ maxBytes,
    /** @type {any} */ opts,
  ) {
    const preview = sizeFor(rendition);
    const ext = String(row.file_extension ?? '');
    // size "" is the original and then the extension must be the resource's own (dam-apis.md §2).
    const url = await api.call(
      'get_resource_path',
      [row.ref, false, preview ? preview.size : '', true, preview ? 'jpg' : ext],
      opts,
    );
    if (typeof url !== 'string' || url === '')
      throw fail(
        'not-found',
        `ResourceSpace has no ${preview ? preview.size + ' preview' : 'file'} for resource ${row.ref}.`,
        'Check the resource in ResourceSpace (previews may need regenerating).',
      );
    const bytes = await api.download(`resource ${row.ref}`, url, maxBytes, opts);
    return { bytes, rendition: /** @type {Rendition} */ (preview ? { maxDimension: preview.max } : 'original') };
  }

  const sha256 = (/** @type {Uint8Array} */ b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

  /** @type {Connector} */
  const connector = {
    info: { name: 'resourcespace', title: 'ResourceSpace', version: VERSION, contract: 3 },
    capabilities: {
      listingHashes: false,
      regions: Boolean(fields.faceRegions),
      modelRelease: Boolean(fields.usageClearance),
      partialClear: true,
      revisions: true,
      renditions: true,
      approvalQueue: false,
    },

    async list(source, opts = {}) {
      const collection = collectionOf(source, refuse);
      const pageSize = Math.min(Math.max(1, opts.pageSize ?? DEFAULT_PAGE), MAX_PAGE);
      const { offset, lastRef } = opts.cursor ? readCursor(opts.cursor, collection, refuse) : { offset: 0, lastRef: 0 };
      // Read from a little before the offset, and further back while the window starts past the last
      // ref emitted (resources removed before the cursor): ordered by ref, so a window holding lastRef
      // puts every later resource after it, whatever was added or removed meanwhile.
      let start = Math.max(0, offset - (lastRef ? OVERLAP : 0));
      /** @type {ResourceRow[]} */
      let rows;
      let total;
      for (let back = OVERLAP; ; back *= 4) {
        const want = pageSize + (offset - start);
        const answer = await api.call(
          'do_search',
          [`!collection${collection}`, '', 'resourceid', 0, `${start},${want}`, 'asc'],
          opts,
        );
        const data = Array.isArray(answer) ? answer : /** @type {any} */ (answer)?.data;
        if (!Array.isArray(data) || data.some((r) => !Number.isInteger(Number(r?.ref))))
          throw fail(
            'bad-response',
            `ResourceSpace answered do_search for collection ${collection} with something other than resources.`,
            'Check the ResourceSpace version (do_search with fetchrows "offset,rows").',
          );
        rows = data;
        total = Array.isArray(answer) ? null : Number(/** @type {any} */ (answer).total);
        if (start === 0 || !lastRef || (rows.length > 0 && Number(rows[0].ref) <= lastRef)) break;
        start = Math.max(0, start - back);
      }
      const fresh = rows.filter((r) => Number(r.ref) > lastRef);
      const page = fresh.slice(0, pageSize);
      /** @type {ListedAsset[]} */
      const assets = [];
      /** @type {import('../../src/core/ports/connector.js').SkippedEntry[]} */
      const skipped = [];
      for (const row of page) {
        const ext = String(row.file_extension ?? '').toLowerCase();
        if (IMAGE_EXTENSIONS.has(ext)) assets.push(listed(row));
        else
          skipped.push({
            id: String(row.ref),
            reason: 'not-an-image',
            message: `Resource ${row.ref} is a .${ext || '?'} file, not an image Sitter reads.`,
          });
      }
      const last = page.at(-1);
      const consumed = last ? rows.indexOf(last) + 1 : 0;
      const nextOffset = start + consumed;
      const more =
        fresh.length > pageSize || (total !== null ? nextOffset < total : rows.length >= pageSize + (offset - start));
      return {
        assets,
        skipped,
        nextCursor: more && last ? makeCursor(collection, nextOffset, Number(last.ref)) : null,
      };
    },

    async fetch(source, assetId, opts = {}) {
      const ref = await inScope(source, assetId, opts);
      const row = await resourceData(ref, opts);
      const { bytes, rendition } = await download(row, opts.rendition, opts.maxBytes ?? DEFAULT_MAX_BYTES, opts);
      return { asset: listed(row), bytes, contentHash: sha256(bytes), mediaType: sniff(bytes), rendition };
    },

    async push(source, payload, opts = {}) {
      const ref = await inScope(source, payload.assetId, opts);
      const row = await resourceData(ref, opts);
      // The names and boxes belong to the content that was scanned: the same revision (file_modified)
      // means the same file; otherwise the rendition scanned is fetched again and compared.
      if (payload.expectedRevision !== listed(row).revision) {
        const { bytes } = await download(row, payload.expectedRendition, DEFAULT_MAX_BYTES, opts);
        if (sha256(bytes) !== payload.expectedContentHash)
          throw refuse(
            'ASSET_CHANGED',
            `Resource ${ref} changed since it was scanned; nothing was written.`,
            'Scan the shoot again, review the photo, then push again.',
            { assetId: payload.assetId },
          );
      }
      const current = await mappedValues(ref, opts);
      assertSitters(ref, current);
      const wanted = valuesFor(ledgerFromPayload(payload), regionsFromPayload(payload));
      return { ...(await writeFields(ref, current, wanted, opts)), revision: listed(row).revision };
    },

    async clear(source, request, opts = {}) {
      const ref = await inScope(source, request.assetId, opts);
      const current = await mappedValues(ref, opts);
      // Without Sitter's ledger the mapped fields hold nothing of Sitter's: there is nothing to clear.
      if (!isSitterLedger(current.consentRefs ?? '')) return { changed: false, location: where(ref) };
      const ledger = parseLedger(current.consentRefs ?? '');
      if (!request.consentUris || !ledger) {
        const blank = { consentRefs: '', participants: '', faceRegions: '', usageClearance: '' };
        return writeFields(ref, current, blank, opts);
      }
      const left = withoutPersons(ledger, parseRegions(current.faceRegions ?? ''), new Set(request.consentUris));
      return writeFields(ref, current, valuesFor(left.ledger, left.regions), opts);
    },

    async readWritten(source, assetId, opts = {}) {
      const ref = await inScope(source, assetId, opts);
      const current = await mappedValues(ref, opts);
      // Every mapped field that holds text: the fields are Sitter's by the shoot's configuration, so an
      // erasure check sees a name there whether or not a ledger still marks it.
      return roles
        .filter((r) => (current[r] ?? '') !== '')
        .map((r) => ({ location: `${where(ref)}#field-${fields[r]}`, text: /** @type {string} */ (current[r]) }));
    },

    async health(source, opts = {}) {
      /** @type {import('../../src/core/ports/connector.js').HealthCheck[]} */
      const checks = [];
      const probe = async (/** @type {string} */ name, /** @type {() => Promise<string>} */ run) => {
        try {
          checks.push({ name, ok: true, message: await run() });
          return true;
        } catch (e) {
          const err = /** @type {any} */ (e);
          checks.push({
            name,
            ok: false,
            message: String(err?.message ?? err),
            ...(err?.code ? { code: err.code } : {}),
            ...(err?.hint ? { hint: err.hint } : {}),
          });
          return false;
        }
      };
      const signed = await probe('signature', async () => {
        const all = await api.call('get_resource_type_fields', [], opts);
        if (!Array.isArray(all))
          throw refuse(
            'CONNECTOR_BAD_RESPONSE',
            'get_resource_type_fields did not answer a list.',
            'Check the ResourceSpace version.',
          );
        const missing = roles.filter((r) => {
          const key = /** @type {string} */ (fields[r]);
          return !all.some((f) => (/^\d+$/.test(key) ? Number(f?.ref) === Number(key) : f?.name === key));
        });
        if (missing.length)
          throw refuse(
            'FIELD_NOT_FOUND',
            `ResourceSpace has no field ${missing.map((r) => `"${fields[r]}" (${r}Field)`).join(', ')}.`,
            'Map existing fields (id or shortname).',
          );
        return `user "${user}" signs correctly; ${roles.length} mapped field(s) exist`;
      });
      if (signed && source !== null)
        await probe('source', async () => {
          const collection = collectionOf(source, refuse);
          const answer = await api.call(
            'do_search',
            [`!collection${collection}`, '', 'resourceid', 0, '0,1', 'asc'],
            opts,
          );
          const total = Array.isArray(answer) ? answer.length : Number(/** @type {any} */ (answer)?.total ?? 0);
          return `collection ${collection} holds ${total} resource(s) this user can see`;
        });
      return { ok: checks.every((c) => c.ok), checks, identity: user, requestsPerSecond };
    },

    async close() {
      api.close();
    },
  };
  return connector;
}

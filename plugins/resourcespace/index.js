// A ResourceSpace connector plugin (contract 3), in plain JavaScript with JSDoc types so it runs
// without a build: the guide's worked example (docs/writing-a-connector.md).
//
// - Source: one collection, `collection:<ref>`, listed a page at a time (lib/listing.js).
// - Fetch: get_resource_path; the original (size "" with the resource's own extension) or a preview
//   (scr ≤1400, pre ≤900, thm ≤150 px) when a smaller rendition is asked for (lib/files.js).
// - Push/clear: update_field on the fields the archivist maps to Sitter, nothing else (lib/fields.js).
//   The consent-refs field is a ledger (lib/values.js) that says which values are Sitter's, so clear
//   removes only them.
// - Every request is signed as ResourceSpace checks it (lib/signing.js) and goes through lib/api.js.
import { createHash } from 'node:crypto';
import { createApi } from './lib/api.js';
import { mappedFields } from './lib/fields.js';
import { listedAsset, previewFor, sniff } from './lib/files.js';
import { listPage } from './lib/listing.js';
import { collectionOf, refOf } from './lib/source.js';
import {
  isSitterLedger,
  ledgerFromPayload,
  parseLedger,
  parseRegions,
  regionsFromPayload,
  valuesFor,
  withoutPersons,
} from './lib/values.js';

/**
 * @typedef {import('./lib/types.js').Connector} Connector
 * @typedef {import('./lib/types.js').Rendition} Rendition
 * @typedef {import('./lib/files.js').ResourceRow} ResourceRow
 */

const VERSION = '1.0.0';
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

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
  const mapped = mappedFields({
    api,
    fail,
    refuse,
    user,
    where,
    fields: {
      consentRefs: /** @type {string} */ (options.consentRefsField),
      participants: /** @type {string | undefined} */ (options.participantsField),
      faceRegions: /** @type {string | undefined} */ (options.faceRegionsField),
      usageClearance: /** @type {string | undefined} */ (options.usageClearanceField),
    },
  });
  const { roles, fields } = mapped;

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

  // ---- fetch --------------------------------------------------------------------------------------

  async function download(
    /** @type {ResourceRow} */ row,
    /** @type {Rendition | undefined} */ rendition,
    /** @type {number} */ maxBytes,
    /** @type {any} */ opts,
  ) {
    const preview = previewFor(rendition);
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

    list(source, opts = {}) {
      return listPage({ api, fail, refuse }, source, opts);
    },

    async fetch(source, assetId, opts = {}) {
      const ref = await inScope(source, assetId, opts);
      const row = await resourceData(ref, opts);
      const { bytes, rendition } = await download(row, opts.rendition, opts.maxBytes ?? DEFAULT_MAX_BYTES, opts);
      return { asset: listedAsset(row), bytes, contentHash: sha256(bytes), mediaType: sniff(bytes), rendition };
    },

    async push(source, payload, opts = {}) {
      const ref = await inScope(source, payload.assetId, opts);
      const row = await resourceData(ref, opts);
      // The names and boxes belong to the content that was scanned: the same revision (file_modified)
      // means the same file; otherwise the rendition scanned is fetched again and compared.
      if (payload.expectedRevision !== listedAsset(row).revision) {
        const { bytes } = await download(row, payload.expectedRendition, DEFAULT_MAX_BYTES, opts);
        if (sha256(bytes) !== payload.expectedContentHash)
          throw refuse(
            'ASSET_CHANGED',
            `Resource ${ref} changed since it was scanned; nothing was written.`,
            'Scan the shoot again, review the photo, then push again.',
            { assetId: payload.assetId },
          );
      }
      const current = await mapped.read(ref, opts);
      mapped.assertSitters(ref, current);
      const wanted = valuesFor(ledgerFromPayload(payload), regionsFromPayload(payload));
      return { ...(await mapped.write(ref, current, wanted, opts)), revision: listedAsset(row).revision };
    },

    async clear(source, request, opts = {}) {
      const ref = await inScope(source, request.assetId, opts);
      const current = await mapped.read(ref, opts);
      // Without Sitter's ledger the mapped fields hold nothing of Sitter's: there is nothing to clear.
      if (!isSitterLedger(current.consentRefs ?? '')) return { changed: false, location: where(ref) };
      const ledger = parseLedger(current.consentRefs ?? '');
      if (!request.consentUris || !ledger) {
        const blank = { consentRefs: '', participants: '', faceRegions: '', usageClearance: '' };
        return mapped.write(ref, current, blank, opts);
      }
      const left = withoutPersons(ledger, parseRegions(current.faceRegions ?? ''), new Set(request.consentUris));
      return mapped.write(ref, current, valuesFor(left.ledger, left.regions), opts);
    },

    async readWritten(source, assetId, opts = {}) {
      const ref = await inScope(source, assetId, opts);
      const current = await mapped.read(ref, opts);
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
        const missing = roles.filter((r) => !all.some((f) => mapped.isField(f, /** @type {string} */ (fields[r]))));
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

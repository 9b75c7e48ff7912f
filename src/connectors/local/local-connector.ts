/**
 * The local folder connector (the default): a shoot's source is a folder, its assets are the image
 * files under it. Listing is stateless and cursor-based (the cursor is the last id of the previous
 * page, ids sorted in code-unit order), so pages are complete and stable without a session. Fetch,
 * push and clear re-check every rule the listing applies, so an id the listing would not give is
 * refused whatever it names. Push writes an XMP sidecar (see docs/connectors.md for the naming).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SitterError } from '../../core/domain/errors.js';
import { hasRawExtension } from '../../core/domain/raw-format.js';
import type {
  AssetPage,
  ClearRequest,
  ClearResult,
  Connector,
  FetchedAsset,
  ListOptions,
  ListedAsset,
  PushPayload,
  PushResult,
  WrittenFile,
  SkippedEntry,
  SourceRef,
} from '../../core/ports/connector.js';
import { clearXmp, pushXmp } from '../xmp/sitter-xmp.js';
import { PEOPLE_TAG_CHOICES } from '../xmp/people-tags.js';
import { idSegments, isInside, outOfScope } from './paths.js';
import { errCode, openRegular, readHead, resolveId, rootOf, type Resolved } from './resolve.js';
import {
  assertNoStemClash,
  readSidecar,
  readSidecarAndLeftovers,
  readTempsIn,
  removeStaleTemps,
  sidecarPathOf,
  writeSidecar,
} from './sidecar-file.js';
import { sha256Of, sha256OfFile } from './content-hash.js';
import { assetChanged } from '../asset-changed.js';
import { SNIFF_BYTES, sniffImage } from './sniff.js';
import { walk, walkFolders, type Candidate } from './walk.js';
import { orientationOfUnrecordedAsset } from './orientation.js';
import { readImageHeader } from './capture-time.js';
import { headerSaysEnough, unreadableImage } from './unreadable-image.js';

export const LOCAL_CONNECTOR_VERSION = '1.0.0';

/** Options of the local connector (`Shoot.connectorOptions`). */
export const LocalConnectorOptions = z
  .object({
    /**
     * `append` (default): `photo.jpg` gets `photo.jpg.xmp` (darktable, digiKam's default, exiftool
     * `%d%f.%e.xmp`; unambiguous with RAW+JPEG pairs). `replace`: `photo.xmp` (Lightroom/Adobe raw
     * convention); refused when another file shares the stem.
     */
    sidecarNaming: z
      .enum(['append', 'replace'])
      .default('append')
      .describe('append: photo.jpg.xmp (darktable, digiKam); replace: photo.xmp (Lightroom, Adobe)'),
    /**
     * People as the photo tools show them, besides the IPTC/MWG person fields always written:
     * `digikam` (digiKam:TagsList People/<Name>), `lightroom` (lr:hierarchicalSubject People|<Name>),
     * `keywords` (dc:subject <Name>: darktable), `all`. Default `none`: keywords leave Sitter's reach
     * (docs/connectors.md, "People in the photo tools").
     */
    peopleTags: z
      .enum(PEOPLE_TAG_CHOICES)
      .default('none')
      .describe(
        'people as photo tools show them: none (default: names stay in consent-linked fields), digikam (TagsList People/Name), lightroom (hierarchicalSubject People|Name), keywords (dc:subject, darktable), all',
      ),
    /** files larger than this are refused by fetch (bytes); default 512 MiB */
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(512 * 1024 * 1024)
      .describe('larger files are refused by fetch (bytes)'),
    /** page size when the caller gives none */
    defaultPageSize: z
      .number()
      .int()
      .positive()
      .max(10_000)
      .default(200)
      .describe('assets per listing page when the caller gives none'),
  })
  .strict();
export type LocalConnectorOptions = z.input<typeof LocalConnectorOptions>;

function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      parsed &&
      typeof parsed === 'object' &&
      (parsed as { v?: unknown }).v === 1 &&
      typeof (parsed as { after?: unknown }).after === 'string'
    ) {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through
  }
  throw new SitterError(
    'INVALID_CURSOR',
    'The listing cursor is not one this connector made.',
    'Start the listing again from the first page.',
  );
}

export function createLocalConnector(rawOptions: Record<string, unknown> = {}): Connector {
  const parsed = LocalConnectorOptions.safeParse(rawOptions);
  if (!parsed.success) {
    throw new SitterError(
      'CONNECTOR_OPTIONS_INVALID',
      `The local connector's options are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      'Known options: sidecarNaming ("append" | "replace"), peopleTags ("none" | "digikam" | "lightroom" | "keywords" | "all"), maxFileBytes, defaultPageSize.',
      { issues: parsed.error.issues },
    );
  }
  const options = parsed.data;

  /** Resolves an id and checks that its content is an image, as the listing would. */
  async function resolveImage(source: SourceRef, id: string): Promise<Resolved & { root: string }> {
    const root = await rootOf(source);
    const r = await resolveId(root, source, id);
    const { handle } = await openRegular(r.realPath, id, source);
    try {
      if (!sniffImage(await readHead(handle))) throw outOfScope(id, 'it is not an image', source);
    } finally {
      await handle.close();
    }
    return { ...r, root };
  }

  /**
   * Clear must also work when the image was deleted or moved since the push (withdrawal must reach an
   * orphaned sidecar): then the id's shape and its folder are checked, not the image itself.
   */
  async function resolveForClear(source: SourceRef, id: string): Promise<Resolved> {
    try {
      return await resolveImage(source, id);
    } catch (e) {
      if (!(e instanceof SitterError && e.code === 'ASSET_NOT_FOUND')) throw e;
      const root = await rootOf(source);
      const file = path.join(root, ...idSegments(id, source));
      const realDir = await fs.realpath(path.dirname(file)).catch(() => null);
      if (realDir === null) throw e;
      if (!isInside(root, realDir)) throw outOfScope(id, 'its folder leads outside the shoot folder', source);
      return { id, path: file, realPath: file };
    }
  }

  /** Folders whose crash leftovers this instance already removed: once per folder and command. */
  const swept = new Set<string>();
  async function sweepOnce(sidecar: string): Promise<void> {
    const dir = path.dirname(sidecar);
    if (swept.has(dir)) return;
    swept.add(dir);
    await removeStaleTemps(dir);
  }

  async function listed(c: Candidate, source: string): Promise<ListedAsset | SkippedEntry> {
    let opened;
    try {
      opened = await openRegular(c.realPath, c.id, source);
    } catch (e) {
      if (e instanceof SitterError && e.code === 'ASSET_OUT_OF_SCOPE')
        return { id: c.id, reason: 'not-a-regular-file', message: `${c.id} is not a regular file.` };
      return {
        id: c.id,
        reason: 'unreadable',
        message: `${c.id} could not be read (${errCode(e) ?? (e instanceof Error ? e.message : String(e))}).`,
      };
    }
    try {
      const head = await readHead(opened.handle);
      if (!sniffImage(head))
        return {
          id: c.id,
          reason: 'not-an-image',
          message:
            `${c.id} is not an image Sitter can read (checked by content, not by name)` +
            (hasRawExtension(c.id) ? ': named like a camera RAW, but its content is not one.' : '.'),
        };
      return { id: c.id, fileName: path.posix.basename(c.id), size: opened.stat.size, modifiedAt: opened.stat.mtime };
    } catch (e) {
      return { id: c.id, reason: 'unreadable', message: `${c.id} could not be read (${errCode(e) ?? String(e)}).` };
    } finally {
      await opened.handle.close();
    }
  }

  return {
    info: { name: 'local', title: 'Local folder', version: LOCAL_CONNECTOR_VERSION },
    capabilities: { listingHashes: false, regions: true, modelRelease: true, partialClear: true },

    async list(source: SourceRef, opts: ListOptions = {}): Promise<AssetPage> {
      const root = await rootOf(source);
      const pageSize = opts.pageSize ?? options.defaultPageSize;
      const after = opts.cursor ? decodeCursor(opts.cursor) : null;
      const entries = await walk(root);
      const assets: ListedAsset[] = [];
      const skipped: SkippedEntry[] = [];
      let i = after === null ? 0 : entries.findIndex((e) => e.id > after);
      if (i < 0) i = entries.length;
      for (; i < entries.length && assets.length < pageSize; i++) {
        opts.signal?.throwIfAborted();
        const e = entries[i];
        if (!e) break;
        if (e.kind === 'skipped') {
          skipped.push({ id: e.id, reason: e.reason, message: e.message });
          continue;
        }
        const r = await listed(e, source);
        if ('reason' in r) skipped.push(r);
        else assets.push(r);
      }
      const last = assets[assets.length - 1];
      const nextCursor = i < entries.length && last ? encodeCursor(last.id) : null;
      return { assets, skipped, nextCursor };
    },

    async fetch(source: SourceRef, assetId: string): Promise<FetchedAsset> {
      const root = await rootOf(source);
      const r = await resolveId(root, source, assetId);
      const { handle, stat } = await openRegular(r.realPath, assetId, source);
      try {
        if (stat.size > options.maxFileBytes) {
          throw new SitterError(
            'ASSET_TOO_LARGE',
            `Asset "${assetId}" is ${stat.size} bytes, over the limit of ${options.maxFileBytes}.`,
            'Raise the connector option maxFileBytes if this file is genuine.',
            { assetId, size: stat.size, limit: options.maxFileBytes },
          );
        }
        const bytes: Uint8Array = await handle.readFile(); // a Buffer is a Uint8Array: no copy
        const mediaType = sniffImage(bytes.subarray(0, SNIFF_BYTES));
        if (!mediaType) throw outOfScope(assetId, 'it is not an image', source);
        const header = await readImageHeader(bytes);
        if ('unreadable' in header && headerSaysEnough(mediaType))
          throw unreadableImage(assetId, mediaType, header.unreadable);
        return {
          asset: {
            id: assetId,
            fileName: path.posix.basename(assetId),
            size: bytes.byteLength,
            modifiedAt: stat.mtime,
            capturedAt: 'capturedAt' in header ? header.capturedAt : null,
          },
          bytes,
          contentHash: sha256Of(bytes),
          mediaType,
        };
      } finally {
        await handle.close();
      }
    },

    async push(source: SourceRef, payload: PushPayload): Promise<PushResult> {
      const r = await resolveImage(source, payload.assetId);
      await assertNoStemClash(r, source, options.sidecarNaming);
      const file = sidecarPathOf(r, options.sidecarNaming);
      await sweepOnce(file);
      // The boxes and names belong to the content that was scanned, not to whatever has this name now.
      const actual = await sha256OfFile(r.realPath);
      if (actual !== payload.expectedContentHash) throw assetChanged(r.id, payload.expectedContentHash, actual);
      const existing = await readSidecar(file, r.id, source);
      // Regions are stored in the file's own frame, by the orientation the engine applied at scan; only
      // an asset scanned before Sitter recorded it comes without, and its file (checked above) says.
      const orientation = payload.image.orientation ?? (await orientationOfUnrecordedAsset(r.realPath));
      const next = pushXmp(existing, { ...payload, image: { ...payload.image, orientation } }, file, {
        peopleTags: options.peopleTags,
      });
      if (next === existing) return { changed: false, location: file };
      await writeSidecar(file, next);
      return { changed: true, location: file };
    },

    async clear(source: SourceRef, request: ClearRequest): Promise<ClearResult> {
      const r = await resolveForClear(source, request.assetId);
      const file = sidecarPathOf(r, options.sidecarNaming);
      await sweepOnce(file);
      const existing = await readSidecar(file, r.id, source);
      if (existing === null) return { changed: false, location: file };
      const next = clearXmp(existing, request.consentUris, file);
      if (next === existing) return { changed: false, location: file };
      await writeSidecar(file, next);
      return { changed: true, location: file };
    },

    async readWritten(source: SourceRef, assetId: string): Promise<WrittenFile[]> {
      const r = await resolveForClear(source, assetId);
      // Both namings, whichever is set now: a sidecar written under the other one still names people,
      // and erasure's proof must not pass over it.
      const files = new Set([
        sidecarPathOf(r, options.sidecarNaming),
        sidecarPathOf(r, 'append'),
        sidecarPathOf(r, 'replace'),
      ]);
      const found: WrittenFile[] = [];
      for (const file of files) found.push(...(await readSidecarAndLeftovers(file, r.id, source)));
      return found;
    },

    async readLeftovers(source: SourceRef): Promise<WrittenFile[]> {
      const found: WrittenFile[] = [];
      for (const dir of await walkFolders(await rootOf(source))) found.push(...(await readTempsIn(dir)));
      return found;
    },

    async removeLeftovers(source: SourceRef): Promise<string[]> {
      const removed: string[] = [];
      for (const dir of await walkFolders(await rootOf(source))) {
        swept.add(dir);
        removed.push(...(await removeStaleTemps(dir)).map((name) => path.join(dir, name)));
      }
      return removed;
    },
  };
}

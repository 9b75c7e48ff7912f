/**
 * What a push or clear through a contract-3 connector did, read for the store: a DAM may queue a write
 * for its own approval (edit-with-approval users) or answer without storing it (read-only attributes),
 * and Sitter's record of what names whom where must say which, never "written" for either.
 */
import { renditionFromKey } from '../domain/rendition.js';
import { isSitterError, SitterError } from '../domain/errors.js';
import type { Asset } from '../domain/records.js';
import type { CallOptions, ClearResult, Connector, PushPayload, PushResult, WriteOutcome } from '../ports/connector.js';

/** Push and withdrawal wait behind a reviewer's crops, ahead of a scan, in a connector's request budget. */
export const pushCall: CallOptions = { priority: 'push' };

/** A write that took but left some fields as they were (a read-only attribute, say). */
export interface PushWarning {
  asset: string;
  code: 'CONNECTOR_FIELDS_IGNORED';
  message: string;
  fields: string[];
}

/** A write's result, outcome settled: `changed` and `location` as the connector said, and any warning. */
export interface WriteReport {
  changed: boolean;
  location: string;
  outcome: WriteOutcome;
  warning?: PushWarning;
}

/**
 * What the core saw at scan, for the connector's guard against a changed asset: the revision (a
 * revision connector passes cheaply while it still holds) and which rendition the hash was taken from.
 */
export function pushGuard(
  connector: Connector,
  asset: Pick<Asset, 'sourceRevision' | 'rendition'>,
): Pick<PushPayload, 'expectedRevision' | 'expectedRendition'> {
  return {
    ...(connector.capabilities.revisions && asset.sourceRevision !== null
      ? { expectedRevision: asset.sourceRevision }
      : {}),
    ...(asset.rendition !== null ? { expectedRendition: renditionFromKey(asset.rendition) } : {}),
  };
}

/**
 * The report of one write. A server that ignored every field wrote nothing: that is the asset's failure
 * (CONNECTOR_FIELDS_IGNORED, naming the fields), so no record says the DAM names anyone. A write with
 * some fields ignored took, with a warning naming them.
 */
export function writeReport(r: PushResult | ClearResult, assetId: string): WriteReport {
  const outcome: WriteOutcome = r.outcome ?? (r.changed ? 'written' : 'unchanged');
  const fields = r.ignoredFields ?? [];
  if (outcome === 'ignored-by-server') throw fieldsIgnored(assetId, fields, r.location);
  if (fields.length === 0) return { changed: r.changed, location: r.location, outcome };
  return {
    changed: r.changed,
    location: r.location,
    outcome,
    warning: {
      asset: assetId,
      code: 'CONNECTOR_FIELDS_IGNORED',
      message: `The source kept ${fieldList(fields)} of "${assetId}" as they were; the rest was written.`,
      fields,
    },
  };
}

function fieldList(fields: readonly string[]): string {
  return fields.length === 0 ? 'every field' : fields.map((f) => `"${f}"`).join(', ');
}

function fieldsIgnored(assetId: string, fields: readonly string[], location: string): SitterError {
  return new SitterError(
    'CONNECTOR_FIELDS_IGNORED',
    `The source answered for "${assetId}" without storing ${fieldList(fields)}: nothing was written.`,
    "The mapped fields are read-only for the connector's user, or not editable on this asset: ask the DAM's administrator to make them editable for that user (or map other fields in the shoot's connector options), then push again.",
    { asset: assetId, fields: [...fields], location },
  );
}

/** Assets per listing page a DAM typically gives (Asset Bank: 100), to weigh a warm listing's cost. */
const PAGE = 100;

/**
 * A revision connector's push guard passes on the revision its listing last showed (Asset Bank: one
 * search per asset otherwise). Listing the source once costs about one request per hundred assets, so
 * it is done when more assets are to be written than that; a failure here only loses the shortcut.
 */
export async function warmListing(connector: Connector, source: string, toWrite: number, total: number): Promise<void> {
  if (!connector.capabilities.revisions || toWrite <= Math.ceil(total / PAGE)) return;
  try {
    let cursor: string | null = null;
    do {
      cursor = (await connector.list(source, { cursor, pageSize: PAGE, ...pushCall })).nextCursor;
    } while (cursor !== null);
  } catch (error) {
    if (!isSitterError(error)) throw error;
  }
}

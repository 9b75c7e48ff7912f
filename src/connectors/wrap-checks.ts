/**
 * What the wrapper checks in a connector's answers before the core trusts them. Each check throws a
 * plain Error ("it returned a malformed answer: ...") that the wrapper turns into the connector's
 * CONNECTOR_FAILED, or a SitterError the connector is answerable for (ASSET_TOO_LARGE).
 */
import { SitterError } from '../core/domain/errors.js';
import type {
  AssetPage,
  ClearResult,
  FetchedAsset,
  HealthReport,
  ListedAsset,
  PushResult,
  Rendition,
  WriteOutcome,
  WrittenFile,
} from '../core/ports/connector.js';

export function malformed(what: string): Error {
  return new Error(`it returned a malformed answer: ${what}`);
}

const MAX_REVISION = 200;

function checkRevision(revision: unknown, where: string): void {
  if (revision !== undefined && (typeof revision !== 'string' || revision === '' || revision.length > MAX_REVISION))
    throw malformed(`${where}: revision must be a non-empty string of at most ${MAX_REVISION} characters`);
}

export function checkListed(a: ListedAsset, where: string): void {
  if (typeof a.id !== 'string' || a.id === '') throw malformed(`${where}: empty asset id`);
  if (typeof a.fileName !== 'string') throw malformed(`${where}: fileName is not a string`);
  // Contract 3: size is optional (DAM listings often lack it), but when given it must be a size.
  if (a.size !== undefined && (!Number.isFinite(a.size) || a.size < 0)) throw malformed(`${where}: bad size`);
  checkRevision(a.revision, where);
  if (!(a.modifiedAt instanceof Date) || Number.isNaN(a.modifiedAt.getTime()))
    throw malformed(`${where}: bad modifiedAt`);
}

export function checkPage(page: AssetPage): void {
  if (!page || !Array.isArray(page.assets) || !Array.isArray(page.skipped))
    throw malformed('a page needs assets[] and skipped[]');
  if (page.nextCursor !== null && typeof page.nextCursor !== 'string')
    throw malformed('nextCursor must be a string or null');
  page.assets.forEach((a, i) => checkListed(a, `assets[${i}]`));
}

/** A revision connector promises a revision on every listed asset (the scan skips fetches on it). */
export function checkRevisions(page: AssetPage): void {
  page.assets.forEach((a, i) => {
    if (a.revision === undefined)
      throw malformed(`assets[${i}]: capabilities.revisions is true but it has no revision`);
  });
}

function isRendition(r: unknown): r is Rendition {
  if (r === 'original') return true;
  const d = (r as { maxDimension?: unknown } | null)?.maxDimension;
  return typeof d === 'number' && Number.isInteger(d) && d > 0;
}

/** A well-formed request rendition, or a BugError-worthy description of what is wrong with it. */
export function renditionProblem(r: unknown): string | null {
  return r === undefined || isRendition(r) ? null : `rendition must be 'original' or { maxDimension: integer > 0 }`;
}

export function checkFetched(r: FetchedAsset, assetId: string): void {
  checkListed(r.asset, 'asset');
  if (r.asset.id !== assetId) throw malformed(`asked for "${assetId}", got "${r.asset.id}"`);
  if (!(r.bytes instanceof Uint8Array)) throw malformed('bytes is not a Uint8Array');
  if (!/^sha256:[0-9a-f]{64}$/.test(r.contentHash)) throw malformed('contentHash is not sha256:<hex>');
  if (r.rendition !== undefined && !isRendition(r.rendition)) throw malformed('rendition is not a rendition');
}

/**
 * The cap holds whatever the connector did: one that cannot stream (or a v2 one that never saw the
 * cap) still never hands the core more than it asked for.
 */
export function checkMaxBytes(r: FetchedAsset, assetId: string, maxBytes: number | undefined): void {
  if (maxBytes === undefined || r.bytes.byteLength <= maxBytes) return;
  throw new SitterError(
    'ASSET_TOO_LARGE',
    `Asset "${assetId}" is ${r.bytes.byteLength} bytes, over the limit of ${maxBytes} for this read.`,
    'Ask for a smaller rendition, or raise the size limit if this file is genuine.',
    { assetId, size: r.bytes.byteLength, limit: maxBytes },
  );
}

const CHANGES: Record<WriteOutcome, boolean> = {
  written: true,
  'queued-for-approval': true,
  unchanged: false,
  'ignored-by-server': false,
};

/**
 * A write result with its outcome: checked against `changed` when the connector gave one, derived
 * from `changed` when it did not (a v2 connector), so the core always reads `outcome`.
 */
export function withOutcome<R extends PushResult | ClearResult>(r: R, what: 'push' | 'clear'): R {
  if (typeof r?.changed !== 'boolean') throw malformed(`${what} result needs changed: boolean`);
  if (typeof r.location !== 'string') throw malformed(`${what} result needs location: string`);
  if (
    r.ignoredFields !== undefined &&
    (!Array.isArray(r.ignoredFields) || r.ignoredFields.some((f) => typeof f !== 'string'))
  )
    throw malformed(`${what} result: ignoredFields must be string[]`);
  if ('revision' in r) checkRevision(r.revision, `${what} result`);
  if (r.outcome === undefined) return { ...r, outcome: r.changed ? 'written' : 'unchanged' };
  if (!Object.hasOwn(CHANGES, r.outcome)) throw malformed(`${what} result: unknown outcome "${String(r.outcome)}"`);
  if (CHANGES[r.outcome] !== r.changed)
    throw malformed(`${what} result: outcome "${r.outcome}" contradicts changed: ${r.changed}`);
  return r;
}

export function checkWritten(r: WrittenFile[]): void {
  if (!Array.isArray(r) || r.some((f) => typeof f?.location !== 'string' || typeof f?.text !== 'string'))
    throw malformed('a list of written files needs [{ location, text }]');
  if (r.some((f) => f.pendingApproval !== undefined && typeof f.pendingApproval !== 'boolean'))
    throw malformed('pendingApproval must be a boolean');
}

export function checkHealth(r: HealthReport): void {
  if (typeof r?.ok !== 'boolean' || !Array.isArray(r.checks)) throw malformed('a health report needs ok and checks[]');
  for (const c of r.checks)
    if (typeof c?.name !== 'string' || typeof c.ok !== 'boolean' || typeof c.message !== 'string')
      throw malformed('a health check needs name, ok and message');
  if (r.ok !== r.checks.every((c) => c.ok)) throw malformed('health ok must be true exactly when every check is');
}

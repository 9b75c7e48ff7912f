/**
 * The host side of the connector contract (unstorage's pattern): the core never calls a connector
 * directly, only through `wrapConnector`. Every failure then names the connector and the operation
 * and keeps the original error as `cause`:
 * - a connector's own SitterError keeps its code and hint, with the connector named in the message
 *   and in `details.connector`;
 * - anything else (a network error, a plugin's bug) becomes a SitterError `CONNECTOR_FAILED`.
 * Payloads are checked before a connector sees them (a bad payload is Sitter's BugError), and results
 * are checked before the core trusts them (a malformed answer is the connector's CONNECTOR_FAILED).
 */
import { diskFullError, fullDiskIn } from '../core/domain/disk-full.js';
import { BugError, SitterError } from '../core/domain/errors.js';
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
  SourceRef,
  WrittenFile,
} from '../core/ports/connector.js';
import { assertValidClearRequest, assertValidPushPayload } from './payload.js';
import { redactError, type ResolvedSecrets } from './redact.js';

/** Marks a connector that is already wrapped, so wrapping twice does not name it twice; holds its label. */
const WRAPPED = Symbol.for('sitter.connector.wrapped');

/** What the host knows of the connector it wraps, rather than what the connector says of itself. */
export interface WrapOptions {
  /** the registry name it was created under */
  name?: string;
  /** `builtin`, or the folder or package a plugin came from */
  origin?: string;
  /** the resolved secret values it was given, by secret name: hidden from every error it throws */
  secrets?: ResolvedSecrets;
}

/** Who a connector is, as its errors name it. */
export interface ConnectorWho {
  name: string;
  origin?: string;
}

/** The connector named in a message: `Connector "x"`, or `Connector "x" (plugin at /folder)` for a plugin. */
function named(who: ConnectorWho): string {
  return who.origin === undefined || who.origin === 'builtin'
    ? `Connector "${who.name}"`
    : `Connector "${who.name}" (plugin at ${who.origin})`;
}

/**
 * Who a connector is: its registry name and origin when the host knows them, so a plugin cannot blame
 * another connector by declaring another `info.name`; else what it says of itself.
 */
function whoOf(connector: Connector, options: WrapOptions): ConnectorWho {
  return {
    name: options.name ?? connector.info?.name ?? 'unnamed',
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  };
}

export type ConnectorOperation =
  'list' | 'fetch' | 'push' | 'clear' | 'read-written' | 'read-leftovers' | 'remove-leftovers' | 'close';

interface Context {
  operation: ConnectorOperation;
  source: SourceRef;
  assetId?: string;
}

function describe(ctx: Context): string {
  return ctx.assetId === undefined
    ? `${ctx.operation} source "${ctx.source}"`
    : `${ctx.operation} asset "${ctx.assetId}" of source "${ctx.source}"`;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Turns whatever a connector threw into a SitterError that names it; BugErrors of Sitter pass. */
export function connectorError(connector: string | ConnectorWho, ctx: Context, e: unknown): SitterError {
  const who = typeof connector === 'string' ? { name: connector } : connector;
  const details = {
    connector: who.name,
    ...(who.origin !== undefined && who.origin !== 'builtin' ? { origin: who.origin } : {}),
    operation: ctx.operation,
    source: ctx.source,
    ...(ctx.assetId !== undefined ? { assetId: ctx.assetId } : {}),
  };
  // A full disk is not the connector's fault nor the asset's: told as DISK_FULL (naming the connector,
  // the ENOSPC kept as the cause) so the run stops and the user frees space.
  const full = e instanceof SitterError ? null : fullDiskIn(e);
  if (full) e = diskFullError(full.path ?? `the source "${ctx.source}"`, e);
  if (e instanceof SitterError) {
    const prior = e.details;
    const merged =
      prior !== null && typeof prior === 'object' && !Array.isArray(prior)
        ? { ...(prior as Record<string, unknown>), ...details }
        : prior === undefined
          ? details
          : { ...details, connectorDetails: prior };
    return new SitterError(e.code, `${named(who)}: ${e.message}`, e.hint, merged, { cause: e });
  }
  return new SitterError(
    'CONNECTOR_FAILED',
    `${named(who)} failed to ${describe(ctx)}: ${errorMessage(e)}`,
    `Check the connector's options and that its source is reachable; run again with --json to see ` +
      `the cause. If it persists, report it to the connector's author.`,
    details,
    { cause: e },
  );
}

function malformed(what: string): Error {
  return new Error(`it returned a malformed answer: ${what}`);
}

function checkListed(a: ListedAsset, where: string): void {
  if (typeof a.id !== 'string' || a.id === '') throw malformed(`${where}: empty asset id`);
  if (typeof a.fileName !== 'string') throw malformed(`${where}: fileName is not a string`);
  // Contract 3: size is optional (DAM listings often lack it), but when given it must be a size.
  if (a.size !== undefined && (!Number.isFinite(a.size) || a.size < 0)) throw malformed(`${where}: bad size`);
  if (a.revision !== undefined && (typeof a.revision !== 'string' || a.revision === '' || a.revision.length > 200))
    throw malformed(`${where}: revision must be a non-empty string of at most 200 characters`);
  if (!(a.modifiedAt instanceof Date) || Number.isNaN(a.modifiedAt.getTime()))
    throw malformed(`${where}: bad modifiedAt`);
}

function checkPage(page: AssetPage): void {
  if (!page || !Array.isArray(page.assets) || !Array.isArray(page.skipped))
    throw malformed('a page needs assets[] and skipped[]');
  if (page.nextCursor !== null && typeof page.nextCursor !== 'string')
    throw malformed('nextCursor must be a string or null');
  page.assets.forEach((a, i) => checkListed(a, `assets[${i}]`));
}

function checkWritten(r: WrittenFile[]): void {
  if (!Array.isArray(r) || r.some((f) => typeof f?.location !== 'string' || typeof f?.text !== 'string'))
    throw malformed('a list of written files needs [{ location, text }]');
}

/** Who a wrapped connector's errors name (its registry name and origin); undefined if not wrapped. */
function wrappedWho(connector: Connector): ConnectorWho | undefined {
  return (connector as unknown as Record<symbol, ConnectorWho | undefined>)[WRAPPED];
}

/**
 * Wraps a connector so every call is checked and every error names it, by the registry name and
 * origin given (else its own `info.name`), with none of the given secret values left in it. Idempotent.
 */
export function wrapConnector(connector: Connector, options: WrapOptions = {}): Connector {
  if (wrappedWho(connector) !== undefined) return connector;
  const who = whoOf(connector, options);
  const secrets = options.secrets ?? {};

  async function call<T>(ctx: Context, run: () => Promise<T>, check: (r: T) => void): Promise<T> {
    let result: T;
    try {
      result = await run();
      check(result);
    } catch (e) {
      throw redactError(connectorError(who, ctx, e), secrets);
    }
    return result;
  }

  const wrapped: Connector = {
    info: connector.info,
    capabilities: connector.capabilities,
    list(source: SourceRef, options?: ListOptions): Promise<AssetPage> {
      if (options?.pageSize !== undefined && !(Number.isInteger(options.pageSize) && options.pageSize > 0)) {
        return Promise.reject(new BugError(`list: pageSize must be a positive integer, got ${options.pageSize}`));
      }
      return call({ operation: 'list', source }, () => connector.list(source, options), checkPage);
    },
    fetch(source: SourceRef, assetId: string): Promise<FetchedAsset> {
      return call(
        { operation: 'fetch', source, assetId },
        () => connector.fetch(source, assetId),
        (r) => {
          checkListed(r.asset, 'asset');
          if (r.asset.id !== assetId) throw malformed(`asked for "${assetId}", got "${r.asset.id}"`);
          if (!(r.bytes instanceof Uint8Array)) throw malformed('bytes is not a Uint8Array');
          if (!/^sha256:[0-9a-f]{64}$/.test(r.contentHash)) throw malformed('contentHash is not sha256:<hex>');
        },
      );
    },
    push(source: SourceRef, payload: PushPayload): Promise<PushResult> {
      try {
        assertValidPushPayload(payload);
      } catch (e) {
        return Promise.reject(e);
      }
      return call(
        { operation: 'push', source, assetId: payload.assetId },
        () => connector.push(source, payload),
        (r) => {
          if (typeof r?.changed !== 'boolean') throw malformed('push result needs changed: boolean');
        },
      );
    },
    clear(source: SourceRef, request: ClearRequest): Promise<ClearResult> {
      try {
        assertValidClearRequest(request);
        if (request.consentUris && !connector.capabilities.partialClear) {
          throw new BugError(
            `${named(who)} cannot clear single persons (capabilities.partialClear is false): re-push instead`,
          );
        }
      } catch (e) {
        return Promise.reject(e);
      }
      return call(
        { operation: 'clear', source, assetId: request.assetId },
        () => connector.clear(source, request),
        (r) => {
          if (typeof r?.changed !== 'boolean') throw malformed('clear result needs changed: boolean');
        },
      );
    },
  };
  if (connector.readWritten) {
    const readWritten = connector.readWritten.bind(connector);
    wrapped.readWritten = (source, assetId) =>
      call({ operation: 'read-written', source, assetId }, () => readWritten(source, assetId), checkWritten);
  }
  if (connector.readLeftovers) {
    const readLeftovers = connector.readLeftovers.bind(connector);
    wrapped.readLeftovers = (source) =>
      call({ operation: 'read-leftovers', source }, () => readLeftovers(source), checkWritten);
  }
  if (connector.removeLeftovers) {
    const removeLeftovers = connector.removeLeftovers.bind(connector);
    wrapped.removeLeftovers = (source) =>
      call(
        { operation: 'remove-leftovers', source },
        () => removeLeftovers(source),
        (r) => {
          if (!Array.isArray(r) || r.some((l) => typeof l !== 'string'))
            throw malformed('removeLeftovers needs string[]');
        },
      );
  }
  if (connector.close) {
    const close = connector.close.bind(connector);
    wrapped.close = () => call({ operation: 'close', source: '' }, close, () => undefined);
  }
  Object.defineProperty(wrapped, WRAPPED, { value: who });
  return wrapped;
}

/**
 * Every page of a listing, in order, as one async iterable. Guards the core against a connector that
 * loops (a cursor seen twice) or repeats an asset across pages: both are CONNECTOR_FAILED.
 */
export async function* listAll(
  connector: Connector,
  source: SourceRef,
  options: { pageSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<AssetPage> {
  const name = wrappedWho(connector) ?? connector.info?.name ?? 'unnamed';
  const seenCursors = new Set<string>();
  const seenIds = new Set<string>();
  let cursor: string | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    const page: AssetPage = await connector.list(source, {
      cursor,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const a of page.assets) {
      if (seenIds.has(a.id))
        throw connectorError(name, { operation: 'list', source }, malformed(`asset "${a.id}" listed twice`));
      seenIds.add(a.id);
    }
    yield page;
    if (page.nextCursor === null) return;
    if (seenCursors.has(page.nextCursor))
      throw connectorError(
        name,
        { operation: 'list', source },
        malformed('the listing loops (a cursor came back twice)'),
      );
    seenCursors.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

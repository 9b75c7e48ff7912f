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
  CallOptions,
  ClearRequest,
  ClearResult,
  Connector,
  ConnectorCapabilities,
  FetchOptions,
  FetchedAsset,
  ListOptions,
  PushPayload,
  PushResult,
  SourceRef,
} from '../core/ports/connector.js';
import { connectorFailure } from './errors.js';
import { assertValidClearRequest, assertValidPushPayload } from './payload.js';
import { redactError, redactHealth, type ResolvedSecrets } from './redact.js';
import {
  checkFetched,
  checkHealth,
  checkMaxBytes,
  checkPage,
  checkRevisions,
  checkWritten,
  malformed,
  renditionProblem,
  withOutcome,
} from './wrap-checks.js';

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
  /**
   * the contract it was registered under (a built-in's registration, a plugin's manifest): it decides
   * whether the connector is handed v3 call options; absent = what its `info.contract` says, else 2
   */
  contract?: 2 | 3;
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
  | 'start'
  | 'health'
  | 'list'
  | 'fetch'
  | 'push'
  | 'clear'
  | 'read-written'
  | 'read-leftovers'
  | 'remove-leftovers'
  | 'close';

interface Context {
  operation: ConnectorOperation;
  source: SourceRef;
  assetId?: string;
}

function describe(ctx: Context): string {
  if (ctx.source === '') return ctx.operation;
  return ctx.assetId === undefined
    ? `${ctx.operation} source "${ctx.source}"`
    : `${ctx.operation} asset "${ctx.assetId}" of source "${ctx.source}"`;
}

/** Network failures a plugin lets through bare (Node's codes): worth a pause and a retry, not a failed asset. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED']);

/** The network code of `e` or of its direct cause (a fetch TypeError keeps it there), or null. */
function transientCode(e: unknown): string | null {
  for (const cur of [e, e instanceof Error ? e.cause : undefined]) {
    const code = (cur as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return code;
  }
  return e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : null;
}

/**
 * A SitterError made by another copy of Sitter's classes (a plugin that bundles `sitter/connector`,
 * a kit installed twice): `instanceof` misses it, so it is recognised by shape and rebuilt, keeping
 * its code, hint and details, so a typed failure keeps its meaning whichever copy made it.
 */
function sameSitterError(e: unknown): SitterError | null {
  if (e instanceof SitterError) return e;
  if (!(e instanceof Error) || !Object.hasOwn(e, 'hint')) return null;
  const { code, hint, details } = e as Error & { code?: unknown; hint?: unknown; details?: unknown };
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(code)) return null;
  return new SitterError(code, e.message, typeof hint === 'string' ? hint : undefined, details, { cause: e });
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
  e = sameSitterError(e) ?? e;
  const full = e instanceof SitterError ? null : fullDiskIn(e);
  if (full) e = diskFullError(full.path ?? `the source "${ctx.source}"`, e);
  const network = e instanceof SitterError ? null : transientCode(e);
  if (network)
    e = connectorFailure(
      'transient',
      `could not ${describe(ctx)} (${network}): ${errorMessage(e)}`,
      'The source did not answer in time or dropped the connection; Sitter pauses and tries again. If it ' +
        'persists, check the network and that the source is up.',
      undefined,
      e,
    );
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

/** Who a wrapped connector's errors name (its registry name and origin); undefined if not wrapped. */
function wrappedWho(connector: Connector): ConnectorWho | undefined {
  return (connector as unknown as Record<symbol, ConnectorWho | undefined>)[WRAPPED];
}

/** The contract a wrapped connector is held to: the host's word (registry, manifest), else its own, else 2. */
function contractOf(connector: Connector, options: WrapOptions): 2 | 3 {
  return (options.contract ?? connector.info?.contract) === 3 ? 3 : 2;
}

/** Absent v3 flags are false, so the core asks one question whatever contract the connector targets. */
function capabilitiesOf(c: ConnectorCapabilities): ConnectorCapabilities {
  return {
    ...c,
    revisions: c.revisions === true,
    renditions: c.renditions === true,
    approvalQueue: c.approvalQueue === true,
  };
}

/** Rejects with the signal's reason (the caller's AbortError) when it is already aborted. */
function abortedAlready(options: CallOptions | undefined): Promise<never> | null {
  const signal = options?.signal;
  if (!signal?.aborted) return null;
  return Promise.reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
}

/** The options a v2 connector understood for list: cursor, page size and signal (never `priority`). */
function v2ListOptions(o: ListOptions | undefined): ListOptions | undefined {
  if (o === undefined) return undefined;
  return {
    ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
    ...(o.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
  };
}

/**
 * Wraps a connector so every call is checked and every error names it, by the registry name and
 * origin given (else its own `info.name`), with none of the given secret values left in it. Idempotent.
 *
 * Contract 3 on top of 2: `start` runs once before the first other call (memoised; a failed start is
 * tried again on the next call); a pre-aborted signal rejects before the connector is called, and the
 * caller's AbortError comes back as it is; results are re-checked against `maxBytes`; push and clear
 * results always carry an `outcome` that agrees with `changed`; `close` runs once.
 *
 * A v2 connector (contract absent or 2) is called exactly as contract 2 called it: `fetch(source, id)`,
 * `push(source, payload)`, `clear(source, request)`, `readWritten(source, id)`, `list` with cursor,
 * page size and signal. It never sees FetchOptions, whose `rendition` or `maxBytes` it could misread
 * (a plugin that already took a third argument for its own purposes); the wrapper checks the signal
 * before the call and the byte cap after it instead.
 */
export function wrapConnector(connector: Connector, options: WrapOptions = {}): Connector {
  if (wrappedWho(connector) !== undefined) return connector;
  const who = whoOf(connector, options);
  const secrets = options.secrets ?? {};
  const v3 = contractOf(connector, options) === 3;
  const capabilities = capabilitiesOf(connector.capabilities);
  let started: Promise<void> | null = null;
  let closed: Promise<void> | null = null;

  function fail(ctx: Context, e: unknown, signal: AbortSignal | undefined): unknown {
    // The caller cancelled: its own AbortError (or reason) is the answer, not a connector failure.
    if (signal?.aborted && (e === signal.reason || (e instanceof Error && e.name === 'AbortError'))) return e;
    return redactError(connectorError(who, ctx, e), secrets);
  }

  /** Runs the connector's start once; every call waits for it, a failure is retried by the next call. */
  async function ensureStarted(): Promise<void> {
    if (connector.start) {
      const start = connector.start.bind(connector);
      started ??= start().catch((e: unknown) => {
        started = null;
        throw fail({ operation: 'start', source: '' }, e, undefined);
      });
      await started;
    }
  }

  /** Start first; a call aborted while it waited (for start, or a tick) never reaches the connector. */
  async function ready(signal: AbortSignal | undefined): Promise<void> {
    await ensureStarted();
    signal?.throwIfAborted();
  }

  async function call<T>(
    ctx: Context,
    o: CallOptions | undefined,
    run: () => Promise<T>,
    check: (r: T) => T | void,
  ): Promise<T> {
    const aborted = abortedAlready(o);
    if (aborted) return aborted;
    await ready(o?.signal);
    let result: T;
    try {
      result = await run();
      result = check(result) ?? result;
    } catch (e) {
      throw fail(ctx, e, o?.signal);
    }
    return result;
  }

  const wrapped: Connector = {
    info: { ...connector.info, contract: v3 ? 3 : 2 },
    capabilities,
    list(source: SourceRef, o?: ListOptions): Promise<AssetPage> {
      if (o?.pageSize !== undefined && !(Number.isInteger(o.pageSize) && o.pageSize > 0)) {
        return Promise.reject(new BugError(`list: pageSize must be a positive integer, got ${o.pageSize}`));
      }
      return call(
        { operation: 'list', source },
        o,
        () => connector.list(source, v3 ? o : v2ListOptions(o)),
        (page) => {
          checkPage(page);
          if (capabilities.revisions) checkRevisions(page);
        },
      );
    },
    fetch(source: SourceRef, assetId: string, o?: FetchOptions): Promise<FetchedAsset> {
      const problem =
        renditionProblem(o?.rendition) ??
        (o?.maxBytes !== undefined && !(Number.isInteger(o.maxBytes) && o.maxBytes > 0)
          ? `maxBytes must be a positive integer, got ${o.maxBytes}`
          : null);
      if (problem) return Promise.reject(new BugError(`fetch: ${problem}`));
      return call(
        { operation: 'fetch', source, assetId },
        o,
        () => (v3 ? connector.fetch(source, assetId, o) : connector.fetch(source, assetId)),
        (r) => {
          checkFetched(r, assetId);
          checkMaxBytes(r, assetId, o?.maxBytes);
        },
      );
    },
    push(source: SourceRef, payload: PushPayload, o?: CallOptions): Promise<PushResult> {
      try {
        assertValidPushPayload(payload);
      } catch (e) {
        return Promise.reject(e);
      }
      return call(
        { operation: 'push', source, assetId: payload.assetId },
        o,
        () => (v3 ? connector.push(source, payload, o) : connector.push(source, payload)),
        (r) => withOutcome(r, 'push'),
      );
    },
    clear(source: SourceRef, request: ClearRequest, o?: CallOptions): Promise<ClearResult> {
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
        o,
        () => (v3 ? connector.clear(source, request, o) : connector.clear(source, request)),
        (r) => withOutcome(r, 'clear'),
      );
    },
  };
  if (connector.readWritten) {
    const readWritten = connector.readWritten.bind(connector);
    wrapped.readWritten = (source, assetId, o) =>
      call(
        { operation: 'read-written', source, assetId },
        o,
        () => (v3 ? readWritten(source, assetId, o) : readWritten(source, assetId)),
        checkWritten,
      );
  }
  if (connector.readLeftovers) {
    const readLeftovers = connector.readLeftovers.bind(connector);
    wrapped.readLeftovers = (source) =>
      call({ operation: 'read-leftovers', source }, undefined, () => readLeftovers(source), checkWritten);
  }
  if (connector.removeLeftovers) {
    const removeLeftovers = connector.removeLeftovers.bind(connector);
    wrapped.removeLeftovers = (source) =>
      call(
        { operation: 'remove-leftovers', source },
        undefined,
        () => removeLeftovers(source),
        (r) => {
          if (!Array.isArray(r) || r.some((l) => typeof l !== 'string'))
            throw malformed('removeLeftovers needs string[]');
        },
      );
  }
  if (connector.start) {
    wrapped.start = async (o) => {
      const aborted = abortedAlready(o);
      if (aborted) return aborted;
      await ready(o?.signal);
    };
  }
  if (connector.health) {
    const health = connector.health.bind(connector);
    // Started first like any call: a health probe of a connector that cannot start reports that failure.
    wrapped.health = (source, o) =>
      call(
        { operation: 'health', source: source ?? '' },
        o,
        () => health(source, o),
        (r) => {
          checkHealth(r);
          return redactHealth(r, secrets);
        },
      );
  }
  const close = connector.close?.bind(connector);
  // Always present on the wrapper (a no-op when the connector has none), and run at most once.
  wrapped.close = () => {
    closed ??= close
      ? close().catch((e: unknown) => {
          throw fail({ operation: 'close', source: '' }, e, undefined);
        })
      : Promise.resolve();
    return closed;
  };
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

/**
 * The Connector port: how the core reaches the place a shoot's photographs live (a local folder, a
 * DAM). Small on purpose (the unstorage/keyv pattern): four required calls, and optional abilities
 * declared in `capabilities` instead of assumed. Type-only: no I/O here; adapters live in
 * src/connectors and every call the core makes goes through `wrapConnector` there.
 *
 * Rule 1 (scope) leans on this contract: a connector lists what belongs to a source, and refuses to
 * fetch, push or clear anything it would not list.
 *
 * Contract versions. 2: push receives `expectedContentHash` and refuses a changed asset. 3 (additive,
 * for rate-limited REST DAMs): `start`/`health`, revisions (change detection without downloads),
 * renditions, `maxBytes`, abort signals and request priorities on every call, push outcomes
 * (`queued-for-approval`, `ignored-by-server`), DAM skip reasons and a request budget lent by the host
 * (`ConnectorContext`). Every v3 member is optional, so a v2 connector is a valid v3 connector that
 * declares none of the new abilities.
 */
import type { CaptureTime } from '../domain/shoot-dates.js';
import type { RelativeBox } from '../domain/geometry.js';
import type { ExifOrientation } from '../domain/orientation.js';
import type { AssetScopeClearance } from '../domain/clearance-statement.js';

export type { AssetScopeClearance } from '../domain/clearance-statement.js';

/**
 * Where a shoot's assets live, in the connector's own terms: a folder path for `local`, a folder or
 * collection id for a DAM. Stored with the shoot (`Shoot.source`).
 */
export type SourceRef = string;

/** Who is waiting on a request: the budget serves review before push/withdraw before scan. */
export type RequestPriority = 'interactive' | 'push' | 'bulk';

/** Options every v3 call may take; a v2 connector ignores them (the wrapper checks the signal). */
export interface CallOptions {
  /** cancels the call; a cancelled call rejects with the signal's reason (an AbortError) */
  signal?: AbortSignal;
  /** who waits on it (default `bulk`); only matters to a connector that spends a request budget */
  priority?: RequestPriority;
}

/** One asset as a listing reports it: cheap facts only (no bytes read for the local folder). */
export interface ListedAsset {
  /**
   * Stable id within the source, unique and never reused for another asset while the file exists
   * (the local folder: the normalized relative POSIX path, e.g. `day1/IMG_0001.jpg`).
   */
  id: string;
  /** The file name shown to people (the last path segment for the local folder). */
  fileName: string;
  /**
   * Size in bytes. Optional since contract 3: DAM listings often lack it (Asset Bank's search does).
   * The local folder always gives it.
   */
  size?: number;
  /** Last modification time, as the source reports it. */
  modifiedAt: Date;
  /** `sha256:<hex>` of the content when the source knows it without downloading; else absent. */
  contentHash?: string;
  /**
   * When the photo was taken, if the source knows (EXIF `DateTimeOriginal` + `OffsetTimeOriginal`
   * for the local folder, read at fetch; a DAM's capture date, offset `+00:00` for an instant).
   * Absent or null: no capture time, and the scan holds the asset for a person to decide. Never the
   * file's modification time: that is when it was copied, not when it was taken.
   */
  capturedAt?: CaptureTime | null;
  /**
   * v3: an opaque change token (at most 200 characters). The same token as the one stored at the last
   * scan means the content has not changed, so the scan skips the fetch: a rescan of unchanged assets
   * costs the listing only. Required on every asset when `capabilities.revisions`. Asset Bank:
   * `m<dateLastModifiedTimestamp>`. A token must change whenever the content changes (it may also
   * change when only metadata does: that costs a fetch, never a wrong answer).
   */
  revision?: string;
}

/** Why a listing did not offer an entry as an asset. */
export type SkipReason =
  /** the content is not an image format Sitter decodes (sniffed, not guessed from the extension) */
  | 'not-an-image'
  /** a device file, FIFO, socket or anything else that is not a regular file */
  | 'not-a-regular-file'
  /** a symlink (or path) whose target lies outside the source root */
  | 'outside-source'
  /** a symlink whose target does not exist */
  | 'broken-link'
  /** a symlink to a directory: not followed, so the scope stays the folder tree itself */
  | 'linked-directory'
  /** could not be read (permissions, I/O error) */
  | 'unreadable'
  /** v3: the DAM user may list the asset but not read it */
  | 'access-denied'
  /** v3: the asset awaits approval in the DAM and is not offered until approved */
  | 'not-approved'
  /** v3: the asset was listed and has since been deleted */
  | 'deleted';

/** An entry of the source that is not an asset, reported instead of failing the listing. */
export interface SkippedEntry {
  /** the entry's would-be id (relative path for the local folder) */
  id: string;
  reason: SkipReason;
  /** one human sentence, safe to show */
  message: string;
}

/** Options of one `list` call. */
export interface ListOptions extends CallOptions {
  /** the `nextCursor` of the previous page; absent or null for the first page */
  cursor?: string | null;
  /** maximum number of assets in this page (a connector may return fewer); default set by connector */
  pageSize?: number;
}

/**
 * v3: which bytes to fetch. `original` is the stored file; `{ maxDimension }` a rendition whose longest
 * side is at most that many pixels (never upscaled), e.g. Asset Bank's `/transform?width=`. Detection
 * and review crops need no more than a preview; boxes are relative, so they line up on the original.
 */
export type Rendition = 'original' | { maxDimension: number };

/** Options of one `fetch` call. */
export interface FetchOptions extends CallOptions {
  /** default `original`; a connector without `capabilities.renditions` returns the original */
  rendition?: Rendition;
  /**
   * Stop reading past this many bytes and reject with SitterError `ASSET_TOO_LARGE` (the wrapper also
   * re-checks the result, so a connector that cannot stream stays safe).
   */
  maxBytes?: number;
}

/** One page of a listing. */
export interface AssetPage {
  /** assets of this page, in the connector's stable order */
  assets: ListedAsset[];
  /** entries met while producing this page that are not assets; each is reported on one page only */
  skipped: SkippedEntry[];
  /** pass to the next `list` call; null when this was the last page */
  nextCursor: string | null;
}

/** One asset's bytes and facts, as `fetch` returns them. */
export interface FetchedAsset {
  /** the same facts a listing gives, read again now */
  asset: ListedAsset;
  /**
   * the original file's bytes. They become the caller's: a scan hands them to its engine thread
   * without a copy, which empties the array (its buffer detached), so a connector must not keep or
   * reuse an array it returned (a cache returns a copy).
   */
  bytes: Uint8Array;
  /** `sha256:<hex>` of `bytes` */
  contentHash: string;
  /** sniffed media type, e.g. `image/jpeg` */
  mediaType: string;
  /** v3: what `bytes` is; absent = `original`. `contentHash` is the sha256 of these bytes */
  rendition?: Rendition;
}

/** A model release as the consent record states it, reduced to what PLUS can say. */
export interface ModelRelease {
  /** the release's reference, written to `plus:ModelReleaseID` (e.g. the consent form ref); null if none */
  id: string | null;
  /**
   * `unlimited`: the person released every use the shoot's purpose needs; `limited`: some uses only;
   * `none`: no release on file. Aggregated over the image into `plus:ModelReleaseStatus`.
   */
  status: 'unlimited' | 'limited' | 'none';
  /** the person was a minor when photographed (only then is an age disclosure written) */
  minor: boolean;
  /** age in whole years when photographed, if the record has it (used only for minors) */
  ageAtShoot?: number | null;
}

/** One confirmed, consent-linked person in an image. */
export interface PushPerson {
  /** the `participant_id` from the consent file */
  participantId: string;
  /** the name to write into the metadata */
  displayName: string;
  /**
   * The consent record's URI, written as IPTC `PersonId`. Must start with `urn:sitter:consent:`
   * (build it with `consentUri(shootId, participantId)` from src/connectors/payload.ts): that prefix
   * is how a connector recognises, later, what Sitter wrote.
   */
  consentUri: string;
  /**
   * The version of the consent record this face was confirmed under (Sitter's record id) and the
   * sha256 of that version's signed form: "under which signed form was this face named?". Absent for
   * confirmations made before Sitter recorded it. Connectors that can store it, should, next to the
   * consent URI (the local folder: `sitter:ConsentRecord` and `sitter:ConsentFormSha256` in the
   * PersonInImageWDetails entry).
   */
  consentRecord?: { id: number; formSha256: string };
  /** the face, relative to the image as displayed (EXIF orientation applied), like FaceEngine boxes */
  box: RelativeBox;
  /** the model release facts of this person */
  release: ModelRelease;
  /**
   * v3 (optional): the publication scopes this person's consent gives as of the push (`web`,
   * `print`, `all`...), sorted; empty once their consent expired or was withdrawn. Connectors that can,
   * should store them with the person (the local folder: `sitter:PublicationScopes` in the
   * PersonInImageWDetails entry).
   */
  publicationScopes?: string[];
}

/** Everything `push` writes for one asset: Sitter's complete statement about it. */
export interface PushPayload {
  /** a listed asset id */
  assetId: string;
  /**
   * `sha256:<hex>` of the content the persons and boxes were found in (`FetchedAsset.contentHash` at
   * scan). The connector compares it with the content it is about to describe (the local folder
   * hashes the file, a DAM may compare its own checksum) and refuses with SitterError
   * `ASSET_CHANGED`, writing nothing, when they differ: the boxes and names belong to that content,
   * not to whatever now has the asset's id. Use `assetChanged()` from src/connectors/asset-changed.ts.
   */
  expectedContentHash: string;
  /** the image as displayed: width and height after EXIF orientation, in pixels */
  image: {
    /** displayed width in pixels (after EXIF orientation) */
    width: number;
    /** displayed height in pixels (after EXIF orientation) */
    height: number;
    /**
     * EXIF orientation 1-8 of the stored image, as the face engine applied it at scan (the asset
     * record's): regions are written in the stored frame, so a connector maps the boxes with it and
     * never decodes the image to learn it. Absent only for assets scanned before Sitter recorded it;
     * a connector then reads it from the file or treats it as 1.
     */
    orientation?: ExifOrientation;
  };
  /** confirmed persons, at most one entry per participant; an empty list is the same as `clear` */
  persons: PushPerson[];
  /**
   * Faces in the image that are not in `persons` (unidentified, rejected, unconfirmed, withdrawn).
   * Never named or located in the metadata: only counted, so the model-release status says the
   * releases are incomplete.
   */
  otherFaces: number;
  /**
   * v3: the revision the core saw at scan (`ListedAsset.revision`). A revision connector may pass its
   * guard cheaply when the asset's revision is still this one; otherwise it compares content hashes.
   */
  expectedRevision?: string;
  /** v3: the rendition `expectedContentHash` was taken from (absent = the original) */
  expectedRendition?: Rendition;
  /**
   * v3 (optional): the asset's usage clearance per publication scope on record, as of the push (the
   * answer of `sitter clearance`, sorted by scope). Connectors that can, should store it next to the
   * release fields (the local folder: `sitter:Clearance`; a DAM: a mapped attribute). It changes with
   * time (an expiry), which is why a later push rewrites it.
   */
  clearance?: AssetScopeClearance[];
}

/**
 * v3: what a write did. `written`: the source now holds it. `unchanged`: it already did.
 * `queued-for-approval`: the DAM accepted it as an edit awaiting approval (not visible yet).
 * `ignored-by-server`: the DAM answered without storing it (read-only attributes).
 */
export type WriteOutcome = 'written' | 'unchanged' | 'queued-for-approval' | 'ignored-by-server';

/** What `push` did. */
export interface PushResult {
  /** false when the asset already carried exactly this metadata (nothing was written) */
  changed: boolean;
  /** where it was written, for the audit log (a sidecar path, a DAM URL) */
  location: string;
  /**
   * v3: the outcome; absent = derived from `changed` (`written` or `unchanged`). Must agree with it:
   * `written` and `queued-for-approval` are changes, `unchanged` and `ignored-by-server` are not.
   */
  outcome?: WriteOutcome;
  /** v3: fields the server silently kept as they were (names, never values) */
  ignoredFields?: string[];
  /** v3: the asset's revision after this write, when the connector knows it reliably */
  revision?: string;
}

/** One file Sitter wrote for an asset, as it is now. */
export interface WrittenFile {
  /** where it is (a sidecar path, a temp file path, a DAM URL) */
  location: string;
  text: string;
  /** v3: the source shows this text but holds a different edit of Sitter's awaiting approval */
  pendingApproval?: boolean;
}

/** What to remove from one asset. */
export interface ClearRequest {
  /** a listed asset id */
  assetId: string;
  /**
   * Remove only these persons' entries (consent withdrawal of some people); absent = remove everything
   * Sitter wrote on the asset. Prefer re-pushing the remaining persons when the core can: that also
   * recomputes the release status.
   */
  consentUris?: string[];
}

/** What `clear` did. */
export interface ClearResult {
  /** false when there was nothing of Sitter's to remove */
  changed: boolean;
  /** where it was removed from, for the audit log */
  location: string;
  /** v3: as in PushResult */
  outcome?: WriteOutcome;
  /** v3: as in PushResult */
  ignoredFields?: string[];
}

/**
 * Optional abilities. The core asks before relying on one; the contract suite tests each one a
 * connector declares. New abilities are added here as optional flags, never as breaking changes.
 */
export interface ConnectorCapabilities {
  /** listings carry `contentHash`, so unchanged assets can be skipped without fetching them */
  listingHashes: boolean;
  /** push writes face regions (IPTC ImageRegion / MWG Regions or the DAM's own face objects) */
  regions: boolean;
  /** push writes model-release fields */
  modelRelease: boolean;
  /** clear can remove single persons (`ClearRequest.consentUris`), not only everything */
  partialClear: boolean;
  /** v3: every listed asset carries `revision`; absent = false */
  revisions?: boolean;
  /** v3: fetch honours `FetchOptions.rendition`; absent = false */
  renditions?: boolean;
  /** v3: writes may end `queued-for-approval`, and readWritten flags `pendingApproval`; absent = false */
  approvalQueue?: boolean;
}

/** v3: one finding of `health`. */
export interface HealthCheck {
  /** short name, e.g. `reachable`, `token`, `attributes`, `source` */
  name: string;
  ok: boolean;
  /** one sentence, never a secret */
  message: string;
  /** the SitterError code behind a failed check */
  code?: string;
  /** what to do about a failed check */
  hint?: string;
}

/** v3: what `health` found. */
export interface HealthReport {
  /** every check passed */
  ok: boolean;
  checks: HealthCheck[];
  /** who the connector acts as (a DAM user name), never a credential */
  identity?: string;
  /** the request rate the connector will keep to */
  requestsPerSecond?: number;
}

/** Facts about a connector instance, for `sitter doctor` and the audit log. */
export interface ConnectorInfo {
  /** registry name, e.g. `local` */
  name: string;
  /** human title, e.g. `Local folder` */
  title: string;
  /** the connector's own version (a plugin's package version) */
  version: string;
  /** the contract version it implements (2 or 3); absent = 2 */
  contract?: 2 | 3;
}

/**
 * A connector instance, made by a factory with its options (credentials, naming conventions).
 * Every method may throw a SitterError (user-fixable: path refused, access denied) or any other error
 * (network, bug): the core's wrapper names the connector in both cases and keeps the cause.
 */
export interface Connector {
  /** who this is */
  readonly info: ConnectorInfo;
  /** what this connector can do beyond the required calls */
  readonly capabilities: ConnectorCapabilities;
  /**
   * One page of the source's assets, in a stable order. Listing every page from a null cursor yields
   * every asset exactly once. A bad source (missing folder, unknown collection) is a SitterError.
   */
  list(source: SourceRef, options?: ListOptions): Promise<AssetPage>;
  /**
   * One asset's bytes and facts. Refuses (SitterError `ASSET_OUT_OF_SCOPE`) an id it would not list
   * for this source: a path outside the root, an escaping symlink, another collection's id.
   */
  fetch(source: SourceRef, assetId: string, options?: FetchOptions): Promise<FetchedAsset>;
  /**
   * Make the asset's metadata say exactly what the payload says about Sitter's persons: replaces what
   * Sitter wrote before, keeps everything else. Refuses (SitterError `ASSET_CHANGED`, nothing written)
   * when the asset's content is no longer `payload.expectedContentHash`. Idempotent: pushing the same payload twice changes
   * nothing the second time (`changed: false`).
   */
  push(source: SourceRef, payload: PushPayload, options?: CallOptions): Promise<PushResult>;
  /**
   * Remove what Sitter wrote on the asset (all of it, or some persons' entries), nothing else.
   * Clearing an asset Sitter never wrote to is not an error (`changed: false`).
   */
  clear(source: SourceRef, request: ClearRequest, options?: CallOptions): Promise<ClearResult>;
  /**
   * Optional: the text of every file Sitter wrote, or may have left half-written, for one asset (for
   * the local folder: its sidecar and any leftover Sitter temp file of it). Erasure reads these back
   * to prove that nothing Sitter wrote still names the person. Absent when the connector cannot.
   */
  readWritten?(source: SourceRef, assetId: string, options?: CallOptions): Promise<WrittenFile[]>;
  /**
   * Optional: the text of every half-written file Sitter may have left anywhere in the source (for the
   * local folder: Sitter's temp sidecars in every folder of the shoot, whether or not their asset was
   * ever scanned or pushed), including those of a push still running. Erasure reads these back too:
   * a leftover names people whatever the store says about its asset. Absent when the connector never
   * leaves half-written files (a DAM whose writes are atomic).
   */
  readLeftovers?(source: SourceRef): Promise<WrittenFile[]>;
  /**
   * Optional: removes what a killed push or withdrawal left anywhere in the source (not what a push
   * still running is writing) and returns where. The core calls it at the start of every push, in both
   * modes, so a withdrawal and an erasure reach leftovers in folders they would not otherwise touch.
   */
  removeLeftovers?(source: SourceRef): Promise<string[]>;
  /**
   * v3, optional: asynchronous start-up (token fetch, discovery, attribute catalogue). Idempotent. The
   * wrapper runs it once before the first other call (a failed start is retried on the next call),
   * so callers never need to.
   */
  start?(options?: CallOptions): Promise<void>;
  /**
   * v3, optional: a cheap probe of reachability, authentication and configuration, and of `source`
   * when given. Never puts a secret in a message. `sitter connectors check` shows it.
   */
  health?(source: SourceRef | null, options?: CallOptions): Promise<HealthReport>;
  /**
   * Release connections or handles; optional. v3: idempotent, aborts calls in flight and stops
   * refresh timers.
   */
  close?(): Promise<void>;
}

/** v3: how fast a connector may call its server. */
export interface BudgetSettings {
  /** never more than this many requests start in any rolling second */
  requestsPerSecond: number;
  /** never more than this many requests in flight */
  concurrency: number;
}

/**
 * v3: a request budget the host lends a connector (src/connectors/http/budget.ts): one per key per
 * process, shared by scan, review prefetch and push, so together they keep the server's rate limit.
 */
export interface RequestBudget {
  /** runs `task` when the budget allows, highest priority first; the task gets a signal to honour */
  run<T>(
    task: (signal: AbortSignal) => Promise<T>,
    options?: { priority?: RequestPriority; signal?: AbortSignal },
  ): Promise<T>;
  /** the server said "too many requests": every caller of this budget waits `ms` */
  pauseFor(ms: number, reason: string): void;
  /** what the budget has done so far (for benchmarks and `--json` summaries) */
  stats(): { requests: number; waitedMs: number; pausedMs: number; rateLimited: number };
}

/** v3: what the host lends every connector (built-in factories take it as 2nd argument). */
export interface ConnectorContext {
  /** the budget for `key` (e.g. `asset-bank:https://x.assetbank.app`): the same key, the same budget */
  budget(key: string, settings: BudgetSettings): RequestBudget;
  /**
   * Stores a new value of a secret option (a rotated refresh token) where the shoot's secret lives;
   * false when it cannot (an environment variable), so the connector can warn.
   */
  updateSecret?(option: string, value: string): Promise<boolean>;
  /** the clock (tests inject one) */
  now?(): Date;
}

/**
 * Makes a connector from its options (`Shoot.connectorOptions`, secrets resolved); a bad option is a
 * SitterError. v3: the host passes a `ConnectorContext` as the second argument.
 */
export type ConnectorFactory = (options: Record<string, unknown>, context?: ConnectorContext) => Connector;

import type { ConsentStatus } from './consent.js';

/**
 * The domain model's records (docs/architecture.md, "Domain model"). Plain data: the store adapter
 * maps them to tables, the services apply the rules. Numeric ids are short on purpose: reviewers type
 * them (`sitter decide SHOOT 42 --confirm`).
 */
import type { ExifOrientation } from './orientation.js';

export interface Participant {
  id: number;
  shootId: string;
  /** participant_id from the consent file: the organisation's own reference */
  externalRef: string;
  displayName: string;
  minor: boolean;
  guardian: string | null;
  createdAt: Date;
}

export interface ConsentRecord {
  id: number;
  participantId: number;
  biometricConsent: boolean;
  /** what the person agreed their photos may be used for, e.g. ["web", "print"] */
  publicationScopes: string[];
  signedAt: Date | null;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
  /** the signed form: a file path (absolute) or DAM asset reference */
  formRef: string;
  formSha256: string;
  referencePhoto: string | null;
  referencePhotoSha256: string | null;
  /** the consent file this version of the record came from, and its sha256 */
  importedFrom: string;
  importedFileSha256: string;
  importedAt: Date;
  /**
   * The scan of the paper form Sitter printed for this person, matched back by its code
   * (`sitter consent signed`); carried to later versions of the record. Null until one comes back.
   */
  signedScan: SignedScan | null;
}

/** A signed consent form scanned and matched to its record by the code Sitter printed on it. */
export interface SignedScan {
  /** the scan's file name, as found in the folder given to `consent signed` */
  file: string;
  sha256: string;
  /** the form version printed on it, and whether it was the shoot's current text when it came back */
  formVersion: string;
  versionCurrent: boolean;
  /** ISO 8601: kept in a JSON column, which gives text back */
  recordedAt: string;
}

/** What the workspace says about its controller (GDPR Art. 13(1)(a), (b)), printed on every consent form. */
export interface WorkspaceSettings {
  controller: string | null;
  contact: string | null;
}

/** The publication scopes a shoot's consent form offers as tick boxes: part of the form's text and version. */
export interface ConsentFormSetup {
  shootId: string;
  scopes: string[];
  updatedAt: Date;
}

export type TemplateOrigin = 'reference-photo' | 'confirmed-face';

export interface Template {
  id: number;
  shootId: string;
  participantId: number;
  /** the embedding, encrypted at rest by the KeyVault (rule 4) */
  embedding: Uint8Array;
  /** ModelIdentity.digest: templates of another model are never compared */
  modelDigest: string;
  origin: TemplateOrigin;
  /** the reference photo's sha256, or the face id it was confirmed from */
  originRef: string;
  createdAt: Date;
}

/**
 * `refused`: its capture time is outside the shoot's days (historical or unrelated content), never
 * analysed. `held`: it carries no capture time, and waits for a person to decide
 * (`sitter shoot allow-undated`) before anything biometric happens to it.
 */
export type AssetScanState = 'pending' | 'scanned' | 'failed' | 'refused' | 'held';

/**
 * Why an asset needs a person's attention, or what has happened to it. Stored as strings in a JSON
 * column; these are every value Sitter writes.
 * - `unidentified-person`: a face on it names nobody (no match, ambiguous, consent gone): manual handling.
 * - `consent-withdrawn`: someone named on it withdrew; its DAM metadata was (or must be) updated.
 * - `pushed`: Sitter's push wrote names onto it, and still does.
 * - `outside-shoot-dates`, `no-capture-time`: kept out of processing by its capture time (scan state
 *   `refused`, `held`).
 * - `undated-allowed`: a person allowed it although it carries no capture time (`shoot allow-undated`).
 * - `raw-preview`: a camera RAW whose embedded JPEG preview was analysed in its place (docs/engine.md).
 * - `too-small`: not analysed, too small for any face to be found (scan state `failed`, `IMAGE_TOO_SMALL`).
 * - `raw-no-preview`: a RAW not analysed, no embedded preview can stand for it (scan state `failed`,
 *   `RAW_PREVIEW_MISSING` or `RAW_PREVIEW_UNUSABLE`).
 */
export const ASSET_FLAGS = [
  'unidentified-person',
  'consent-withdrawn',
  'pushed',
  'outside-shoot-dates',
  'no-capture-time',
  'undated-allowed',
  'raw-preview',
  'too-small',
  'raw-no-preview',
] as const;
export type AssetFlag = (typeof ASSET_FLAGS)[number];

export interface Asset {
  id: number;
  shootId: string;
  /** the id the shoot's connector gave it (relative path for the local folder) */
  connectorAssetId: string;
  fileName: string;
  /**
   * `sha256:<hex>` of the content the scan analysed (the connector's `FetchedAsset.contentHash`): push
   * hands it to the connector as `expectedContentHash`, so names land only on that content.
   */
  contentSha256: string | null;
  size: number | null;
  /** the displayed size (EXIF orientation applied): the frame of every face box on this asset */
  width: number | null;
  height: number | null;
  /**
   * The EXIF orientation the face engine applied at scan, so that push and the review app map boxes
   * to the stored frame without decoding the file again. Null when not analysed (refused, held,
   * failed) and on assets scanned before Sitter recorded it (push then lets the connector read it).
   */
  orientation: ExifOrientation | null;
  /**
   * The source's change token (`ListedAsset.revision`) of the content analysed, for a connector with
   * `capabilities.revisions`: the next scan skips the fetch while the listing shows the same token, and
   * push hands it back as `expectedRevision`. Null for connectors without revisions.
   */
  sourceRevision: string | null;
  /**
   * Which bytes `contentSha256` is the hash of: null for the original, `max:<N>` for a rendition whose
   * longest side is at most N pixels (domain/rendition.ts). Push hands it back as `expectedRendition`;
   * face boxes are relative, so they apply to the original all the same.
   */
  rendition: string | null;
  scanState: AssetScanState;
  error: string | null;
  flags: AssetFlag[];
  scannedAt: Date | null;
}

export type FaceState = 'proposed' | 'confirmed' | 'rejected' | 'unidentified' | 'ignored';

/** Why the matcher names nobody on a face (domain/matching.ts). */
export type NoMatchReason =
  /** nobody close enough */
  | 'no-match'
  /** too close to two people to tell */
  | 'ambiguous'
  /** the one close enough is already named on another face of the photo */
  | 'taken'
  /** the engine saw the face too poorly to vouch for any match (domain/quality-bands.ts): a reviewer may assign it */
  | 'low-quality'
  /** the person's consent lapsed while the scan ran (rule 3, checked in every write) */
  | 'consent-lapsed';

/** Why a face that named someone names nobody any more: their consent no longer allows it (rules 3, 6). */
export type ConsentRevokedReason =
  /** the person withdrew (the full cascade, `sitter withdraw` or a withdrawing re-import) */
  | 'consent-withdrawn'
  /** the record expired, says "biometrics no", is not signed yet, or is gone, since the proposal was made */
  | `consent-${Exclude<ConsentStatus | 'no-record', 'eligible' | 'withdrawn'>}`
  /** an undo would have restored a link to someone whose consent no longer holds */
  | 'consent-not-valid';

/** Why a face is unidentified: every value Sitter writes in `Face.reason`. */
export type FaceReason = NoMatchReason | ConsentRevokedReason;

export interface Face {
  id: number;
  shootId: string;
  assetId: number;
  x: number;
  y: number;
  w: number;
  h: number;
  detectorScore: number;
  /**
   * The quality band the face was matched in (domain/quality-bands.ts: a band's name, `below-floor`
   * when it was too poorly seen to be proposed, `unmeasured` without the engine's measures); null on
   * faces scanned before bands existed
   */
  qualityBand?: string | null;
  state: FaceState;
  participantId: number | null;
  /** similarity to the proposed participant, 1 - distance to their nearest template (higher is closer) */
  score: number | null;
  /** how much further the runner-up participant is */
  margin: number | null;
  /** why a face is unidentified (null while it names someone) */
  reason: FaceReason | null;
  /** encrypted, kept only while a proposal needs it; never for an unidentified face (rule 4) */
  embedding: Uint8Array | null;
  modelDigest: string | null;
  createdAt: Date;
}

export type DecisionAction = 'confirm' | 'reject' | 'assign';

export interface Decision {
  id: number;
  shootId: string;
  faceId: number;
  reviewer: string;
  action: DecisionAction;
  participantId: number | null;
  at: Date;
  undoneAt: Date | null;
  /** the face's state and participant before this decision, so that undo restores them exactly */
  previousState: FaceState;
  previousParticipantId: number | null;
  /**
   * For confirm and assign: the consent record version (ConsentRecord.id) the reviewer relied on, and
   * its form's sha256, copied so the answer survives later versions. Null for a rejection, and for
   * decisions made before Sitter recorded it.
   */
  consentRecordId: number | null;
  consentFormSha256: string | null;
}

/**
 * A reviewer's "no" to a participant on a face, kept apart from the face so that a rescan (which
 * replaces the faces of a changed asset) never proposes the same pair again.
 */
export interface Rejection {
  id: number;
  shootId: string;
  assetId: number;
  participantId: number;
  x: number;
  y: number;
  w: number;
  h: number;
  decisionId: number;
  createdAt: Date;
}

/**
 * What Sitter wrote where: one row per asset and person whose name and box a push put into the DAM
 * (a sidecar, a DAM record). Kept apart from the asset so a rescan never forgets it; a withdrawal or
 * an erasure clears every place these rows name, and only those. `clearedAt` is set when Sitter
 * removed the person's entries again.
 */
/** Whether a push record's entry is in the source yet (PushRecord.state). */
export type PushRecordState = 'written' | 'pending-approval';

export interface PushRecord {
  id: number;
  shootId: string;
  assetId: number;
  connectorAssetId: string;
  participantId: number;
  /** the consent URI written as the person's id: how the connector finds the entries again */
  consentUri: string;
  /** where it was written, as the connector reported it (a sidecar path, a DAM URL) */
  location: string;
  /** the content the pushed boxes belong to */
  contentSha256: string;
  /**
   * `written`: the source holds it. `pending-approval`: the DAM queued the edit for its own approval
   * (capabilities.approvalQueue), so it is not visible yet; a withdrawal still clears it.
   */
  state: PushRecordState;
  pushedAt: Date;
  clearedAt: Date | null;
}

/**
 * A signed form whose consent was withdrawn in a shoot, remembered by a digest of the form's sha256
 * only (no name, reference or participant id): not personal data, so erasure keeps it, and a stale
 * file with that form can never bring the person back (rule 6).
 */
export interface WithdrawnForm {
  id: number;
  shootId: string;
  formDigest: string;
  withdrawnAt: Date;
}

/**
 * An erasure (GDPR Art. 17) under way or done. The person's row is blanked, so the erasure is found
 * again by a digest of the shoot and the reference the DPO types (it names nobody without that
 * reference): a rerun of an interrupted erasure finishes it, a rerun of a finished one is told so.
 */
export interface Erasure {
  id: number;
  shootId: string;
  participantId: number;
  refDigest: string;
  /** set in the transaction that blanks the person; cleared in the one that writes the receipt */
  pendingSince: Date | null;
  /** the receipt's place on the chain, once written */
  receiptSeq: number | null;
}

/**
 * What happened to one queued asset (`sitter scan --queue`): the outcome a worker recorded, in the same
 * unit of work as the asset's faces or failure, or none while the job waits or runs.
 */
export type ScanJobOutcome = 'analysed' | 'unchanged' | 'failed' | 'refused' | 'held' | 'skipped';

/**
 * One asset put on the team's scan queue, at one version of the listing (its revision, content hash, or
 * modification time and size). The row is Sitter's side of a pg-boss job: a worker settles it in the
 * transaction that stores the asset's result, and a job whose row is already settled does nothing, so
 * an asset is analysed once even when a job runs twice (a killed worker's job retried).
 */
export interface ScanJob {
  id: number;
  shootId: string;
  connectorAssetId: string;
  /** the listing's version of the asset when it was queued (domain/scan-job-key.ts) */
  version: string;
  queuedAt: Date;
  /** null while queued */
  outcome: ScanJobOutcome | null;
  /** `CODE: message` of a failed asset (the permanent ones; transient ones are retried by the queue) */
  error: string | null;
  /** which worker settled it (host:pid) */
  worker: string | null;
  settledAt: Date | null;
}

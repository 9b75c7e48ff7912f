import type { Asset, ConsentRecord, Decision, Face, Participant, PushRecord } from './records.js';

/**
 * Usage clearance (issue 13): may this asset be used for this purpose ("web", "print"), as of now?
 * An asset is cleared for a scope only when every face on it is a confirmed person whose consent
 * record is signed, not expired, not withdrawn and lists the scope (a minor's only with a guardian
 * on record). Publication consent is not biometric consent: someone who said "biometrics no" later
 * keeps a confirmation made before, and may be published if their scopes allow. Pure: the caller
 * reads the facts and the clock.
 */

/** Why an asset is not cleared; each names at most one face. */
export type ClearanceReason =
  /** the asset has not been analysed (pending, failed, held, refused): its faces are not known */
  | 'asset-not-scanned'
  /** a proposed match nobody has confirmed yet */
  | 'face-unreviewed'
  /** a face that names nobody: no match, ambiguous, or a reviewer rejected the proposal */
  | 'face-unidentified'
  /** a face whose person withdrew consent (the link is gone; the person is not named) */
  | 'consent-withdrawn'
  | 'consent-expired'
  | 'consent-not-signed'
  | 'no-consent-record'
  /** the person's record does not list the scope */
  | 'scope-missing'
  /** a minor whose record has no guardian: nobody gave the scope on their behalf */
  | 'minor-without-guardian';

export const CLEARANCE_REASON_TEXT: Record<ClearanceReason, string> = {
  'asset-not-scanned': 'not analysed yet: its faces are not known',
  'face-unreviewed': 'a proposed match is not confirmed yet',
  'face-unidentified': 'a face names nobody (unidentified or rejected)',
  'consent-withdrawn': 'a person on it withdrew consent',
  'consent-expired': "a person's consent has expired",
  'consent-not-signed': "a person's consent is not signed yet",
  'no-consent-record': 'a person has no consent record',
  'scope-missing': "a person's consent does not include this scope",
  'minor-without-guardian': 'a minor has no guardian on record to give the scope',
};

/** Scopes that cover every use (push maps them to PLUS "unlimited" too). */
const UNLIMITED_SCOPES: ReadonlySet<string> = new Set(['all', 'unlimited']);

type PublicationConsent = Pick<ConsentRecord, 'signedAt' | 'expiresAt' | 'withdrawnAt' | 'publicationScopes'>;

/** Why a person's record gives no publication scope at all now (any scope); null when it is in force. */
function inForceProblem(
  participant: Pick<Participant, 'minor' | 'guardian'>,
  consent: PublicationConsent | null,
  now: Date,
): ClearanceReason | null {
  if (!consent) return 'no-consent-record';
  const t = now.getTime();
  if (consent.withdrawnAt && consent.withdrawnAt.getTime() <= t) return 'consent-withdrawn';
  if (!consent.signedAt || consent.signedAt.getTime() > t) return 'consent-not-signed';
  if (consent.expiresAt && consent.expiresAt.getTime() <= t) return 'consent-expired';
  if (participant.minor && !participant.guardian?.trim()) return 'minor-without-guardian';
  return null;
}

/** Whether one person's record allows the scope now; null when it does. */
export function personVerdict(
  participant: Pick<Participant, 'minor' | 'guardian'>,
  consent: PublicationConsent | null,
  scope: string,
  now: Date,
): ClearanceReason | null {
  const problem = inForceProblem(participant, consent, now);
  if (problem || !consent) return problem ?? 'no-consent-record';
  if (!consent.publicationScopes.some((s) => s === scope || UNLIMITED_SCOPES.has(s))) return 'scope-missing';
  return null;
}

/**
 * The publication scopes a person's record gives now, sorted: none once it has expired or been
 * withdrawn, before it is signed, or for a minor without a guardian (what push writes per person).
 */
export function scopesInForce(
  participant: Pick<Participant, 'minor' | 'guardian'>,
  consent: PublicationConsent | null,
  now: Date,
): string[] {
  if (!consent || inForceProblem(participant, consent, now)) return [];
  return [...new Set(consent.publicationScopes)].sort();
}

export type ClearanceFace = Pick<Face, 'id' | 'assetId' | 'state' | 'participantId' | 'reason'>;

/** Everything clearance depends on, read in one unit of work. */
export interface ClearanceFacts {
  assets: readonly Asset[];
  faces: readonly ClearanceFace[];
  participants: ReadonlyMap<number, Participant>;
  /** the current consent record of each participant */
  consents: ReadonlyMap<number, ConsentRecord>;
  /** every decision on the shoot's faces; an undo is a change of the review too, when it happened */
  decisions: readonly (Pick<Decision, 'faceId' | 'at'> & { undoneAt?: Date | null })[];
  /** every push record of the shoot, cleared or not: when Sitter last wrote to each asset */
  pushes: readonly Pick<PushRecord, 'assetId' | 'participantId' | 'pushedAt' | 'clearedAt'>[];
}

export interface ClearanceProblem {
  reason: ClearanceReason;
  /** the face it concerns (none for an asset not scanned) */
  face: number | null;
  /** the person concerned, for reasons about a named person's consent */
  participantId: number | null;
}

export interface AssetClearance {
  asset: Asset;
  cleared: boolean;
  /** the confirmed people on it whose consent allows the scope */
  clearedPeople: number[];
  problems: ClearanceProblem[];
}

/** One face's verdict for the scope: null when it is a confirmed person whose consent allows it. */
export function faceVerdict(
  facts: ClearanceFacts,
  face: ClearanceFace,
  scope: string,
  now: Date,
): ClearanceProblem | null {
  const problem = (reason: ClearanceReason, participantId: number | null = null): ClearanceProblem => ({
    reason,
    face: face.id,
    participantId,
  });
  if (face.state === 'proposed') return problem('face-unreviewed');
  if (face.state === 'confirmed' && face.participantId !== null) {
    const participant = facts.participants.get(face.participantId);
    if (!participant) return problem('no-consent-record', face.participantId);
    const reason = personVerdict(participant, facts.consents.get(face.participantId) ?? null, scope, now);
    return reason ? problem(reason, face.participantId) : null;
  }
  // A withdrawal unlinks the face (rule 6) and leaves this reason: the person is not named again.
  if (face.reason === 'consent-withdrawn') return problem('consent-withdrawn');
  return problem('face-unidentified');
}

interface FactsIndex {
  facesByAsset: Map<number, ClearanceFace[]>;
  pushesByAsset: Map<number, ClearanceFacts['pushes'][number][]>;
  decisionsByFace: Map<number, ClearanceFacts['decisions'][number][]>;
}

const indexes = new WeakMap<ClearanceFacts, FactsIndex>();

function group<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Built once per set of facts, so a shoot of many thousand assets is not read once per asset. */
function indexOf(facts: ClearanceFacts): FactsIndex {
  let index = indexes.get(facts);
  if (!index) {
    index = {
      facesByAsset: group(facts.faces, (f) => f.assetId),
      pushesByAsset: group(facts.pushes, (p) => p.assetId),
      decisionsByFace: group(facts.decisions, (d) => d.faceId),
    };
    indexes.set(facts, index);
  }
  return index;
}

/** Counts for the clearance: an "ignored" face was judged not to be a usable face at all. */
function countsForClearance(face: ClearanceFace): boolean {
  return face.state !== 'ignored';
}

/** The clearance of one asset for one scope as of `now`. */
export function assetClearance(facts: ClearanceFacts, asset: Asset, scope: string, now: Date): AssetClearance {
  if (asset.scanState !== 'scanned')
    return {
      asset,
      cleared: false,
      clearedPeople: [],
      problems: [{ reason: 'asset-not-scanned', face: null, participantId: null }],
    };
  const problems: ClearanceProblem[] = [];
  const clearedPeople: number[] = [];
  for (const face of indexOf(facts).facesByAsset.get(asset.id) ?? []) {
    if (!countsForClearance(face)) continue;
    const problem = faceVerdict(facts, face, scope, now);
    if (problem) problems.push(problem);
    else if (face.participantId !== null) clearedPeople.push(face.participantId);
  }
  return { asset, cleared: problems.length === 0, clearedPeople, problems };
}

/** When Sitter last wrote to (or cleared) the asset in the DAM; null if never. */
export function lastPushOf(facts: ClearanceFacts, assetId: number): Date | null {
  let last: number | null = null;
  for (const p of indexOf(facts).pushesByAsset.get(assetId) ?? []) {
    for (const at of [p.pushedAt, p.clearedAt]) if (at && (last === null || at.getTime() > last)) last = at.getTime();
  }
  return last === null ? null : new Date(last);
}

/**
 * Why what Sitter last wrote to the DAM about an asset may be out of date: the facts behind its
 * clearance that changed after its last push. `rescanned`; `review-decision` (a decision on one of
 * its faces); for a person on it (named by a face or by a push), `consent-renewed` (a new consent
 * record version), or one of their consent dates passing between that push and now:
 * `consent-signed`, `consent-expired`, `consent-withdrawn`.
 */
export type ChangeSincePush =
  'rescanned' | 'review-decision' | 'consent-renewed' | 'consent-signed' | 'consent-expired' | 'consent-withdrawn';

/**
 * What changed after the asset's last push, in the order of `ChangeSincePush`, each once. An asset
 * never pushed has nothing in the DAM to be out of date: none.
 */
export function changesSincePush(facts: ClearanceFacts, asset: Asset, now: Date): ChangeSincePush[] {
  const pushed = lastPushOf(facts, asset.id);
  if (!pushed) return [];
  const after = (d: Date | null | undefined) =>
    d !== null && d !== undefined && d.getTime() > pushed.getTime() && d.getTime() <= now.getTime();
  const found = new Set<ChangeSincePush>();
  if (after(asset.scannedAt)) found.add('rescanned');
  const index = indexOf(facts);
  const faces = index.facesByAsset.get(asset.id) ?? [];
  const people = new Set<number>();
  for (const f of faces) if (f.participantId !== null) people.add(f.participantId);
  for (const p of index.pushesByAsset.get(asset.id) ?? []) people.add(p.participantId);
  if (faces.some((f) => (index.decisionsByFace.get(f.id) ?? []).some((d) => after(d.at) || after(d.undoneAt))))
    found.add('review-decision');
  for (const id of people) {
    const c = facts.consents.get(id);
    if (!c) continue;
    if (after(c.importedAt)) found.add('consent-renewed');
    if (after(c.signedAt)) found.add('consent-signed');
    if (after(c.expiresAt)) found.add('consent-expired');
    if (after(c.withdrawnAt)) found.add('consent-withdrawn');
  }
  const order: ChangeSincePush[] = [
    'rescanned',
    'review-decision',
    'consent-renewed',
    'consent-signed',
    'consent-expired',
    'consent-withdrawn',
  ];
  return order.filter((c) => found.has(c));
}

/**
 * Whether the clearance facts of an asset Sitter has pushed changed after its last push (any of
 * `changesSincePush`): push writes the clearance, so its DAM entry is then out of date.
 */
export function changedSincePush(facts: ClearanceFacts, asset: Asset, now: Date): boolean {
  return changesSincePush(facts, asset, now).length > 0;
}

export interface ClearanceRow extends AssetClearance {
  changedSincePush: boolean;
}

/** Every asset's clearance for the scope: those changed since their last push first, then by asset id. */
export function shootClearanceRows(facts: ClearanceFacts, scope: string, now: Date): ClearanceRow[] {
  return facts.assets
    .map((asset) => ({
      ...assetClearance(facts, asset, scope, now),
      changedSincePush: changedSincePush(facts, asset, now),
    }))
    .sort(
      (a, b) =>
        Number(b.changedSincePush) - Number(a.changedSincePush) ||
        a.asset.connectorAssetId.localeCompare(b.asset.connectorAssetId),
    );
}

/** The scopes the shoot's current consent records name, sorted: the columns of the table of assets by scope. */
export function scopesOnRecord(consents: ReadonlyMap<number, Pick<ConsentRecord, 'publicationScopes'>>): string[] {
  const all = new Set<string>();
  for (const c of consents.values()) for (const s of c.publicationScopes) if (!UNLIMITED_SCOPES.has(s)) all.add(s);
  return [...all].sort();
}

/**
 * People whose consent would allow the scope but who can never be linked to a face: Sitter links a
 * face to a person only by a reviewer's decision, and every decision requires valid biometric
 * consent (rule 3). A photos-only person's face therefore stays unidentified and keeps its asset from
 * being cleared, even when their scopes allow the use.
 */
export function unlinkablePeople(facts: ClearanceFacts, scope: string, now: Date): number[] {
  const linked = new Set(facts.faces.filter((f) => f.state === 'confirmed').map((f) => f.participantId));
  const out: number[] = [];
  for (const [id, participant] of facts.participants) {
    const consent = facts.consents.get(id) ?? null;
    if (!consent || consent.biometricConsent || linked.has(id)) continue;
    if (personVerdict(participant, consent, scope, now) === null) out.push(id);
  }
  return out.sort((a, b) => a - b);
}

import type { PushFailure } from '../domain/push-failure.js';
import { flagsAfterPush } from '../domain/asset-flags.js';
import { participantPseudonym } from '../domain/pseudonym.js';
import { consentStatus } from '../domain/consent.js';
import { scopesInForce } from '../domain/clearance.js';
import { type AssetScopeClearance, clearanceStatement } from '../domain/clearance-statement.js';
import { consentUri } from '../domain/consent-uri.js';
import { isDiskFull } from '../domain/disk-full.js';
import { SitterError, isSitterError } from '../domain/errors.js';
import type { Asset, ConsentRecord, Participant, PushRecord } from '../domain/records.js';
import { type Shoot } from '../domain/shoot.js';
import type { Connector, ModelRelease, PushPerson } from '../ports/connector.js';
import { pushCall, pushGuard, type PushWarning, type WriteReport, warmListing, writeReport } from './push-outcome.js';

export type { PushWarning } from './push-outcome.js';
import { consentLinksOfShoot } from './consent-links.js';
import { loadClearanceFacts } from './clearance-service.js';
import {
  type BroughtUpToDate,
  type DamUpdateReason,
  assertOpenForPush,
  tallyUpdates,
  updateReasons,
} from './push-selection.js';
import { type ServiceContext, requireShoot } from './context.js';
import { type NamedPlace, recordCleared, recordPushed } from './push-ledger.js';
import { sweepLapsedConsent } from './withdrawal.js';
import { retryWhileLocked } from './retry-locked.js';
import {
  anyLapsed,
  forgetErased,
  lapsedAmong,
  type Plan,
  refreshAsset,
  reloadShootFacts,
  wasPushed,
} from './push-plan.js';

/** Set on an asset while Sitter's metadata is on it, so a later push knows to clear it. */

export type { PushFailure };

export interface PushSummary {
  shootId: string;
  assets: number;
  written: number;
  unchanged: number;
  cleared: number;
  persons: number;
  /** confirmed matches not written because the person's consent is no longer valid */
  heldBack: { asset: string; participant: string; consent: string }[];
  /** what happened to each asset that was pushed or cleared */
  updated: PushedAsset[];
  /** how many assets this push changed in the DAM, and why their metadata was out of date */
  broughtUpToDate: BroughtUpToDate;
  /** half-written files a killed push or withdrawal had left in the source, removed before this one */
  leftoversRemoved: string[];
  failed: PushFailure[];
  /** assets whose write the DAM queued for its own approval (edit-with-approval users): not visible yet */
  queued: number;
  /** writes that took, but not wholly: the fields the server kept as they were (names, never values) */
  warnings: PushWarning[];
}

/** What the consent record's publication scopes allow, in PLUS terms. */
export function releaseOf(participant: Participant, consent: ConsentRecord): ModelRelease {
  const scopes = consent.publicationScopes;
  const status =
    scopes.length === 0 ? 'none' : scopes.some((s) => s === 'all' || s === 'unlimited') ? 'unlimited' : 'limited';
  const formName = consent.formRef.split(/[\\/]/).pop() ?? consent.formRef;
  return { id: formName || null, status, minor: participant.minor, ageAtShoot: null };
}

/**
 * Rule 5 at the boundary: only confirmed matches reach the DAM, and only while the person's consent
 * is valid. Each asset is pushed on its own (a failure is reported, the others go on); an asset that
 * lost all its confirmed persons since the last push is cleared.
 */
export interface PushOptions {
  /** push only these assets (store ids), e.g. the ones a withdrawal touched */
  assetIds?: readonly number[];
  /**
   * Why: a withdrawal must reach the DAM even after the shoot closed (GDPR Art. 7(3)); an ordinary
   * push of a closed shoot is refused.
   */
  reason?: 'push' | 'withdrawal';
  /**
   * Assets to treat as written by Sitter although no open push record says so: a withdrawal whose
   * read-back found the person named there again (a concurrent push wrote and had not recorded it yet).
   */
  forceAssetIds?: readonly number[];
}

/** Sitter's connectors refuse with this code when an asset's content is not what was scanned. */
const ASSET_CHANGED = 'ASSET_CHANGED';

export interface PushedAsset {
  asset: string;
  /** `queued`: the DAM holds the write for its own approval (not visible yet) */
  action: 'written' | 'cleared' | 'unchanged' | 'queued';
  location: string;
  /** why its metadata was out of date (push-selection.ts); absent when unchanged */
  why?: DamUpdateReason[];
}

/** What one asset's metadata should say now: the persons to name, and the named places to take off. */
interface AssetStatement {
  /** the asset's places on record before this push */
  open: PushRecord[];
  persons: PushPerson[];
  named: NamedPlace[];
  gone: PushRecord[];
  otherFaces: number;
  /** the asset's clearance per scope as of this push */
  clearance: AssetScopeClearance[];
  /** why its metadata may be out of date */
  why: DamUpdateReason[];
}

function statementOf(
  plan: Plan,
  asset: Asset,
  now: Date,
  withdrawalOnly: boolean,
  summary: PushSummary,
  forced = false,
): AssetStatement {
  const open = plan.places.get(asset.id) ?? [];
  const faces = plan.faces.filter((f) => f.assetId === asset.id);
  const persons: PushPerson[] = [];
  const named: NamedPlace[] = [];
  for (const f of faces) {
    if (f.state !== 'confirmed' || f.participantId === null) continue;
    const p = plan.participants.get(f.participantId);
    const c = plan.consents.get(f.participantId);
    if (!p || !c) continue;
    const status = consentStatus(c, now);
    if (status !== 'eligible') {
      summary.heldBack.push({ asset: asset.connectorAssetId, participant: p.externalRef, consent: status });
      continue;
    }
    // A withdrawal only takes people off: it names no one Sitter does not name there now (an open
    // record), so an asset whose records are all cleared is cleared, never written with anyone new.
    if (withdrawalOnly && !open.some((r) => r.participantId === p.id)) continue;
    const uri = consentUri(plan.shoot.id, p.externalRef);
    const link = plan.consentLinks.get(f.id);
    persons.push({
      participantId: p.externalRef,
      displayName: p.displayName,
      consentUri: uri,
      ...(link ? { consentRecord: link } : {}),
      box: { x: f.x, y: f.y, w: f.w, h: f.h },
      release: releaseOf(p, c),
      publicationScopes: scopesInForce(p, c, now),
    });
    named.push({ participantId: p.id, consentUri: uri });
  }
  // A withdrawal takes off only those who may no longer be named; the others wait for a real push.
  const mayStay = (r: PushRecord): boolean => {
    const c = plan.consents.get(r.participantId);
    return !!c && consentStatus(c, now) === 'eligible';
  };
  const gone = open.filter(
    (r) =>
      !named.some((n) => n.participantId === r.participantId && n.consentUri === r.consentUri) &&
      !(withdrawalOnly && mayStay(r)),
  );
  // Written again because the DAM still names someone withdrawn (forced): whoever may not be named is
  // taken off by consent URI, also where their record was cleared already.
  if (withdrawalOnly && forced)
    for (const r of plan.everRecorded.get(asset.id) ?? [])
      if (r.clearedAt !== null && !mayStay(r) && !gone.some((g) => g.consentUri === r.consentUri)) gone.push(r);
  return {
    open,
    persons,
    named,
    gone,
    otherFaces: faces.length - persons.length,
    clearance: clearanceStatement(plan.clearance, asset, now),
    why: updateReasons(plan.clearance, asset, now),
  };
}

export async function pushShoot(
  ctx: ServiceContext,
  connector: Connector,
  shootId: string,
  opts: PushOptions = {},
): Promise<PushSummary> {
  const only = opts.assetIds ? new Set(opts.assetIds) : null;
  const forcedIds = opts.forceAssetIds ? new Set(opts.forceAssetIds) : null;
  const withdrawalOnly = opts.reason === 'withdrawal';
  const plan: Plan = await ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    if (!withdrawalOnly) assertOpenForPush(shoot);
    if (shoot.status !== 'closed') await sweepLapsedConsent(uow, shootId, ctx.clock.now(), ctx.actor);
    const participants = new Map((await uow.participants.listByShoot(shootId)).map((p) => [p.id, p]));
    const consents = await uow.consents.currentForShoot(shootId);
    const faces = await uow.faces.listByShoot(shootId);
    const assets = await uow.assets.listByShoot(shootId);
    const consentLinks = await consentLinksOfShoot(uow, shootId, faces);
    const clearance = await loadClearanceFacts(uow, shootId);
    const places = new Map<number, PushRecord[]>();
    const everRecorded = new Map<number, PushRecord[]>();
    // A withdrawal reads every record once (cleared ones too, everRecorded); a push, the open ones.
    const records = withdrawalOnly
      ? await uow.pushRecords.listByShoot(shootId)
      : await uow.pushRecords.openByShoot(shootId);
    for (const r of records) {
      if (r.clearedAt === null) places.set(r.assetId, [...(places.get(r.assetId) ?? []), { ...r }]);
      if (withdrawalOnly) everRecorded.set(r.assetId, [...(everRecorded.get(r.assetId) ?? []), r]);
    }
    return { shoot, participants, consents, faces, assets, places, consentLinks, clearance, everRecorded };
  });
  const summary = emptySummary(shootId);
  await removeLeftovers(connector, plan.shoot.source, summary);
  await warmListing(connector, plan.shoot.source, only?.size ?? plan.assets.length, plan.assets.length);
  for (const asset of plan.assets) {
    if (only && !only.has(asset.id)) continue;
    // What Sitter wrote is reconsidered whatever happened to the asset since (a failed or changed
    // rescan): the DAM must follow the current record (rule 6). Elsewhere a withdrawal writes nothing.
    const forced = forcedIds?.has(asset.id) === true;
    if (!forced && !wasPushed(plan, asset) && (withdrawalOnly || asset.scanState !== 'scanned')) continue;
    try {
      await pushAssetAsItIsNow(ctx, connector, plan, asset, { withdrawalOnly, forced }, summary);
    } catch (error) {
      throw pushStoppedBy(error, summary);
    }
  }
  summary.broughtUpToDate = tallyUpdates(summary.updated);
  await retryWhileLocked(() =>
    ctx.store.transaction((uow) =>
      uow.audit.append(
        {
          actor: ctx.actor,
          action: 'push.finished',
          shootId,
          subject: `shoot:${shootId}`,
          details: {
            assets: summary.assets,
            written: summary.written,
            unchanged: summary.unchanged,
            cleared: summary.cleared,
            heldBack: summary.heldBack.length,
            broughtUpToDate: summary.broughtUpToDate,
            leftoversRemoved: summary.leftoversRemoved.length,
            failed: summary.failed.length,
            ...(summary.queued > 0 ? { queued: summary.queued } : {}),
            ...(summary.warnings.length > 0 ? { warnings: summary.warnings.length } : {}),
          },
        },
        ctx.clock.now(),
      ),
    ),
  );
  return summary;
}

/** How many times one asset is written again because a person it named lost their consent meanwhile. */
const REWRITES_AFTER_WITHDRAWAL = 3;

/**
 * One asset, written from the store as it is now rather than as it was when the push started: a
 * withdrawal or an erasure committed by another process while this push runs (rule 6) must not be
 * undone by it. Right before the write, the consents, the asset's faces and its named places are read
 * again (push-refresh.ts), and the fresh read only ever takes people off (someone confirmed since the
 * push started waits for the next push); when anything moved, the shoot's participants and clearance
 * facts are read again too, so the clearance written says what holds now. A consent withdrawn during
 * the connector call itself is caught right after it: the asset is written again without that person,
 * so the DAM names a withdrawn person for one write at most. The summary counts the asset once, as its
 * last write left it; people held back in any round are all reported.
 */
async function pushAssetAsItIsNow(
  ctx: ServiceContext,
  connector: Connector,
  plan: Plan,
  asset: Asset,
  opts: { withdrawalOnly: boolean; forced: boolean },
  summary: PushSummary,
): Promise<void> {
  const { withdrawalOnly } = opts;
  const pushedBefore = (p: Plan) => opts.forced || wasPushed(p, asset);
  // The fresh read only takes people off: an asset that names nobody on the plan and was never pushed stays so.
  const onPlan = statementOf(plan, asset, ctx.clock.now(), withdrawalOnly, emptySummary(plan.shoot.id));
  if (onPlan.persons.length === 0 && !pushedBefore(plan)) return;
  const heldBack = new Map<string, PushSummary['heldBack'][number]>();
  const everNamed = new Set<number>();
  let last: PushSummary | null = null;
  let round = 0;
  for (; round <= REWRITES_AFTER_WITHDRAWAL; round++) {
    const moved = await refreshAsset(ctx, plan, asset);
    if (moved || round > 0) await reloadShootFacts(ctx, plan);
    const told = emptySummary(plan.shoot.id);
    const statement = statementOf(plan, asset, ctx.clock.now(), withdrawalOnly, told, opts.forced);
    for (const h of told.heldBack) heldBack.set(`${h.asset}\u0000${h.participant}`, h);
    if (statement.persons.length === 0 && !pushedBefore(plan)) break;
    const settled = await pushOneAsset(ctx, connector, plan.shoot, asset, statement, withdrawalOnly, told);
    last = told;
    for (const n of statement.named) everNamed.add(n.participantId);
    // Read in the write's own record when there was one; else on its own.
    if (!(settled?.lapsed ?? (await anyLapsed(ctx, statement.named)))) break;
  }
  summary.heldBack.push(...heldBack.values());
  if (last) addAssetOutcome(summary, last);
  if (round > 0) await forgetErased(ctx, everNamed);
}

/** One asset's last round, counted into the push's summary (the asset once, whatever it took). */
function addAssetOutcome(summary: PushSummary, round: PushSummary): void {
  summary.assets += 1;
  summary.written += round.written;
  summary.unchanged += round.unchanged;
  summary.cleared += round.cleared;
  summary.persons += round.persons;
  summary.queued += round.queued;
  summary.updated.push(...round.updated);
  summary.failed.push(...round.failed);
  summary.warnings.push(...round.warnings);
}

function emptySummary(shootId: string): PushSummary {
  return {
    shootId,
    assets: 0,
    written: 0,
    unchanged: 0,
    cleared: 0,
    persons: 0,
    heldBack: [],
    updated: [],
    broughtUpToDate: { assets: 0, why: {} },
    leftoversRemoved: [],
    failed: [],
    queued: 0,
    warnings: [],
  };
}

/**
 * A killed push leaves half-written files that may name people (a temp sidecar), in folders this run
 * may never touch: every push and withdrawal removes them first, across the whole source. A failure is
 * reported like an asset's and the push goes on.
 */
async function removeLeftovers(connector: Connector, source: string, summary: PushSummary): Promise<void> {
  if (!connector.removeLeftovers) return;
  try {
    summary.leftoversRemoved.push(...(await connector.removeLeftovers(source)));
  } catch (error) {
    if (!isSitterError(error) || isDiskFull(error)) throw pushStoppedBy(error, summary);
    summary.failed.push({
      asset: '*',
      stage: 'leftovers',
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
}

/**
 * The error that stopped a push (a full disk, a bug), told with what the push had already done: each
 * asset is written and recorded on its own, so the next push continues from there.
 */
function pushStoppedBy(reason: unknown, summary: PushSummary): unknown {
  if (!isSitterError(reason)) return reason;
  const done = `This push had updated ${summary.written + summary.cleared} asset${summary.written + summary.cleared === 1 ? '' : 's'} (${summary.unchanged} unchanged) before it stopped; they are recorded, and running the push again continues from there.`;
  return new SitterError(
    reason.code,
    reason.message,
    `${reason.hint ? `${reason.hint} ` : ''}${done}`,
    {
      ...((reason.details as object | undefined) ?? {}),
      committed: { written: summary.written, cleared: summary.cleared, unchanged: summary.unchanged },
      failed: summary.failed,
    },
    { cause: reason },
  );
}

type Outcome = ({ kind: 'pushed' } & WriteReport) | ({ kind: 'cleared'; consentUris: string[] | null } & WriteReport);

/**
 * One asset through the connector, then its record. Names are written only onto the content they were
 * found in; where that is no longer so (the photo was replaced, or rescanned since the push while a
 * withdrawal runs), only the entries of the people who must go are taken off.
 */
async function pushOneAsset(
  ctx: ServiceContext,
  connector: Connector,
  shoot: Shoot,
  asset: Asset,
  st: AssetStatement,
  withdrawalOnly: boolean,
  summary: PushSummary,
): Promise<{ lapsed: boolean } | undefined> {
  const source = shoot.source;
  const goneUris = st.gone.map((r) => r.consentUri);
  const clearGone = async (): Promise<Outcome> => {
    const partial = connector.capabilities.partialClear;
    const r = await connector.clear(
      source,
      partial ? { assetId: asset.connectorAssetId, consentUris: goneUris } : { assetId: asset.connectorAssetId },
      pushCall,
    );
    return { kind: 'cleared', ...writeReport(r, asset.connectorAssetId), consentUris: partial ? goneUris : null };
  };
  let outcome: Outcome;
  try {
    const rescannedSincePush = st.open.some((r) => r.contentSha256 !== asset.contentSha256);
    if (withdrawalOnly && rescannedSincePush) {
      // The faces on record are no longer the ones the sidecar describes: take off who must go, nothing else.
      if (st.gone.length === 0) {
        summary.unchanged += 1;
        return undefined;
      }
      outcome = await clearGone();
    } else if (st.persons.length === 0) {
      const r = await connector.clear(source, { assetId: asset.connectorAssetId }, pushCall);
      outcome = { kind: 'cleared', ...writeReport(r, asset.connectorAssetId), consentUris: null };
    } else if (asset.contentSha256 === null) {
      throw new SitterError(
        'ASSET_NOT_SCANNED',
        `"${asset.connectorAssetId}" has no scanned content to push.`,
        `Scan the shoot: sitter scan ${shoot.id}`,
      );
    } else {
      const r = await connector.push(
        source,
        {
          assetId: asset.connectorAssetId,
          expectedContentHash: asset.contentSha256,
          ...pushGuard(connector, asset),
          // What the scan recorded for this content: the connector maps boxes with it, never decoding.
          image: {
            width: asset.width ?? 0,
            height: asset.height ?? 0,
            ...(asset.orientation !== null ? { orientation: asset.orientation } : {}),
          },
          persons: st.persons,
          otherFaces: st.otherFaces,
          clearance: st.clearance,
        },
        pushCall,
      );
      outcome = { kind: 'pushed', ...writeReport(r, asset.connectorAssetId) };
    }
  } catch (error) {
    // A full disk is no one asset's fault, and every next asset would fail the same way: the run stops.
    if (!isSitterError(error) || isDiskFull(error)) throw error;
    const changedAsset = error.code === ASSET_CHANGED;
    summary.failed.push({
      asset: asset.connectorAssetId,
      code: error.code,
      message: error.message,
      ...(changedAsset
        ? {
            hint: `Scan the shoot again (sitter scan ${shoot.id}: a changed photo is rescanned), review it, then push again.`,
          }
        : error.hint
          ? { hint: error.hint }
          : {}),
    });
    if (!changedAsset || st.gone.length === 0) return undefined;
    // Nothing may be written on the new content, but the people who must go still go.
    try {
      outcome = await clearGone();
    } catch (clearError) {
      if (!isSitterError(clearError) || isDiskFull(clearError)) throw clearError;
      summary.failed.push({ asset: asset.connectorAssetId, code: clearError.code, message: clearError.message });
      return undefined;
    }
  }
  return settle(ctx, connector, shoot.id, asset, st, outcome, summary);
}

/**
 * Counts the outcome and records it in one unit of work: flags, what is written where, the audit entry;
 * and, read in that same unit of work, whether a person it names lost their consent meanwhile.
 */
async function settle(
  ctx: ServiceContext,
  connector: Connector,
  shootId: string,
  asset: Asset,
  st: AssetStatement,
  outcome: Outcome,
  summary: PushSummary,
): Promise<{ lapsed: boolean }> {
  const pushed = outcome.kind === 'pushed';
  const queued = outcome.outcome === 'queued-for-approval';
  if (!pushed) summary.cleared += outcome.changed ? 1 : 0;
  else if (queued) summary.queued += 1;
  else if (outcome.changed) summary.written += 1;
  else summary.unchanged += 1;
  if (pushed) summary.persons += st.persons.length;
  if (outcome.warning) summary.warnings.push(outcome.warning);
  summary.updated.push({
    asset: asset.connectorAssetId,
    action: !outcome.changed ? 'unchanged' : queued ? 'queued' : pushed ? 'written' : 'cleared',
    location: outcome.location,
    ...(outcome.changed ? { why: st.why } : {}),
  });
  const now = ctx.clock.now();
  // What was written must be recorded: a command holding the database for a moment is waited out.
  return retryWhileLocked(() =>
    ctx.store.transaction(async (uow) => {
      const stored = await uow.assets.findByConnectorId(shootId, asset.connectorAssetId);
      if (outcome.kind === 'pushed') {
        await recordPushed(
          uow,
          asset,
          st.named,
          {
            location: outcome.location,
            contentSha256: asset.contentSha256 ?? '',
            state: queued ? 'pending-approval' : 'written',
          },
          now,
        );
      } else {
        await recordCleared(uow, asset.id, outcome.consentUris, outcome.location, now, queued);
      }
      const stillNamed =
        outcome.kind === 'pushed'
          ? st.named.length > 0
          : outcome.consentUris !== null && st.open.some((r) => !outcome.consentUris?.includes(r.consentUri));
      if (stored) stored.flags = flagsAfterPush(stored.flags, stillNamed);
      if (outcome.changed) {
        // The chain names people by pseudonym only (domain/pseudonym.ts): never a reference or consent URI.
        const persons = pushed ? st.named.map((n) => participantPseudonym({ id: n.participantId })) : [];
        const removed =
          outcome.kind === 'cleared' && outcome.consentUris
            ? st.gone
                .filter((r) => outcome.consentUris?.includes(r.consentUri))
                .map((r) => participantPseudonym({ id: r.participantId }))
            : null;
        await uow.audit.append(
          {
            actor: ctx.actor,
            action: pushed ? (queued ? 'push.queued' : 'push.asset') : 'push.cleared',
            shootId,
            subject: `asset:${asset.connectorAssetId}`,
            details: {
              location: outcome.location,
              persons,
              ...(pushed ? { consentRecords: st.persons.map((p) => p.consentRecord?.id ?? null) } : {}),
              ...(removed ? { removed } : {}),
              ...(outcome.warning ? { ignoredFields: outcome.warning.fields } : {}),
              connector: connector.info.name,
            },
          },
          now,
        );
      }
      return { lapsed: await lapsedAmong(uow, st.named, ctx.clock.now()) };
    }),
  );
}

import { participantPseudonym } from '../domain/pseudonym.js';
import { consentStatus } from '../domain/consent.js';
import { consentUri } from '../domain/consent-uri.js';
import { isSitterError } from '../domain/errors.js';
import type { ConsentRecord, Participant } from '../domain/records.js';
import { assertOpen } from '../domain/shoot.js';
import type { Connector, ModelRelease, PushPerson } from '../ports/connector.js';
import { consentLinksOfShoot } from './consent-links.js';
import { type ServiceContext, requireShoot } from './context.js';
import { sweepLapsedConsent } from './withdrawal.js';

/** Set on an asset while Sitter's metadata is on it, so a later push knows to clear it. */
export const PUSHED_FLAG = 'pushed';

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
  failed: { asset: string; code: string; message: string }[];
}

/** What the consent record's publication scopes allow, in PLUS terms. */
export function releaseOf(participant: Participant, consent: ConsentRecord): ModelRelease {
  const scopes = consent.publicationScopes;
  const status = scopes.length === 0 ? 'none' : scopes.some((s) => s === 'all' || s === 'unlimited') ? 'unlimited' : 'limited';
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
}

export interface PushedAsset {
  asset: string;
  action: 'written' | 'cleared' | 'unchanged';
  location: string;
}

export async function pushShoot(ctx: ServiceContext, connector: Connector, shootId: string, opts: PushOptions = {}): Promise<PushSummary> {
  const only = opts.assetIds ? new Set(opts.assetIds) : null;
  const plan = await ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    if (opts.reason !== 'withdrawal') assertOpen(shoot, 'push');
    if (shoot.status !== 'closed') await sweepLapsedConsent(uow, shootId, ctx.clock.now(), ctx.actor);
    const participants = new Map((await uow.participants.listByShoot(shootId)).map((p) => [p.id, p]));
    const consents = await uow.consents.currentForShoot(shootId);
    const faces = await uow.faces.listByShoot(shootId);
    const assets = await uow.assets.listByShoot(shootId);
    const consentLinks = await consentLinksOfShoot(uow, shootId, faces);
    return { shoot, participants, consents, faces, assets, consentLinks };
  });
  const now = ctx.clock.now();
  const summary: PushSummary = { shootId, assets: 0, written: 0, unchanged: 0, cleared: 0, persons: 0, heldBack: [], updated: [], failed: [] };
  const pseudonymByRef = new Map([...plan.participants.values()].map((p) => [p.externalRef, participantPseudonym(p)]));
  for (const asset of plan.assets) {
    // An asset Sitter wrote to is always reconsidered, even if a later scan of it failed: what it
    // says in the DAM must follow the current record (rule 6).
    if ((asset.scanState !== 'scanned' && !asset.flags.includes(PUSHED_FLAG)) || (only && !only.has(asset.id))) continue;
    const faces = plan.faces.filter((f) => f.assetId === asset.id);
    const persons: PushPerson[] = [];
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
      const link = plan.consentLinks.get(f.id);
      persons.push({
        participantId: p.externalRef,
        displayName: p.displayName,
        consentUri: consentUri(shootId, p.externalRef),
        ...(link ? { consentRecord: link } : {}),
        box: { x: f.x, y: f.y, w: f.w, h: f.h },
        release: releaseOf(p, c),
      });
    }
    const wasPushed = asset.flags.includes(PUSHED_FLAG);
    if (persons.length === 0 && !wasPushed) continue;
    summary.assets += 1;
    try {
      const result =
        persons.length > 0
          ? await connector.push(plan.shoot.source, { assetId: asset.connectorAssetId, image: { width: asset.width ?? 0, height: asset.height ?? 0 }, persons, otherFaces: faces.length - persons.length })
          : await connector.clear(plan.shoot.source, { assetId: asset.connectorAssetId });
      if (persons.length === 0) summary.cleared += result.changed ? 1 : 0;
      else if (result.changed) summary.written += 1;
      else summary.unchanged += 1;
      summary.persons += persons.length;
      summary.updated.push({ asset: asset.connectorAssetId, action: !result.changed ? 'unchanged' : persons.length > 0 ? 'written' : 'cleared', location: result.location });
      await ctx.store.transaction(async (uow) => {
        const stored = await uow.assets.findByConnectorId(shootId, asset.connectorAssetId);
        if (stored) stored.flags = persons.length > 0 ? [...new Set([...stored.flags, PUSHED_FLAG])] : stored.flags.filter((f) => f !== PUSHED_FLAG);
        if (result.changed) {
          await uow.audit.append(
            { actor: ctx.actor, action: persons.length > 0 ? 'push.asset' : 'push.cleared', shootId, subject: `asset:${asset.connectorAssetId}`, details: { location: result.location, persons: persons.map((p) => pseudonymByRef.get(p.participantId) ?? '#?'), consentRecords: persons.map((p) => p.consentRecord?.id ?? null), connector: connector.info.name } },
            ctx.clock.now(),
          );
        }
      });
    } catch (error) {
      if (!isSitterError(error)) throw error;
      summary.failed.push({ asset: asset.connectorAssetId, code: error.code, message: error.message });
    }
  }
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      { actor: ctx.actor, action: 'push.finished', shootId, subject: `shoot:${shootId}`, details: { assets: summary.assets, written: summary.written, unchanged: summary.unchanged, cleared: summary.cleared, heldBack: summary.heldBack.length, failed: summary.failed.length } },
      ctx.clock.now(),
    ),
  );
  return summary;
}

/**
 * `sitter dpia SHOOT`: the facts of a DPIA annex (GDPR Art. 35) for one shoot, drawn from the
 * workspace: its configuration, roster, processing so far, measured accuracy, threshold, and the
 * risks with their measures. Read-only; names no data subject.
 */
import { DPIA_LEGAL_BASIS, dpiaRisks, type DpiaRisk } from '../domain/dpia-risks.js';
import type { MatchThresholds } from '../domain/matching.js';
import { accuracyOf, type AccuracyReport } from './accuracy-service.js';
import { type ServiceContext, requireShoot } from './context.js';
import { controllerOf, shootProcessing, storageOf, type ShootProcessing } from './records-service.js';
import { loadRoster } from './roster.js';

export interface DpiaFacts {
  generatedAt: string;
  /** the controller and contact from `sitter settings` (null: not set) */
  controller: string | null;
  contact: string | null;
  shoot: ShootProcessing & {
    reviewersRequired: 1 | 2;
    /** connector options as stored: secrets appear only as `secret:NAME` */
    connectorOptions: Record<string, unknown>;
  };
  legalBasis: readonly string[];
  /** each publication scope in the current consent records, with how many participants gave it */
  scopes: { scope: string; participants: number; minors: number }[];
  consent: { biometricYes: number; biometricNo: number; noRecord: number; withdrawn: number };
  processing: {
    assetsScanned: number;
    assetsRefusedOrHeld: number;
    faces: number;
    proposed: number;
    confirmed: number;
    rejected: number;
    unidentified: number;
    decisions: number;
  };
  /** the threshold, and who set it: the creator of the shoot, or the model's calibration */
  threshold: { value: number; source: 'shoot' | 'calibration'; setBy: string | null; setAt: string | null };
  accuracy: AccuracyReport;
  risks: readonly DpiaRisk[];
}

export async function dpiaFacts(
  ctx: ServiceContext,
  shootId: string,
  calibration: MatchThresholds,
): Promise<DpiaFacts> {
  const now = ctx.clock.now();
  const storage = await storageOf(ctx);
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const [processing, roster, assets, faces, decisions, audit] = await Promise.all([
      shootProcessing(uow, shoot, now, calibration),
      loadRoster(uow, shootId, now),
      uow.assets.listByShoot(shootId),
      uow.faces.listByShootWithoutEmbeddings(shootId),
      uow.decisions.listByShoot(shootId),
      uow.audit.all(),
    ]);
    const scopes = new Map<string, { participants: number; minors: number }>();
    for (const e of roster)
      for (const scope of e.consent?.publicationScopes ?? []) {
        const c = scopes.get(scope) ?? { participants: 0, minors: 0 };
        scopes.set(scope, { participants: c.participants + 1, minors: c.minors + (e.participant.minor ? 1 : 0) });
      }
    const created = audit.find((a) => a.action === 'shoot.created' && a.shootId === shootId);
    const count = (state: string) => faces.filter((f) => f.state === state).length;
    return {
      generatedAt: now.toISOString(),
      ...(await controllerOf(uow)),
      shoot: { ...processing, reviewersRequired: shoot.reviewersRequired, connectorOptions: shoot.connectorOptions },
      legalBasis: DPIA_LEGAL_BASIS,
      scopes: [...scopes].sort(([a], [b]) => a.localeCompare(b)).map(([scope, c]) => ({ scope, ...c })),
      consent: {
        biometricYes: roster.filter((e) => e.consent?.biometricConsent === true).length,
        biometricNo: roster.filter((e) => e.consent?.biometricConsent === false).length,
        noRecord: roster.filter((e) => !e.consent).length,
        withdrawn: roster.filter((e) => e.status === 'withdrawn').length,
      },
      processing: {
        assetsScanned: assets.filter((a) => a.scanState === 'scanned').length,
        assetsRefusedOrHeld: assets.filter((a) => a.scanState === 'refused' || a.scanState === 'held').length,
        faces: faces.length,
        proposed: count('proposed'),
        confirmed: count('confirmed'),
        rejected: count('rejected'),
        unidentified: count('unidentified'),
        decisions: decisions.filter((d) => !d.undoneAt).length,
      },
      threshold: {
        ...processing.matchThreshold,
        setBy: processing.matchThreshold.source === 'shoot' ? (created?.actor ?? null) : null,
        setAt: processing.matchThreshold.source === 'shoot' ? (created?.at.toISOString() ?? null) : null,
      },
      accuracy: accuracyOf(shoot, faces, decisions, calibration),
      risks: dpiaRisks(storage),
    };
  });
}

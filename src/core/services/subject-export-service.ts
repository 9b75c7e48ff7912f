/**
 * Subject access and portability (GDPR Art. 15, 20): everything Sitter holds about one participant
 * of a shoot, gathered for `sitter subject export`. Never an embedding or a template (they are not
 * read at all), never another person's name or face box: a decision that moved a face from or to
 * someone else says only that, and a face a reviewer said is not them (someone else's face) is
 * listed without its box.
 */
import { participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import { canonicalJson, type AuditEntry } from '../domain/audit.js';
import { type ClearanceFacts, type ClearanceReason, faceVerdict, scopesOnRecord } from '../domain/clearance.js';
import { consentStatus } from '../domain/consent.js';
import { formatAnchor } from '../domain/anchor.js';
import type { Asset, ConsentRecord, Decision, Participant } from '../domain/records.js';
import { type ServiceContext, requireParticipant, requireShoot } from './context.js';

export interface SubjectExport {
  format: 'sitter-subject-export/1';
  generatedAt: string;
  shoot: { id: string; name: string; purpose: string; retentionDays: number; connector: string };
  participant: {
    ref: string;
    name: string;
    /** how the audit chain refers to them */
    pseudonym: string;
    minor: boolean;
    /** who signed for them: part of their own consent record */
    guardian: string | null;
    consentStatus: string;
  };
  /** every version of their consent record, oldest first */
  consentRecords: ConsentVersion[];
  /** the faces that are (or are proposed to be) them, with the box on the asset */
  faces: SubjectFace[];
  /** every decision about them: reviewer and time */
  decisions: SubjectDecision[];
  /** where Sitter wrote their name and box into the DAM, and when it took them off again */
  pushes: { asset: string; location: string; consentUri: string; pushedAt: string; clearedAt: string | null }[];
  /** per confirmed face, whether their consent clears its asset's use for each scope, as of generatedAt */
  clearance: { asset: string; face: number; scopes: Record<string, ClearanceReason | 'cleared'> }[];
  /** audit entries about them; details only where the entry is about them alone */
  audit: SubjectAuditEntry[];
}

/** One version of the record as exported: its dates as ISO text. */
export type ConsentVersion = Omit<
  ConsentRecord,
  'participantId' | 'signedAt' | 'expiresAt' | 'withdrawnAt' | 'importedAt'
> & { signedAt: string | null; expiresAt: string | null; withdrawnAt: string | null; importedAt: string };

export interface SubjectFace {
  face: number;
  asset: string;
  file: string;
  state: string;
  /** fractions of the image's width and height */
  box: { x: number; y: number; w: number; h: number };
  score: number | null;
}

export interface SubjectDecision {
  at: string;
  reviewer: string;
  action: Decision['action'];
  face: number;
  asset: string | null;
  /** what the decision did to them, without naming anyone else */
  effect: 'named them' | 'said the face is not them' | 'named someone else instead of them';
  undoneAt: string | null;
  /** the consent record version the decision relied on (when it named them) */
  consentRecord: number | null;
}

export interface SubjectAuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  hash: string;
  details?: Record<string, unknown>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function versionOf(c: ConsentRecord): ConsentVersion {
  const { participantId: _participant, ...rest } = c;
  return {
    ...rest,
    signedAt: iso(c.signedAt),
    expiresAt: iso(c.expiresAt),
    withdrawnAt: iso(c.withdrawnAt),
    importedAt: c.importedAt.toISOString(),
  };
}

function decisionOf(d: Decision, person: Participant, assetOfFace: Map<number, Asset>): SubjectDecision {
  const effect =
    d.action === 'reject'
      ? 'said the face is not them'
      : d.participantId === person.id
        ? 'named them'
        : 'named someone else instead of them';
  return {
    at: d.at.toISOString(),
    reviewer: d.reviewer,
    action: d.action,
    face: d.faceId,
    asset: assetOfFace.get(d.faceId)?.connectorAssetId ?? null,
    effect,
    undoneAt: iso(d.undoneAt),
    consentRecord: effect === 'named them' ? d.consentRecordId : null,
  };
}

/**
 * The chain's entries about them: their own (`participant:#id`) with details; entries that mention
 * their pseudonym among other things (a decision, a scan) without details, which may concern others.
 */
function auditAbout(entries: readonly AuditEntry[], person: Participant): SubjectAuditEntry[] {
  const own = participantSubject(person);
  const mention = JSON.stringify(participantPseudonym(person));
  const out: SubjectAuditEntry[] = [];
  for (const e of entries) {
    const mine = e.subject === own;
    if (!mine && !canonicalJson(e.details).includes(mention)) continue;
    const head = {
      seq: e.seq,
      at: e.at.toISOString(),
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      hash: e.hash,
    };
    out.push(mine ? { ...head, details: e.details } : head);
  }
  return out;
}

/** Everything about one participant of a shoot, as of the context's clock. Read-only. */
export async function gatherSubject(
  ctx: ServiceContext,
  shootId: string,
  participantRef: string,
): Promise<SubjectExport> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const person = await requireParticipant(uow, shootId, participantRef);
    const [versions, current, faces, decisions, pushes, assets, consents, entries] = await Promise.all([
      uow.consents.listByParticipant(person.id),
      uow.consents.current(person.id),
      uow.faces.listByParticipant(person.id),
      uow.decisions.listByParticipant(person.id),
      uow.pushRecords.listByParticipant(person.id),
      uow.assets.listByShoot(shootId),
      uow.consents.currentForShoot(shootId),
      uow.audit.all(),
    ]);
    const assetById = new Map(assets.map((a) => [a.id, a]));
    const theirs = faces.filter(
      (f) => f.participantId === person.id && (f.state === 'confirmed' || f.state === 'proposed'),
    );
    // Decisions name faces; a rejected face is someone else's now, so only its asset is looked up.
    const assetOfFace = new Map<number, Asset>();
    for (const d of decisions) {
      const face = faces.find((f) => f.id === d.faceId) ?? (await uow.faces.find(d.faceId));
      const asset = face ? assetById.get(face.assetId) : undefined;
      if (asset) assetOfFace.set(d.faceId, asset);
    }
    // Clearance facts about them alone: their record, their faces.
    const facts: ClearanceFacts = {
      assets,
      faces: theirs,
      participants: new Map([[person.id, person]]),
      consents: current ? new Map([[person.id, current]]) : new Map(),
      decisions: [],
      pushes: [],
    };
    // The shoot's scopes (theirs among them); "all" is not a use of its own but covers each.
    const scopes = scopesOnRecord(consents);
    return {
      format: 'sitter-subject-export/1' as const,
      generatedAt: now.toISOString(),
      shoot: {
        id: shoot.id,
        name: shoot.name,
        purpose: shoot.purpose,
        retentionDays: shoot.retentionDays,
        connector: shoot.connector,
      },
      participant: {
        ref: person.externalRef,
        name: person.displayName,
        pseudonym: participantPseudonym(person),
        minor: person.minor,
        guardian: person.guardian,
        consentStatus: current ? consentStatus(current, now) : 'no-record',
      },
      consentRecords: versions.sort((a, b) => a.id - b.id).map(versionOf),
      faces: theirs.map((f) => ({
        face: f.id,
        asset: assetById.get(f.assetId)?.connectorAssetId ?? `#${f.assetId}`,
        file: assetById.get(f.assetId)?.fileName ?? '',
        state: f.state,
        box: { x: f.x, y: f.y, w: f.w, h: f.h },
        score: f.score,
      })),
      decisions: decisions.map((d) => decisionOf(d, person, assetOfFace)),
      pushes: pushes.map((p) => ({
        asset: p.connectorAssetId,
        location: p.location,
        consentUri: p.consentUri,
        pushedAt: p.pushedAt.toISOString(),
        clearedAt: iso(p.clearedAt),
      })),
      clearance: theirs
        .filter((f) => f.state === 'confirmed')
        .map((f) => ({
          asset: assetById.get(f.assetId)?.connectorAssetId ?? `#${f.assetId}`,
          face: f.id,
          scopes: Object.fromEntries(scopes.map((s) => [s, faceVerdict(facts, f, s, now)?.reason ?? 'cleared'])),
        })),
      audit: auditAbout(entries, person),
    };
  });
}

export interface ExportReceipt {
  audit: { seq: number; hash: string };
  anchor: string;
}

/**
 * Puts the export on the record (rule 7), naming the person only by pseudonym, with the sha256 of
 * each file handed over so what was disclosed can be proved later. The folder is not recorded: its
 * path may hold the person's name.
 */
export async function recordSubjectExport(
  ctx: ServiceContext,
  shootId: string,
  participantRef: string,
  files: { name: string; sha256: string }[],
): Promise<ExportReceipt> {
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const person = await requireParticipant(uow, shootId, participantRef);
    const entry = await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'subject.exported',
        shootId,
        subject: participantSubject(person),
        details: { basis: 'GDPR Art. 15/20', files },
      },
      ctx.clock.now(),
    );
    return { audit: { seq: entry.seq, hash: entry.hash }, anchor: formatAnchor(entry) };
  });
}

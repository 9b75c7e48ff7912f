/**
 * `sitter records`: a record of processing activities (GDPR Art. 30) drawn from the workspace
 * itself, so it says what is done rather than what was planned. Read-only.
 */
import { verifyChain } from '../domain/audit.js';
import { formatAnchor } from '../domain/anchor.js';
import {
  dataCategories,
  type DataCategory,
  securityMeasures,
  type StorageKind,
  SUBJECT_CATEGORIES,
} from '../domain/processing-record.js';
import type { AuditEntry } from '../domain/audit.js';
import type { TeamMember } from '../ports/team.js';
import { type RosterCounts, countRoster, loadRoster } from './roster.js';
import type { ServiceContext } from './context.js';
import { effectiveThreshold, type EffectiveThreshold } from '../domain/match-limits.js';
import type { MatchThresholds } from '../domain/matching.js';
import type { Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';

const DAY = 86_400_000;

export interface ShootProcessing {
  shoot: string;
  name: string;
  purpose: string;
  status: string;
  approval: { dpiaRef: string | null; approvedBy: string | null; approvedAt: string | null };
  days: { from: string | null; to: string | null };
  retentionDays: number;
  /** approval + retention: nothing biometric is kept after it */
  biometricDataUntil: string | null;
  recipient: { connector: string; source: string };
  subjects: RosterCounts & { minors: number };
  data: { assets: number; faces: number; confirmedFaces: number; templates: number; placesNamingPeople: number };
  reviewers: number;
  /** the distance threshold the shoot's faces are proposed at, and whether the shoot set it */
  matchThreshold: EffectiveThreshold;
}

/** A team workspace's machine, as its `workspace.created` / `workspace.machine-joined` entry records it. */
export interface TeamMachine {
  host: string;
  folder: string;
  /** the database role that made or joined it */
  role: string;
  at: string;
  joined: boolean;
}

/** Who can reach a team workspace's data: the roles of its database and the machines that joined it. */
export interface TeamAccess {
  roles: TeamMember[];
  machines: TeamMachine[];
}

export interface ProcessingRecord {
  generatedAt: string;
  /** where the records are kept: a SQLite file in the workspace folder, or a team's PostgreSQL database */
  storage: StorageKind;
  /** a team workspace's roles and machines (null on SQLite: one folder, its owner) */
  teamAccess: TeamAccess | null;
  /** the controller and contact set with `sitter settings` (null: not set yet) */
  controller: string | null;
  contact: string | null;
  purposes: { shoot: string; purpose: string }[];
  categoriesOfSubjects: readonly string[];
  categoriesOfData: readonly DataCategory[];
  /** who receives the data: the connector of each shoot */
  recipients: { connector: string; shoots: string[] }[];
  shoots: ShootProcessing[];
  auditChain: { ok: boolean; entries: number; head: string | null };
  securityMeasures: readonly string[];
}

/** One shoot's facts for the record (and the DPIA annex): configuration, subjects, data held. */
export async function shootProcessing(
  uow: UnitOfWork,
  shoot: Shoot,
  now: Date,
  calibration: MatchThresholds,
): Promise<ShootProcessing> {
  const [roster, assets, faces, templates, places, decisions] = await Promise.all([
    loadRoster(uow, shoot.id, now),
    uow.assets.listByShoot(shoot.id),
    uow.faces.listByShootWithoutEmbeddings(shoot.id),
    uow.templates.listByShoot(shoot.id),
    uow.pushRecords.openByShoot(shoot.id),
    uow.decisions.listByShoot(shoot.id),
  ]);
  return {
    shoot: shoot.id,
    name: shoot.name,
    purpose: shoot.purpose,
    status: shoot.status,
    approval: {
      dpiaRef: shoot.dpiaRef,
      approvedBy: shoot.approvedBy,
      approvedAt: shoot.approvedAt?.toISOString() ?? null,
    },
    days: { from: shoot.shootFrom, to: shoot.shootTo },
    retentionDays: shoot.retentionDays,
    biometricDataUntil: shoot.approvedAt
      ? new Date(shoot.approvedAt.getTime() + shoot.retentionDays * DAY).toISOString()
      : null,
    recipient: { connector: shoot.connector, source: shoot.source },
    subjects: { ...countRoster(roster), minors: roster.filter((e) => e.participant.minor).length },
    data: {
      assets: assets.length,
      faces: faces.length,
      confirmedFaces: faces.filter((f) => f.state === 'confirmed').length,
      templates: templates.length,
      placesNamingPeople: places.length,
    },
    reviewers: new Set(decisions.map((d) => d.reviewer)).size,
    matchThreshold: effectiveThreshold(shoot, calibration),
  };
}

/** `calibration`: the engine's match calibration, the threshold of shoots that set none. */
export async function processingRecord(ctx: ServiceContext, calibration: MatchThresholds): Promise<ProcessingRecord> {
  const now = ctx.clock.now();
  const team = await ctx.store.team();
  const storage: StorageKind = team ? 'postgresql' : 'sqlite';
  const roles = team ? await team.list() : [];
  return ctx.store.transaction(async (uow) => {
    const shoots: ShootProcessing[] = [];
    for (const shoot of await uow.shoots.list()) shoots.push(await shootProcessing(uow, shoot, now, calibration));
    const audit = await uow.audit.all();
    const chain = verifyChain(audit);
    const recipients = new Map<string, string[]>();
    for (const s of shoots)
      recipients.set(s.recipient.connector, [...(recipients.get(s.recipient.connector) ?? []), s.shoot]);
    return {
      generatedAt: now.toISOString(),
      storage,
      teamAccess: team ? { roles, machines: machinesOf(audit) } : null,
      ...(await controllerOf(uow)),
      purposes: shoots.map((s) => ({ shoot: s.shoot, purpose: s.purpose })),
      categoriesOfSubjects: SUBJECT_CATEGORIES,
      categoriesOfData: dataCategories(storage),
      recipients: [...recipients].map(([connector, ids]) => ({ connector, shoots: ids })),
      shoots,
      auditChain: {
        ok: chain.ok,
        entries: chain.ok ? chain.count : 0,
        head: chain.ok && chain.count > 0 ? formatAnchor({ hash: chain.headHash, seq: chain.headSeq }) : null,
      },
      securityMeasures: securityMeasures(storage),
    };
  });
}

/** The controller and contact the workspace's settings hold (`sitter settings`), for Art. 30 and the DPIA. */
export async function controllerOf(uow: UnitOfWork): Promise<{ controller: string | null; contact: string | null }> {
  const settings = await uow.settings.get();
  return { controller: settings.controller, contact: settings.contact };
}

/** SQLite or a team's PostgreSQL database: only a team workspace has a reviewer directory. */
export async function storageOf(ctx: ServiceContext): Promise<StorageKind> {
  return (await ctx.store.team()) ? 'postgresql' : 'sqlite';
}

/** Each machine that made or joined the team workspace, from the audit chain (the record that cannot be edited quietly). */
function machinesOf(audit: readonly AuditEntry[]): TeamMachine[] {
  return audit
    .filter((e) => e.action === 'workspace.created' || e.action === 'workspace.machine-joined')
    .map((e) => {
      const details = (e.details ?? {}) as Record<string, unknown>;
      return {
        host: typeof details.host === 'string' ? details.host : '(unknown host)',
        folder: typeof details.folder === 'string' ? details.folder : '(unknown folder)',
        role: e.actor,
        at: e.at.toISOString(),
        joined: e.action === 'workspace.machine-joined',
      };
    });
}

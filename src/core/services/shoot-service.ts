import { SitterError } from '../domain/errors.js';
import { assertThresholdWithin, type ThresholdBounds } from '../domain/match-limits.js';
import { assertSourceAllowed } from '../domain/scope.js';
import { assertOpen, type NewShoot, type Shoot, validateNewShoot } from '../domain/shoot.js';
import { requireShootDates } from '../domain/shoot-dates.js';
import { type ServiceContext, requireShoot } from './context.js';
import { countRoster, loadRoster, type RosterCounts } from './roster.js';

/**
 * Where the new shoot sits on the machine, as the caller's file-system adapter sees it: the core
 * compares paths, it does not read them. The CLI always supplies it.
 */
export interface SourcePlacement {
  /** the workspace folder, symlinks resolved */
  workspaceDir: string;
  /** the user's home folder, symlinks resolved (null if unknown) */
  homeDir: string | null;
  /** resolves another shoot's stored source the same way the new one was (symlinks resolved) */
  canonical(source: string): Promise<string>;
}

export interface CreateShootInput extends NewShoot {
  connectorOptions?: Record<string, unknown>;
  /** when given, the source is checked against system folders, the workspace and every open shoot */
  placement?: SourcePlacement;
  /** the shoot's own distance threshold (`--threshold`), checked against the model's bounds */
  threshold?: { value: number; bounds: ThresholdBounds };
}

export async function createShoot(ctx: ServiceContext, input: CreateShootInput): Promise<Shoot> {
  validateNewShoot(input);
  if (input.threshold) assertThresholdWithin(input.threshold.value, input.threshold.bounds);
  return ctx.store.transaction(async (uow) => {
    if (await uow.shoots.find(input.id)) {
      throw new SitterError(
        'SHOOT_EXISTS',
        `A shoot "${input.id}" already exists.`,
        'Choose another id, or see it with `sitter shoot show ' + input.id + '`.',
      );
    }
    if (input.placement) {
      const { placement } = input;
      const openShoots = [];
      for (const other of await uow.shoots.list()) {
        if (other.status === 'closed') continue;
        openShoots.push({
          id: other.id,
          connector: other.connector,
          source: other.source.startsWith('/') ? await placement.canonical(other.source) : other.source,
        });
      }
      assertSourceAllowed(input.id, input.connector, input.source, {
        workspaceDir: placement.workspaceDir,
        homeDir: placement.homeDir,
        openShoots,
      });
    }
    const now = ctx.clock.now();
    const shoot: Shoot = {
      id: input.id,
      name: input.name.trim(),
      purpose: input.purpose.trim(),
      connector: input.connector,
      connectorOptions: input.connectorOptions ?? {},
      source: input.source,
      retentionDays: input.retentionDays,
      reviewersRequired: input.reviewersRequired === 2 ? 2 : 1,
      shootFrom: input.from,
      shootTo: input.to,
      utcOffset: input.utcOffset,
      status: 'draft',
      dpiaRef: null,
      approvedBy: null,
      approvedAt: null,
      matchThreshold: input.threshold?.value ?? null,
      matchMargin: null,
      createdAt: now,
      closedAt: null,
    };
    uow.shoots.add(shoot);
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'shoot.created',
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: {
          name: shoot.name,
          purpose: shoot.purpose,
          connector: shoot.connector,
          // secrets appear as `secret:NAME` references only (validated by the connector layer)
          connectorOptions: shoot.connectorOptions,
          source: shoot.source,
          retentionDays: shoot.retentionDays,
          reviewersRequired: shoot.reviewersRequired,
          from: shoot.shootFrom,
          to: shoot.shootTo,
          utcOffset: shoot.utcOffset,
          // null: the model's calibration at scan time; else the shoot's own, within the bounds shown
          matchThreshold: shoot.matchThreshold,
          ...(input.threshold
            ? { thresholdBounds: { min: input.threshold.bounds.min, max: input.threshold.bounds.max } }
            : {}),
        },
      },
      now,
    );
    return shoot;
  });
}

export interface ApprovalResult {
  shoot: Shoot;
  /** the roster as declared complete by this approval */
  roster: RosterCounts;
}

/** Rule 2: records the DPIA reference, approver and time, and declares the roster complete. */
export async function approveShoot(
  ctx: ServiceContext,
  shootId: string,
  dpiaRef: string,
  approvedBy: string,
): Promise<ApprovalResult> {
  if (!dpiaRef.trim())
    throw new SitterError(
      'DPIA_REQUIRED',
      'A DPIA reference is required to approve a shoot.',
      'Pass --dpia with the reference of the data protection impact assessment (GDPR Art. 35).',
    );
  if (!approvedBy.trim())
    throw new SitterError(
      'APPROVER_REQUIRED',
      'The approver is required.',
      'Pass --approved-by with the name of the person signing off.',
    );
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'approval');
    if (shoot.status === 'approved') {
      throw new SitterError(
        'SHOOT_ALREADY_APPROVED',
        `Shoot "${shoot.id}" was already approved by ${shoot.approvedBy} on ${shoot.approvedAt?.toISOString()} (DPIA ${shoot.dpiaRef}).`,
        'Nothing to do; `sitter shoot show` prints the approval.',
      );
    }
    // The approval signs off the shoot's days too: they are what keeps an archive out.
    const dates = requireShootDates(shoot, 'approval');
    const now = ctx.clock.now();
    const roster = countRoster(await loadRoster(uow, shoot.id, now));
    shoot.status = 'approved';
    shoot.dpiaRef = dpiaRef.trim();
    shoot.approvedBy = approvedBy.trim();
    shoot.approvedAt = now;
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'shoot.approved',
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: { dpiaRef: shoot.dpiaRef, approvedBy: shoot.approvedBy, rosterDeclaredComplete: roster, dates },
      },
      now,
    );
    return { shoot, roster };
  });
}

export interface CloseResult {
  shoot: Shoot;
  templatesDeleted: number;
  embeddingsDeleted: number;
}

/**
 * Closing ends processing for good: templates and stored embeddings are deleted and the shoot's
 * data key is destroyed (rule 4, crypto-shredding). Consent records, boxes and decisions stay as the record.
 */
export async function closeShoot(ctx: ServiceContext, shootId: string): Promise<CloseResult> {
  return endShoot(ctx, shootId, 'shoot.closed', {});
}

/**
 * Ends a shoot's biometric life: the close itself, or the purge when its retention ended (recorded
 * as `shoot.retention-purged`). Either way the key is destroyed after the commit and that is recorded.
 */
export async function endShoot(
  ctx: ServiceContext,
  shootId: string,
  action: 'shoot.closed' | 'shoot.retention-purged',
  details: Record<string, unknown>,
): Promise<CloseResult> {
  const result = await ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'closing it again');
    const now = ctx.clock.now();
    const templatesDeleted = await uow.templates.deleteByShoot(shoot.id);
    const embeddingsDeleted = await uow.faces.clearEmbeddingsOfShoot(shoot.id);
    shoot.status = 'closed';
    shoot.closedAt = now;
    await uow.audit.append(
      {
        actor: ctx.actor,
        action,
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: { ...details, templatesDeleted, embeddingsDeleted },
      },
      now,
    );
    return { shoot, templatesDeleted, embeddingsDeleted };
  });
  // After the commit: should the commit fail, the key must still open the data that is still there.
  // The destruction is recorded only once it has happened.
  await ctx.keyVault.destroyShootKey(shootId);
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      { actor: ctx.actor, action: 'shoot.key-destroyed', shootId, subject: `shoot:${shootId}`, details: {} },
      ctx.clock.now(),
    ),
  );
  return result;
}

export interface ShootSummary {
  shoot: Shoot;
  roster: RosterCounts;
}

export async function listShoots(ctx: ServiceContext): Promise<ShootSummary[]> {
  return ctx.store.transaction(async (uow) => {
    const now = ctx.clock.now();
    const shoots = await uow.shoots.list();
    const out: ShootSummary[] = [];
    for (const shoot of shoots) out.push({ shoot, roster: countRoster(await loadRoster(uow, shoot.id, now)) });
    return out;
  });
}

export async function showShoot(ctx: ServiceContext, shootId: string): Promise<ShootSummary> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    return { shoot, roster: countRoster(await loadRoster(uow, shoot.id, ctx.clock.now())) };
  });
}

import { isSitterError } from '../domain/errors.js';
import { retentionEnds, type Shoot } from '../domain/shoot.js';
import type { ServiceContext } from './context.js';
import { endShoot } from './shoot-service.js';
import { sweepLapsedConsent } from './withdrawal.js';

export interface RetentionPurge {
  shoot: string;
  /** when the retention ended (approval + retention days) */
  retentionEnded: string;
  templatesDeleted: number;
  embeddingsDeleted: number;
  keyDestroyed: true;
}

export interface ConsentPurge {
  shoot: string;
  /** participants whose consent lapsed (expired, withdrawn by date, biometrics no) */
  participants: string[];
  templatesDeleted: number;
  matchesRevoked: number;
}

export interface PurgeReport {
  retention: RetentionPurge[];
  consent: ConsentPurge[];
  /** shoots whose purge is due but could not be done (a read-only workspace, a lock): said, never hidden */
  blocked: { shoot: string; reason: string }[];
}

/** An approved shoot whose retention has ended still holds biometric data until it is purged. */
export function retentionPurgeDue(shoot: Shoot, now: Date): boolean {
  const ends = retentionEnds(shoot);
  return shoot.status === 'approved' && ends !== null && ends.getTime() <= now.getTime();
}

/**
 * Every purge that is due (GDPR Art. 5(1)(e), Art. 7(3)): shoots past their retention lose their
 * templates and embeddings and their data key is destroyed; in every other open shoot, consent that
 * lapsed since the last command is applied per participant. Runs at the start of every command that
 * opens a workspace, and as `sitter purge` for cron. Each purge is its own audit entry.
 */
export async function purgeDue(ctx: ServiceContext): Promise<PurgeReport> {
  const report: PurgeReport = { retention: [], consent: [], blocked: [] };
  const now = ctx.clock.now();
  const shoots = await ctx.store.transaction((uow) => uow.shoots.list());
  for (const shoot of shoots) {
    if (shoot.status === 'closed') continue;
    try {
      if (retentionPurgeDue(shoot, now)) {
        const ended = retentionEnds(shoot)!.toISOString();
        const done = await endShoot(ctx, shoot.id, 'shoot.retention-purged', {
          retentionDays: shoot.retentionDays,
          retentionEnded: ended,
          automatic: true,
        });
        report.retention.push({
          shoot: shoot.id,
          retentionEnded: ended,
          templatesDeleted: done.templatesDeleted,
          embeddingsDeleted: done.embeddingsDeleted,
          keyDestroyed: true,
        });
        continue;
      }
      // Nothing is written when nothing lapsed, so a read-only workspace only fails when a purge is due.
      const swept = await ctx.store.transaction((uow) => sweepLapsedConsent(uow, shoot.id, now, ctx.actor));
      if (swept.participants.length > 0) {
        report.consent.push({
          shoot: shoot.id,
          participants: swept.participants,
          templatesDeleted: swept.templatesDeleted,
          matchesRevoked: swept.matchesRevoked,
        });
      }
    } catch (error) {
      // A read-only copy, a lock, a broken chain: said on every command, and the command still runs,
      // so that `audit verify` and friends can show what is wrong. A bug is not swallowed.
      if (!isSitterError(error)) throw error;
      report.blocked.push({ shoot: shoot.id, reason: `${error.code}: ${error.message}` });
    }
  }
  return report;
}

/** One line per purge, for the people reading a command's output. */
export function describePurges(report: PurgeReport): string[] {
  return [
    ...report.retention.map(
      (r) =>
        `Retention of shoot "${r.shoot}" ended on ${r.retentionEnded}: ${r.templatesDeleted} templates ` +
        `and ${r.embeddingsDeleted} embeddings deleted, data key destroyed, shoot closed.`,
    ),
    ...report.consent.map(
      (c) =>
        `Shoot "${c.shoot}": consent lapsed for ${c.participants.join(', ')}: ${c.templatesDeleted} templates deleted, ${c.matchesRevoked} matches revoked.`,
    ),
    ...report.blocked.map(
      (b) =>
        `Shoot "${b.shoot}": a purge is due but could not be done (${b.reason}). Fix that and run \`sitter purge\`.`,
    ),
  ];
}

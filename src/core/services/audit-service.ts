import { type AuditEntry, type ChainVerdict, verifyChain } from '../domain/audit.js';
import { isSitterError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';

export async function verifyAudit(ctx: ServiceContext): Promise<ChainVerdict> {
  const entries = await ctx.store.transaction((uow) => uow.audit.all());
  return verifyChain(entries);
}

export interface AuditExport {
  entries: AuditEntry[];
  /** false when the workspace is read-only (an archived copy): the export itself could not be recorded */
  recorded: boolean;
}

/**
 * The chain as it stands, for a shoot or all. The export is itself put on the record first (rule 7:
 * exports are audited), so the exported file ends with the entry that says it was made; a read-only
 * workspace is still exported, and says it could not record that.
 */
export async function exportAudit(ctx: ServiceContext, shootId?: string, destination = 'stdout'): Promise<AuditExport> {
  let recorded = true;
  try {
    await ctx.store.transaction((uow) =>
      uow.audit.append({ actor: ctx.actor, action: 'audit.exported', shootId: shootId ?? null, subject: `export:${destination}`, details: { scope: shootId ?? 'all' } }, ctx.clock.now()),
    );
  } catch (error) {
    if (!isSitterError(error) || error.code !== 'WORKSPACE_READ_ONLY') throw error;
    recorded = false;
  }
  const entries = await ctx.store.transaction((uow) => uow.audit.all());
  return { entries: shootId ? entries.filter((e) => e.shootId === shootId) : entries, recorded };
}

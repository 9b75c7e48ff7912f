import { type AnchorVerdict, type AuditAnchor, checkAnchor, formatAnchor } from '../domain/anchor.js';
import { type AuditEntry, type ChainVerdict, verifyChain } from '../domain/audit.js';
import { isSitterError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';

export interface AuditVerification {
  chain: ChainVerdict;
  /** the head as HASH@SEQ, to keep outside the workspace; null for an empty or broken chain */
  head: string | null;
  /** the outcome against an anchor kept elsewhere, when one was given */
  anchor: (AnchorVerdict & { anchor: string }) | null;
}

/** Checks the database file, then verifies the chain, and, given an anchor, that the chain still reaches it unchanged. */
export async function verifyAudit(ctx: ServiceContext, anchor?: AuditAnchor): Promise<AuditVerification> {
  // A verified chain in a damaged file proves little: the file is checked whole first (a damaged page
  // no query reads is found here, not when a later command needs it).
  await ctx.store.assertIntact();
  const { entries, shoots } = await ctx.store.transaction(async (uow) => ({
    entries: await uow.audit.all(),
    shoots: (await uow.shoots.list()).length,
  }));
  const chain = emptiedChain(entries, shoots) ?? verifyChain(entries);
  const head = chain.ok && chain.count > 0 ? formatAnchor({ hash: chain.headHash, seq: chain.headSeq }) : null;
  return { chain, head, anchor: anchor ? { ...checkAnchor(entries, anchor), anchor: formatAnchor(anchor) } : null };
}

/**
 * An empty chain verifies trivially, yet a workspace holding shoots has put them on the record: every
 * entry was removed (the first ones of a team workspace cannot go missing either, seq 1 is checked
 * by verifyChain).
 */
function emptiedChain(entries: readonly AuditEntry[], shoots: number): ChainVerdict | null {
  if (entries.length > 0 || shoots === 0) return null;
  return {
    ok: false,
    count: 0,
    firstBadSeq: 1,
    reason: `the chain is empty although the workspace holds ${shoots} shoot${shoots === 1 ? '' : 's'}: its entries were removed`,
  };
}

export interface AuditExport {
  entries: AuditEntry[];
  /** false when the workspace is read-only (an archived copy): the export itself could not be recorded */
  recorded: boolean;
  /** the whole chain's head (HASH@SEQ) after the export was recorded: an anchor to keep elsewhere */
  head: string | null;
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
      uow.audit.append(
        {
          actor: ctx.actor,
          action: 'audit.exported',
          shootId: shootId ?? null,
          subject: `export:${destination}`,
          details: { scope: shootId ?? 'all' },
        },
        ctx.clock.now(),
      ),
    );
  } catch (error) {
    if (!isSitterError(error) || error.code !== 'WORKSPACE_READ_ONLY') throw error;
    recorded = false;
  }
  const entries = await ctx.store.transaction((uow) => uow.audit.all());
  const last = entries.at(-1);
  return {
    entries: shootId ? entries.filter((e) => e.shootId === shootId) : entries,
    recorded,
    head: last ? formatAnchor(last) : null,
  };
}

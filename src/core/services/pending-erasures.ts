import { participantPseudonym } from '../domain/pseudonym.js';
import type { ServiceContext } from './context.js';

/**
 * What to tell whoever opens the workspace about erasures interrupted before their receipt (the
 * records are gone, the DPO's proof is not written). The reference is blanked, so the line cannot
 * print it: the DPO who ran the erasure has it.
 */
export async function pendingErasureNotices(ctx: ServiceContext): Promise<string[]> {
  const pending = await ctx.store.transaction((uow) => uow.erasures.pending());
  return pending.map(
    (e) =>
      `An erasure in shoot "${e.shootId}" (${participantPseudonym({ id: e.participantId })}, ` +
      `${e.pendingSince?.toISOString()}) was interrupted before its receipt: run \`sitter erase ${e.shootId} REFERENCE\` ` +
      'again with the reference that was erased to finish it and write the receipt with its proof.',
  );
}

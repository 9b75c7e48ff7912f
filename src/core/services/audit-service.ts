import { type AuditEntry, type ChainVerdict, verifyChain } from '../domain/audit.js';
import type { ServiceContext } from './context.js';

export async function verifyAudit(ctx: ServiceContext): Promise<ChainVerdict> {
  const entries = await ctx.store.transaction((uow) => uow.audit.all());
  return verifyChain(entries);
}

export async function exportAudit(ctx: ServiceContext, shootId?: string): Promise<AuditEntry[]> {
  const entries = await ctx.store.transaction((uow) => uow.audit.all());
  return shootId ? entries.filter((e) => e.shootId === shootId) : entries;
}

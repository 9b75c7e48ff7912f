/**
 * `sitter clearance`: may each asset be used for a scope, as of the context's clock, and why not.
 * Read-only: nothing is written, nothing is audited (the answer is recomputed from the record).
 */
import { parseScopes } from '../consent/values.js';
import {
  type ClearanceFacts,
  type ClearanceReason,
  type ClearanceRow,
  CLEARANCE_REASON_TEXT,
  scopesOnRecord,
  shootClearanceRows,
  unlinkablePeople,
} from '../domain/clearance.js';
import { UsageError } from '../domain/errors.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';

/** One reason an asset is not cleared, as the CLI prints it. */
export interface ClearanceProblemView {
  reason: ClearanceReason;
  text: string;
  face: number | null;
  /** the person concerned (their reference), when the reason is about a named person's consent */
  participant: string | null;
  name: string | null;
}

export interface AssetClearanceView {
  asset: string;
  file: string;
  cleared: boolean;
  changedSincePush: boolean;
  /** the confirmed people on it whose consent allows the scope */
  people: string[];
  problems: ClearanceProblemView[];
}

export interface ScopeClearance {
  shootId: string;
  scope: string;
  asOf: string;
  /** whether any current consent record of the shoot names this scope (a typo otherwise clears nothing) */
  scopeOnRecord: boolean;
  scopesOnRecord: string[];
  counts: { assets: number; cleared: number; notCleared: number; changedSincePush: number };
  assets: AssetClearanceView[];
  /** people whose consent allows the scope but whom Sitter cannot link to a face (photos only) */
  notLinked: { participant: string; name: string; why: string }[];
}

export interface ScopeTable {
  shootId: string;
  asOf: string;
  scopes: string[];
  assets: {
    asset: string;
    file: string;
    changedSincePush: boolean;
    clearance: Record<string, { cleared: boolean; reasons: ClearanceReason[] }>;
  }[];
}

const NOT_LINKED_WHY =
  'photos only (no biometric consent): Sitter links a face to a person only by a reviewer decision, which needs biometric consent, so their face stays unidentified and its asset is not cleared; check such photos by hand';

/** Everything clearance depends on, read in one unit of work (never an embedding). */
export async function loadClearanceFacts(uow: UnitOfWork, shootId: string): Promise<ClearanceFacts> {
  const [participants, consents, assets, faces, decisions, pushes] = await Promise.all([
    uow.participants.listByShoot(shootId),
    uow.consents.currentForShoot(shootId),
    uow.assets.listByShoot(shootId),
    uow.faces.listByShootWithoutEmbeddings(shootId),
    uow.decisions.listByShoot(shootId),
    uow.pushRecords.listByShoot(shootId),
  ]);
  return { participants: new Map(participants.map((p) => [p.id, p])), consents, assets, faces, decisions, pushes };
}

/** A scope as the consent file spells them (lower case, letters, digits, - and _). */
export function normaliseScope(raw: string): string {
  const parsed = parseScopes(raw);
  if (!parsed.ok || parsed.value.length !== 1)
    throw new UsageError(
      'BAD_SCOPE',
      `--scope takes one publication scope such as "web" or "print", not ${JSON.stringify(raw)}.`,
      'Run `sitter clearance SHOOT` without --scope to see the scopes on record.',
    );
  return parsed.value[0]!;
}

function viewOf(facts: ClearanceFacts, row: ClearanceRow): AssetClearanceView {
  const ref = (id: number | null) => (id === null ? null : (facts.participants.get(id) ?? null));
  return {
    asset: row.asset.connectorAssetId,
    file: row.asset.fileName,
    cleared: row.cleared,
    changedSincePush: row.changedSincePush,
    people: row.clearedPeople.map((id) => ref(id)?.externalRef ?? `#${id}`),
    problems: row.problems.map((p) => ({
      reason: p.reason,
      text: CLEARANCE_REASON_TEXT[p.reason],
      face: p.face,
      participant: ref(p.participantId)?.externalRef ?? null,
      name: ref(p.participantId)?.displayName ?? null,
    })),
  };
}

/** Each asset of the shoot, cleared or not for `scope` as of now, and why not. */
export async function clearanceForScope(ctx: ServiceContext, shootId: string, scope: string): Promise<ScopeClearance> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const facts = await loadClearanceFacts(uow, shootId);
    const assets = shootClearanceRows(facts, scope, now).map((row) => viewOf(facts, row));
    const onRecord = scopesOnRecord(facts.consents);
    const cleared = assets.filter((a) => a.cleared).length;
    return {
      shootId,
      scope,
      asOf: now.toISOString(),
      scopeOnRecord: [...facts.consents.values()].some((c) =>
        c.publicationScopes.some((s) => s === scope || s === 'all' || s === 'unlimited'),
      ),
      scopesOnRecord: onRecord,
      counts: {
        assets: assets.length,
        cleared,
        notCleared: assets.length - cleared,
        changedSincePush: assets.filter((a) => a.changedSincePush).length,
      },
      assets,
      notLinked: unlinkablePeople(facts, scope, now).map((id) => {
        const p = facts.participants.get(id)!;
        return { participant: p.externalRef, name: p.displayName, why: NOT_LINKED_WHY };
      }),
    };
  });
}

/** Without a scope: every asset against every scope the shoot's consent records name. */
export async function clearanceTable(ctx: ServiceContext, shootId: string): Promise<ScopeTable> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const facts = await loadClearanceFacts(uow, shootId);
    const scopes = scopesOnRecord(facts.consents);
    const byScope = new Map(
      scopes.map((s) => [s, new Map(shootClearanceRows(facts, s, now).map((r) => [r.asset.id, r]))]),
    );
    // Ordered as for one scope (changed since push first): the flag does not depend on the scope.
    const order = shootClearanceRows(facts, scopes[0] ?? '', now);
    return {
      shootId,
      asOf: now.toISOString(),
      scopes,
      assets: order.map((row) => ({
        asset: row.asset.connectorAssetId,
        file: row.asset.fileName,
        changedSincePush: row.changedSincePush,
        clearance: Object.fromEntries(
          scopes.map((s) => {
            const r = byScope.get(s)!.get(row.asset.id)!;
            return [s, { cleared: r.cleared, reasons: [...new Set(r.problems.map((p) => p.reason))] }];
          }),
        ),
      })),
    };
  });
}

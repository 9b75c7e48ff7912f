import { participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import { formatAnchor } from '../domain/anchor.js';
import { SitterError } from '../domain/errors.js';
import type { Connector } from '../ports/connector.js';
import { type ServiceContext, requireShoot } from './context.js';
import { isDamUnreached, isSweepFailure } from '../domain/push-failure.js';
import { type PushFailure, type PushedAsset, pushShoot } from './push-service.js';
import { placesNaming } from './push-ledger.js';
import { type CascadeResult, withdrawalCascade } from './withdrawal.js';
import type { UnitOfWork } from '../ports/store.js';
import type { Asset, Participant } from '../domain/records.js';
import { identityOf } from './erasure-check.js';
import { cannotReadBack, type SourceCheck, type SourceVerdict, verifyInSource } from './withdraw-verify.js';
import { retryWhileLocked, WITHDRAWAL_LOCK_WAIT_MS } from './retry-locked.js';

/**
 * Makes the shoot's connector only after the withdrawal is committed: a connector that cannot be
 * made (a plugin gone, a secret missing) must not stop the withdrawal itself (rule 6), only the DAM
 * update, which the receipt then reports as failed. The service closes what it opened.
 */
export type ConnectorOpener = () => Promise<Connector>;

export interface WithdrawalReceipt {
  shoot: string;
  participant: string;
  name: string;
  withdrawnAt: string;
  templatesDeleted: number;
  matchesRevoked: number;
  /** the DAM metadata updated through the connector: names removed, or sidecars cleared */
  damUpdates: PushedAsset[];
  damFailures: PushFailure[];
  /** the audit entry that records this receipt: proof that can be checked with `sitter audit verify` */
  audit: { seq: number; hash: string };
  /** the chain's head right after the receipt (HASH@SEQ): an anchor to keep outside the workspace */
  anchor: string;
  /**
   * `withdrawn`: withdrawn now. `completed`: the person had withdrawn, but that withdrawal was
   * interrupted after its commit (DAM not updated or no receipt): this run finished it.
   * `already-complete`: nothing was left to do; `audit` is the earlier receipt. `dam-pending`: the
   * person had withdrawn, and this run again could not update (or reach) the DAM: the withdrawal
   * stands, its DAM update is still to be done. `rechecked`: the earlier run finished, but its
   * read-back was not clean (`still-named`, `pending-approval`, a read that failed): this run read the
   * withdrawal's assets back again, after writing again those it had found still naming the person.
   */
  outcome: 'withdrawn' | 'completed' | 'already-complete' | 'dam-pending' | 'rechecked';
  /**
   * What the source holds now, read back through the connector after the update; on
   * `already-complete`, what the earlier receipt could verify (absent when it made no read-back).
   * Anything but `clean` is not a finished withdrawal: the command exits 1 and says what to do.
   */
  verifiedInSource?: SourceVerdict;
  /** the read-back behind `verifiedInSource` */
  sourceCheck?: SourceCheck;
}

/**
 * The store's part of a withdrawal, one transaction: the new record version, the withdrawn form
 * remembered, the cascade. For someone already withdrawn it commits nothing and returns what that
 * earlier withdrawal may have left undone (a run killed after this commit).
 */

export async function commitWithdrawal(ctx: ServiceContext, shootId: string, participantRef: string) {
  return retryWhileLocked(() => stageWithdrawal(ctx, shootId, participantRef), { maxWaitMs: WITHDRAWAL_LOCK_WAIT_MS });
}

function stageWithdrawal(ctx: ServiceContext, shootId: string, participantRef: string) {
  return ctx.store.transaction(async (uow) => {
    await requireShoot(uow, shootId);
    const participant = await uow.participants.findByExternalRef(shootId, participantRef);
    if (!participant) {
      throw new SitterError(
        'PARTICIPANT_NOT_FOUND',
        `Shoot "${shootId}" has no participant "${participantRef}".`,
        `See the roster with \`sitter consent list ${shootId}\`.`,
      );
    }
    const current = await uow.consents.current(participant.id);
    if (!current)
      throw new SitterError(
        'NO_CONSENT_RECORD',
        `${participantRef} has no consent record to withdraw.`,
        'Import the consent file first.',
      );
    if (current.withdrawnAt && current.withdrawnAt.getTime() <= ctx.clock.now().getTime()) {
      const earlier = await receiptOf(uow, participant, current.withdrawnAt);
      const leftover = await leftoverOf(uow, shootId, participant);
      const idOf =
        earlier?.recheck || earlier?.blind ? await assetIdsBySource(uow, shootId) : new Map<string, number>();
      const ids = (sourceIds: readonly string[]) => sourceIds.flatMap((s) => idOf.get(s) ?? []);
      // An earlier receipt whose read-back was not clean asked for this rerun: the assets of this
      // withdrawal are read back again, and written again where it said still named, also where no
      // open push record says Sitter names the person (a DAM that answered "written" and kept the name).
      const touched = earlier ? ids(earlier.touched) : [];
      // No receipt yet (a withdrawal by consent import or by the lapse sweep, or a run killed before its
      // receipt): every asset Sitter ever wrote the person on is read back, not only those whose record
      // is still open (a DAM may have answered "ok" and kept the name).
      const everWritten = earlier
        ? []
        : (await uow.pushRecords.listByParticipant(participant.id))
            .filter((r) => r.shootId === shootId)
            .map((r) => r.assetId);
      const readAgain = earlier?.recheck ? touched : [];
      const affectedAssetIds = [...new Set([...leftover.affectedAssetIds, ...readAgain, ...everWritten])];
      return {
        participant,
        now: current.withdrawnAt,
        cascade: { ...leftover, affectedAssetIds },
        earlier,
        recheck: earlier?.recheck ? ids(earlier.stillNamed) : [],
        blindRecheck: earlier?.blind ? touched : [],
      };
    }
    const now = ctx.clock.now();
    const { id: _id, ...rest } = current;
    await uow.consents.add({ ...rest, withdrawnAt: now, importedFrom: 'sitter withdraw', importedAt: now });
    await uow.withdrawals.rememberForms(shootId, [{ formSha256: current.formSha256, withdrawnAt: now }]);
    const cascade = await withdrawalCascade(uow, participant);
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'consent.withdrawn',
        shootId,
        subject: participantSubject(participant),
        details: { withdrawnAt: now, via: 'command', ...cascade },
      },
      now,
    );
    return {
      participant,
      now,
      cascade: { ...cascade, resuming: false },
      earlier: null,
      recheck: [] as number[],
      blindRecheck: [] as number[],
    };
  });
}

/**
 * Rule 6 as one command (GDPR Art. 7(3): withdrawing is as easy as consenting): a new version of
 * the consent record, the cascade in the store (templates, embeddings, matches), the DAM metadata
 * updated through the connector, and a receipt that is itself on the audit chain. Run again for
 * someone already withdrawn, it finishes what an interrupted run left: the places Sitter's push
 * record still names them, and the receipt.
 */
export async function withdrawConsent(
  ctx: ServiceContext,
  connector: Connector | ConnectorOpener,
  shootId: string,
  participantRef: string,
): Promise<WithdrawalReceipt> {
  const staged = await commitWithdrawal(ctx, shootId, participantRef);
  const base = {
    shoot: shootId,
    participant: participantRef,
    name: staged.participant.displayName,
    withdrawnAt: staged.now.toISOString(),
    templatesDeleted: staged.cascade.templatesDeleted,
    matchesRevoked: staged.cascade.matchesRevoked,
  };
  // Nothing is left only if the earlier run reached the DAM: one that did not never swept its leftovers
  // (one whose sweep failed is rechecked: receiptOf).
  const earlier = staged.earlier;
  let dam: Connector | ConnectorOpener = connector;
  let openedHere: Connector | undefined;
  if (
    staged.cascade.resuming &&
    earlier?.damReached &&
    !earlier.recheck &&
    staged.cascade.affectedAssetIds.length === 0
  ) {
    // An earlier receipt that could not read back at all: if the shoot's connector can now (a plugin
    // upgraded), its assets are read back after all.
    openedHere = earlier.blind && staged.blindRecheck.length ? await openIfReadable(connector) : undefined;
    if (openedHere) {
      dam = openedHere;
      staged.cascade.affectedAssetIds = staged.blindRecheck;
    } else
      return {
        ...base,
        damUpdates: [],
        damFailures: [],
        audit: { seq: earlier.seq, hash: earlier.hash },
        anchor: formatAnchor(earlier),
        outcome: 'already-complete',
        // what the earlier receipt could verify: `not-verifiable` for a connector that cannot read back,
        // which no rerun changes; the command still exits 1 on it
        ...(earlier.verdict ? { verifiedInSource: earlier.verdict, sourceCheck: earlier.sourceCheck } : {}),
      };
  }
  // After the commit: the store no longer links the person to any face, so a re-push writes the
  // remaining people only, or clears the asset. Whatever happens there, the receipt is recorded.
  let reached: DamUpdate;
  try {
    reached = await reachDam(ctx, dam, shootId, staged, participantRef);
  } finally {
    // what this function opened it closes; a connector handed in stays the caller's
    if (typeof connector === 'function') await openedHere?.close?.().catch(() => undefined);
  }
  const { damUpdates, damFailures, sourceCheck, readBack, stillNamedIds } = reached;
  // A rerun after a run that reached the DAM checks again what it left; one with no receipt before it
  // (killed after the commit), or after a run that never reached the DAM, finishes the update.
  const rechecking = staged.cascade.resuming && earlier?.anyReached === true;
  const outcome = !staged.cascade.resuming
    ? ('withdrawn' as const)
    : damFailures.length
      ? ('dam-pending' as const)
      : rechecking
        ? ('rechecked' as const)
        : ('completed' as const);
  const receipt = { ...base, damUpdates, damFailures, verifiedInSource: sourceCheck.verdict, sourceCheck };
  const entry = await retryWhileLocked(() =>
    ctx.store.transaction((uow) =>
      // On the chain the receipt names nobody: the pseudonym instead of the reference, no name (erasure must be able to leave the chain as it is).
      uow.audit.append(
        {
          actor: ctx.actor,
          action: 'consent.withdrawal-receipt',
          shootId,
          subject: participantSubject(staged.participant),
          details: {
            ...receipt,
            participant: participantPseudonym(staged.participant),
            name: undefined,
            // for the next rerun: the assets read back, and those found still naming the person
            readBack,
            stillNamedIds,
            // a rerun that checks an earlier receipt again, or one that finishes a run that did not get as far
            ...(rechecking && earlier
              ? { rechecks: earlier.seq }
              : staged.cascade.resuming
                ? { completesInterrupted: true }
                : {}),
          },
        },
        ctx.clock.now(),
      ),
    ),
  );
  return { ...receipt, audit: { seq: entry.seq, hash: entry.hash }, anchor: formatAnchor(entry), outcome };
}

interface DamUpdate {
  damUpdates: PushedAsset[];
  damFailures: PushFailure[];
  sourceCheck: SourceCheck;
  /** the source ids of the assets read back, and of those found still naming the person */
  readBack: string[];
  stillNamedIds: string[];
}

type Staged = Awaited<ReturnType<typeof commitWithdrawal>>;

/** How many more times the DAM is updated and read back when a concurrent push named the person again. */
const RECHECKS_AFTER_CONCURRENT_PUSH = 2;
const RECHECK_PAUSE_MS = 500;

/**
 * The shoot's connector, made only now (after the commit), then the DAM update and read-back. One that
 * cannot be made leaves the withdrawal standing: the receipt says the DAM was not updated.
 */
async function reachDam(
  ctx: ServiceContext,
  connector: Connector | ConnectorOpener,
  shootId: string,
  staged: Staged,
  participantRef: string,
): Promise<DamUpdate> {
  const opened = typeof connector === 'function';
  let dam: Connector;
  try {
    dam = opened ? await connector() : connector;
  } catch (error) {
    const { sourceCheck, touched } = await verifyTouched(ctx, undefined, shootId, staged, participantRef);
    return {
      damUpdates: [],
      damFailures: [notReached(error, shootId, participantRef)],
      sourceCheck,
      readBack: touched.map((a) => a.connectorAssetId),
      stillNamedIds: [],
    };
  }
  try {
    return await updateAndVerify(ctx, dam, shootId, staged, participantRef);
  } finally {
    if (opened) await dam.close?.().catch(() => undefined);
  }
}

/**
 * The DAM update (a withdrawal-only push of the assets the cascade touched), then the read-back.
 * Still named right after the update means a push started before the withdrawal wrote the asset in
 * between; that push takes the person off itself as soon as it sees the withdrawal (push-service.ts),
 * and this updates and reads back once more rather than hand the user a receipt already out of date.
 */
async function updateAndVerify(
  ctx: ServiceContext,
  dam: Connector,
  shootId: string,
  staged: Staged,
  participantRef: string,
): Promise<DamUpdate> {
  const byAsset = new Map<string, PushedAsset>();
  // Assets the read-back found still naming the person: updated again even where no open push record
  // says Sitter wrote there (the concurrent push had not recorded its write yet).
  let again: number[] = staged.recheck;
  for (let round = 0; ; round++) {
    let damFailures: PushFailure[];
    try {
      const pushed = await pushShoot(ctx, dam, shootId, {
        assetIds: staged.cascade.affectedAssetIds,
        reason: 'withdrawal',
        ...(again.length ? { forceAssetIds: again } : {}),
      });
      // An asset written in an earlier round and unchanged in this one keeps the earlier account.
      for (const u of pushed.updated) if (u.action !== 'unchanged' || !byAsset.has(u.asset)) byAsset.set(u.asset, u);
      damFailures = pushed.failed;
    } catch (error) {
      damFailures = [notReached(error, shootId, participantRef)];
    }
    const stillNamed: string[] = [];
    const { sourceCheck, touched } = await verifyTouched(ctx, dam, shootId, staged, participantRef, stillNamed);
    // a failed sweep of temp files alone does not stop the checks for a concurrent push
    const done = sourceCheck.verdict !== 'still-named' || damFailures.some((f) => !isSweepFailure(f));
    if (done || round >= RECHECKS_AFTER_CONCURRENT_PUSH)
      return {
        damUpdates: [...byAsset.values()],
        damFailures,
        sourceCheck,
        readBack: touched.map((a) => a.connectorAssetId),
        stillNamedIds: stillNamed,
      };
    again = touched.filter((a) => stillNamed.includes(a.connectorAssetId)).map((a) => a.id);
    await new Promise((r) => setTimeout(r, RECHECK_PAUSE_MS * (round + 1)));
  }
}

/** Reads back, through the connector, every asset the withdrawal touched. */
async function verifyTouched(
  ctx: ServiceContext,
  dam: Connector | undefined,
  shootId: string,
  staged: Staged,
  participantRef: string,
  stillNamed: string[] = [],
): Promise<{ sourceCheck: SourceCheck; touched: Asset[] }> {
  const { touched, source } = await retryWhileLocked(() =>
    ctx.store.transaction(async (uow) => ({
      touched: (await uow.assets.listByShoot(shootId)).filter((a) => staged.cascade.affectedAssetIds.includes(a.id)),
      source: (await requireShoot(uow, shootId)).source,
    })),
  );
  const sourceCheck = await verifyInSource(
    dam,
    source,
    touched,
    identityOf(staged.participant),
    `sitter withdraw ${shootId} ${participantRef}`,
    stillNamed,
  );
  return { sourceCheck, touched };
}

/** The DAM was not reached at all (a failure on no one asset, '*'): the connector or its DAM failed. */
function notReached(error: unknown, shootId: string, participantRef: string): PushFailure {
  return {
    asset: '*',
    code: error instanceof SitterError ? error.code : 'BUG',
    message: error instanceof Error ? error.message : String(error),
    hint: `${error instanceof SitterError && error.hint ? `${error.hint} ` : ''}Then run \`sitter withdraw ${shootId} ${participantRef}\` again (or \`sitter push ${shootId} --withdrawals\`) to take the withdrawn off the DAM.`,
  };
}

/** What an earlier, committed withdrawal may have left undone: the places Sitter's push record still names the person. */
async function leftoverOf(
  uow: UnitOfWork,
  shootId: string,
  participant: Participant,
): Promise<CascadeResult & { resuming: boolean }> {
  const places = await placesNaming(uow, shootId, participant.id);
  return {
    templatesDeleted: 0,
    matchesRevoked: 0,
    affectedAssetIds: [...new Set(places.map((p) => p.assetId))],
    resuming: true,
  };
}

/**
 * The last receipt recorded for the withdrawal dated `withdrawnAt`, if one was, and what a rerun must
 * check again. `recheck`: `rewrite` when a receipt since the last clean one found the person still
 * named (`stillNamed`: where), `read` after `pending-approval`, a read-back that failed or a failed
 * sweep of leftover temp files; none after `clean`, after a receipt from before read-backs, or when the connector cannot read back at all (no
 * rerun changes that). `touched`: the source ids of every asset any receipt of this withdrawal
 * updated, failed on or read back (a rerun that could not reach the DAM must not make the next forget them).
 */
async function receiptOf(uow: UnitOfWork, participant: Participant, withdrawnAt: Date) {
  const subject = participantSubject(participant);
  const receipts = (await uow.audit.all()).filter(
    (e) =>
      e.action === 'consent.withdrawal-receipt' &&
      e.subject === subject &&
      e.details.withdrawnAt === withdrawnAt.toISOString(),
  );
  const entry = receipts.at(-1);
  if (!entry) return null;
  const ids = (values: unknown): string[] =>
    (Array.isArray(values) ? values : []).filter((a): a is string => typeof a === 'string' && a !== '*');
  const assetsOf = (list: unknown) =>
    ids((Array.isArray(list) ? list : []).map((u) => (u as { asset?: unknown }).asset));
  // A failure on no one asset ('*') is a connector that could not be made or opened, unless it was
  // the sweep of leftover temp files (stage 'leftovers'), which runs once the DAM was reached.
  const failuresOf = (e: typeof entry) => (e.details.damFailures ?? []) as { asset?: unknown; stage?: unknown }[];
  const touched = receipts.flatMap((e) => [
    ...assetsOf(e.details.damUpdates),
    ...assetsOf(e.details.damFailures),
    ...ids(e.details.readBack),
  ]);
  const lastClean = receipts.findLastIndex((e) => e.details.verifiedInSource === 'clean');
  const since = receipts.slice(lastClean + 1);
  const stillNamed = since.flatMap((e) => ids(e.details.stillNamedIds));
  const verdict = entry.details.verifiedInSource as SourceVerdict | undefined;
  const anyStillNamed = since.some((e) => e.details.verifiedInSource === 'still-named');
  const readAgain = recheckAfter(verdict, entry.details.sourceCheck);
  const reached = (e: typeof entry) => !failuresOf(e).some(isDamUnreached);
  return {
    seq: entry.seq,
    hash: entry.hash,
    damReached: reached(entry),
    anyReached: receipts.some(reached),
    verdict,
    sourceCheck: sourceCheckOf(entry.details.sourceCheck),
    // the read-back was impossible with the connector of the time (no `readWritten`)
    blind: verdict === 'not-verifiable' && readAgain === undefined,
    // a failed sweep of leftover temp files (which may name the person) is done again by the rerun:
    // its push sweeps first
    recheck:
      (verdict === 'clean' ? undefined : anyStillNamed ? ('rewrite' as const) : readAgain) ??
      (failuresOf(entry).some(isSweepFailure) ? ('read' as const) : undefined),
    touched: [...new Set(touched)],
    stillNamed: [...new Set(stillNamed)],
  };
}

/** The shoot's connector, opened, when it can read back now; undefined (and closed) otherwise. */
async function openIfReadable(connector: Connector | ConnectorOpener): Promise<Connector | undefined> {
  if (typeof connector !== 'function') return connector.readWritten ? connector : undefined;
  const opened = await connector().catch(() => undefined);
  if (opened?.readWritten) return opened;
  await opened?.close?.().catch(() => undefined);
  return undefined;
}

/** A stored read-back, with the lists a receipt from before some of them existed lacks. */
function sourceCheckOf(stored: unknown): SourceCheck | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const check = stored as Partial<SourceCheck> & Pick<SourceCheck, 'verdict' | 'assets'>;
  return {
    ...check,
    stillNamed: check.stillNamed ?? [],
    pendingApproval: check.pendingApproval ?? [],
    notVerifiable: check.notVerifiable ?? [],
    otherMentions: check.otherMentions ?? [],
  };
}

function recheckAfter(verdict: unknown, check: unknown): 'read' | undefined {
  if (verdict === 'pending-approval') return 'read';
  if (verdict !== 'not-verifiable') return undefined;
  const unread = ((check as { notVerifiable?: unknown } | undefined)?.notVerifiable ?? []) as unknown[];
  return unread.every((u) => typeof u === 'string' && cannotReadBack(u)) ? undefined : 'read';
}

/** The shoot's asset ids by their source ids. */
async function assetIdsBySource(uow: UnitOfWork, shootId: string): Promise<Map<string, number>> {
  return new Map((await uow.assets.listByShoot(shootId)).map((a) => [a.connectorAssetId, a.id]));
}

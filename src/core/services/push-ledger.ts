/**
 * What Sitter wrote where, in the store (`PushRecord`): written in the same unit of work as the
 * push it records, kept across rescans, read by withdrawal and erasure to reach every place that
 * still names a person, and only those.
 */
import type { PushRecord, PushRecordState } from '../domain/records.js';
import type { UnitOfWork } from '../ports/store.js';

/** One person's entries on one asset, as a push wrote them. */
export interface NamedPlace {
  participantId: number;
  consentUri: string;
}

/**
 * The places whose metadata, as far as Sitter's own record goes, still names the person: every asset
 * a push wrote their entries to that no later push, clear or withdrawal took them off. `sitter erase`
 * clears these and then verifies that none is left.
 */
export function placesNaming(uow: UnitOfWork, shootId: string, participantId: number): Promise<PushRecord[]> {
  return uow.pushRecords.openByParticipant(participantId).then((rows) => rows.filter((r) => r.shootId === shootId));
}

/**
 * After a successful push of one asset: the asset's metadata now names exactly `named` (Sitter's push
 * replaces all its earlier entries), written onto `contentSha256` at `location`.
 */
export async function recordPushed(
  uow: UnitOfWork,
  asset: { shootId: string; id: number; connectorAssetId: string },
  named: readonly NamedPlace[],
  where: { location: string; contentSha256: string; state?: PushRecordState },
  now: Date,
): Promise<void> {
  const open = await uow.pushRecords.openByAsset(asset.id);
  // Only the place this push wrote is known to have changed: a record of another place (the connector
  // now writes elsewhere) stays open, since nothing took the names off there.
  const here = open.filter((r) => r.location === where.location);
  for (const r of here) {
    const still = named.find((n) => n.participantId === r.participantId && n.consentUri === r.consentUri);
    // A write the DAM queued for approval has not taken anyone off yet: their record stays open.
    if (still) continue;
    if (where.state === 'pending-approval') r.state = 'pending-approval';
    else r.clearedAt = now;
  }
  for (const n of named) {
    const kept = here.find(
      (r) => r.clearedAt === null && r.participantId === n.participantId && r.consentUri === n.consentUri,
    );
    if (kept) {
      kept.contentSha256 = where.contentSha256;
      kept.state = where.state ?? 'written';
      kept.pushedAt = now;
      continue;
    }
    await uow.pushRecords.add({
      shootId: asset.shootId,
      assetId: asset.id,
      connectorAssetId: asset.connectorAssetId,
      participantId: n.participantId,
      consentUri: n.consentUri,
      location: where.location,
      contentSha256: where.contentSha256,
      state: where.state ?? 'written',
      pushedAt: now,
      clearedAt: null,
    });
  }
}

/**
 * After a clear at `location`: the entries of these consent URIs (all of the asset's, when null) are
 * gone from there. A record of another place stays open: that place was not touched.
 */
export async function recordCleared(
  uow: UnitOfWork,
  assetId: number,
  consentUris: readonly string[] | null,
  location: string,
  now: Date,
  queued = false,
): Promise<void> {
  for (const r of await uow.pushRecords.openByAsset(assetId)) {
    if (r.location !== location || (consentUris !== null && !consentUris.includes(r.consentUri))) continue;
    // A clear the DAM holds for approval has not taken the names off yet: the record stays open, so a
    // later withdrawal or erasure run clears and verifies it again.
    if (queued) r.state = 'pending-approval';
    else r.clearedAt = now;
  }
}

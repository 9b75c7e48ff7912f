import { canonicalJson } from '../domain/audit.js';
import { consentUri } from '../domain/consent-uri.js';
import type { Asset, Participant } from '../domain/records.js';
import type { Connector, WrittenFile } from '../ports/connector.js';
import type { UnitOfWork } from '../ports/store.js';
import type { ServiceContext } from './context.js';
import { pushCall } from './push-outcome.js';

/** What identifies the person, kept in memory only for the length of the erasure and its proof. */
export interface PersonIdentity {
  shootId: string;
  participantId: number;
  externalRef: string;
  displayName: string;
  guardian: string | null;
}

export function identityOf(p: Participant): PersonIdentity {
  return {
    shootId: p.shootId,
    participantId: p.id,
    externalRef: p.externalRef,
    displayName: p.displayName,
    guardian: p.guardian,
  };
}

/** One place that still names the person. Never carries the name itself: the receipt is on the chain. */
export interface Trace {
  place: string;
  /** which identifier was found there: name, reference, consent URI, guardian, or a row that links to them */
  what: string;
}

export interface ErasureVerification {
  /** nothing names the person any more, apart from what a legal hold keeps on purpose */
  clean: boolean;
  /** what was looked at, in words, for the receipt */
  checked: string[];
  traces: Trace[];
  /** what a legal hold keeps on purpose (the consent record and the names) */
  keptUnderHold: Trace[];
  /** places that could not be read back (connector cannot, or failed): not proven either way */
  unverified: Trace[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Which of the person's identifiers a text contains; the reference only as a whole token ("P1" is not in "P10"). */
export function mentionsOf(text: string, person: PersonIdentity): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  const has = (needle: string | null) =>
    needle !== null && needle.trim().length > 0 && lower.includes(needle.trim().toLowerCase());
  if (has(person.displayName)) found.push('name');
  if (has(person.guardian)) found.push('guardian');
  if (has(consentUri(person.shootId, person.externalRef))) found.push('consent URI');
  else if (new RegExp(`(^|[^\\p{L}\\p{N}_-])${escapeRegExp(person.externalRef)}($|[^\\p{L}\\p{N}_-])`, 'u').test(text))
    found.push('reference');
  return found;
}

/**
 * The places read back for the proof: every asset of the shoot. The push record
 * (`services/push-ledger.ts`) says where Sitter named the person, and the erasure clears exactly
 * those; the proof deliberately reads more than that record, so that a record that missed a place
 * (an older workspace pushed before the record existed, a crash between a write and its record)
 * cannot make the proof pass.
 */
export async function placesWrittenFor(uow: UnitOfWork, person: PersonIdentity): Promise<Asset[]> {
  return uow.assets.listByShoot(person.shootId);
}

/** Reads back every place Sitter wrote for the person, through the connector. */
export async function tracesInWrittenFiles(
  connector: Connector,
  source: string,
  places: readonly Asset[],
  person: PersonIdentity,
): Promise<{ traces: Trace[]; unverified: Trace[] }> {
  const traces: Trace[] = [];
  const unverified: Trace[] = [];
  if (!connector.readWritten) {
    return {
      traces,
      unverified: places.map((a) => ({
        place: `${connector.info.name}:${a.connectorAssetId}`,
        what: 'cannot be read back by this connector',
      })),
    };
  }
  const read = new Set<string>();
  const look = (files: readonly WrittenFile[]) => {
    for (const file of files.filter((f) => !read.has(f.location))) {
      read.add(file.location);
      for (const what of mentionsOf(file.text, person)) traces.push({ place: file.location, what });
      // The DAM holds an edit of Sitter's for approval: what it will show is not known yet, so not proven.
      if (file.pendingApproval)
        unverified.push({ place: file.location, what: "an edit of Sitter's awaits the DAM's approval" });
    }
  };
  for (const asset of places) {
    try {
      look(await connector.readWritten(source, asset.connectorAssetId, pushCall));
    } catch (error) {
      unverified.push({
        place: `${connector.info.name}:${asset.connectorAssetId}`,
        what: error instanceof Error ? error.message : String(error),
      });
    }
  }
  // Leftovers anywhere in the source, not only next to the assets on record: a killed push's temp file
  // of a photo that was never scanned (or was since forgotten) names people all the same.
  if (connector.readLeftovers) {
    try {
      look(await connector.readLeftovers(source));
    } catch (error) {
      unverified.push({
        place: `${connector.info.name}:leftovers of ${source}`,
        what: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { traces, unverified };
}

/** Rows of other kinds, read as text: any of them quoting the person (a reference in a flag, an error, an origin) is a trace. */
function textTraces<R extends { id: number }>(
  rows: readonly R[],
  table: string,
  person: PersonIdentity,
  text: (row: R) => unknown,
): Trace[] {
  return rows.flatMap((row) =>
    mentionsOf(canonicalJson(text(row)), person).map((what) => ({ place: `${table} row ${row.id}`, what })),
  );
}

/** The push records naming the person: of a place cleared, kept only under a hold; of a place still naming them, always a trace. */
async function pushRecordTraces(
  uow: UnitOfWork,
  person: PersonIdentity,
): Promise<{ traces: Trace[]; heldRows: Trace[] }> {
  const rows = await uow.pushRecords.listByParticipant(person.participantId);
  return {
    traces: rows
      .filter((r) => r.clearedAt === null)
      .map((r) => ({
        place: `push_record row ${r.id} (${r.location} still names the person: not cleared)`,
        what: 'consent URI',
      })),
    heldRows: rows
      .filter((r) => r.clearedAt !== null)
      .map((r) => ({ place: `push_record row ${r.id}`, what: 'record of where Sitter wrote the name (cleared)' })),
  };
}

/**
 * Every store row that still names or links to the person: the participant, consent, biometric,
 * review and push-record rows, the chain, and every other text column Sitter writes in the shoot
 * (assets' flags and errors, templates' origins, decisions, other people's push records).
 */
async function tracesInStore(uow: UnitOfWork, person: PersonIdentity): Promise<{ traces: Trace[]; heldRows: Trace[] }> {
  const pushed = await pushRecordTraces(uow, person);
  const heldRows: Trace[] = [...pushed.heldRows];
  const traces: Trace[] = [...pushed.traces];
  const row = await uow.participants.find(person.participantId);
  if (row)
    for (const what of mentionsOf(
      canonicalJson({ ref: row.externalRef, name: row.displayName, guardian: row.guardian }),
      person,
    ))
      heldRows.push({ place: `participants row ${row.id}`, what });
  for (const c of await uow.consents.listByParticipant(person.participantId))
    heldRows.push({ place: `consent_record row ${c.id}`, what: 'consent record' });
  for (const d of await uow.decisions.listByParticipant(person.participantId))
    heldRows.push({ place: `decision row ${d.id}`, what: 'decision on the person' });
  for (const r of await uow.rejections.listByParticipant(person.participantId))
    heldRows.push({ place: `rejection row ${r.id}`, what: 'rejected pair with a box' });
  // Biometric and matching rows must be gone whatever a hold says.
  for (const t of (await uow.templates.listByShoot(person.shootId)).filter(
    (x) => x.participantId === person.participantId,
  ))
    traces.push({ place: `template row ${t.id}`, what: 'template' });
  for (const f of await uow.faces.listByParticipant(person.participantId))
    traces.push({ place: `face row ${f.id}`, what: 'face linked to the person' });
  const others = await uow.pushRecords.openByShoot(person.shootId);
  traces.push(
    ...textTraces(await uow.assets.listByShoot(person.shootId), 'asset', person, (a) => ({
      flags: a.flags,
      error: a.error,
    })),
    ...textTraces(await uow.templates.listByShoot(person.shootId), 'template', person, (t) => t.originRef),
    ...textTraces(await uow.decisions.listByShoot(person.shootId), 'decision', person, (d) => ({
      reviewer: d.reviewer,
      action: d.action,
    })),
    ...textTraces(
      others.filter((r) => r.participantId !== person.participantId),
      'push_record',
      person,
      (r) => ({ uri: r.consentUri, location: r.location }),
    ),
  );
  for (const e of await uow.audit.all()) {
    for (const what of mentionsOf(canonicalJson({ subject: e.subject, details: e.details }), person))
      traces.push({ place: `audit entry ${e.seq} (${e.action}, written before pseudonymous references)`, what });
  }
  return { traces, heldRows };
}

/** The proof at the end of an erasure: no row, key, file, temp file or sidecar Sitter wrote still names the person. */
export async function verifyErasure(
  ctx: ServiceContext,
  connector: Connector,
  source: string,
  person: PersonIdentity,
  held: boolean,
): Promise<ErasureVerification> {
  const { store, places } = await ctx.store.transaction(async (uow) => ({
    store: await tracesInStore(uow, person),
    places: await placesWrittenFor(uow, person),
  }));
  const files = await tracesInWrittenFiles(connector, source, places, person);
  const traces = [...store.traces, ...(held ? [] : store.heldRows), ...files.traces];
  return {
    clean: traces.length === 0 && files.unverified.length === 0,
    checked: [
      'store rows: participant, consent records, templates, faces, decisions, rejections, push records (what Sitter wrote where)',
      "every text column Sitter writes in the shoot: assets' flags and errors, templates' origins, decisions, other people's push records",
      "audit chain: every entry's subject and details",
      'keys: no per-participant key in this workspace; the shoot key seals nothing of the person once templates and embeddings are deleted',
      `files Sitter wrote through ${connector.info.name}: ${places.length} assets' sidecars and ` +
        `leftover temp files, and leftover temp files anywhere in the source`,
    ],
    traces,
    keptUnderHold: held ? store.heldRows : [],
    unverified: files.unverified,
  };
}

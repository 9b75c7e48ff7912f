/**
 * `sitter consent signed`: signed consent forms come back as scans; each is matched to its consent
 * record by the code Sitter printed on it, and its file name and sha256 are recorded on the record.
 * Every file gets its own line in the report; one that cannot be read or matched is said, never
 * dropped, and the others proceed.
 */
import type { FormCode } from '../domain/consent-form.js';
import { isErased, participantSubject } from '../domain/pseudonym.js';
import type { SignedScan } from '../domain/records.js';
import type { UnitOfWork } from '../ports/store.js';
import { requireShoot, type ServiceContext } from './context.js';
import { currentFormText } from './consent-form-service.js';

/** One file of the folder, as the scan reader found it. */
export interface ScanRead {
  file: string;
  /** null when the file could not be read at all */
  sha256: string | null;
  code: FormCode | null;
  /** why no code came out of it: the file could not be read or decoded, is of a kind Sitter cannot read, or holds no code */
  problem: { outcome: 'unreadable' | 'unsupported' | 'no-code' | 'unsigned-form'; message: string } | null;
}

/** Said of a file that is the form Sitter generated rather than a scan of the signed paper copy. */
export const UNSIGNED_FORM_MESSAGE =
  'this is the form Sitter generated, not a signed copy: scan or photograph the signed paper copy';

export type ScanOutcome =
  /** recorded on the participant's consent record */
  | 'matched'
  /** recorded, but printed from another text than the shoot's current form */
  | 'version-differs'
  /** this very file was already recorded on the record */
  | 'unchanged'
  | 'no-code'
  /** the PDF `sitter consent form` wrote (the same file, or the same form re-saved): nobody signed it */
  | 'unsigned-form'
  | 'unreadable'
  | 'unsupported'
  | 'other-shoot'
  | 'unknown-participant'
  /** the code of a blank form names nobody: match it by hand */
  | 'blank-form'
  /** a second scan for the same person in this folder (another page?): the first was recorded */
  | 'duplicate';

export interface ScanReport {
  file: string;
  sha256: string | null;
  outcome: ScanOutcome;
  recorded: boolean;
  participant: string | null;
  formVersion: string | null;
  /** the scan it replaced on the record, if another was recorded before */
  replaced: string | null;
  message: string;
}

export interface SignedScansSummary {
  shoot: string;
  /** the shoot's form version today; null when its form cannot be made (no controller, no scopes) */
  currentVersion: string | null;
  scans: ScanReport[];
  counts: Record<ScanOutcome, number>;
}

const OUTCOMES: ScanOutcome[] = [
  'matched',
  'version-differs',
  'unchanged',
  'no-code',
  'unsigned-form',
  'unreadable',
  'unsupported',
  'other-shoot',
  'unknown-participant',
  'blank-form',
  'duplicate',
];

/** The sha256 of every form file `sitter consent form` wrote, from the audit chain (any shoot). */
async function issuedFormDigests(uow: UnitOfWork): Promise<Set<string>> {
  const digests = new Set<string>();
  for (const entry of await uow.audit.all()) {
    if (entry.action !== 'consent.forms-issued') continue;
    const files = entry.details.files;
    if (Array.isArray(files)) for (const f of files) if (typeof f === 'string') digests.add(f);
  }
  return digests;
}

async function currentVersionOf(uow: UnitOfWork, shootId: string): Promise<string | null> {
  const shoot = await requireShoot(uow, shootId);
  const setup = await uow.consentForms.find(shootId);
  if (!setup) return null;
  return currentFormText(uow, shoot, setup.scopes)
    .then((t) => t.version)
    .catch(() => null);
}

export async function recordSignedScans(
  ctx: ServiceContext,
  shootId: string,
  scans: readonly ScanRead[],
): Promise<SignedScansSummary> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    const currentVersion = await currentVersionOf(uow, shootId);
    const issued = await issuedFormDigests(uow);
    const recordedNow = new Map<string, string>();
    const reports: ScanReport[] = [];
    for (const scan of scans) {
      const base = { file: scan.file, sha256: scan.sha256, recorded: false, replaced: null };
      const code = scan.code;
      if (scan.sha256 && issued.has(scan.sha256)) {
        reports.push({
          ...base,
          outcome: 'unsigned-form',
          participant: code?.participant ?? null,
          formVersion: code?.version ?? null,
          message: UNSIGNED_FORM_MESSAGE,
        });
        continue;
      }
      if (!code || scan.problem || !scan.sha256) {
        const problem = scan.problem ?? { outcome: 'no-code' as const, message: 'no consent form code found' };
        reports.push({
          ...base,
          outcome: problem.outcome,
          participant: null,
          formVersion: null,
          message: problem.message,
        });
        continue;
      }
      const at = { ...base, participant: code.participant, formVersion: code.version };
      if (code.shoot !== shootId) {
        reports.push({ ...at, outcome: 'other-shoot', message: `a form of shoot "${code.shoot}", not "${shootId}"` });
        continue;
      }
      if (code.participant === null) {
        reports.push({
          ...at,
          outcome: 'blank-form',
          message: 'a blank form: its code names nobody; add it to the consent file by hand (form_ref, form_sha256)',
        });
        continue;
      }
      const person = await uow.participants.findByExternalRef(shootId, code.participant);
      const record = person && !isErased(person) ? await uow.consents.current(person.id) : null;
      if (!person || !record) {
        reports.push({
          ...at,
          outcome: 'unknown-participant',
          message: `no participant "${code.participant}" with a consent record in shoot "${shootId}"`,
        });
        continue;
      }
      const first = recordedNow.get(code.participant);
      if (first !== undefined) {
        reports.push({
          ...at,
          outcome: 'duplicate',
          message: `another scan of the same person's form; ${first} was recorded (a second page?)`,
        });
        continue;
      }
      recordedNow.set(code.participant, scan.file);
      const versionCurrent = currentVersion !== null && code.version === currentVersion;
      if (record.signedScan?.sha256 === scan.sha256) {
        reports.push({
          ...at,
          outcome: 'unchanged',
          recorded: true,
          message: 'already recorded on the consent record',
        });
        continue;
      }
      const signed: SignedScan = {
        file: scan.file,
        sha256: scan.sha256,
        formVersion: code.version,
        versionCurrent,
        recordedAt: now.toISOString(),
      };
      await uow.consents.attachSignedScan(record.id, signed);
      await uow.audit.append(
        {
          actor: ctx.actor,
          action: 'consent.signed-scan-recorded',
          shootId,
          subject: participantSubject(person),
          details: {
            consentRecord: record.id,
            sha256: scan.sha256,
            formVersion: code.version,
            versionCurrent,
            replacedSha256: record.signedScan?.sha256 ?? null,
          },
        },
        now,
      );
      reports.push({
        ...at,
        outcome: versionCurrent ? 'matched' : 'version-differs',
        recorded: true,
        replaced: record.signedScan?.file ?? null,
        message: versionCurrent
          ? `recorded on ${code.participant}'s consent record`
          : `recorded on ${code.participant}'s consent record, but printed from form version ${code.version}; ` +
            `the shoot's form is now ${currentVersion ?? 'not printable (no controller or scopes set)'}: check what was signed`,
      });
    }
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, reports.filter((r) => r.outcome === o).length]));
    return { shoot: shootId, currentVersion, scans: reports, counts: counts as Record<ScanOutcome, number> };
  });
}

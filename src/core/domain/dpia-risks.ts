/**
 * The risks to data subjects a DPIA for face matching must weigh (GDPR Art. 35(7)(c)), each with the
 * measures Sitter takes against it (Art. 35(7)(d)) and the tests that fail if a measure breaks: the
 * same rules and tests as docs/architecture.md's rule table, so the annex claims nothing the suite
 * does not prove (test/integration/dpia.test.ts checks each test file exists and is in that table).
 */
import type { StorageKind } from './processing-record.js';

export interface DpiaRisk {
  risk: string;
  measures: string;
  /** the rule of the brief (docs/architecture.md, "The rules and the tests that hold them") */
  rule: string;
  tests: readonly string[];
}

export const DPIA_RISKS: readonly DpiaRisk[] = [
  {
    risk: 'Function creep: faces matched beyond the shoot (an archive, another folder, photos of other days)',
    measures:
      'one shoot = one source; nothing at or above a system folder, the workspace or another open shoot; every asset checked against the listing; photos outside the shoot days refused, undated ones held for a person',
    rule: '1 scope',
    tests: [
      'test/unit/rules.test.ts',
      'test/integration/shoot-scope.test.ts',
      'test/integration/shoot-dates.test.ts',
      'test/integration/local-connector.test.ts',
    ],
  },
  {
    risk: 'Biometric processing before the assessment is done and signed off',
    measures:
      'a shoot stays a draft until approved with a DPIA reference and an approver; scan and enrolment refuse a draft before any connector or model is used',
    rule: '2 approval before processing',
    tests: ['test/unit/rules.test.ts', 'test/integration/shoot-service.test.ts', 'test/integration/app-layer.test.ts'],
  },
  {
    risk: 'A person matched without valid explicit consent (Art. 9(2)(a)), or after it expired or was withdrawn',
    measures:
      'only participants whose record says "biometrics yes", signed, not expired and not withdrawn are enrolled or matched; consent checked again at every scan write, decision and push; lapsed consent purged at the start of every command',
    rule: '3 consent gates biometrics',
    tests: [
      'test/unit/rules.test.ts',
      'test/integration/decisions.test.ts',
      'test/integration/withdraw.test.ts',
      'test/unit/face-transitions.test.ts',
    ],
  },
  {
    risk: 'Biometric data kept longer than needed, or readable from a copy of the workspace',
    measures:
      'no embedding for an unidentified face; templates and embeddings encrypted per shoot and bound to their row; deleted at decision, close or retention end (automatic purge), the shoot key destroyed; secure_delete',
    rule: '4 minimisation, retention',
    tests: [
      'test/e2e/main-job.test.ts',
      'test/integration/purge.test.ts',
      'test/e2e/keys-and-ciphertexts.test.ts',
      'test/integration/biometric-at-rest.test.ts',
    ],
  },
  {
    risk: 'A wrong match (a false accept) names someone in the DAM',
    measures:
      "a person confirms every match (two when the shoot asks); only confirmed matches are pushed; the shoot's threshold is bounded by the model's measured false-accept rate; this annex shows the shoot's own precision per score band",
    rule: '5 human oversight',
    tests: [
      'test/integration/decisions.test.ts',
      'test/integration/push.test.ts',
      'test/unit/face-transitions.test.ts',
    ],
  },
  {
    risk: 'A withdrawal not honoured everywhere the data went',
    measures:
      'withdrawal deletes templates, unlinks every face, clears names and regions in the DAM through the connector, and writes a receipt on the audit chain; undo never links the person again',
    rule: '6 withdrawal cascades',
    tests: ['test/integration/withdraw.test.ts', 'test/e2e/cli-foundation.test.ts'],
  },
  {
    risk: 'An erasure request (Art. 17) leaves personal data behind',
    measures:
      'erase removes consent records, names, decisions, boxes and DAM entries, checks the store, the chain and the DAM, and survives a crash',
    rule: '6 erasure (GDPR Art. 17), legal hold',
    tests: ['test/integration/erase.test.ts'],
  },
  {
    risk: 'Processing that cannot be accounted for, or a record altered afterwards',
    measures:
      'every change on a hash-chained audit record in the same transaction, participants as #id only; anchors kept elsewhere reveal truncation',
    rule: '7 everything on the record',
    tests: ['test/unit/audit-chain.test.ts', 'test/integration/audit-tamper.test.ts'],
  },
  {
    risk: "A photo published beyond what a person's consent allows (a scope, a minor without a guardian's scope)",
    measures: 'clearance per asset and scope as of now; publication copies mask every face not covered for the scope',
    rule: 'usage clearance, publication copies (issue 13)',
    tests: ['test/integration/clearance.test.ts', 'test/integration/publish.test.ts'],
  },
  {
    risk: 'Connector credentials exposed in the record, the audit or errors',
    measures:
      'a secret is only ever a `secret:NAME` reference, resolved when the connector is made, redacted from errors',
    rule: 'Art. 32 connector secrets',
    tests: ['test/integration/connector-secrets.test.ts', 'test/integration/connector-secret-redaction.test.ts'],
  },
];

/** The legal basis Sitter is built for: what it checks, not a choice the shoot makes. */
/** What replaces SQLite's secure_delete among the measures when the workspace is on PostgreSQL. */
const TEAM_DELETION =
  'on the team PostgreSQL database deleted rows are not overwritten (VACUUM reclaims them; WAL and backups keep them ' +
  'until they rotate): only ciphertext is stored there and the master key never enters it';

/** The risks and measures, true for where this workspace keeps its records. */
export function dpiaRisks(storage: StorageKind): readonly DpiaRisk[] {
  if (storage === 'sqlite') return DPIA_RISKS;
  return DPIA_RISKS.map((r) =>
    r.measures.endsWith('; secure_delete')
      ? { ...r, measures: r.measures.replace(/secure_delete$/, TEAM_DELETION) }
      : r,
  );
}

export const DPIA_LEGAL_BASIS: readonly string[] = [
  'biometric matching: the participant\'s explicit consent, GDPR Art. 9(2)(a), per person ("biometrics yes" on a signed, unexpired, unwithdrawn record), checked before every use',
  'the photographs themselves and their publication: the consent form, per publication scope',
];

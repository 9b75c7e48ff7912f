import type { ModelCard } from '../../core/engine/model-card.js';
import type { DpiaFacts } from '../../core/services/dpia-service.js';
import { ACCURACY_HEADERS, accuracyNotes, accuracyRows, thresholdLabel } from './accuracy.js';
import { md, rows } from './markdown.js';

export type DpiaAnnex = DpiaFacts & { models: ModelCard };

function thresholdText(t: DpiaFacts['threshold']): string {
  if (t.source === 'calibration')
    return `${t.value} (Euclidean distance): the model calibration; the shoot set none at creation.`;
  return `${t.value} (Euclidean distance): set at creation by ${md(t.setBy)} on ${md(t.setAt)} (\`shoot.created\` on the audit chain).`;
}

/**
 * A DPIA annex (GDPR Art. 35(7)) for one shoot, as Markdown: the facts Sitter holds, for the DPO to
 * put beside their own assessment of necessity and proportionality, which no tool can write.
 */
export function dpiaMarkdown(d: DpiaAnnex): string {
  const s = d.shoot;
  const m = d.models;
  return [
    `# DPIA annex: shoot ${md(s.name)} (\`${md(s.shoot)}\`)`,
    '',
    `Drafted by Sitter from the workspace on ${d.generatedAt}. Status: ${s.status}. ` +
      (s.approval.approvedAt
        ? `Approved ${s.approval.approvedAt} by ${md(s.approval.approvedBy)} under DPIA ${md(s.approval.dpiaRef)}.`
        : 'Not approved yet: no biometric processing is possible until it is.'),
    `Controller: ${d.controller ? md(d.controller) : '(not set: `sitter settings --controller NAME`)'}; contact: ${d.contact ? md(d.contact) : '(not set: `sitter settings --contact ADDRESS`)'}.`,
    'The necessity and proportionality assessment and the DPO opinion are not held by the workspace: add them.',
    '',
    '## 1. Description of the processing (Art. 35(7)(a))',
    '',
    `- purpose: ${md(s.purpose)}`,
    `- shoot days: ${s.days.from ? `${s.days.from} to ${s.days.to}` : 'not declared'}; photos captured outside them are refused`,
    `- retention of biometric data: ${s.retentionDays} days after approval${s.biometricDataUntil ? ` (until ${s.biometricDataUntil})` : ''}, then purged automatically`,
    `- source and recipient of the results (connector): ${md(s.recipient.connector)}, ${md(s.recipient.source)}`,
    `- connector options (secrets only as references): ${
      Object.keys(s.connectorOptions).length
        ? Object.entries(s.connectorOptions)
            .map(([k, v]) => `${md(k)}=${md(JSON.stringify(v))}`)
            .join(', ')
        : 'none'
    }`,
    `- reviewers needed to confirm a match: ${s.reviewersRequired}`,
    '- legal basis:',
    ...d.legalBasis.map((l) => `  - ${l}`),
    '',
    'Publication scopes in the current consent records:',
    '',
    ...rows(
      ['scope', 'participants', 'of whom minors'],
      d.scopes.map((x) => [x.scope, x.participants, x.minors]),
    ),
    '',
    '## 2. Data subjects',
    '',
    ...rows(
      [
        'participants',
        'biometrics yes',
        'biometrics no',
        'no record',
        'eligible now',
        'withdrawn',
        'expired',
        'minors',
      ],
      [
        [
          s.subjects.total,
          d.consent.biometricYes,
          d.consent.biometricNo,
          d.consent.noRecord,
          s.subjects.eligible,
          d.consent.withdrawn,
          s.subjects.expired,
          s.subjects.minors,
        ],
      ],
    ),
    '',
    'People in the photos who are not on the roster are kept as a face box only: never an embedding, never a name.',
    '',
    '## 3. Processing so far',
    '',
    ...rows(
      [
        'assets scanned',
        'refused or held (capture time)',
        'faces',
        'proposed',
        'confirmed',
        'rejected',
        'unidentified',
        'decisions',
        'templates held',
      ],
      [
        [
          d.processing.assetsScanned,
          d.processing.assetsRefusedOrHeld,
          d.processing.faces,
          d.processing.proposed,
          d.processing.confirmed,
          d.processing.rejected,
          d.processing.unidentified,
          d.processing.decisions,
          s.data.templates,
        ],
      ],
    ),
    '',
    '## 4. Accuracy',
    '',
    `Model \`${md(m.id)}\`${m.accuracy.appliesToThisModel ? '' : ' (THE FIGURES BELOW WERE MEASURED ON ANOTHER MODEL)'}. Measured on ${md(m.accuracy.dataset)}:`,
    '',
    ...rows(
      ['figure', 'value', 'target', 'measured', 'command'],
      m.accuracy.figures.map((f) => [f.figure, f.value, f.target, f.measuredOn, f.command]),
    ),
    '',
    `Threshold: ${thresholdText(d.threshold)}`,
    '',
    `On this shoot, at threshold ${thresholdLabel(d.accuracy)}, as its reviewers judged the proposals:`,
    '',
    ...rows(ACCURACY_HEADERS, accuracyRows(d.accuracy)),
    '',
    ...accuracyNotes(d.accuracy),
    '',
    'Known limitations of the model:',
    ...m.limitations.map((l) => `- ${md(l)}`),
    '',
    '## 5. Risks and the measures that address them (Art. 35(7)(c), (d))',
    '',
    ...rows(
      ['risk', 'measures', 'rule', 'proved by'],
      d.risks.map((r) => [r.risk, r.measures, r.rule, r.tests.join(', ')]),
    ),
    '',
    'Each rule and its tests: docs/architecture.md, "The rules and the tests that hold them".',
    '',
  ].join('\n');
}

import type { SubjectExport } from '../../core/services/subject-export-service.js';
import { md, rows } from './markdown.js';

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

/**
 * The readable half of a subject access export (GDPR Art. 15): the same facts as the JSON file, for
 * the person and the DPO who answers them.
 */
export function subjectReportMarkdown(x: SubjectExport): string {
  const p = x.participant;
  return [
    `# What Sitter holds about ${md(p.name)} (${md(p.ref)})`,
    '',
    `Shoot **${md(x.shoot.name)}** (\`${md(x.shoot.id)}\`), purpose: ${md(x.shoot.purpose)}; biometric data kept at most ${x.shoot.retentionDays} days after approval; photos live in the ${md(x.shoot.connector)} connector's source.`,
    `Generated ${x.generatedAt}. The machine-readable copy of the same data is \`subject.json\` (GDPR Art. 20).`,
    '',
    'Sitter never exports face templates or embeddings (encrypted numbers computed from a face); they are deleted when consent ends or the shoot closes.',
    '',
    '## You',
    '',
    `- reference: ${md(p.ref)}; name: ${md(p.name)}; minor: ${p.minor ? 'yes' : 'no'}; guardian: ${md(p.guardian)}`,
    `- consent today: ${md(p.consentStatus)}`,
    `- the audit record calls you ${md(p.pseudonym)}, never by name`,
    '',
    '## Consent record, every version',
    '',
    ...rows(
      ['version', 'biometrics', 'scopes', 'signed', 'expires', 'withdrawn', 'form', 'form sha256', 'imported'],
      x.consentRecords.map((c) => [
        c.id,
        c.biometricConsent ? 'yes' : 'no',
        c.publicationScopes.join(', ') || 'none',
        c.signedAt,
        c.expiresAt,
        c.withdrawnAt,
        c.formRef,
        c.formSha256,
        c.importedAt,
      ]),
    ),
    '',
    '## Photos you are on (your face only; box as a share of the width and height)',
    '',
    ...rows(
      ['face', 'asset', 'state', 'left', 'top', 'width', 'height'],
      x.faces.map((f) => [f.face, f.asset, f.state, pct(f.box.x), pct(f.box.y), pct(f.box.w), pct(f.box.h)]),
    ),
    '',
    '## Decisions by reviewers',
    '',
    ...rows(
      ['when', 'reviewer', 'face', 'asset', 'what it did', 'undone'],
      x.decisions.map((d) => [d.at, d.reviewer, d.face, d.asset, d.effect, d.undoneAt]),
    ),
    '',
    '## Where Sitter wrote your name (the DAM)',
    '',
    ...rows(
      ['asset', 'where', 'written', 'taken off'],
      x.pushes.map((w) => [w.asset, w.location, w.pushedAt, w.clearedAt]),
    ),
    '',
    `## What your consent allows, per photo, as of ${x.generatedAt}`,
    '',
    ...rows(
      ['asset', 'face', ...Object.keys(x.clearance[0]?.scopes ?? {})],
      x.clearance.map((c) => [c.asset, c.face, ...Object.values(c.scopes)]),
    ),
    '',
    '## Audit entries about you',
    '',
    ...rows(
      ['seq', 'when', 'who', 'action', 'hash'],
      x.audit.map((e) => [e.seq, e.at, e.actor, e.action, e.hash.slice(0, 16)]),
    ),
    '',
  ].join('\n');
}

import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import type { ModelCard } from '../../core/engine/model-card.js';
import type { QualityPolicy } from '../../core/domain/quality-bands.js';
import type { WorkspaceSecurity } from '../../core/store/workspace-facts.js';
import type { ProcessingRecord } from '../../core/services/records-service.js';
import { withWorkspace } from '../context.js';
import { table } from '../format/table.js';
import { action } from '../runner.js';
import { camelKeys } from '../format/json-vocabulary.js';

type Records = ProcessingRecord & { workspace: WorkspaceSecurity; models: ModelCard };

function masterKeyText(w: WorkspaceSecurity): string {
  const k = w.masterKey;
  if (k.kind === 'file') return `a key file outside the workspace (${k.path})`;
  if (k.kind === 'env') return 'the environment of each command (SITTER_MASTER_KEY / SITTER_MASTER_KEY_FILE)';
  if (w.server)
    return (
      `in each machine's workspace folder (master.key, 0600), never in the database on ${w.server}: ` +
      'that file together with access to the database can decrypt'
    );
  return 'beside the database in the workspace folder (a copy of the whole folder can decrypt it)';
}

/** A team workspace's answer to "who has access": the server, its roles, the machines that joined. */
function teamAccessLines(r: Records): string[] {
  if (!r.teamAccess) return [];
  const { roles, machines } = r.teamAccess;
  const named = (kind: 'owner' | 'reviewer') =>
    roles
      .filter((m) => m.kind === kind)
      .map((m) => `${m.role}${m.canLogin ? '' : ' (cannot log in)'}`)
      .join(', ') || '(none)';
  return [
    '',
    'Access (team workspace):',
    `  - database server: ${r.workspace.server ?? '(unknown)'} (PostgreSQL; logins authenticated by the server, no credentials recorded)`,
    `  - database owner: ${named('owner')}; reviewer roles: ${named('reviewer')} (sitter team list)`,
    '  - machines that made or joined it (audit chain):',
    ...(machines.length
      ? machines.map(
          (m) => `      ${m.host} ${m.folder}, ${m.joined ? 'joined' : 'created'} ${m.at.slice(0, 10)} as ${m.role}`,
        )
      : ['      (none recorded)']),
  ];
}

function modelCardText(m: ModelCard): string[] {
  return [
    `Model: ${m.id}`,
    '',
    table(
      ['file', 'role', 'package', 'version', 'installed', 'licence', 'sha256'],
      m.files.map((f) => [
        f.path,
        f.role,
        f.package,
        f.version,
        f.versionMatches ? 'yes' : (f.installedVersion ?? 'missing'),
        f.licence,
        f.sha256,
      ]),
    ),
    '',
    `Calibration: distance threshold ${m.calibration.threshold}, margin ${m.calibration.margin} (model digest ${m.calibration.modelDigest}).`,
    ...qualityLines(m.calibration.quality),
    '',
    `Measured accuracy on ${m.accuracy.dataset}${m.accuracy.appliesToThisModel ? '' : ' (MEASURED ON ANOTHER MODEL: these figures do not apply)'}:`,
    table(
      ['figure', 'value', 'target', 'measured', 'command'],
      m.accuracy.figures.map((f) => [f.figure, f.value, f.target, f.measuredOn, f.command]),
    ),
    `Source: ${m.accuracy.source}.`,
    '',
    'Limitations:',
    ...m.limitations.map((l) => `  - ${l}`),
  ];
}

function recordsText(r: Records): string {
  const lines = [
    `Record of processing activities (GDPR Art. 30), from workspace ${r.workspace.folder}, as of ${r.generatedAt}.`,
    r.controller || r.contact
      ? `Controller: ${r.controller ?? '(not set)'}; contact: ${r.contact ?? '(not set)'} (sitter settings).`
      : 'Controller and contact: not set; set them with `sitter settings --controller NAME --contact ADDRESS`.',
    '',
    'Purposes (one per shoot):',
    ...(r.purposes.length ? r.purposes.map((p) => `  ${p.shoot}: ${p.purpose}`) : ['  (no shoot yet)']),
    '',
    'Categories of data subjects:',
    ...r.categoriesOfSubjects.map((s) => `  - ${s}`),
    '',
    'Categories of personal data:',
    ...r.categoriesOfData.map(
      (c) => `  - ${c.special ? '[special category, Art. 9] ' : ''}${c.category}; held: ${c.held}; kept: ${c.kept}`,
    ),
    '',
    'Shoots, retention and recipients:',
    table(
      ['shoot', 'name', 'status', 'days', 'approved (DPIA)', 'retention', 'biometric data until', 'recipient'],
      r.shoots.map((s) => [
        s.shoot,
        s.name,
        s.status,
        s.days.from ? `${s.days.from} to ${s.days.to}` : null,
        s.approval.approvedAt
          ? `${s.approval.approvedAt.slice(0, 10)} ${s.approval.approvedBy} (${s.approval.dpiaRef})`
          : null,
        `${s.retentionDays} days`,
        s.biometricDataUntil,
        `${s.recipient.connector}: ${s.recipient.source}`,
      ]),
    ),
    '',
    'Data subjects per shoot (consent as of now):',
    table(
      [
        'shoot',
        'participants',
        'eligible',
        'photos only',
        'withdrawn',
        'expired',
        'not yet signed',
        'no record',
        'minors',
      ],
      r.shoots.map((s) => [
        s.shoot,
        s.subjects.total,
        s.subjects.eligible,
        s.subjects['photos-only'],
        s.subjects.withdrawn,
        s.subjects.expired,
        s.subjects['not-yet-signed'],
        s.subjects['no-record'],
        s.subjects.minors,
      ]),
    ),
    '',
    'Data held per shoot:',
    table(
      ['shoot', 'assets', 'faces', 'confirmed', 'templates', 'DAM places naming people', 'reviewers', 'threshold'],
      r.shoots.map((s) => [
        s.shoot,
        s.data.assets,
        s.data.faces,
        s.data.confirmedFaces,
        s.data.templates,
        s.data.placesNamingPeople,
        s.reviewers,
        `${s.matchThreshold.value} (${s.matchThreshold.source === 'shoot' ? 'set by the shoot' : 'model calibration'})`,
      ]),
    ),
    '',
    'Recipients (connectors):',
    ...r.recipients.map((p) => `  ${p.connector}: shoots ${p.shoots.join(', ')}`),
    '',
    `Models: ${r.models.id} (${r.models.files.length} files, licences: ${[...new Set(r.models.files.map((f) => f.licence))].join(', ')}); see \`sitter model-card\`.`,
    '',
    'Security measures:',
    `  - master key: ${masterKeyText(r.workspace)}`,
    `  - workspace folder mode ${r.workspace.folderMode}, database mode ${r.workspace.databaseMode}`,
    `  - audit chain: ${r.auditChain.ok ? `verifies, ${r.auditChain.entries} entries, head ${r.auditChain.head ?? '-'}` : 'BROKEN: run `sitter audit verify`'}`,
    ...r.securityMeasures.map((m) => `  - ${m}`),
    ...teamAccessLines(r),
    '',
    "Everything above, as data: `sitter records --json`; the models in full: `sitter model-card`; one shoot's DPIA annex: `sitter dpia SHOOT`.",
  ];
  return lines.join('\n');
}

/** `sitter records`, `sitter dpia` and `sitter model-card`: what a DPO asks for. */
export function registerDpo(program: Command): void {
  program
    .command('dpia')
    .description(
      'a DPIA annex (GDPR Art. 35) for one shoot, drafted from its configuration, roster, processing, measured accuracy and the measures against each risk, as Markdown',
    )
    .argument('<shoot>', 'shoot id')
    .option('--out <file>', 'write the Markdown annex to a new file (owner-only, 0600) instead of stdout')
    .option('--force', 'with --out: replace an existing file (never a symbolic link)')
    .action(
      action(async ([shootId], opts, globals) => {
        const [{ dpiaFacts }, { readModelCard }, { DEFAULT_CALIBRATION }, { dpiaMarkdown }, files] = await Promise.all([
          import('../../core/services/dpia-service.js'),
          import('../../core/engine/model-card.js'),
          import('../../core/engine/calibration.js'),
          import('../format/dpia-markdown.js'),
          import('../../core/store/files/private-file.js'),
        ]);
        const out = typeof opts.out === 'string' ? opts.out : undefined;
        const fileOptions = { force: Boolean(opts.force), forceFlag: '--force' };
        if (out) await files.checkPrivateTarget(out, fileOptions);
        const annex = {
          ...(await withWorkspace(globals, (ctx) => dpiaFacts(ctx, shootId ?? '', DEFAULT_CALIBRATION))),
          models: readModelCard(),
        };
        const text = dpiaMarkdown(annex);
        const json = { ...annex, shoot: { ...annex.shoot, subjects: camelKeys(annex.shoot.subjects) } };
        if (!out) return { json, text };
        await files.writePrivateFile(out, text, fileOptions);
        const sha256 = createHash('sha256').update(text).digest('hex');
        return {
          json: { ...json, written: out, sha256 },
          text: `Wrote the DPIA annex of shoot "${annex.shoot.shoot}" to ${out} (readable by you only; sha256 ${sha256}).`,
        };
      }),
    );

  program
    .command('records')
    .description(
      'a record of processing activities (GDPR Art. 30) from this workspace: purposes, data and subjects, retention, recipients, models, security measures',
    )
    .action(
      action(async (_args, _opts, globals) => {
        const [{ processingRecord }, { workspaceSecurity }, { readModelCard }, { DEFAULT_CALIBRATION }] =
          await Promise.all([
            import('../../core/services/records-service.js'),
            import('../../core/store/workspace-facts.js'),
            import('../../core/engine/model-card.js'),
            import('../../core/engine/calibration.js'),
          ]);
        const r: Records = await withWorkspace(globals, async (ctx, ws) => ({
          ...(await processingRecord(ctx, DEFAULT_CALIBRATION)),
          workspace: workspaceSecurity(ws.paths),
          models: readModelCard(),
        }));
        const json = { ...r, shoots: r.shoots.map((s) => ({ ...s, subjects: camelKeys(s.subjects) })) };
        return { json, text: recordsText(r), exitCode: r.auditChain.ok ? 0 : 1 };
      }),
    );
  program
    .command('model-card')
    .description(
      'the face models in use (files, versions, sha256, licences), the match calibration, and the measured accuracy with the date and command behind each figure',
    )
    .action(
      action(async () => {
        const { readModelCard } = await import('../../core/engine/model-card.js');
        const m = readModelCard();
        return { json: m, text: modelCardText(m).join('\n') };
      }),
    );
}

/** The quality floor and bands of the calibration, as a DPO reads them (docs/engine.md, "Open-set safety"). */
function qualityLines(q: QualityPolicy | null): string[] {
  if (!q) return [];
  const f = q.floor;
  return [
    `Never proposed (reviewers may still name them): faces under ${f.minInterocularPx} px between the eyes, yaw over ${f.maxYaw} (profile), chip sharpness under ${f.minSharpness}, detector score under ${f.minBoxScore}.`,
    ...q.bands.map(
      (b) =>
        `Band ${b.name}: threshold ${b.tighten ? `tightened by ${b.tighten}` : 'as set'} (${b.measure}${b.from !== undefined ? ` from ${b.from}` : ''}${b.to !== undefined ? ` below ${b.to}` : ''}).`,
    ),
  ];
}

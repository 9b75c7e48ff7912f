import type { Command } from 'commander';
import { resolve } from 'node:path';
import { withWorkspace } from '../context.js';
import { action } from '../runner.js';

/** The files of a subject access export, always these names: a DPO knows what to hand over. */
export const SUBJECT_FILES = { json: 'subject.json', report: 'subject.md' } as const;

/** `sitter subject export SHOOT PARTICIPANT --out DIR`: GDPR Art. 15 access and Art. 20 portability. */
export function registerSubject(program: Command): void {
  const subject = program.command('subject').description("a data subject's rights (GDPR Art. 15, 20)");
  subject
    .command('export')
    .description(
      'everything Sitter holds about one participant (consent versions, their faces, decisions, pushes, clearance, audit entries) as JSON and a Markdown report, files 0600; never an embedding, never anyone else',
    )
    .argument('<shoot>', 'shoot id')
    .argument('<participant>', 'participant_id from the consent file')
    .requiredOption('--out <dir>', 'a new or empty folder to write subject.json and subject.md into')
    .option('--force', 'write into a folder that is not empty, replacing subject.json and subject.md')
    .action(
      action(async ([shootId, ref], opts, globals) => {
        const dir = resolve(String(opts.out));
        const force = Boolean(opts.force);
        const [
          { gatherSubject, recordSubjectExport },
          { digestsOf, prepareExportFolder, writeExportFiles },
          { subjectReportMarkdown },
        ] = await Promise.all([
          import('../../core/services/subject-export-service.js'),
          import('../../core/store/files/export-folder.js'),
          import('../format/subject-report.js'),
        ]);
        const result = await withWorkspace(globals, async (ctx, ws) => {
          const data = await gatherSubject(ctx, shootId ?? '', ref ?? '');
          const bodies = [
            { name: SUBJECT_FILES.json, body: `${JSON.stringify(data, null, 2)}\n` },
            { name: SUBJECT_FILES.report, body: subjectReportMarkdown(data) },
          ];
          await prepareExportFolder(dir, force, [ws.paths.dir]);
          // On the record before anything leaves: a workspace that cannot record it (read-only) exports nothing.
          const files = digestsOf(bodies);
          const receipt = await recordSubjectExport(ctx, shootId ?? '', ref ?? '', files);
          await writeExportFiles(dir, bodies, force);
          return {
            folder: dir,
            files,
            counts: {
              consentRecords: data.consentRecords.length,
              faces: data.faces.length,
              decisions: data.decisions.length,
              pushes: data.pushes.length,
              auditEntries: data.audit.length,
            },
            ...receipt,
          };
        });
        const c = result.counts;
        return {
          json: result,
          text: [
            `Wrote ${result.files.map((f) => f.name).join(' and ')} to ${dir} (owner-only).`,
            `${c.consentRecords} consent record version(s), ${c.faces} face(s), ${c.decisions} decision(s), ${c.pushes} push(es), ${c.auditEntries} audit entr${c.auditEntries === 1 ? 'y' : 'ies'}.`,
            ...result.files.map((f) => `  ${f.name}  sha256 ${f.sha256}`),
            `Recorded on the audit chain as entry ${result.audit.seq}; anchor ${result.anchor}`,
          ].join('\n'),
        };
      }),
    );
}

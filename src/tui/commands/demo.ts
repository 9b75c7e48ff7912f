import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/domain/errors.js';
import { withSession } from '../context.js';
import { camelKeys } from '../format/json-vocabulary.js';
import { action } from '../runner.js';

/**
 * Photographs the demo may use: they ship inside an installed dependency under its MIT licence
 * (@vladmandic/face-api's demo folder). Never ../shared/faces, never the network.
 */
function samplePhoto(n: number): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', `sample${n}.jpg`);
}

interface DemoPerson {
  id: string;
  name: string;
  consent: 'yes' | 'no';
  scopes: string;
  /** which sample photo shows this person, and which face from the left */
  from: { sample: number; faceFromLeft: number };
}

/**
 * The demo roster: two models with biometric consent and one person who agreed to photos but not to
 * biometrics (she is in the pictures, and must come out unidentified). Everyone else pictured has no
 * consent record at all: bystanders, flagged for manual handling.
 */
const PEOPLE: DemoPerson[] = [
  { id: 'M-001', name: 'Model One', consent: 'yes', scopes: 'web;print', from: { sample: 1, faceFromLeft: 0 } },
  { id: 'M-002', name: 'Model Two', consent: 'yes', scopes: 'web', from: { sample: 2, faceFromLeft: 1 } },
  { id: 'M-003', name: 'Photos-Only Three', consent: 'no', scopes: 'web', from: { sample: 1, faceFromLeft: 2 } },
];

type Box = { x: number; y: number; w: number; h: number };

/** A reference portrait cut from a sample photo around one face, mirrored so it is not the shoot's own pixels. */
async function referencePortrait(photo: string, box: Box, out: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  const meta = await sharp(photo).rotate().metadata();
  const W = meta.width ?? 1;
  const H = meta.height ?? 1;
  const pad = 0.35;
  const left = Math.max(0, Math.round((box.x - box.w * pad) * W));
  const top = Math.max(0, Math.round((box.y - box.h * pad) * H));
  const width = Math.min(W - left, Math.round(box.w * (1 + 2 * pad) * W));
  const height = Math.min(H - top, Math.round(box.h * (1 + 2 * pad) * H));
  await sharp(photo)
    .rotate()
    .extract({ left, top, width, height })
    .flop()
    .resize({ width: 400, withoutEnlargement: false })
    .jpeg({ quality: 90 })
    .toFile(out);
}

/** The demo shoot's one day: today, so the sample photos (taken years ago) read as this shoot's. */
const DEMO_DAY = new Date().toISOString().slice(0, 10);

/**
 * The sample photos carry their own capture dates from years ago, which the scan would rightly refuse
 * as historical content: the demo re-dates them to the demo day, metadata only (pixels untouched).
 */
async function stampCaptureTime(files: string[]): Promise<void> {
  const { ExifTool } = await import('exiftool-vendored');
  const exiftool = new ExifTool();
  try {
    for (const file of files) {
      await exiftool.write(
        file,
        { DateTimeOriginal: `${DEMO_DAY.replaceAll('-', ':')} 10:00:00`, OffsetTimeOriginal: '+00:00' },
        { writeArgs: ['-overwrite_original'] },
      );
    }
  } finally {
    await exiftool.end();
  }
}

/** Lays out a shoot folder and a consent folder as an archivist would receive them. */
export async function buildDemoFiles(root: string): Promise<{ photos: string; consentFile: string }> {
  const photos = join(root, 'shoot');
  const consent = join(root, 'consent');
  mkdirSync(join(photos, 'day1'), { recursive: true });
  mkdirSync(join(consent, 'forms'), { recursive: true });
  mkdirSync(join(consent, 'reference'), { recursive: true });
  const { default: sharp } = await import('sharp');
  copyFileSync(samplePhoto(1), join(photos, 'day1', 'IMG_0001.jpg'));
  copyFileSync(samplePhoto(2), join(photos, 'day1', 'IMG_0002.jpg'));
  // A mirrored, smaller copy: the same people as another frame of the shoot would show them.
  await sharp(samplePhoto(1)).flop().resize({ width: 1400 }).jpeg({ quality: 88 }).toFile(join(photos, 'IMG_0003.jpg'));
  copyFileSync(samplePhoto(3), join(photos, 'IMG_0004.jpg')); // nobody on the roster: every face unidentified
  writeFileSync(join(photos, 'notes.txt'), 'Shoot notes: not an image, reported and skipped by the scan.\n');
  await stampCaptureTime([
    join(photos, 'day1', 'IMG_0001.jpg'),
    join(photos, 'day1', 'IMG_0002.jpg'),
    join(photos, 'IMG_0003.jpg'),
    join(photos, 'IMG_0004.jpg'),
  ]);

  const { lazyEngines } = await import('../../app/engine-provider.js');
  const { engine } = await lazyEngines.open('single');
  const facesBySample = new Map<number, Box[]>();
  try {
    for (const n of new Set(PEOPLE.map((p) => p.from.sample))) {
      const analysis = await engine.analyse(readFileSync(samplePhoto(n)));
      facesBySample.set(
        n,
        analysis.faces.map((f) => f.box).sort((a, b) => a.x - b.x),
      );
    }
  } finally {
    await engine.close();
  }
  const rows = [
    'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes',
  ];
  for (const p of PEOPLE) {
    const form = Buffer.from(
      `Model release and biometric consent form of ${p.name} (${p.id}). Biometric processing: ${p.consent}.\n`,
    );
    writeFileSync(join(consent, 'forms', `${p.id}.txt`), form);
    const sha = createHash('sha256').update(form).digest('hex');
    let ref = '';
    const box = facesBySample.get(p.from.sample)?.[p.from.faceFromLeft];
    if (p.consent === 'yes' && box) {
      ref = `reference/${p.id}.jpg`;
      await referencePortrait(samplePhoto(p.from.sample), box, join(consent, ref));
    }
    rows.push(
      [p.id, p.name, p.consent, '2026-01-15', '2028-01-15', '', `forms/${p.id}.txt`, sha, ref, 'no', '', p.scopes].join(
        ',',
      ),
    );
  }
  const consentFile = join(consent, 'consent.csv');
  writeFileSync(consentFile, `${rows.join('\n')}\n`);
  return { photos, consentFile };
}

/** Proposals at least this similar are confirmed by the demo's pretend reviewer; the rest wait for review. */
const DEMO_CONFIRM_ABOVE = 0.6;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on a throwaway workspace with a small demo shoot (photos shipped by a dependency)')
    .option('--dir <dir>', 'where to build the demo (default: a new temporary folder)')
    .option('--database <url>', 'build it as a team workspace in this empty PostgreSQL database (docs/team.md)')
    .action(
      action(async (_args, opts) => {
        // The demo builds a workspace of its own; a -w pointing elsewhere would silently go unused.
        if (program.getOptionValueSource('workspace') === 'cli')
          throw new UsageError(
            'DEMO_WORKSPACE_OPTION',
            'sitter demo builds its own throwaway workspace and does not use --workspace/-w.',
            `Say where to build it with --dir: sitter demo --dir ${String(program.opts().workspace)} (the workspace goes in DIR/workspace).`,
          );
        const root = typeof opts.dir === 'string' ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'sitter-demo-'));
        const workspace = join(root, 'workspace');
        const steps: { step: string; result: string }[] = [];
        const say = (step: string, result: string) => steps.push({ step, result });

        const { initWorkspace } = await import('../../core/store/workspace.js');
        await initWorkspace(workspace, typeof opts.database === 'string' ? { database: opts.database } : {});
        say('init', `workspace ${workspace}`);
        const { photos, consentFile } = await buildDemoFiles(root);
        say('files', `shoot folder ${photos} (4 photos and a text file), consent file ${consentFile}`);

        const [
          { createShoot, approveShoot },
          { importConsent },
          { verifyAudit },
          consentModule,
          filesModule,
          { enrol },
          { scan },
          { decideBulk },
          { push },
          { shootReport },
        ] = await Promise.all([
          import('../../core/services/shoot-service.js'),
          import('../../core/services/consent-service.js'),
          import('../../core/services/audit-service.js'),
          import('../../core/consent/index.js'),
          import('../../core/store/files/consent-files.js'),
          import('../../app/use-cases/enrol.js'),
          import('../../app/use-cases/scan.js'),
          import('../../core/services/decision-service.js'),
          import('../../app/use-cases/push.js'),
          import('../../core/services/report-service.js'),
        ]);
        const result = await withSession({ workspace }, async (session) => {
          const { ctx } = session;
          // Stored canonical, as `shoot create` stores it: the local connector refuses a source that now
          // resolves elsewhere (SOURCE_MOVED), and a temp folder may sit behind a link (macOS: /var).
          await createShoot(ctx, {
            id: 'demo',
            name: 'Demo shoot',
            purpose: 'Link the models of the demo shoot to their signed releases',
            source: realpathSync(photos),
            retentionDays: 30,
            connector: 'local',
            reviewersRequired: 1,
            from: DEMO_DAY,
            to: DEMO_DAY,
            utcOffset: '+00:00',
          });
          say(
            'shoot create',
            `draft shoot "demo" on the local folder, photos captured on ${DEMO_DAY} only, retention 30 days`,
          );
          const parsed = await consentModule.parseConsentFile(
            await filesModule.readConsentFile(consentFile),
            filesModule.consentFileAccessFor(consentFile),
          );
          const imported = await importConsent(ctx, 'demo', parsed, consentFile);
          say('consent import', `${imported.added.length} participants imported`);
          const { roster } = await approveShoot(ctx, 'demo', 'DPIA-DEMO-1', 'Demo Approver');
          say(
            'shoot approve',
            `DPIA-DEMO-1; roster declared complete: ${roster.eligible} eligible for matching, ${roster['photos-only']} photos only`,
          );
          const enrolled = await enrol(session, 'demo');
          say(
            'enrol',
            `${enrolled.enrolled} templates built; ${enrolled.notEligible} participant not eligible, never processed`,
          );
          const scanned = await scan(session, 'demo');
          say(
            'scan',
            `${scanned.processed} photos analysed, ${scanned.faces} faces: ${scanned.proposed} proposed, ${scanned.unidentified} unidentified; ${scanned.notImages.length} non-image skipped`,
          );
          // A team workspace records its database role as the reviewer and refuses any other name
          // (REVIEWER_NOT_ROLE); on SQLite there is no login, so the demo names its pretend reviewer.
          const role = await ctx.store.currentRole();
          const reviewer = role ?? 'demo-reviewer';
          const confirmed = await decideBulk(
            ctx,
            'demo',
            { allAbove: DEMO_CONFIRM_ABOVE },
            'confirm',
            role === null ? reviewer : undefined,
          );
          say(
            'decide',
            `${confirmed.length} proposals with score >= ${DEMO_CONFIRM_ABOVE} confirmed by "${reviewer}"${role === null ? '' : ' (the database role)'}; the rest wait for review`,
          );
          const pushed = await push(session, 'demo');
          say('push', `${pushed.written} XMP sidecars written with ${pushed.persons} consent-linked persons`);
          const report = await shootReport(ctx, 'demo');
          say(
            'report',
            `${report.assets.scanned} scanned, ${report.faces.confirmed} confirmed, ` +
              `${report.faces.proposed} pending review, ${report.assets.withUnidentified} photos with an ` +
              `unidentified person`,
          );
          const { chain: verdict } = await verifyAudit(ctx);
          say('audit verify', verdict.ok ? `intact, ${verdict.count} entries` : `BROKEN at ${verdict.firstBadSeq}`);
          return { root, workspace, steps, auditOk: verdict.ok, report };
        });
        return {
          json: { ...result, report: { ...result.report, roster: camelKeys(result.report.roster) } },
          text: [
            ...steps.map((s) => `${s.step.padEnd(15)} ${s.result}`),
            '',
            `Explore it: sitter --workspace ${workspace} report demo`,
            `Review the rest: sitter --workspace ${workspace} review demo`,
          ].join('\n'),
        };
      }),
    );
}

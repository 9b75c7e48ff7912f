import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { withWorkspace } from '../context.js';
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
  photo: number | null;
  scopes: string;
}

const PEOPLE: DemoPerson[] = [
  { id: 'M-001', name: 'Model One', consent: 'yes', photo: 1, scopes: 'web;print' },
  { id: 'M-002', name: 'Model Two', consent: 'yes', photo: 2, scopes: 'web' },
  { id: 'M-003', name: 'Stand-in Three', consent: 'no', photo: null, scopes: 'web' },
];

/** Lays out a shoot folder and a consent folder as an archivist would receive them. */
function buildDemoFiles(root: string): { photos: string; consentFile: string } {
  const photos = join(root, 'shoot');
  const consent = join(root, 'consent');
  mkdirSync(photos, { recursive: true });
  mkdirSync(join(consent, 'forms'), { recursive: true });
  mkdirSync(join(consent, 'reference'), { recursive: true });
  for (const n of [3, 4, 5, 6]) copyFileSync(samplePhoto(n), join(photos, `IMG_00${n}.jpg`));
  const rows = ['participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes'];
  for (const p of PEOPLE) {
    const form = Buffer.from(`Model release and biometric consent form of ${p.name} (${p.id}). Biometric processing: ${p.consent}.\n`);
    writeFileSync(join(consent, 'forms', `${p.id}.txt`), form);
    const sha = createHash('sha256').update(form).digest('hex');
    let ref = '';
    if (p.photo !== null) {
      ref = `reference/${p.id}.jpg`;
      copyFileSync(samplePhoto(p.photo), join(consent, ref));
    }
    rows.push([p.id, p.name, p.consent, '2026-01-15', '2028-01-15', '', `forms/${p.id}.txt`, sha, ref, 'no', '', p.scopes].join(','));
  }
  const consentFile = join(consent, 'consent.csv');
  writeFileSync(consentFile, `${rows.join('\n')}\n`);
  return { photos, consentFile };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on a throwaway workspace with a small demo shoot (photos shipped by a dependency)')
    .option('--dir <dir>', 'where to build the demo (default: a new temporary folder)')
    .action(
      action(async (_args, opts) => {
        const root = typeof opts.dir === 'string' ? resolve(opts.dir) : mkdtempSync(join(tmpdir(), 'sitter-demo-'));
        const workspace = join(root, 'workspace');
        const steps: { step: string; result: string }[] = [];
        const say = (step: string, result: string) => steps.push({ step, result });

        const { initWorkspace } = await import('../../core/store/workspace.js');
        await initWorkspace(workspace);
        say('init', `workspace ${workspace}`);
        const { photos, consentFile } = buildDemoFiles(root);
        say('files', `shoot folder ${photos} (4 photos), consent file ${consentFile}`);

        const [{ createShoot, approveShoot }, { importConsent, listConsent }, { verifyAudit }, consentModule, filesModule] = await Promise.all([
          import('../../core/services/shoot-service.js'),
          import('../../core/services/consent-service.js'),
          import('../../core/services/audit-service.js'),
          import('../../core/consent/index.js'),
          import('../../core/store/consent-files.js'),
        ]);
        const result = await withWorkspace({ workspace }, async (ctx) => {
          await createShoot(ctx, { id: 'demo', name: 'Demo shoot', purpose: 'Link the models of the demo shoot to their signed releases', source: photos, retentionDays: 30, connector: 'local', reviewersRequired: 1 });
          say('shoot create', 'draft shoot "demo" on the local folder, retention 30 days');
          const parsed = await consentModule.parseConsentFile(await filesModule.readConsentFile(consentFile), filesModule.consentFileAccessFor(consentFile));
          const imported = await importConsent(ctx, 'demo', parsed, consentFile);
          say('consent import', `${imported.added.length} participants imported`);
          const { roster } = await approveShoot(ctx, 'demo', 'DPIA-DEMO-1', 'Demo Approver');
          say('shoot approve', `DPIA-DEMO-1; roster declared complete: ${roster.eligible} eligible for matching, ${roster['photos-only']} photos only`);
          const list = await listConsent(ctx, 'demo');
          say('consent list', list.map((e) => `${e.participant.externalRef} ${e.status}`).join(', '));
          const verdict = await verifyAudit(ctx);
          say('audit verify', verdict.ok ? `intact, ${verdict.count} entries` : `BROKEN at ${verdict.firstBadSeq}`);
          return { root, workspace, steps, auditOk: verdict.ok };
        });
        return {
          json: result,
          text: [
            ...steps.map((s) => `${s.step.padEnd(15)} ${s.result}`),
            '',
            `Explore it: sitter --workspace ${workspace} shoot show demo`,
          ].join('\n'),
        };
      }),
    );
}

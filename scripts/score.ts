/**
 * Scores the whole job the way a shoot would use it, through the real CLI: one participant per
 * `enrol` image of DATA_DIR/manifest.json (the layout of ../shared/faces), every other scored image
 * in one shoot, then the proposals are counted per face.
 *
 *   npm run score -- ../shared/faces [--workers N] [--keep]
 *
 * Prints precision, recall, strangers matched and images/s; the last line is one JSON object.
 * The images are copied to a temporary folder (the shoot source), never into the repository.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';

interface Entry {
  file: string;
  identities: string[];
  kind: string;
  role: string;
  membership: string;
}

const args = process.argv.slice(2);
const dataDir = args.find((a) => !a.startsWith('--'));
if (!dataDir) {
  console.error('usage: npm run score -- DATA_DIR [--workers N] [--keep]');
  process.exit(2);
}
const workersArg = args.indexOf('--workers');
const workers = workersArg >= 0 ? args[workersArg + 1] : undefined;
const cli = resolve(import.meta.dirname, '../src/tui/cli.js');
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: Entry[] };

const root = mkdtempSync(join(tmpdir(), 'sitter-score-'));
const ws = join(root, 'ws');
const shootDir = join(root, 'shoot');
const consentDir = join(root, 'consent');
mkdirSync(shootDir);
mkdirSync(join(consentDir, 'refs'), { recursive: true });
mkdirSync(join(consentDir, 'forms'));

function sitter(...cmd: string[]): unknown {
  const r = spawnSync(process.execPath, [cli, '-w', ws, '--json', ...cmd], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 && cmd[0] !== 'enrol') throw new Error(`sitter ${cmd.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(r.stdout);
  } catch {
    return JSON.parse(lines.at(-1) ?? 'null');
  }
}

// The roster: one participant per enrolment photo, all with biometric consent.
const rows = ['participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes'];
for (const e of manifest.images.filter((i) => i.role === 'enrol')) {
  const id = e.identities[0]!;
  const ref = `refs/${id}${extname(e.file)}`;
  copyFileSync(join(dataDir, e.file), join(consentDir, ref));
  const form = Buffer.from(`form of ${id}`);
  writeFileSync(join(consentDir, 'forms', `${id}.txt`), form);
  rows.push([id, id, 'yes', '2026-01-01', '', '', `forms/${id}.txt`, createHash('sha256').update(form).digest('hex'), ref, 'no', '', 'web'].join(','));
}
writeFileSync(join(consentDir, 'consent.csv'), `${rows.join('\n')}\n`);

// The shoot: every scored image that is not an enrolment photo.
const scored = manifest.images.filter((i) => ['query', 'distractor', 'negative'].includes(i.role));
const byFile = new Map<string, Entry>();
for (const e of scored) {
  const name = e.file.replace(/[\\/]/g, '__');
  copyFileSync(join(dataDir, e.file), join(shootDir, name));
  byFile.set(name, e);
}

sitter('init');
sitter('shoot', 'create', 'score', '--name', 'score', '--source', shootDir, '--purpose', 'evaluation', '--retention-days', '1');
sitter('consent', 'import', 'score', join(consentDir, 'consent.csv'));
sitter('shoot', 'approve', 'score', '--dpia', 'EVAL', '--approved-by', 'score script');
const enrol = sitter('enrol', 'score') as { enrolled?: number; failed?: number };
const t0 = performance.now();
sitter('scan', 'score', ...(workers ? ['--workers', workers] : []));
const seconds = (performance.now() - t0) / 1000;
const matches = sitter('matches', 'score') as { assets: { file: string; faces: { state: string; participant: string | null }[] }[] };

let trueMatches = 0;
let falseMatches = 0;
let strangersMatched = 0;
let expected = 0;
for (const a of matches.assets) {
  const e = byFile.get(a.file);
  if (!e) continue;
  const named = a.faces.filter((f) => f.state === 'proposed' && f.participant).map((f) => f.participant!);
  if (e.role === 'query') {
    expected += e.identities.length;
    for (const p of named) {
      if (e.identities.includes(p)) trueMatches += 1;
      else if (e.membership === 'complete') falseMatches += 1;
    }
  } else {
    // A distractor's face or a face found on a no-face image named as anyone is a stranger matched.
    falseMatches += named.length;
    strangersMatched += named.length;
  }
}
const precision = trueMatches + falseMatches > 0 ? trueMatches / (trueMatches + falseMatches) : 1;
const recall = expected > 0 ? trueMatches / expected : 0;
const result = {
  images: byFile.size,
  participants: rows.length - 1,
  enrolled: enrol.enrolled ?? null,
  true_matches: trueMatches,
  false_matches: falseMatches,
  strangers_matched: strangersMatched,
  expected_matches: expected,
  precision: Math.round(precision * 10000) / 10000,
  recall: Math.round(recall * 10000) / 10000,
  scan_seconds: Math.round(seconds * 10) / 10,
  images_per_second: Math.round((byFile.size / seconds) * 100) / 100,
};
console.log(`precision ${result.precision}  recall ${result.recall}  strangers matched ${strangersMatched}  (${trueMatches} true, ${falseMatches} false of ${expected} expected)`);
console.log(`scan: ${byFile.size} images in ${result.scan_seconds} s = ${result.images_per_second} images/s; workspace ${args.includes('--keep') ? ws : '(removed)'}`);
console.log(JSON.stringify(result));
if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });

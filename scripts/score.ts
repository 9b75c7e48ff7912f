/**
 * Scores the whole job the way a shoot would use it, through the real CLI: one participant per
 * `enrol` image of DATA_DIR/manifest.json (the layout of ../shared/faces), every other scored image
 * in one shoot, then the proposals are counted per face.
 *
 *   npm run score -- ../shared/faces [--workers N] [--keep] [--learn]
 *
 * --learn measures what confirmed faces add as extra templates: a shoot gets the first half of the
 * images, a simulated reviewer confirms its true proposals (and rejects the false ones), then the
 * second half is added and scanned. It prints the second half's figures with learning, next to
 * those of a shoot that scanned everything without any confirmation.
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
  role: string;
  membership: string;
}

interface Matches {
  assets: { file: string; faces: { face: number; state: string; participant: string | null }[] }[];
}

const args = process.argv.slice(2);
const dataDir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--workers');
if (!dataDir) {
  console.error('usage: npm run score -- DATA_DIR [--workers N] [--keep] [--learn]');
  process.exit(2);
}
const workersArg = args.indexOf('--workers');
const workers = workersArg >= 0 ? args[workersArg + 1] : undefined;
const cli = resolve(import.meta.dirname, '../src/tui/cli.js');
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: Entry[] };
const root = mkdtempSync(join(tmpdir(), 'sitter-score-'));
const ws = join(root, 'ws');
const consentFile = join(root, 'consent', 'consent.csv');

function sitter(...cmd: string[]): unknown {
  const r = spawnSync(process.execPath, [cli, '-w', ws, '--json', ...cmd], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0 && cmd[0] !== 'enrol' && cmd[0] !== 'scan')
    throw new Error(`sitter ${cmd.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  try {
    return JSON.parse(r.stdout);
  } catch {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null');
  }
}

/** The roster: one participant per enrolment photo, all with biometric consent. */
function writeRoster(): number {
  const dir = join(root, 'consent');
  mkdirSync(join(dir, 'refs'), { recursive: true });
  mkdirSync(join(dir, 'forms'));
  const rows = [
    'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes',
  ];
  for (const e of manifest.images.filter((i) => i.role === 'enrol')) {
    const id = e.identities[0]!;
    const ref = `refs/${id}${extname(e.file)}`;
    copyFileSync(join(dataDir!, e.file), join(dir, ref));
    const form = Buffer.from(`form of ${id}`);
    writeFileSync(join(dir, 'forms', `${id}.txt`), form);
    rows.push(
      [
        id,
        id,
        'yes',
        '2026-01-01',
        '',
        '',
        `forms/${id}.txt`,
        createHash('sha256').update(form).digest('hex'),
        ref,
        'no',
        '',
        'web',
      ].join(','),
    );
  }
  writeFileSync(consentFile, `${rows.join('\n')}\n`);
  return rows.length - 1;
}

const shootFileName = (e: Entry) => e.file.replace(/[\\/]/g, '__');

function addImages(shootDir: string, entries: Entry[]): void {
  mkdirSync(shootDir, { recursive: true });
  for (const e of entries) copyFileSync(join(dataDir!, e.file), join(shootDir, shootFileName(e)));
}

function newShoot(id: string, shootDir: string): { enrolled: number } {
  mkdirSync(shootDir, { recursive: true });
  sitter('shoot', 'create', id, '--name', id, '--source', shootDir, '--purpose', 'evaluation', '--retention-days', '1');
  sitter('consent', 'import', id, consentFile);
  sitter('shoot', 'approve', id, '--dpia', 'EVAL', '--approved-by', 'score script');
  return { enrolled: (sitter('enrol', id) as { enrolled?: number }).enrolled ?? 0 };
}

function scan(id: string): number {
  const t0 = performance.now();
  sitter('scan', id, ...(workers ? ['--workers', workers] : []));
  return (performance.now() - t0) / 1000;
}

interface Score {
  true_matches: number;
  false_matches: number;
  strangers_matched: number;
  expected_matches: number;
  precision: number;
  recall: number;
}

/** Counts the proposals (and, with `states`, confirmations) per face against the labels. */
function score(m: Matches, only: Set<string>, states = ['proposed']): Score {
  const byFile = new Map(manifest.images.map((e) => [shootFileName(e), e]));
  let tm = 0;
  let fm = 0;
  let strangers = 0;
  let expected = 0;
  for (const a of m.assets) {
    const e = byFile.get(a.file);
    if (!e || !only.has(a.file)) continue;
    const named = a.faces.filter((f) => states.includes(f.state) && f.participant).map((f) => f.participant!);
    if (e.role === 'query') {
      expected += e.identities.length;
      for (const p of named) {
        if (e.identities.includes(p)) tm += 1;
        else if (e.membership === 'complete') fm += 1;
      }
    } else {
      // A distractor's face, or a "face" on a no-face image, named as anyone: a stranger matched.
      fm += named.length;
      strangers += named.length;
    }
  }
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    true_matches: tm,
    false_matches: fm,
    strangers_matched: strangers,
    expected_matches: expected,
    precision: r4(tm + fm > 0 ? tm / (tm + fm) : 1),
    recall: r4(expected > 0 ? tm / expected : 0),
  };
}

const participants = writeRoster();
sitter('init');
const scored = manifest.images.filter((i) => ['query', 'distractor', 'negative'].includes(i.role));
const allFiles = new Set(scored.map(shootFileName));

// The plain job: every scored image in one shoot.
const plainDir = join(root, 'shoot');
const { enrolled } = newShoot('score', plainDir);
addImages(plainDir, scored);
const seconds = scan('score');
const plain = sitter('matches', 'score') as Matches;
const result: Record<string, unknown> = {
  images: scored.length,
  participants,
  enrolled,
  ...score(plain, allFiles),
  scan_seconds: Math.round(seconds * 10) / 10,
  images_per_second: Math.round((scored.length / seconds) * 100) / 100,
};
console.log(
  `precision ${result.precision}  recall ${result.recall}  strangers matched ${result.strangers_matched}  (${result.true_matches} true, ${result.false_matches} false of ${result.expected_matches} expected)`,
);
console.log(`scan: ${scored.length} images in ${result.scan_seconds} s = ${result.images_per_second} images/s`);

if (args.includes('--learn')) {
  // Every other image of each identity in the first half, so both halves show every identity.
  const first = scored.filter((_, i) => i % 2 === 0);
  const second = scored.filter((_, i) => i % 2 === 1);
  const learnDir = join(root, 'learn');
  newShoot('learn', learnDir);
  addImages(learnDir, first);
  scan('learn');
  const firstMatches = sitter('matches', 'learn') as Matches;
  const byFile = new Map(manifest.images.map((e) => [shootFileName(e), e]));
  let confirmed = 0;
  for (const a of firstMatches.assets) {
    for (const f of a.faces.filter((x) => x.state === 'proposed' && x.participant)) {
      const right = byFile.get(a.file)?.identities.includes(f.participant!) ?? false;
      sitter('decide', 'learn', String(f.face), right ? '--confirm' : '--reject', '--reviewer', 'score-script');
      if (right) confirmed += 1;
    }
  }
  addImages(learnDir, second);
  scan('learn');
  const secondFiles = new Set(second.map(shootFileName));
  const learned = score(sitter('matches', 'learn') as Matches, secondFiles);
  const baseline = score(plain, secondFiles);
  result.learn = {
    confirmed_as_templates: confirmed,
    second_half_without_learning: baseline,
    second_half_with_learning: learned,
  };
  console.log(
    `learning: ${confirmed} confirmed faces became templates; second half recall ${baseline.recall} -> ${learned.recall}, precision ${baseline.precision} -> ${learned.precision}, strangers ${baseline.strangers_matched} -> ${learned.strangers_matched}`,
  );
}
console.log(`workspace ${args.includes('--keep') ? ws : '(removed)'}`);
console.log(JSON.stringify(result));
if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });

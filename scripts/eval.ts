/**
 * Evaluate the face engine on a labelled folder (a manifest.json in the format of ../shared/faces).
 *
 *   npm run eval -- --data ../shared/faces [--calibrate] [--dump faces.json] [--no-tiles] [--verbose]
 *
 * Enrols one identity per `enrol` image, analyses every other image, and prints the figures; the
 * LAST line is one JSON object (top1, tar_at_far_1pct, tar_at_far_0_1pct, faces_detected_in_groups,
 * faces_expected_in_groups, false_faces_on_negatives, ms_per_image, operating point, ...).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CALIBRATION } from '../src/core/engine/calibration.js';
import {
  euclidean,
  leaveOneIdentityOut,
  operatingPoint,
  rank,
  tarAtFar,
  type FaceMeasures,
  type Probe,
  type Template,
} from '../src/core/engine/calibrate.js';
import { MIN_RECALL, DEFAULT_QUALITY_POLICY } from '../src/core/engine/quality-policy.js';
import { chooseBands, heldOutStrangers, scorePolicy, strangerHeadroom } from '../src/core/engine/calibrate-bands.js';
import { comparisons, riskTable } from './eval-risk.js';
import { LocalFaceEngine } from '../src/core/engine/local-engine.js';
import { loadVerifiedModels } from '../src/core/engine/model-manifest.js';
import { AnalysisCache, pipelineHash, type CachedAnalysis } from './eval-cache.js';

interface Entry {
  file: string;
  identities: string[];
  kind: string;
  role: string;
  membership?: string;
  n_faces?: number | null;
}

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces' },
    calibrate: { type: 'boolean', default: false },
    dump: { type: 'string' },
    // where analyses are cached (default .cache/eval); --no-cache runs the models on every image

    'no-tiles': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    cache: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
  },
});
const dataDir = resolve(values.data ?? '../shared/faces');
const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as { images: Entry[] };
const log = (...a: unknown[]) => console.log(...a);

const engineOptions = values['no-tiles'] ? { detect: { tileAbove: Infinity, wholePad: 0 } } : {};
const modelDigest = loadVerifiedModels().identity.digest;
const cache = new AnalysisCache(resolve(values.cache ?? '.cache/eval'), {
  modelDigest,
  pipeline: pipelineHash(),
  options: engineOptions,
});
// the models load only when an image is not in the cache
let engine: LocalFaceEngine | undefined;
log(`model digest ${modelDigest.slice(0, 16)}; analyses cached in ${cache.file}`);

const results = new Map<string, CachedAnalysis | Error>();
let totalMs = 0;
let analysed = 0;
const imageMs: number[] = [];
// per stage: total wall time over the set and how many images ran it
const stageTotals = new Map<string, { ms: number; images: number }>();
// CPU time (this thread and sharp's) beside wall time: on a shared machine it is the steadier of the two
const cpuMs: number[] = [];
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
let fromCache = 0;
for (const e of manifest.images) {
  const bytes = readFileSync(resolve(dataDir, e.file));
  const sha = createHash('sha256').update(bytes).digest('hex');
  let r = values['no-cache'] ? undefined : cache.get(sha);
  if (r) fromCache++;
  else {
    engine ??= await LocalFaceEngine.create(engineOptions);
    const t0 = performance.now();
    const c0 = cpuNow();
    try {
      r = { ...(await engine.analyseDetailed(bytes)), ms: 0, cpuMs: 0 };
    } catch (err) {
      r = err as Error;
    }
    if (!(r instanceof Error)) {
      r.ms = performance.now() - t0;
      r.cpuMs = cpuNow() - c0;
    }
    cache.set(sha, r);
  }
  if (!(r instanceof Error)) {
    totalMs += r.ms;
    imageMs.push(r.ms);
    cpuMs.push(r.cpuMs);
    for (const [stage, ms] of Object.entries(r.stages ?? {})) {
      const t = stageTotals.get(stage) ?? { ms: 0, images: 0 };
      stageTotals.set(stage, { ms: t.ms + ms, images: t.images + 1 });
    }
  }
  results.set(e.file, r);
  analysed++;
}
cache.save();
if (fromCache) log(`${fromCache} of ${analysed} analyses from the cache (their ms as measured when cached)`);

const facesOf = (e: Entry) => {
  const r = results.get(e.file);
  return r instanceof Error || !r ? [] : r.faces;
};
/** The engine's own measures of a face, with its width as a fraction of the image's. */
const measuresOf = (f: CachedAnalysis['faces'][number]): FaceMeasures => ({
  ...(f.quality ?? { meshScore: f.score, interocularPx: 0, yaw: 1 }),
  faceFraction: f.box.w,
});
const largest = <T extends { box: { w: number; h: number } }>(faces: T[]) =>
  [...faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h)[0];

// enrolment: one template per enrol image (its largest face)
const templates: Template[] = [];
const enrolFailures: string[] = [];
for (const e of manifest.images.filter((x) => x.role === 'enrol')) {
  const f = largest(facesOf(e));
  const id = e.identities[0];
  if (f && id) templates.push({ identity: id, embedding: f.embedding });
  else enrolFailures.push(e.file);
}
const enrolled = new Set(templates.map((t) => t.identity));

// probes
const probes: Probe[] = [];
const genuine: number[] = [];
const impostor: number[] = [];
let top1Correct = 0;
let top1Total = 0;
const misses: string[] = [];
for (const e of manifest.images) {
  if (e.role === 'query') {
    const faces = facesOf(e);
    const labels = e.identities.filter((i) => enrolled.has(i));
    const used = new Set<number>();
    for (const label of labels) {
      top1Total++;
      const tmpl = templates.filter((t) => t.identity === label);
      // the face of this identity: in a single portrait the largest, in a group the closest to the template
      let idx = -1;
      if (e.kind === 'single') {
        const l = largest(faces);
        idx = l ? faces.indexOf(l) : -1;
      } else {
        let bestD = Infinity;
        faces.forEach((f, i) => {
          if (used.has(i)) return;
          const d = Math.min(...tmpl.map((t) => euclidean(f.embedding, t.embedding)));
          if (d < bestD) {
            bestD = d;
            idx = i;
          }
        });
      }
      const face = faces[idx];
      if (!face) {
        genuine.push(Infinity);
        misses.push(`${e.file}: no face`);
        continue;
      }
      used.add(idx);
      probes.push({ image: e.file, embedding: face.embedding, label, quality: measuresOf(face) });
      const r = rank(face.embedding, templates);
      if (r.best?.identity === label) top1Correct++;
      else
        misses.push(
          `${e.file}: top-1 ${r.best?.identity} ${r.best?.distance.toFixed(3)} vs own ${Math.min(...tmpl.map((t) => euclidean(face.embedding, t.embedding))).toFixed(3)}`,
        );
      for (const t of templates)
        (t.identity === label ? genuine : impostor).push(euclidean(face.embedding, t.embedding));
    }
    // the other faces: strangers when the labels are complete, unscored otherwise
    faces.forEach((f, i) => {
      if (used.has(i)) return;
      const label = e.membership === 'complete' ? null : undefined;
      probes.push({ image: e.file, embedding: f.embedding, label, quality: measuresOf(f) });
      if (label === null) for (const t of templates) impostor.push(euclidean(f.embedding, t.embedding));
    });
  } else if (e.role === 'distractor' || e.role === 'negative') {
    for (const f of facesOf(e)) {
      probes.push({ image: e.file, embedding: f.embedding, label: null, quality: measuresOf(f) });
      for (const t of templates) impostor.push(euclidean(f.embedding, t.embedding));
    }
  }
}

// detection figures
const groups = manifest.images.filter((e) => e.kind === 'group' && typeof e.n_faces === 'number');
const facesExpected = groups.reduce((n, e) => n + (e.n_faces ?? 0), 0);
const facesDetected = groups.reduce((n, e) => n + Math.min(facesOf(e).length, e.n_faces ?? 0), 0);
const labelledGroupFaces = manifest.images
  .filter((e) => e.kind === 'group' && e.role === 'query')
  .flatMap((e) => e.identities.filter((i) => enrolled.has(i)).map((i) => ({ e, i })));
const labelledGroupFound = labelledGroupFaces.filter(({ e, i }) =>
  probes.some((p) => p.image === e.file && p.label === i),
).length;
const negatives = manifest.images.filter((e) => e.role === 'negative');
const falseFacesOnNegatives = negatives.reduce((n, e) => n + facesOf(e).length, 0);
const errors = [...results.entries()]
  .filter(([, r]) => r instanceof Error)
  .map(([f, r]) => `${f}: ${(r as Error).message}`);
for (const e of manifest.images) {
  const r = results.get(e.file);
  if (r && !(r instanceof Error) && (values.verbose || e.kind !== 'single' || r.candidates.length !== 1)) {
    const fmt = (x: (typeof r.candidates)[number]) =>
      `${x.reasons.length ? '-' + x.reasons.join('+') + ':' : ''}${x.pass[0]}${x.score.toFixed(2)}/${x.boxScore.toFixed(2)}/${x.verifyScore.toFixed(2)}/${x.geometry.interocular.toFixed(0)}/${x.geometry.eyeMouthRatio.toFixed(2)}`;
    log(
      `  ${e.file} [${e.kind}/${e.role} n=${e.n_faces ?? '?'}]: ${r.faces.length} faces: ${r.candidates.map(fmt).join(' ')}`,
    );
  }
}

const far1 = tarAtFar(genuine, impostor, 0.01);
const far01 = tarAtFar(genuine, impostor, 0.001);
const cal = DEFAULT_CALIBRATION;
const op = operatingPoint(probes, templates, cal.threshold, cal.margin);

let loio: ReturnType<typeof leaveOneIdentityOut> | undefined;
if (values.calibrate) {
  const thresholds = Array.from({ length: 61 }, (_, i) => 0.35 + i * 0.005);
  const margins = Array.from({ length: 11 }, (_, i) => i * 0.01);
  loio = leaveOneIdentityOut(probes, templates, margins, thresholds);
  for (const f of loio.folds)
    log(
      `  fold ${f.heldOut}: t=${f.threshold.toFixed(3)} m=${f.margin.toFixed(2)} recall=${f.recall.toFixed(2)} false=${f.falseMatches}/${f.probes}`,
    );
  log(
    `LOIO choice: threshold ${loio.threshold.toFixed(3)} margin ${loio.margin.toFixed(3)}; held-out recall ${loio.heldOutRecall.toFixed(3)}; unseen strangers named ${loio.heldOutStrangerMatches}/${loio.heldOutStrangerProbes}`,
  );
  const opLoio = operatingPoint(probes, templates, loio.threshold, loio.margin);
  log(
    `at the LOIO choice on all data: precision ${opLoio.precision.toFixed(3)} recall ${opLoio.recall.toFixed(3)} strangers matched ${opLoio.strangers_matched}/${opLoio.strangers} wrong ${opLoio.wrong_matches}`,
  );
}

// Open-set safety (docs/engine.md): which measures make a face risky, the quality bands fitted by
// leave-one-identity-out, and the shipped bands scored on the dev set and on every held-out identity.
const base = { threshold: cal.threshold, margin: cal.margin };
const shipped = cal.quality ?? { floor: DEFAULT_QUALITY_POLICY.floor, bands: [] };
const shippedDev = scorePolicy(probes, templates, base, shipped);
const shippedHeldOut = [...enrolled]
  .sort()
  .map((id) => ({ id, ...heldOutStrangers(probes, templates, base, shipped, id) }));
const heldOutProposed = shippedHeldOut.flatMap((h) => h.proposed.map((img) => `${h.id}: ${img}`));
let bands: ReturnType<typeof chooseBands> | undefined;
let risk: ReturnType<typeof riskTable> | undefined;
if (values.calibrate) {
  risk = riskTable(comparisons(probes, templates));
  log(
    `\nwhat separates the ${risk.closeStrangers} closest strangers (real and held-out) from ${risk.genuine} genuine matches`,
  );
  log('  measure          genuine median  close-stranger median  AUC (0.5 = no separation)');
  for (const r of risk.rows)
    log(
      `  ${r.measure.padEnd(16)} ${r.genuineMedian.toFixed(3).padStart(14)}  ${r.closeStrangerMedian.toFixed(3).padStart(21)}  ${r.auc.toFixed(2)}`,
    );
  bands = chooseBands(probes, templates, { base, floor: shipped.floor, minRecall: MIN_RECALL });
  log('\nquality bands by leave-one-identity-out (fit on the other identities, score the held-out one):');
  for (const t of bands.tried)
    log(
      `  z ${t.z} split ${t.split ? `${t.split.measure} at ${t.split.at}` : 'none'}: bands ${t.policy.bands.map((b) => `${b.name} -${b.tighten.toFixed(3)}`).join(', ')}; held-out recall ${t.heldOutRecall.toFixed(3)}, held-out strangers proposed ${t.heldOutStrangersProposed}/${t.heldOutStrangerFaces}; shipped: recall ${(t.shipped.found / t.shipped.labelled).toFixed(3)}, strangers ${t.shipped.strangersProposed}, held-out strangers ${t.shippedHeldOutStrangers}`,
    );
  log(
    bands.best
      ? `  chosen: z ${bands.best.z}, ${JSON.stringify(bands.best.policy.bands)}`
      : `  no split keeps recall ${MIN_RECALL} with no stranger proposed`,
  );
}
log(
  `\nat the shipped calibration (threshold ${cal.threshold}, margin ${cal.margin}, bands ${shipped.bands.map((b) => `${b.name} -${b.tighten}`).join(', ') || 'none'}):`,
);
log(
  `  dev set: recall ${(shippedDev.found / Math.max(1, shippedDev.labelled)).toFixed(3)} (${shippedDev.found}/${shippedDev.labelled}), wrong ${shippedDev.wrong}, strangers proposed ${shippedDev.strangersProposed}/${shippedDev.strangers}, below the floor ${shippedDev.belowFloor}`,
);
log(
  `  leave-one-identity-out: strangers proposed ${heldOutProposed.length}/${shippedHeldOut.reduce((n, h) => n + h.faces, 0)}${heldOutProposed.length ? ': ' + heldOutProposed.join(', ') : ''}`,
);
const headroom = strangerHeadroom(probes, templates, base, shipped);
const oldHeadroom = strangerHeadroom(probes, templates, base, { floor: shipped.floor, bands: [] });
log(
  `  closest stranger beyond its threshold: ${headroom.headroom.toFixed(3)} (${headroom.image}); without the bands ${oldHeadroom.headroom.toFixed(3)} (${oldHeadroom.image})`,
);
for (const [band, c] of Object.entries(shippedDev.perBand))
  log(`  band ${band}: ${c.faces} faces, ${c.genuineFound} genuine found, ${c.strangersProposed} strangers proposed`);

if (values.dump) {
  writeFileSync(
    values.dump,
    JSON.stringify({
      templates: templates.map((t) => ({ identity: t.identity, embedding: [...t.embedding] })),
      probes: probes.map((p) => ({ ...p, embedding: [...p.embedding] })),
    }),
  );
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? 0;
log(
  `ms per image: median ${quantile(imageMs, 0.5).toFixed(1)}, mean ${(totalMs / Math.max(1, analysed)).toFixed(1)}, p90 ${quantile(imageMs, 0.9).toFixed(1)}; CPU ms per image: median ${quantile(cpuMs, 0.5).toFixed(1)}`,
);
log('where the time goes (ms over the set / per image of the set / images that ran the stage):');
for (const [stage, t] of [...stageTotals].sort((a, b) => b[1].ms - a[1].ms))
  log(
    `  ${stage.padEnd(10)} ${t.ms.toFixed(0).padStart(6)} ms  ${(t.ms / Math.max(1, analysed)).toFixed(1).padStart(6)} ms/image  ${t.images} images`,
  );
if (engine)
  log(
    `embedding runtime: ${engine.embeddingRuntime}${engine.embeddingFallback ? ` (${engine.embeddingFallback})` : ''}`,
  );
log(`misses: ${misses.length ? '\n  ' + misses.join('\n  ') : 'none'}`);
if (enrolFailures.length) log(`enrolment failures: ${enrolFailures.join(', ')}`);
if (errors.length) log(`errors:\n  ${errors.join('\n  ')}`);
const summary = {
  data: dataDir,
  model_digest: modelDigest,
  // which runtime embedded the images analysed in this run (none when every analysis came from the cache)
  embedding_runtime: engine?.embeddingRuntime ?? null,
  images: analysed,
  enrolled: templates.length,
  top1: top1Total ? top1Correct / top1Total : 0,
  top1_probes: top1Total,
  tar_at_far_1pct: far1.tar,
  threshold_at_far_1pct: far1.threshold,
  tar_at_far_0_1pct: far01.tar,
  threshold_at_far_0_1pct: far01.threshold,
  genuine_pairs: genuine.length,
  impostor_pairs: impostor.length,
  faces_detected_in_groups: facesDetected,
  faces_expected_in_groups: facesExpected,
  labelled_group_faces_found: labelledGroupFound,
  labelled_group_faces: labelledGroupFaces.length,
  false_faces_on_negatives: falseFacesOnNegatives,
  decode_errors: errors.length,
  ms_per_image: totalMs / Math.max(1, analysed),
  ms_per_image_median: quantile(imageMs, 0.5),
  cpu_ms_per_image_median: quantile(cpuMs, 0.5),
  stage_ms_per_image: Object.fromEntries(
    [...stageTotals].map(([stage, t]) => [stage, +(t.ms / Math.max(1, analysed)).toFixed(1)]),
  ),
  default_threshold: cal.threshold,
  default_margin: cal.margin,
  precision: op.precision,
  recall: op.recall,
  strangers_matched: op.strangers_matched,
  strangers: op.strangers,
  wrong_matches: op.wrong_matches,
  ...(loio
    ? {
        loio_threshold: loio.threshold,
        loio_margin: loio.margin,
        loio_heldout_recall: loio.heldOutRecall,
        loio_unseen_strangers_named: loio.heldOutStrangerMatches,
      }
    : {}),
  shipped_bands: shipped.bands,
  shipped_floor: shipped.floor,
  shipped_recall: shippedDev.found / Math.max(1, shippedDev.labelled),
  shipped_precision: shippedDev.found / Math.max(1, shippedDev.found + shippedDev.wrong + shippedDev.strangersProposed),
  shipped_strangers_proposed: shippedDev.strangersProposed,
  shipped_strangers: shippedDev.strangers,
  shipped_below_floor: shippedDev.belowFloor,
  shipped_per_band: shippedDev.perBand,
  shipped_loio_strangers_proposed: heldOutProposed.length,
  shipped_stranger_headroom: headroom.headroom,
  unbanded_stranger_headroom: oldHeadroom.headroom,
  shipped_loio_stranger_faces: shippedHeldOut.reduce((n, h) => n + h.faces, 0),
  ...(bands
    ? {
        bands_z: bands.best?.z ?? null,
        bands_fitted: bands.best?.policy.bands ?? null,
        bands_heldout_recall: bands.best?.heldOutRecall ?? null,
        bands_heldout_strangers_proposed: bands.best?.heldOutStrangersProposed ?? null,
      }
    : {}),
  ...(risk ? { risk_table: risk.rows } : {}),
};
await engine?.close();
console.log(JSON.stringify(summary));

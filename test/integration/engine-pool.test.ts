/**
 * The worker pool runs the compiled worker (dist/), so this file builds first when the build is
 * missing or older than the engine sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import { FacePool, type PoolOptions } from '../../src/core/engine/pool.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FACES = join(ROOT, '..', 'shared', 'faces');
const BUILT = join(ROOT, 'dist', 'src', 'core', 'engine', 'worker.js');
const photo = (p: string) => readFileSync(join(FACES, p));
const tmp = mkdtempSync(join(tmpdir(), 'sitter-pool-'));

function buildIfStale(): void {
  const src = join(ROOT, 'src', 'core', 'engine');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest) return;
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch {
    // type errors elsewhere in the tree still emit; what matters is the worker below
  }
  if (!existsSync(BUILT)) throw new Error('the engine worker did not build');
}

const ENGINE = join(ROOT, 'dist', 'src', 'core', 'engine', 'local-engine.js');

/**
 * A worker that dies (after 200 ms) on an image starting with "CRASH", hangs on one starting with "HANG_" and takes
 * 2 s (then fails it as unreadable) on one starting with "SLOW_", when it starts analysing it (not when
 * the image arrives: a worker holds the next image while it analyses one). With `log`, it appends what
 * it receives, starts and finishes: its thread id, the event, the image's byte length.
 */
function testWorker(name: string, log?: string): string {
  const file = join(tmp, name);
  writeFileSync(
    file,
    [
      "import { appendFileSync } from 'node:fs';",
      "import { parentPort, threadId } from 'node:worker_threads';",
      `import { LocalFaceEngine } from ${JSON.stringify(pathToFileURL(ENGINE).href)};`,
      `const log = ${JSON.stringify(log ?? null)};`,
      'const note = (what, bytes) => { if (log) appendFileSync(log, `${threadId} ${what} ${bytes.byteLength}\n`); };',
      "parentPort.on('message', (m) => { if (m.type === 'analyse') note('received', m.bytes); });",
      'const analyse = LocalFaceEngine.prototype.analyse;',
      'LocalFaceEngine.prototype.analyse = async function (bytes) {',
      "  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');",
      // a moment first, so an image sent behind it reaches this worker before it dies
      "  if (head === 'CRASH') { await new Promise((r) => setTimeout(r, 200)); process.exit(70); }",
      "  if (head === 'HANG_') for (;;) { /* stuck */ }",
      "  if (head === 'SLOW_') await new Promise((r) => setTimeout(r, 2000));",
      "  note('started', bytes);",
      '  try { return await analyse.call(this, bytes); } finally { note("finished", bytes); }',
      '};',
      `await import(${JSON.stringify(pathToFileURL(BUILT).href)});`,
    ].join('\n'),
  );
  return file;
}

/** A one-worker pool of the test worker, logging to a file of its own. */
async function loggingPool(name: string, options: PoolOptions = {}): Promise<{ pool: FacePool; log: string }> {
  const log = join(tmp, `${name}.log`);
  const pool = await FacePool.create({
    workers: 1,
    workerUrl: pathToFileURL(testWorker(`${name}.mjs`, log)),
    ...options,
  });
  return { pool, log };
}

/** The worker log's lines as [thread, event, byte length]. */
const logged = (log: string) =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));

let pool: FacePool;
let crashing = '';
beforeAll(async () => {
  buildIfStale();
  crashing = testWorker('crash-worker.mjs');
  pool = await FacePool.create({ workers: 2, workerUrl: pathToFileURL(crashing) });
});
afterAll(async () => {
  await pool?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('face engine worker pool', () => {
  it('analyses images in parallel workers with the same results shape as the engine', async () => {
    const [a, b] = await Promise.all([
      pool.analyse(photo('face-api.js/examples/images/amy/amy1.png')),
      pool.analyse(photo('deepface/tests/unit/dataset/couple.jpg')),
    ]);
    expect(a.faces).toHaveLength(1);
    expect(a.faces[0]!.embedding).toBeInstanceOf(Float32Array);
    expect(a.faces[0]!.embedding).toHaveLength(128);
    expect(b.faces).toHaveLength(2);
    expect(pool.model.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports the image of a worker that dies, replaces the worker and goes on', async () => {
    const results = await Promise.allSettled([
      pool.analyse(Buffer.from('CRASH: this image kills its worker')),
      pool.analyse(photo('face-api.js/examples/images/raj/raj1.png')),
      pool.analyse(photo('face-api.js/examples/images/howard/howard1.png')),
    ]);
    expect(results[0]!.status).toBe('rejected');
    const err = (results[0] as PromiseRejectedResult).reason as SitterError;
    expect(err).toBeInstanceOf(SitterError);
    expect(err.code).toBe('ENGINE_WORKER_DIED');
    expect(results[1]!.status).toBe('fulfilled');
    expect(results[2]!.status).toBe('fulfilled');
    expect(pool.stats.deaths).toBe(1);
    expect(pool.stats.restarts).toBe(1);
    // the replacement works, on the runtime the pool started with (the one a scan puts on its record)
    const runtime = pool.embeddingRuntime;
    const again = await pool.analyse(photo('face-api.js/examples/images/penny/penny1.png'));
    expect(again.faces).toHaveLength(1);
    expect(pool.embeddingRuntime).toBe(runtime);
  });

  it('holds every worker to one embedding runtime: threads that chose differently at start, and replacements, use tfjs-wasm', async () => {
    // The first engine thread to start takes the token and embeds on tfjs-wasm, as a thread whose
    // onnxruntime failed its check would; the others choose for themselves (onnxruntime, here).
    const token = join(tmp, 'first-thread');
    const split = join(tmp, 'split-worker.mjs');
    writeFileSync(
      split,
      [
        "import { openSync } from 'node:fs';",
        `try { if (!process.env.SITTER_EMBEDDER) { openSync(${JSON.stringify(token)}, 'wx'); process.env.SITTER_EMBEDDER = 'wasm'; } } catch {}`,
        `await import(${JSON.stringify(pathToFileURL(crashing).href)});`,
      ].join('\n'),
    );
    const mixed = await FacePool.create({ workers: 2, workerUrl: pathToFileURL(split) });
    try {
      expect(mixed.embeddingRuntime).toBe('tfjs-wasm');
      if (existsSync(join(ROOT, 'node_modules', 'onnxruntime-node')))
        expect(mixed.embeddingFallback).toMatch(/not every engine thread could use it/);
      const images = ['raj/raj1.png', 'howard/howard1.png', 'penny/penny1.png', 'amy/amy1.png'];
      const done = await Promise.all(images.map((i) => mixed.analyse(photo(`face-api.js/examples/images/${i}`))));
      expect(done.map((a) => a.faces.length)).toEqual([1, 1, 1, 1]);
      // A replacement for a worker that died is held to the pool's runtime too.
      await expect(mixed.analyse(Buffer.from('CRASH: this image kills its worker'))).rejects.toMatchObject({
        code: 'ENGINE_WORKER_DIED',
      });
      await mixed.analyse(photo('face-api.js/examples/images/leonard/leonard1.png'));
      const last = await mixed.analyse(photo('face-api.js/examples/images/sheldon/sheldon1.png'));
      expect(mixed.embeddingRuntime).toBe('tfjs-wasm');
      // each analysis says what embedded it (a scan puts it on the asset's record)
      expect([...done, last].map((a) => a.embeddingRuntime)).toEqual(Array(5).fill('tfjs-wasm'));
    } finally {
      await mixed.close();
    }
  });

  it.runIf(existsSync(join(ROOT, 'node_modules', 'onnxruntime-node')))(
    'a replacement worker that cannot use onnxruntime turns the whole pool to tfjs-wasm, and no image is lost',
    async () => {
      // Once armed, the next engine thread to start embeds on tfjs-wasm, as one whose onnxruntime failed its check.
      const armed = join(tmp, 'armed');
      const token = join(tmp, 'late-thread');
      const late = join(tmp, 'late-worker.mjs');
      writeFileSync(
        late,
        [
          "import { existsSync, openSync } from 'node:fs';",
          `try { if (!process.env.SITTER_EMBEDDER && existsSync(${JSON.stringify(armed)})) { openSync(${JSON.stringify(token)}, 'wx'); process.env.SITTER_EMBEDDER = 'wasm'; } } catch {}`,
          `await import(${JSON.stringify(pathToFileURL(crashing).href)});`,
        ].join('\n'),
      );
      const turning = await FacePool.create({ workers: 2, workerUrl: pathToFileURL(late) });
      try {
        expect(turning.embeddingRuntime).toMatch(/^onnxruntime-node/);
        writeFileSync(armed, '');
        await expect(turning.analyse(Buffer.from('CRASH: this image kills its worker'))).rejects.toMatchObject({
          code: 'ENGINE_WORKER_DIED',
        });
        const images = [
          'raj/raj1.png',
          'howard/howard1.png',
          'penny/penny1.png',
          'amy/amy1.png',
          'leonard/leonard1.png',
        ];
        const done = await Promise.all(images.map((i) => turning.analyse(photo(`face-api.js/examples/images/${i}`))));
        expect(done.map((a) => a.faces.length)).toEqual([1, 1, 1, 1, 1]);
        await expect.poll(() => turning.embeddingRuntime, { timeout: 20_000 }).toBe('tfjs-wasm');
        expect(turning.embeddingFallback).toMatch(/not every engine thread could use it/);
        // the onnxruntime worker it replaced on purpose is not counted as a restart
        expect(turning.stats.restarts).toBe(1);
        const after = await turning.analyse(photo('face-api.js/examples/images/sheldon/sheldon1.png'));
        expect(after.faces).toHaveLength(1);
        // before the switch onnxruntime embedded, after it tfjs-wasm: each analysis says which
        expect(done[0]!.embeddingRuntime).toMatch(/^onnxruntime-node/);
        expect(after.embeddingRuntime).toBe('tfjs-wasm');
      } finally {
        await turning.close();
      }
    },
  );

  it('stops a worker stuck on one image, reports that image and goes on', async () => {
    const slow = await FacePool.create({ workers: 1, workerUrl: pathToFileURL(crashing), imageTimeoutMs: 1500 });
    try {
      const stuck = await slow.analyse(Buffer.from('HANG_ forever')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(stuck).toBeInstanceOf(SitterError);
      expect((stuck as SitterError).code).toBe('ENGINE_TIMEOUT');
      const next = await slow.analyse(photo('face-api.js/examples/images/leonard/leonard1.png'));
      expect(next.faces).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('a worker holds the next image while it analyses one, and starts it without waiting for this thread', async () => {
    const { pool: one, log } = await loggingPool('one-worker');
    try {
      const a = photo('face-api.js/examples/images/raj/raj1.png');
      const b = photo('face-api.js/examples/images/amy/amy1.png');
      expect(a.byteLength).not.toBe(b.byteLength);
      const done = await Promise.all([one.analyse(a), one.analyse(b)]);
      expect(done.map((r) => r.faces.length)).toEqual([1, 1]);
      const events = logged(log).map(([, what, bytes]) => `${what} ${bytes}`);
      // the second image was in the worker before the first was done, and analysed after it, in order
      expect(events.indexOf(`received ${b.byteLength}`)).toBeLessThan(events.indexOf(`finished ${a.byteLength}`));
      expect(events.filter((e) => !e.startsWith('received'))).toEqual([
        `started ${a.byteLength}`,
        `finished ${a.byteLength}`,
        `started ${b.byteLength}`,
        `finished ${b.byteLength}`,
      ]);
    } finally {
      await one.close();
    }
  });

  it('an image waiting in a worker that dies or is stopped is analysed by its replacement, not failed or lost', async () => {
    const { pool: one, log } = await loggingPool('dying', { imageTimeoutMs: 5000 });
    try {
      const image = photo('face-api.js/examples/images/howard/howard1.png');
      const size = String(image.byteLength);
      const [crashed, afterCrash] = await Promise.allSettled([
        one.analyse(Buffer.from('CRASH: this image kills its worker')),
        one.analyse(new Uint8Array(image), { handOver: true }),
      ]);
      expect(crashed).toMatchObject({ status: 'rejected', reason: { code: 'ENGINE_WORKER_DIED' } });
      expect(afterCrash.status).toBe('fulfilled');
      expect((afterCrash as PromiseFulfilledResult<{ faces: unknown[] }>).value.faces).toHaveLength(1);
      // it had reached the worker that died, and another thread analysed it
      const received = logged(log).find(([, what, bytes]) => what === 'received' && bytes === size);
      const started = logged(log).find(([, what, bytes]) => what === 'started' && bytes === size);
      expect(received).toBeDefined();
      expect(started?.[0]).not.toBe(received?.[0]);

      const [hung, afterHang] = await Promise.allSettled([
        one.analyse(Buffer.from('HANG_ forever')),
        one.analyse(new Uint8Array(image), { handOver: true }),
      ]);
      expect(hung).toMatchObject({ status: 'rejected', reason: { code: 'ENGINE_TIMEOUT' } });
      expect(afterHang.status).toBe('fulfilled');
      expect(one.stats.deaths).toBe(2);
    } finally {
      await one.close();
    }
  });

  it('an image waiting behind a slow one is given back to a worker that went idle', async () => {
    const two = await FacePool.create({ workers: 2, workerUrl: pathToFileURL(crashing) });
    try {
      const settled: string[] = [];
      const track = (name: string, p: Promise<unknown>) =>
        p.then(
          () => settled.push(name),
          () => settled.push(name),
        );
      await Promise.all([
        // the slow one on the first worker, a quick one on the second, a third waiting behind the slow one
        track('slow', two.analyse(Buffer.from('SLOW_ then unreadable'))),
        track('a', two.analyse(photo('face-api.js/examples/images/raj/raj1.png'))),
        track('b', two.analyse(photo('face-api.js/examples/images/amy/amy1.png'))),
      ]);
      expect(settled).toEqual(['a', 'b', 'slow']);
    } finally {
      await two.close();
    }
  });

  it('retires a worker past its memory share after the image it went on to, and loses none', async () => {
    const { pool: small, log } = await loggingPool('recycled', { recycleAboveMb: 1 });
    try {
      const images = ['raj/raj1.png', 'howard/howard1.png', 'penny/penny1.png'].map((i) =>
        photo(`face-api.js/examples/images/${i}`),
      );
      const done = await Promise.all(images.map((i) => small.analyse(i)));
      expect(done.map((a) => a.faces.length)).toEqual([1, 1, 1]);
      // every result is over the (tiny) limit: retired after the first (once the second, already
      // started, is done) and after the third, on a worker of its own
      expect(small.stats.recycled).toBe(2);
      expect(small.stats.deaths).toBe(0);
      const threadOf = (image: Uint8Array) =>
        logged(log).find(([, what, bytes]) => what === 'started' && bytes === String(image.byteLength))?.[0];
      expect(threadOf(images[1]!)).toBe(threadOf(images[0]!));
      expect(threadOf(images[2]!)).not.toBe(threadOf(images[0]!));
    } finally {
      await small.close();
    }
  });

  it('a handed-over image moves to its worker (the caller keeps no copy), with the same result as a copied one', async () => {
    const file = 'deepface/tests/unit/dataset/couple.jpg';
    const copied = photo(file);
    const handed = new Uint8Array(photo(file)); // its own buffer, as a scan's fetched photo
    const [a, b] = await Promise.all([pool.analyse(copied), pool.analyse(handed, { handOver: true })]);
    expect(copied.byteLength).toBeGreaterThan(0);
    expect(handed.byteLength).toBe(0); // detached: the bytes went to the worker without a copy
    expect(b.image.contentHash).toBe(a.image.contentHash);
    expect(b.faces.map((f) => f.box)).toEqual(a.faces.map((f) => f.box));
    // A view into a larger buffer is copied even when handed over: moving it would empty other bytes.
    const shared = new Uint8Array(photo(file).byteLength + 16);
    shared.set(photo(file), 16);
    const view = shared.subarray(16);
    await expect(pool.analyse(view, { handOver: true })).resolves.toMatchObject({ image: a.image });
    expect(view.byteLength).toBe(shared.byteLength - 16);
  });

  it('passes user errors from a worker through with their code', async () => {
    const err = await pool.analyse(Buffer.from('garbage')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SitterError);
    expect((err as SitterError).code).toBe('IMAGE_UNREADABLE');
  });
});

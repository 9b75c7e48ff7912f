/**
 * Models load from local, verified files only: a tampered or missing model file is a clear error, and
 * loading plus analysing makes no network request at all.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SitterError } from '../../src/core/domain/errors.js';
import { LocalFaceEngine } from '../../src/core/engine/local-engine.js';
import { fileKey, loadVerifiedModels, readManifest } from '../../src/core/engine/model-manifest.js';
import { packageRoot } from '../../src/core/engine/packages.js';

const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces');
const tmp = mkdtempSync(join(tmpdir(), 'sitter-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of every model file, laid out as <package>/<path>. */
function copyModels(root: string): void {
  for (const f of readManifest().files) {
    const to = join(root, fileKey(f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(packageRoot(f.package), f.path), to);
  }
}

describe('model verification', () => {
  it('accepts an intact copy and gives the same identity', () => {
    const root = join(tmp, 'intact');
    copyModels(root);
    expect(loadVerifiedModels({ modelRoot: root }).identity.digest).toBe(loadVerifiedModels().identity.digest);
  });

  it('refuses a tampered weight file, naming it', async () => {
    const root = join(tmp, 'tampered');
    copyModels(root);
    const victim = join(root, '@vladmandic/human/models/facemesh.bin');
    const bytes = readFileSync(victim);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0xff;
    writeFileSync(victim, bytes);
    const err = await LocalFaceEngine.create({ modelRoot: root }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SitterError);
    expect((err as SitterError).code).toBe('MODEL_MISMATCH');
    expect((err as SitterError).message).toContain('@vladmandic/human/models/facemesh.bin');
    expect((err as SitterError).hint).toMatch(/npm ci/);
  });

  it('refuses a missing model file', () => {
    const root = join(tmp, 'missing');
    copyModels(root);
    unlinkSync(join(root, '@vladmandic/face-api/model/face_recognition_model.bin'));
    expect(() => loadVerifiedModels({ modelRoot: root })).toThrow(
      expect.objectContaining({ code: 'MODEL_FILE_MISSING' }),
    );
  });

  it('refuses a manifest edited out of shape', () => {
    const bad = join(tmp, 'manifest.json');
    writeFileSync(bad, JSON.stringify({ schema: 1, id: 'x', files: [{ name: 'a' }] }));
    expect(() => loadVerifiedModels({ manifestPath: bad })).toThrow(
      expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID' }),
    );
  });
});

describe('no network', () => {
  it('loads the models and analyses an image without any network request', async () => {
    const calls: string[] = [];
    const trap =
      (name: string) =>
      (...args: unknown[]) => {
        calls.push(`${name} ${String(args[0])}`);
        throw new Error(`network access attempted: ${name}`);
      };
    const saved = {
      fetch: globalThis.fetch,
      httpRequest: http.request,
      httpGet: http.get,
      httpsRequest: https.request,
      httpsGet: https.get,
      netConnect: net.connect,
      netCreateConnection: net.createConnection,
      socketConnect: net.Socket.prototype.connect,
    };
    globalThis.fetch = trap('fetch') as typeof fetch;
    http.request = trap('http.request') as typeof http.request;
    http.get = trap('http.get') as typeof http.get;
    https.request = trap('https.request') as typeof https.request;
    https.get = trap('https.get') as typeof https.get;
    net.connect = trap('net.connect') as typeof net.connect;
    net.createConnection = trap('net.createConnection') as typeof net.createConnection;
    net.Socket.prototype.connect = trap('socket.connect') as typeof net.Socket.prototype.connect;
    try {
      // this file's process has not loaded tfjs yet: the whole load happens under the trap
      const engine = await LocalFaceEngine.create();
      const r = await engine.analyse(readFileSync(join(FACES, 'deepface/tests/unit/dataset/img5.jpg')));
      expect(r.faces).toHaveLength(1);
      await engine.close();
    } finally {
      globalThis.fetch = saved.fetch;
      http.request = saved.httpRequest;
      http.get = saved.httpGet;
      https.request = saved.httpsRequest;
      https.get = saved.httpsGet;
      net.connect = saved.netConnect;
      net.createConnection = saved.netCreateConnection;
      net.Socket.prototype.connect = saved.socketConnect;
    }
    expect(calls).toEqual([]);
  });
});

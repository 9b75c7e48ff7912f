/**
 * The local folder connector at the edges of its scope: escaping symlinks, "..", devices and FIFOs,
 * hidden files, non-images and corrupt files, on real temp folders.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BugError, SitterError } from '../../src/core/domain/errors.js';
import type { AssetPage, Connector, PushPayload } from '../../src/core/ports/connector.js';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { consentUri } from '../../src/connectors/payload.js';
import { builtinRegistry, ConnectorRegistry } from '../../src/connectors/registry.js';
import { listAll, wrapConnector } from '../../src/connectors/wrap-connector.js';
import { contentHashOf, makeImage, put, tempDir } from '../contract/fixtures.js';
import { refusal } from '../helpers/refusal.js';

let dir: string;
let root: string;
let cleanup: () => Promise<void>;
let local: Connector;
let hasFifo = false;

async function listEverything(c: Connector, source: string, pageSize = 2): Promise<AssetPage> {
  const pages: AssetPage[] = [];
  for await (const p of listAll(c, source, { pageSize })) pages.push(p);
  return { assets: pages.flatMap((p) => p.assets), skipped: pages.flatMap((p) => p.skipped), nextCursor: null };
}

function payload(assetId: string, dirOf: string = root): PushPayload {
  return {
    assetId,
    expectedContentHash: contentHashOf(path.join(dirOf, assetId)),
    image: { width: 64, height: 48 },
    otherFaces: 0,
    persons: [
      {
        participantId: 'p-1',
        displayName: 'Ada Test',
        consentUri: consentUri('s', 'p-1'),
        box: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
        release: { id: null, status: 'unlimited', minor: false },
      },
    ],
  };
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('sitter-local-'));
  root = path.join(dir, 'shoot');
  const outside = path.join(dir, 'outside');
  const jpeg = await makeImage('jpeg');
  await put(path.join(root, 'ok.jpg'), jpeg);
  await put(path.join(root, 'sub', 'deep', 'ok2.png'), await makeImage('png'));
  await put(path.join(root, 'jpeg-named.dat'), jpeg); // content decides, not the name
  await put(path.join(root, 'text-named.jpg'), 'hello, I am text');
  await put(path.join(root, 'empty.jpg'), Buffer.alloc(0));
  await put(path.join(root, 'truncated.jpg'), jpeg.subarray(0, 40)); // corrupt: right magic, cut short
  await put(path.join(root, 'notes.txt'), 'notes');
  await put(path.join(root, 'ok.jpg.xmp'), '<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');
  await put(path.join(root, '.hidden.jpg'), jpeg);
  await put(path.join(root, '.cache', 'inside-hidden-folder.jpg'), jpeg);
  await put(path.join(outside, 'secret.jpg'), jpeg);
  await mkdir(path.join(outside, 'folder'), { recursive: true });
  await put(path.join(outside, 'folder', 'more.jpg'), jpeg);
  await symlink(path.join(outside, 'secret.jpg'), path.join(root, 'escape.jpg'));
  await symlink('../outside/secret.jpg', path.join(root, 'escape-relative.jpg'));
  await symlink(path.join(outside, 'folder'), path.join(root, 'linked-outside-folder'));
  await symlink(path.join(root, 'sub'), path.join(root, 'linked-inside-folder'));
  await symlink(path.join(root, 'ok.jpg'), path.join(root, 'alias.jpg'));
  await symlink('/dev/null', path.join(root, 'devnull.jpg'));
  await symlink(path.join(root, 'gone.jpg'), path.join(root, 'dangling.jpg'));
  try {
    execFileSync('mkfifo', [path.join(root, 'pipe.jpg')]);
    hasFifo = true;
  } catch {
    hasFifo = false;
  }
  local = wrapConnector(createLocalConnector());
});

afterAll(async () => {
  await cleanup();
});

describe('local connector: listing', () => {
  it('lists image files (by content) recursively in code-unit order, with POSIX ids', async () => {
    const { assets } = await listEverything(local, root);
    expect(assets.map((a) => a.id)).toEqual([
      'alias.jpg',
      'jpeg-named.dat',
      'ok.jpg',
      'sub/deep/ok2.png',
      'truncated.jpg',
    ]);
    const ok2 = assets.find((a) => a.id === 'sub/deep/ok2.png');
    expect(ok2?.fileName).toBe('ok2.png');
    expect(ok2?.size).toBe((await stat(path.join(root, 'sub/deep/ok2.png'))).size);
  });

  it('reports what it skips, with a reason, once each', async () => {
    const { skipped } = await listEverything(local, root, 1);
    const reasons = Object.fromEntries(skipped.map((s) => [s.id, s.reason]));
    expect(reasons).toMatchObject({
      'text-named.jpg': 'not-an-image',
      'empty.jpg': 'not-an-image',
      'notes.txt': 'not-an-image',
      'escape.jpg': 'outside-source',
      'escape-relative.jpg': 'outside-source',
      'linked-outside-folder': 'outside-source',
      'linked-inside-folder': 'linked-directory',
      'devnull.jpg': 'outside-source',
      'dangling.jpg': 'broken-link',
    });
    if (hasFifo) expect(reasons['pipe.jpg']).toBe('not-a-regular-file');
    expect(new Set(skipped.map((s) => s.id)).size).toBe(skipped.length);
    for (const s of skipped) expect(s.message).not.toBe('');
  });

  it('passes over hidden files, hidden folders and sidecars silently', async () => {
    const { assets, skipped } = await listEverything(local, root);
    const all = [...assets.map((a) => a.id), ...skipped.map((s) => s.id)];
    expect(all.some((id) => id.includes('.hidden') || id.includes('.cache') || id.endsWith('.xmp'))).toBe(false);
  });

  it('refuses a missing source, a file as source and a bad cursor', async () => {
    expect((await refusal(local.list(path.join(dir, 'nope')))).code).toBe('SOURCE_NOT_FOUND');
    expect((await refusal(local.list(path.join(root, 'ok.jpg')))).code).toBe('SOURCE_NOT_A_FOLDER');
    expect((await refusal(local.list(root, { cursor: 'garbage' }))).code).toBe('INVALID_CURSOR');
  });

  it('refuses a source that no longer resolves to itself (SOURCE_MOVED): a symlink in its place or on its path', async () => {
    // A shoot's source is stored canonical at create; a link there now was put in its place since.
    const link = path.join(dir, 'shoot-link');
    await symlink(root, link);
    expect(await refusal(local.list(link))).toMatchObject({
      code: 'SOURCE_MOVED',
      hint: expect.stringContaining('remove the symlink'),
    });
    expect((await refusal(local.fetch(link, 'ok.jpg'))).code).toBe('SOURCE_MOVED');
    expect((await refusal(local.readLeftovers?.(link) ?? Promise.resolve([]))).code).toBe('SOURCE_MOVED');
    const linkedParent = path.join(dir, 'parent-link');
    await symlink(dir, linkedParent);
    expect((await refusal(local.list(path.join(linkedParent, path.basename(root))))).code).toBe('SOURCE_MOVED');
  });
});

describe('local connector: fetch refuses what the listing would not give', () => {
  const refused = [
    '../outside/secret.jpg',
    'sub/../../outside/secret.jpg',
    'sub/../ok.jpg',
    './ok.jpg',
    'sub//deep/ok2.png',
    '/etc/passwd',
    'escape.jpg',
    'escape-relative.jpg',
    'linked-outside-folder/more.jpg',
    'linked-inside-folder/deep/ok2.png',
    'devnull.jpg',
    'dangling.jpg',
    '.hidden.jpg',
    '.cache/inside-hidden-folder.jpg',
    'text-named.jpg',
    'empty.jpg',
    'notes.txt',
    'ok.jpg.xmp',
    'sub',
    'missing.jpg',
    'OK.jpg',
  ];
  for (const id of refused) {
    it(`refuses ${JSON.stringify(id)}`, async () => {
      const e = await refusal(local.fetch(root, id));
      expect(e.message).toContain('Connector "local"');
      expect(['ASSET_OUT_OF_SCOPE', 'ASSET_NOT_FOUND']).toContain(e.code);
    });
  }

  it('refuses a FIFO without blocking on it', async () => {
    if (!hasFifo) return;
    const e = await refusal(local.fetch(root, 'pipe.jpg'));
    expect(e.code).toBe('ASSET_OUT_OF_SCOPE');
    await expect(local.push(root, payload('pipe.jpg'))).rejects.toBeInstanceOf(SitterError);
  });

  it('fetches listed assets by content; one whose header no decoder reads is IMAGE_UNREADABLE, named, not undated', async () => {
    const e = await refusal(local.fetch(root, 'truncated.jpg'));
    expect(e.code).toBe('IMAGE_UNREADABLE');
    expect(e.message).toMatch(/"truncated\.jpg" cannot be read: it starts like a JPEG image but its header is damaged/);
    const g = await local.fetch(root, 'jpeg-named.dat');
    expect(g.mediaType).toBe('image/jpeg');
    const alias = await local.fetch(root, 'alias.jpg');
    expect(alias.contentHash).toBe((await local.fetch(root, 'ok.jpg')).contentHash);
  });

  it('refuses files over maxFileBytes', async () => {
    const small = wrapConnector(createLocalConnector({ maxFileBytes: 10 }));
    expect((await refusal(small.fetch(root, 'ok.jpg'))).code).toBe('ASSET_TOO_LARGE');
  });

  it('refuses bad options', () => {
    expect(() => createLocalConnector({ sidecarNaming: 'sideways' })).toThrow(SitterError);
    expect(() => createLocalConnector({ surprise: 1 })).toThrow(SitterError);
  });
});

describe('local connector: sidecars', () => {
  it('writes photo.jpg.xmp next to the image, atomically, and removes it when clearing leaves nothing', async () => {
    const r = await local.push(root, payload('sub/deep/ok2.png'));
    expect(r.location).toBe(path.join(root, 'sub/deep/ok2.png.xmp'));
    expect(await readFile(r.location, 'utf8')).toContain('urn:sitter:consent:s:p-1');
    const c = await local.clear(root, { assetId: 'sub/deep/ok2.png' });
    expect(c.changed).toBe(true);
    await expect(stat(r.location)).rejects.toThrow();
  });

  it('writes next to a symlinked file that stays inside the folder', async () => {
    const r = await local.push(root, payload('alias.jpg'));
    expect(r.location).toBe(path.join(root, 'alias.jpg.xmp'));
    await local.clear(root, { assetId: 'alias.jpg' });
  });

  it('refuses to write through a sidecar that is a symlink', async () => {
    await put(path.join(dir, 'victim.txt'), 'do not touch');
    await symlink(path.join(dir, 'victim.txt'), path.join(root, 'jpeg-named.dat.xmp'));
    const e = await refusal(local.push(root, payload('jpeg-named.dat')));
    expect(e.code).toBe('SIDECAR_NOT_A_FILE');
    expect(await readFile(path.join(dir, 'victim.txt'), 'utf8')).toBe('do not touch');
  });

  it('refuses to overwrite a sidecar that is not XML, and leaves it alone', async () => {
    await put(path.join(root, 'ok.jpg.xmp'), 'this is <not xml');
    const e = await refusal(local.push(root, payload('ok.jpg')));
    expect(e.code).toBe('SIDECAR_UNREADABLE');
    expect(await readFile(path.join(root, 'ok.jpg.xmp'), 'utf8')).toBe('this is <not xml');
  });

  it.skipIf(process.getuid?.() === 0)('says so when the folder is read-only', async () => {
    const { dir: d, cleanup: done } = await tempDir();
    try {
      await put(path.join(d, 'ro.jpg'), await makeImage('jpeg'));
      await (await import('node:fs/promises')).chmod(d, 0o555);
      expect((await refusal(local.push(d, payload('ro.jpg', d)))).code).toBe('SIDECAR_NOT_WRITABLE');
    } finally {
      await (await import('node:fs/promises')).chmod(d, 0o755);
      await done();
    }
  });

  it('refuses a sidecar with a DOCTYPE (XMP allows none; its entities would be mangled)', async () => {
    const text =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>';
    await put(path.join(root, 'truncated.jpg.xmp'), text);
    expect((await refusal(local.push(root, payload('truncated.jpg')))).code).toBe('SIDECAR_UNREADABLE');
    expect(await readFile(path.join(root, 'truncated.jpg.xmp'), 'utf8')).toBe(text);
  });

  it('clears an orphaned sidecar after its image was deleted (withdrawal must reach it)', async () => {
    const { dir: d, cleanup: done } = await tempDir();
    try {
      await put(path.join(d, 'gone.jpg'), await makeImage('jpeg'));
      await local.push(d, payload('gone.jpg', d));
      await writeFile(path.join(d, 'gone.jpg'), ''); // replaced by junk, then removed
      await (await import('node:fs/promises')).rm(path.join(d, 'gone.jpg'));
      const c = await local.clear(d, { assetId: 'gone.jpg' });
      expect(c.changed).toBe(true);
      await expect(stat(path.join(d, 'gone.jpg.xmp'))).rejects.toThrow();
    } finally {
      await done();
    }
  });

  it('with replace naming writes photo.xmp, and refuses when two files share the stem', async () => {
    const { dir: d, cleanup: done } = await tempDir();
    try {
      await put(path.join(d, 'solo.jpg'), await makeImage('jpeg'));
      await put(path.join(d, 'pair.jpg'), await makeImage('jpeg'));
      await put(path.join(d, 'pair.tiff'), await makeImage('tiff'));
      const c = wrapConnector(createLocalConnector({ sidecarNaming: 'replace' }));
      expect((await c.push(d, payload('solo.jpg', d))).location).toBe(path.join(d, 'solo.xmp'));
      expect((await refusal(c.push(d, payload('pair.jpg', d)))).code).toBe('SIDECAR_NAME_CLASH');
      const list = await listEverything(c, d);
      expect(list.assets.map((a) => a.id)).toEqual(['pair.jpg', 'pair.tiff', 'solo.jpg']);
    } finally {
      await done();
    }
  });
});

describe('wrapConnector and the registry', () => {
  const failing: Connector = {
    info: { name: 'flaky', title: 'Flaky', version: '0' },
    capabilities: { listingHashes: false, regions: false, modelRelease: false, partialClear: false },
    list: () => Promise.reject(new TypeError('socket hang up')),
    fetch: () =>
      Promise.reject(
        new SitterError('DAM_DENIED', 'Access denied by the DAM.', 'Ask for read access.', { status: 403 }),
      ),
    push: () => Promise.resolve({ changed: true, location: 'x' }),
    clear: () => Promise.resolve({ changed: false, location: 'x' }),
  };

  it('turns a foreign error into CONNECTOR_FAILED naming the connector and keeping the cause', async () => {
    const e = await refusal(wrapConnector(failing).list('src'));
    expect(e.code).toBe('CONNECTOR_FAILED');
    expect(e.message).toContain('"flaky"');
    expect(e.message).toContain('socket hang up');
    expect(e.cause).toBeInstanceOf(TypeError);
    expect(e.details).toMatchObject({ connector: 'flaky', operation: 'list', source: 'src' });
  });

  it("passes a connector's own SitterError through with the connector named", async () => {
    const e = await refusal(wrapConnector(failing).fetch('src', 'a'));
    expect(e.code).toBe('DAM_DENIED');
    expect(e.hint).toBe('Ask for read access.');
    expect(e.message).toContain('Connector "flaky"');
    expect(e.details).toMatchObject({ status: 403, connector: 'flaky', assetId: 'a' });
    expect((e.cause as SitterError).code).toBe('DAM_DENIED');
  });

  it('refuses partial clear on a connector that does not declare it, and bad payloads, as Sitter bugs', async () => {
    const w = wrapConnector(failing);
    await expect(w.clear('src', { assetId: 'a', consentUris: [consentUri('s', 'p')] })).rejects.toBeInstanceOf(
      BugError,
    );
    await expect(w.push('src', { ...payload('a'), image: { width: 0, height: 10 } })).rejects.toBeInstanceOf(BugError);
  });

  it('wraps once, and detects a looping listing', async () => {
    const w = wrapConnector(failing);
    expect(wrapConnector(w)).toBe(w);
    const loop = wrapConnector({
      ...failing,
      list: () => Promise.resolve({ assets: [], skipped: [], nextCursor: 'same' }),
    });
    const pages = async (): Promise<void> => {
      for await (const _p of listAll(loop, 's')) void _p;
    };
    await expect(pages()).rejects.toMatchObject({ code: 'CONNECTOR_FAILED' });
  });

  it('creates built-ins by name, wrapped, and refuses unknown or duplicate names', async () => {
    const reg = builtinRegistry();
    expect(reg.list().map((r) => r.name)).toEqual(['asset-bank', 'local']);
    const c = reg.create('local');
    expect((await refusal(c.fetch(root, '../x.jpg'))).message).toContain('Connector "local"');
    expect(() => reg.create('dropbox')).toThrow(/no connector named "dropbox"/);
    expect(() =>
      reg.register({ name: 'local', title: 'x', origin: 'plugins/evil', factory: createLocalConnector }),
    ).toThrow(SitterError);
    expect(() =>
      new ConnectorRegistry().register({ name: 'Bad Name', title: 'x', origin: 'p', factory: createLocalConnector }),
    ).toThrow(SitterError);
  });
});

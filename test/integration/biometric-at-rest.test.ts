import { readFileSync, writeFileSync } from 'node:fs';
import { createDecipheriv } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/domain/audit.js';
import { embeddingToBytes } from '../../src/core/domain/embedding.js';
import { faceBinding, templateBinding } from '../../src/core/domain/seal-binding.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { openWorkspace } from '../../src/core/store/workspace.js';
import { jsonOf, runSitter } from '../helpers/cli.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedApprovedShoot, seedProposal } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';
import { occurrences } from '../helpers/workspace-bytes.js';

const IV = 12;
const TAG = 16;

type Row = { embedding: Buffer };

/** The shoot's data key, unwrapped with the master key as Sitter 1 did (a format-1 blob). */
function shootKey(ws: string, shoot: string): Buffer {
  const wrapped = readFileSync(join(ws, 'keys', `${shoot}.key`));
  const d = createDecipheriv('aes-256-gcm', readFileSync(join(ws, 'master.key')), wrapped.subarray(1, 1 + IV));
  d.setAuthTag(wrapped.subarray(1 + IV, 1 + IV + TAG));
  return Buffer.concat([d.update(wrapped.subarray(1 + IV + TAG)), d.final()]);
}

describe('biometric data at rest: deleted means unrecoverable, blobs bound to their place', () => {
  let t: TestWorkspace;
  const sitter = (...args: string[]) => runSitter(['-w', t.root, '--json', ...args]);
  beforeEach(async () => {
    // The CLI runs on the system clock: so does this workspace, so the shoot is within retention.
    t = await makeWorkspace(new Date());
    await seedApprovedShoot(t, 's', [
      { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
      { id: 'P2', name: 'Ben Staying', consent: 'yes' },
    ]);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const rows = (q: string) => withRawDb(join(t.root, 'sitter.db'), async (sql) => (await sql(q)) as Row[]);

  it('every connection to a workspace database has secure_delete on', async () => {
    await withRawDb(join(t.root, 'sitter.db'), async (sql) => {
      expect(await sql('PRAGMA secure_delete')).toEqual([{ secure_delete: 1 }]);
    });
  });

  it('after withdraw, no ciphertext of the person is left in any file of the workspace folder, and nothing found decrypts', async () => {
    for (const f of ['a.jpg', 'b.jpg', 'c.jpg'])
      await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
        .jpeg()
        .toFile(join(t.root, '..', f));
    // P1: two templates learned from confirmed faces and one pending proposal; P2: one template.
    for (const [asset, who, x] of [
      ['a.jpg', 'P1', 0.1],
      ['a.jpg', 'P2', 0.6],
      ['b.jpg', 'P1', 0.3],
    ] as const) {
      const face = await seedProposal(t, 's', asset, who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
      await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
    }
    await seedProposal(t, 's', 'c.jpg', 'P1');
    const p1 = (await t.ws.store.transaction((uow) => uow.participants.findByExternalRef('s', 'P1')))!.id;
    const blobs = await t.ws.store.transaction(async (uow) => [
      ...(await uow.templates.listByShoot('s')).map((x) => ({
        participantId: x.participantId,
        blob: Buffer.from(x.embedding),
        binding: templateBinding(x),
      })),
      ...(await uow.faces.listByShoot('s')).flatMap((f) =>
        f.embedding
          ? [
              {
                participantId: f.participantId,
                blob: Buffer.from(f.embedding),
                binding: faceBinding({ ...f, modelDigest: f.modelDigest! }),
              },
            ]
          : [],
      ),
    ]);
    const leaving = blobs.filter((b) => b.participantId === p1);
    const staying = blobs.filter((b) => b.participantId !== p1);
    expect([leaving.length, staying.length]).toEqual([3, 1]);
    for (const b of blobs) expect(occurrences(t.root, b.blob).length).toBeGreaterThan(0);

    const run = await sitter('withdraw', 's', 'P1');
    expect(run.code, run.stdout).toBe(0);
    expect(jsonOf(run)).toMatchObject({ participant: 'P1', templatesDeleted: 2 });

    for (const b of leaving) {
      // Whatever carries the blob's authentication tag is tried with the shoot's key (still alive: the
      // shoot is open) and the blob's own binding, as someone holding the folder could.
      const hits = occurrences(t.root, b.blob.subarray(1 + IV, 1 + IV + TAG));
      for (const hit of hits) {
        const candidate = hit.bytes.subarray(hit.offset - 1 - IV, hit.offset - 1 - IV + b.blob.length);
        await expect(t.ctx.keyVault.decrypt(b.binding, candidate)).rejects.toMatchObject({
          code: 'CIPHERTEXT_INVALID',
        });
      }
      expect(hits).toEqual([]);
    }
    // The search itself works: the person who stays is still found, and her blob still opens.
    const kept = staying[0]!;
    expect(occurrences(t.root, kept.blob).length).toBeGreaterThan(0);
    expect((await t.ctx.keyVault.decrypt(kept.binding, kept.blob)).length).toBe(12);
    expect(verifyChain(await t.ws.store.transaction((uow) => uow.audit.all())).ok).toBe(true);
  });

  it('a face embedding moved onto another proposal fails loudly at confirmation, and nothing is learned', async () => {
    const a = await seedProposal(t, 's', 'a.jpg', 'P1');
    const b = await seedProposal(t, 's', 'b.jpg', 'P2');
    await withRawDb(join(t.root, 'sitter.db'), async (sql) => {
      const [ea, eb] = [
        (await sql('select embedding from face where id = ?', [a.id])) as Row[],
        (await sql('select embedding from face where id = ?', [b.id])) as Row[],
      ];
      await sql('update face set embedding = ? where id = ?', [eb[0]!.embedding, a.id]);
      await sql('update face set embedding = ? where id = ?', [ea[0]!.embedding, b.id]);
    });
    const run = await sitter('decide', 's', String(a.id), '--confirm', '--reviewer', 'Rita');
    expect(run.code).toBe(1);
    expect(jsonOf(run).error).toMatchObject({
      code: 'CIPHERTEXT_INVALID',
      message: expect.stringContaining('Nobody is named'),
      hint: expect.stringContaining('backup'),
    });
    const matches = jsonOf(await sitter('matches', 's')) as { assets: { faces: { face: number; state: string }[] }[] };
    expect(matches.assets.flatMap((x) => x.faces).find((f) => f.face === a.id)).toMatchObject({ state: 'proposed' });
    expect(await rows('select embedding from template')).toEqual([]);
  });

  it('a workspace whose ciphertexts predate binding is re-sealed when it opens, on the audit chain', async () => {
    const p1 = (await t.ws.store.transaction((uow) => uow.participants.findByExternalRef('s', 'P1')))!.id;
    const embedding = embeddingToBytes(Float32Array.from([0.5, -0.25, 1]));
    const template = { shootId: 's', participantId: p1, modelDigest: 'model-x', origin: 'reference-photo' as const };
    const binding = templateBinding(template);
    await t.ws.store.transaction(async (uow) => {
      await uow.templates.add({
        ...template,
        embedding: await t.ctx.keyVault.encrypt(binding, embedding),
        originRef: 'photo:x',
        createdAt: new Date(),
      });
    });
    await t.ws.close();
    // Make it what Sitter 1 left: a format-1 blob (no associated data) and a format-1 marker.
    const key = shootKey(t.root, 's');
    const { createCipheriv, randomBytes } = await import('node:crypto');
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([c.update(embedding), c.final()]);
    const legacy = Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), body]);
    await withRawDb(join(t.root, 'sitter.db'), (sql) => sql('update template set embedding = ?', [legacy]));
    writeFileSync(join(t.root, 'workspace.json'), JSON.stringify({ format: 1, tool: 'sitter' }));

    expect((await sitter('shoot', 'list')).code).toBe(0);
    const [row] = await rows('select embedding from template');
    expect(row!.embedding[0]).toBe(2);
    expect(JSON.parse(readFileSync(join(t.root, 'workspace.json'), 'utf8'))).toMatchObject({ format: 2 });
    t.ws = await openWorkspace(t.root);
    expect(Buffer.from(await t.ws.keyVault.decrypt(binding, row!.embedding)).equals(Buffer.from(embedding))).toBe(true);
    const audit = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(audit.at(-1)).toMatchObject({ action: 'workspace.ciphertexts-bound', details: { templates: 1, faces: 0 } });
    expect(verifyChain(audit).ok).toBe(true);
    // Once is enough: a second open finds nothing to do.
    expect((await sitter('shoot', 'list')).code).toBe(0);
    expect(
      (await t.ws.store.transaction((uow) => uow.audit.all())).filter(
        (e) => e.action === 'workspace.ciphertexts-bound',
      ),
    ).toHaveLength(1);
  });

  it('a 0-byte key file (left by a full disk before keys were written atomically) is replaced, not taken for a lost backup', async () => {
    writeFileSync(join(t.root, 'keys', 's.key'), '');
    const binding = templateBinding({ shootId: 's', participantId: 1, modelDigest: 'm', origin: 'reference-photo' });
    const sealed = await t.ctx.keyVault.encrypt(binding, new Uint8Array([1, 2, 3]));
    expect([...(await t.ctx.keyVault.decrypt(binding, sealed))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(t.root, 'keys', 's.key')).length).toBeGreaterThan(32);
  });
});

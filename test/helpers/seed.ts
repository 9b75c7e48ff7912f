import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseConsentFile } from '../../src/core/consent/index.js';
import { embeddingToBytes } from '../../src/core/domain/embedding.js';
import type { Face } from '../../src/core/domain/records.js';
import { faceBinding, templateBinding } from '../../src/core/domain/seal-binding.js';
import type { Connector } from '../../src/core/ports/connector.js';
import { importConsent } from '../../src/core/services/consent-service.js';
import { decideFace } from '../../src/core/services/decision-service.js';
import { pushShoot, type PushSummary } from '../../src/core/services/push-service.js';
import { approveShoot, createShoot } from '../../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../../src/core/store/files/consent-files.js';
import { type FixtureParticipant, pngBytes, writeConsentFolder } from './consent-fixture.js';
import type { TestWorkspace } from './workspace.js';

/** The days every seeded shoot declares: around the test workspaces' fixed clock (2026-06-01). */
export const SEED_SHOOT_DAYS = { from: '2026-05-30', to: '2026-06-01', utcOffset: '+00:00' };

/**
 * An approved shoot with the given roster, made through the real services. The source defaults to
 * the workspace's parent folder, the connector to `local`.
 */
export async function seedApprovedShoot(
  t: TestWorkspace,
  shootId: string,
  people: Omit<FixtureParticipant, 'photo'>[],
  reviewers: 1 | 2 = 1,
  source = join(t.root, '..'),
  days = SEED_SHOOT_DAYS,
  connector: { name: string; options?: Record<string, unknown> } = { name: 'local' },
): Promise<void> {
  await createShoot(t.ctx, {
    id: shootId,
    name: shootId,
    purpose: 'test',
    source,
    retentionDays: 30,
    connector: connector.name,
    ...(connector.options ? { connectorOptions: connector.options } : {}),
    reviewersRequired: reviewers,
    ...days,
  });
  const withPhotos: FixtureParticipant[] = [];
  for (const [i, p] of people.entries())
    withPhotos.push({ ...p, ...(p.consent === 'yes' ? { photo: await pngBytes(i + 1) } : {}) });
  const file = writeConsentFolder(join(t.root, '..', `consent-${shootId}`), withPhotos);
  await importConsent(
    t.ctx,
    shootId,
    await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)),
    file,
  );
  await approveShoot(t.ctx, shootId, 'DPIA-T', 'Approver');
}

/** A scanned asset with one proposed face for a participant, as a scan would leave it. */
export async function seedProposal(
  t: TestWorkspace,
  shootId: string,
  assetRef: string,
  participantRef: string,
  score = 0.7,
  box = { x: 0.1, y: 0.1, w: 0.2, h: 0.3 },
): Promise<Face> {
  return t.ws.store.transaction(async (uow) => {
    const participant = await uow.participants.findByExternalRef(shootId, participantRef);
    if (!participant) throw new Error(`no participant ${participantRef}`);
    // The hash a scan would record: the file's, when the test put one in the shoot folder.
    const file = join(t.root, '..', assetRef);
    const contentSha256 = existsSync(file)
      ? `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`
      : 'sha256:x';
    const asset =
      (await uow.assets.findByConnectorId(shootId, assetRef)) ??
      (await uow.assets.add({
        shootId,
        connectorAssetId: assetRef,
        fileName: assetRef,
        contentSha256,
        size: 1,
        width: 100,
        height: 100,
        orientation: 1,
        sourceRevision: null,
        rendition: null,
        scanState: 'scanned',
        error: null,
        flags: [],
        scannedAt: new Date(),
      }));
    const embedding = await t.ctx.keyVault.encrypt(
      faceBinding({ shootId, assetId: asset.id, ...box, participantId: participant.id, modelDigest: 'model-x' }),
      embeddingToBytes(Float32Array.from([0.1, 0.2, 0.3])),
    );
    return uow.faces.add({
      shootId,
      assetId: asset.id,
      ...box,
      detectorScore: 0.9,
      state: 'proposed',
      participantId: participant.id,
      score,
      margin: 0.2,
      reason: null,
      embedding,
      modelDigest: 'model-x',
      createdAt: new Date(),
    });
  });
}

/**
 * Shoot "s" with P1 "Ada Leaving" and P2 "Ben Staying", confirmed by Rita and pushed: P1 on a.jpg
 * (with P2) and on b.jpg (alone), so P1 has templates from confirmed faces and two sidecars name them.
 * The photos are plain grey JPEGs in the workspace's parent folder (the shoot's source).
 */
export async function seedPushedPair(
  t: TestWorkspace,
  connector: Connector,
  extraImages: string[] = [],
): Promise<{ source: string; pushed: PushSummary }> {
  await seedApprovedShoot(t, 's', [
    { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
    { id: 'P2', name: 'Ben Staying', consent: 'yes' },
  ]);
  const source = join(t.root, '..');
  mkdirSync(source, { recursive: true });
  for (const f of ['a.jpg', 'b.jpg', ...extraImages])
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
      .jpeg()
      .toFile(join(source, f));
  for (const [asset, who, x] of [
    ['a.jpg', 'P1', 0.1],
    ['a.jpg', 'P2', 0.6],
    ['b.jpg', 'P1', 0.3],
  ] as const) {
    const face = await seedProposal(t, 's', asset, who, 0.8, { x, y: 0.1, w: 0.2, h: 0.3 });
    await decideFace(t.ctx, 's', face.id, { kind: 'confirm' }, 'Rita');
  }
  return { source, pushed: await pushShoot(t.ctx, connector, 's') };
}

/** An enrolment template, as `enrol` would store it: sealed with the shoot's key, bound to its row. */
export async function seedTemplate(
  t: TestWorkspace,
  shootId: string,
  participantRef: string,
  vector: number[] = [0.3, 0.4, 0.5],
  modelDigest = 'model-x',
): Promise<void> {
  await t.ws.store.transaction(async (uow) => {
    const p = await uow.participants.findByExternalRef(shootId, participantRef);
    if (!p) throw new Error(`no participant ${participantRef}`);
    const row = { shootId, participantId: p.id, modelDigest, origin: 'reference-photo' as const };
    const embedding = await t.ctx.keyVault.encrypt(templateBinding(row), embeddingToBytes(Float32Array.from(vector)));
    await uow.templates.add({ ...row, embedding, originRef: `sha256:${participantRef}`, createdAt: t.clock.now() });
  });
}

/** A small JPEG whose EXIF says it was taken at `local` (`YYYY:MM:DD HH:MM:SS`) at `offset`: a photo of the shoot's days. */
export function datedJpeg(local = '2026:06:01 10:00:00', offset = '+00:00', seed = 1): Promise<Buffer> {
  const shade = (seed * 53) % 256;
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: shade, g: 128, b: 255 - shade } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: local, OffsetTimeOriginal: offset } })
    .toBuffer();
}

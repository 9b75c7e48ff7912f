import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConsentFile } from '../../src/core/consent/index.js';
import { embeddingToBytes } from '../../src/core/domain/embedding.js';
import type { Face } from '../../src/core/domain/records.js';
import { importConsent } from '../../src/core/services/consent-service.js';
import { approveShoot, createShoot } from '../../src/core/services/shoot-service.js';
import { consentFileAccessFor, readConsentFile } from '../../src/core/store/consent-files.js';
import { type FixtureParticipant, pngBytes, writeConsentFolder } from './consent-fixture.js';
import type { TestWorkspace } from './workspace.js';

/** An approved shoot with the given roster, made through the real services. */
export async function seedApprovedShoot(t: TestWorkspace, shootId: string, people: Omit<FixtureParticipant, 'photo'>[], reviewers: 1 | 2 = 1): Promise<void> {
  await createShoot(t.ctx, { id: shootId, name: shootId, purpose: 'test', source: join(t.root, '..'), retentionDays: 30, connector: 'local', reviewersRequired: reviewers });
  const withPhotos: FixtureParticipant[] = [];
  for (const [i, p] of people.entries()) withPhotos.push({ ...p, ...(p.consent === 'yes' ? { photo: await pngBytes(i + 1) } : {}) });
  const file = writeConsentFolder(join(t.root, '..', `consent-${shootId}`), withPhotos);
  await importConsent(t.ctx, shootId, await parseConsentFile(await readConsentFile(file), consentFileAccessFor(file)), file);
  await approveShoot(t.ctx, shootId, 'DPIA-T', 'Approver');
}

/** A scanned asset with one proposed face for a participant, as a scan would leave it. */
export async function seedProposal(t: TestWorkspace, shootId: string, assetRef: string, participantRef: string, score = 0.7, box = { x: 0.1, y: 0.1, w: 0.2, h: 0.3 }): Promise<Face> {
  return t.ws.store.transaction(async (uow) => {
    const participant = await uow.participants.findByExternalRef(shootId, participantRef);
    if (!participant) throw new Error(`no participant ${participantRef}`);
    // The hash a scan would record: the file's, when the test put one in the shoot folder.
    const file = join(t.root, '..', assetRef);
    const contentSha256 = existsSync(file) ? `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}` : 'sha256:x';
    const asset =
      (await uow.assets.findByConnectorId(shootId, assetRef)) ??
      (await uow.assets.add({ shootId, connectorAssetId: assetRef, fileName: assetRef, contentSha256, size: 1, width: 100, height: 100, scanState: 'scanned', error: null, flags: [], scannedAt: new Date() }));
    const embedding = await t.ctx.keyVault.encrypt(shootId, embeddingToBytes(Float32Array.from([0.1, 0.2, 0.3])));
    return uow.faces.add({ shootId, assetId: asset.id, ...box, detectorScore: 0.9, state: 'proposed', participantId: participant.id, score, margin: 0.2, reason: null, embedding, modelDigest: 'model-x', createdAt: new Date() });
  });
}

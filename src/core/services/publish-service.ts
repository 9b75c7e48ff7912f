/**
 * `sitter publish`: copies of a shoot's photos for one publication scope, every face that clearance
 * does not cover masked beyond recognition, covered faces untouched, the originals never changed. The
 * bytes come through the shoot's connector and must be the content the scan analysed (the boxes were
 * found in it). A manifest travels with the copies; the run is recorded on the audit chain by
 * pseudonym, and a run that cannot be recorded leaves no file behind.
 */
import { renditionFromKey } from '../domain/rendition.js';
import { formatAnchor } from '../domain/anchor.js';
import { CLEARANCE_REASON_TEXT } from '../domain/clearance.js';
import { contentHashOf } from '../domain/content-hash.js';
import { SitterError } from '../domain/errors.js';
import type { RelativeBox } from '../domain/geometry.js';
import { MASK_BLOCKS_ACROSS, MASK_MARGIN, type MaskFace, type MaskReason, maskPlan } from '../domain/masking.js';
import { participantPseudonym } from '../domain/pseudonym.js';
import type { Asset, ConsentRecord, Participant } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import type { Connector } from '../ports/connector.js';
import type { FaceMasker, PublicationFolder } from '../ports/publication.js';
import { type ServiceContext, requireShoot } from './context.js';

export const MANIFEST_NAME = 'manifest.json';

export const MASK_REASON_TEXT: Record<MaskReason, string> = {
  ...CLEARANCE_REASON_TEXT,
  'face-ignored': 'a reviewer set the face aside as not usable; it is masked all the same',
};

/** Why an asset has no copy. */
export type SkipReason = 'not-scanned' | 'changed-since-scan' | 'fetch-failed' | 'format-not-supported';

export interface PublishedAsset {
  asset: string;
  /** the copy's path inside the folder */
  file: string;
  sha256: string;
  masked: { face: number; box: RelativeBox; area: RelativeBox; reason: MaskReason; why: string }[];
  /** covered faces left as they are, by the participant's pseudonym (never a name: see docs/cli.md) */
  kept: { face: number; box: RelativeBox; participant: string }[];
}

export interface SkippedAsset {
  asset: string;
  reason: SkipReason;
  message: string;
}

export interface PublicationManifest {
  format: 'sitter-publication/1';
  shootId: string;
  scope: string;
  asOf: string;
  /** how the masks were made, so a reader can judge them */
  masking: { method: 'pixelate'; marginOfBox: number; blocksAcross: number };
  assets: PublishedAsset[];
  skipped: SkippedAsset[];
}

export interface PublishResult {
  folder: string;
  manifest: PublicationManifest;
  manifestSha256: string;
  /** whether any current consent record names the scope (a typo otherwise masks every face) */
  scopeOnRecord: boolean;
  audit: { seq: number; hash: string };
  anchor: string;
}

export interface PublishDeps {
  connector: Connector;
  masker: FaceMasker;
  folder: PublicationFolder;
  /** shown in the result; never recorded (a path may name someone) */
  folderPath: string;
}

interface PublishFacts {
  shoot: Shoot;
  assets: Asset[];
  faces: MaskFace[];
  participants: Map<number, Participant>;
  consents: ReadonlyMap<number, ConsentRecord>;
}

/** The path inside the folder: the connector's id when it is a plain relative path, else a safe name. */
export function copyName(asset: Pick<Asset, 'id' | 'connectorAssetId' | 'fileName'>): string {
  const segments = asset.connectorAssetId.split('/');
  const plain = (s: string) => s !== '' && s !== '.' && s !== '..' && !/[\\\0]/.test(s) && !s.startsWith('.');
  if (segments.every(plain) && asset.connectorAssetId !== MANIFEST_NAME) return asset.connectorAssetId;
  const base = asset.fileName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return `asset-${asset.id}-${base || 'image'}`;
}

async function loadFacts(ctx: ServiceContext, shootId: string, assetRef: string | null): Promise<PublishFacts> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    const [participants, consents, all, faces] = await Promise.all([
      uow.participants.listByShoot(shootId),
      uow.consents.currentForShoot(shootId),
      uow.assets.listByShoot(shootId),
      uow.faces.listByShootWithoutEmbeddings(shootId),
    ]);
    const assets = assetRef === null ? all : all.filter((a) => a.connectorAssetId === assetRef);
    if (assetRef !== null && assets.length === 0)
      throw new SitterError(
        'ASSET_NOT_FOUND',
        `Shoot "${shootId}" has no asset "${assetRef}".`,
        `Give an asset id as \`sitter clearance ${shootId} --scope SCOPE\` lists it (the path in the source folder).`,
      );
    return {
      shoot,
      assets: assets.sort((a, b) => a.connectorAssetId.localeCompare(b.connectorAssetId)),
      faces,
      participants: new Map(participants.map((p) => [p.id, p])),
      consents,
    };
  });
}

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** One asset's copy, or why there is none. Bytes are held for this asset only. */
async function publishAsset(
  deps: PublishDeps,
  facts: PublishFacts,
  asset: Asset,
  scope: string,
  now: Date,
): Promise<PublishedAsset | SkippedAsset> {
  const skip = (reason: SkipReason, message: string): SkippedAsset => ({
    asset: asset.connectorAssetId,
    reason,
    message,
  });
  if (asset.scanState !== 'scanned')
    return skip('not-scanned', `not analysed (${asset.scanState}): its faces are not known, so none could be masked`);
  const plan = maskPlan(facts, asset, facts.faces, scope, now);
  let bytes: Uint8Array;
  let checked: Uint8Array;
  try {
    bytes = (await deps.connector.fetch(facts.shoot.source, asset.connectorAssetId)).bytes;
    // Scanned on a rendition (contract 3): the hash on record is the rendition's, so that is what tells
    // whether the photo changed; the original is what gets masked.
    checked =
      asset.rendition === null
        ? bytes
        : (
            await deps.connector.fetch(facts.shoot.source, asset.connectorAssetId, {
              rendition: renditionFromKey(asset.rendition),
            })
          ).bytes;
  } catch (error) {
    return skip('fetch-failed', oneLine(error));
  }
  if (asset.contentSha256 === null || contentHashOf(checked) !== asset.contentSha256)
    return skip(
      'changed-since-scan',
      'the photo changed since it was scanned, so the face boxes may not fit it; scan the shoot again, review, then publish',
    );
  let masked;
  try {
    masked = await deps.masker.mask({
      bytes,
      orientation: asset.orientation,
      areas: plan.masked.map((m) => m.area),
      blocksAcross: MASK_BLOCKS_ACROSS,
    });
  } catch (error) {
    if (error instanceof SitterError && error.code === 'IMAGE_FORMAT_NOT_PUBLISHABLE')
      return skip('format-not-supported', error.message);
    throw error;
  }
  const file = copyName(asset);
  const sha256 = await deps.folder.write(file, masked.bytes);
  return {
    asset: asset.connectorAssetId,
    file,
    sha256,
    masked: plan.masked.map((m) => ({ ...m, why: MASK_REASON_TEXT[m.reason] })),
    kept: plan.kept.map((k) => ({
      face: k.face,
      box: k.box,
      participant: participantPseudonym({ id: k.participantId }),
    })),
  };
}

/**
 * Writes the copies and the manifest into the prepared folder, then records the run. The folder must
 * have been checked (`prepareExportFolder`) before: nothing here refuses a non-empty folder.
 */
export async function publishShoot(
  ctx: ServiceContext,
  deps: PublishDeps,
  shootId: string,
  scope: string,
  assetRef: string | null = null,
): Promise<PublishResult> {
  const now = ctx.clock.now();
  const facts = await loadFacts(ctx, shootId, assetRef);
  const manifest: PublicationManifest = {
    format: 'sitter-publication/1',
    shootId,
    scope,
    asOf: now.toISOString(),
    masking: { method: 'pixelate', marginOfBox: MASK_MARGIN, blocksAcross: MASK_BLOCKS_ACROSS },
    assets: [],
    skipped: [],
  };
  const written: string[] = [];
  try {
    for (const asset of facts.assets) {
      const r = await publishAsset(deps, facts, asset, scope, now);
      if ('reason' in r) manifest.skipped.push(r);
      else {
        written.push(r.file);
        manifest.assets.push(r);
      }
    }
    const manifestSha256 = await deps.folder.write(MANIFEST_NAME, `${JSON.stringify(manifest, null, 2)}\n`);
    written.push(MANIFEST_NAME);
    const entry = await recordPublication(ctx, manifest, manifestSha256);
    return {
      folder: deps.folderPath,
      manifest,
      manifestSha256,
      scopeOnRecord: [...facts.consents.values()].some((c) =>
        c.publicationScopes.some((s) => s === scope || s === 'all' || s === 'unlimited'),
      ),
      audit: { seq: entry.seq, hash: entry.hash },
      anchor: formatAnchor(entry),
    };
  } catch (error) {
    // Copies that are not on the record are not handed out: remove what this run wrote.
    await deps.folder.remove(written).catch(() => undefined);
    throw error;
  }
}

/**
 * `publish.written` on the chain: the scope, each copy's sha256 and what was masked and kept in it,
 * by Sitter's asset number and pseudonyms only (file names and the folder may name people).
 */
async function recordPublication(ctx: ServiceContext, manifest: PublicationManifest, manifestSha256: string) {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, manifest.shootId);
    const ids = new Map((await uow.assets.listByShoot(shoot.id)).map((a) => [a.connectorAssetId, a.id]));
    return uow.audit.append(
      {
        actor: ctx.actor,
        action: 'publish.written',
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: {
          scope: manifest.scope,
          manifestSha256,
          copies: manifest.assets.map((a) => ({
            asset: ids.get(a.asset) ?? null,
            sha256: a.sha256,
            masked: a.masked.map((m) => ({ face: m.face, reason: m.reason })),
            kept: a.kept.map((k) => k.participant),
          })),
          skipped: manifest.skipped.map((s) => ({ asset: ids.get(s.asset) ?? null, reason: s.reason })),
        },
      },
      ctx.clock.now(),
    );
  });
}

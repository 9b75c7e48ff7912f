import { createHash } from 'node:crypto';
import { SitterError } from '../../src/core/domain/errors.js';
import type { CaptureTime } from '../../src/core/domain/shoot-dates.js';
import type {
  AssetPage,
  CallOptions,
  ClearRequest,
  ClearResult,
  Connector,
  FetchedAsset,
  FetchOptions,
  ListedAsset,
  ListOptions,
  PushPayload,
  PushResult,
  WrittenFile,
} from '../../src/core/ports/connector.js';
import type {
  FaceAnalysis,
  FaceQuality,
  FaceEngine,
  MatchCalibration,
  ModelIdentity,
  RelativeBox,
} from '../../src/core/ports/face-engine.js';

/**
 * Test doubles of the ports a scan uses, for tests of the services' logic in milliseconds: no model,
 * no decoder, no file. The store stays real (a SQLite workspace from `makeWorkspace`); the photos are
 * scripted here. The digest is the one `seedTemplate` and `seedProposal` give their rows.
 */
export const FAKE_MODEL: ModelIdentity = { id: 'fake-engine', versions: {}, files: [], digest: 'model-x' };
export const FAKE_CALIBRATION: MatchCalibration = { modelDigest: FAKE_MODEL.digest, threshold: 0.5, margin: 0.1 };

/** One face as the fake engine "detects" it: where, and the embedding it gives. */
export interface FakeFace {
  box: RelativeBox;
  embedding: number[];
  /** the engine's measures of the face (the real engine always reports them; the quality bands read them) */
  quality?: FaceQuality;
}

/** One photo of the fake source. Changing `version` changes its bytes, so its content hash. */
export interface FakePhoto {
  id: string;
  faces: FakeFace[];
  /** absent: the shoot's first day at 10:00; null: the photo carries no capture time */
  capturedAt?: CaptureTime | null;
  version?: number;
  /** the engine cannot decode it: a per-asset failure */
  unreadable?: boolean;
}

const SHOOT_DAY: CaptureTime = { local: '2026-06-01T10:00:00', offset: '+00:00' };

function bytesOf(photo: FakePhoto): Uint8Array {
  return new TextEncoder().encode(`fake-photo ${photo.id} v${photo.version ?? 1}`);
}

function hashOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A source of scripted photos, with the connector that lists and fetches them and the engine that
 * "analyses" them: the engine finds a photo's faces by its bytes, as a real one would.
 */
export class FakeSource {
  readonly photos = new Map<string, FakePhoto>();
  constructor(photos: FakePhoto[] = []) {
    for (const p of photos) this.put(p);
  }
  put(photo: FakePhoto): this {
    this.photos.set(photo.id, photo);
    return this;
  }
  /** The photo as an editor re-exported it: new bytes, these faces. */
  change(id: string, faces: FakeFace[]): this {
    const before = this.photos.get(id);
    if (!before) throw new Error(`no fake photo ${id}`);
    return this.put({ ...before, faces, version: (before.version ?? 1) + 1 });
  }
  photoOf(bytes: Uint8Array): FakePhoto | undefined {
    const text = new TextDecoder().decode(bytes);
    return [...this.photos.values()].find((p) => new TextDecoder().decode(bytesOf(p)) === text);
  }
  listed(photo: FakePhoto): ListedAsset {
    return {
      id: photo.id,
      fileName: photo.id.split('/').at(-1)!,
      size: bytesOf(photo).byteLength,
      modifiedAt: new Date('2026-06-01T12:00:00Z'),
      capturedAt: photo.capturedAt === undefined ? SHOOT_DAY : photo.capturedAt,
    };
  }
}

/** Pages a fake connector hands out instead of its source's listing: for listings that break the contract. */
export type ScriptedPages = Record<string, AssetPage>;

export class FakeConnector implements Connector {
  readonly info = { name: 'fake', title: 'Fake source', version: '0.0.0' };
  readonly capabilities = { listingHashes: false, regions: true, modelRelease: true, partialClear: true };
  readonly fetched: string[] = [];
  readonly pushed: PushPayload[] = [];
  /** keyed by cursor ('' for the first page) */
  pages: ScriptedPages | null = null;
  /** fetch answers with another asset's facts (a connector that returns the wrong file) */
  fetchAnswersAs: string | null = null;
  constructor(
    readonly source: FakeSource,
    private readonly pageSize = 2,
  ) {}

  async list(_source: string, options: ListOptions = {}): Promise<AssetPage> {
    if (this.pages) {
      const page = this.pages[options.cursor ?? ''];
      if (!page) throw new Error(`no scripted page for cursor ${options.cursor}`);
      return page;
    }
    const all = [...this.source.photos.values()].map((p) => this.source.listed(p));
    const start = Number(options.cursor ?? 0);
    const end = start + this.pageSize;
    return { assets: all.slice(start, end), skipped: [], nextCursor: end < all.length ? String(end) : null };
  }

  async fetch(_source: string, assetId: string, _options?: FetchOptions): Promise<FetchedAsset> {
    this.fetched.push(assetId);
    const photo = this.source.photos.get(assetId);
    if (!photo)
      throw new SitterError('ASSET_OUT_OF_SCOPE', `The fake source has no asset "${assetId}".`, 'Test setup.');
    const bytes = bytesOf(photo);
    const asset = { ...this.source.listed(photo), ...(this.fetchAnswersAs ? { id: this.fetchAnswersAs } : {}) };
    return { asset, bytes, contentHash: hashOf(bytes), mediaType: 'image/jpeg' };
  }

  async push(_source: string, payload: PushPayload) {
    this.pushed.push(payload);
    return { changed: true, location: `fake:${payload.assetId}` };
  }

  async clear(_source: string, request: { assetId: string }) {
    return { changed: false, location: `fake:${request.assetId}` };
  }
}

/** A scripted answer of the fake DAM: an error to throw, once, for one call. */
export type FakeFault = () => Error;

/** A typed connector failure, as `connectorFailure` in src/connectors/errors.ts makes it. */
export function damError(code: string, details: { retryAfterMs?: number } = {}): Error {
  return new SitterError(code, `The fake DAM answered ${code}.`, `The fake DAM's hint for ${code}.`, details);
}

/**
 * A contract-3 DAM: revisions (`r<version>` of each photo), renditions, an approval queue, push
 * outcomes and a read-back, with scripted failures per asset (`faults`) for the core's error policy.
 * It keeps what Sitter "wrote" per asset, so a read-back shows what a push or clear left.
 */
export class FakeDamConnector extends FakeConnector {
  override readonly capabilities = {
    listingHashes: false,
    regions: true,
    modelRelease: true,
    partialClear: true,
    revisions: true,
    renditions: true,
    approvalQueue: true,
  };
  /** the options of every fetch, in order */
  readonly fetchOptions: FetchOptions[] = [];
  /** the options of every push, clear and read-back, in order */
  readonly callOptions: { call: string; options?: CallOptions }[] = [];
  /** per asset id, failures to throw at its next fetches (one each) */
  readonly faults = new Map<string, FakeFault[]>();
  /** what the next pushes answer: absent = `written` */
  pushOutcome: PushResult['outcome'] = 'written';
  ignoredFields: string[] = [];
  /** the DAM still shows what a clear removed (a server that ignores the edit) */
  clearIgnored = false;
  /** what Sitter's attributes hold now, per asset; `pending` marks a queued edit not yet approved */
  readonly written = new Map<string, { text: string; pending: boolean }>();

  fail(assetId: string, ...faults: FakeFault[]): this {
    this.faults.set(assetId, [...(this.faults.get(assetId) ?? []), ...faults]);
    return this;
  }

  override async list(source: string, options: ListOptions = {}): Promise<AssetPage> {
    const page = await super.list(source, options);
    return {
      ...page,
      assets: page.assets.map((a) => ({ ...a, revision: `r${this.source.photos.get(a.id)?.version ?? 1}` })),
    };
  }

  override async fetch(source: string, assetId: string, options: FetchOptions = {}): Promise<FetchedAsset> {
    this.fetchOptions.push(options);
    const fault = this.faults.get(assetId)?.shift();
    if (fault) {
      this.fetched.push(assetId);
      throw fault();
    }
    const fetched = await super.fetch(source, assetId);
    const revision = `r${this.source.photos.get(assetId)?.version ?? 1}`;
    return {
      ...fetched,
      asset: { ...fetched.asset, revision },
      ...(options.rendition ? { rendition: options.rendition } : {}),
    };
  }

  override async push(_source: string, payload: PushPayload, options?: CallOptions): Promise<PushResult> {
    this.pushed.push(payload);
    this.callOptions.push({ call: 'push', ...(options ? { options } : {}) });
    const outcome = this.pushOutcome ?? 'written';
    const text = payload.persons.map((p) => `${p.consentUri}\t${p.displayName}`).join('\n');
    if (outcome === 'written') this.written.set(payload.assetId, { text, pending: false });
    if (outcome === 'queued-for-approval')
      this.written.set(payload.assetId, { text: this.written.get(payload.assetId)?.text ?? '', pending: true });
    return {
      changed: outcome === 'written' || outcome === 'queued-for-approval',
      location: `fake-dam:${payload.assetId}`,
      outcome,
      ...(this.ignoredFields.length > 0 ? { ignoredFields: this.ignoredFields } : {}),
    };
  }

  override async clear(_source: string, request: ClearRequest, options?: CallOptions): Promise<ClearResult> {
    this.callOptions.push({ call: 'clear', ...(options ? { options } : {}) });
    const before = this.written.get(request.assetId);
    if (!before) return { changed: false, location: `fake-dam:${request.assetId}`, outcome: 'unchanged' };
    if (this.clearIgnored)
      return { changed: false, location: `fake-dam:${request.assetId}`, outcome: 'ignored-by-server' };
    const kept = before.text
      .split('\n')
      .filter((line) => line && request.consentUris && !request.consentUris.some((u) => line.startsWith(`${u}\t`)));
    this.written.set(request.assetId, { text: kept.join('\n'), pending: before.pending });
    return { changed: true, location: `fake-dam:${request.assetId}`, outcome: 'written' };
  }

  async readWritten(_source: string, assetId: string, options?: CallOptions): Promise<WrittenFile[]> {
    this.callOptions.push({ call: 'readWritten', ...(options ? { options } : {}) });
    const now = this.written.get(assetId);
    return now
      ? [{ location: `fake-dam:${assetId}#sitter`, text: now.text, ...(now.pending ? { pendingApproval: true } : {}) }]
      : [];
  }
}

/** Analyses the fake source's photos: their scripted faces, or IMAGE_UNREADABLE. */
export class FakeEngine implements FaceEngine {
  readonly analysed: string[] = [];
  /** runs before each analysis returns: to change the world while a scan is under way */
  beforeResult: ((photo: FakePhoto) => Promise<void>) | null = null;
  constructor(
    private readonly source: FakeSource,
    readonly model: ModelIdentity = FAKE_MODEL,
  ) {}

  async analyse(image: Uint8Array): Promise<FaceAnalysis> {
    const photo = this.source.photoOf(image);
    if (!photo || photo.unreadable)
      throw new SitterError('IMAGE_UNREADABLE', 'The fake engine cannot decode this image.', 'Test setup.');
    this.analysed.push(photo.id);
    await this.beforeResult?.(photo);
    return {
      image: { width: 640, height: 480, format: 'jpeg', orientation: 1, contentHash: hashOf(image) },
      faces: photo.faces.map((f) => ({
        box: f.box,
        score: 0.99,
        landmarks: {},
        embedding: Float32Array.from(f.embedding),
        ...(f.quality ? { quality: f.quality } : {}),
      })),
    };
  }

  async close(): Promise<void> {}
}

/** A face box at a place of the photo (columns 0..3 of a 4-wide row): boxes of different places never overlap. */
export function boxAt(place: number): RelativeBox {
  return { x: 0.05 + place * 0.24, y: 0.2, w: 0.18, h: 0.3 };
}

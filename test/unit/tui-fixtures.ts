/** Test data and a scriptable fake gateway for the app's reducers and screens (no workspace). */
import { SitterError } from '../../src/core/domain/errors.js';
import type { DecisionOutcome, ReviewAction, UndoOutcome } from '../../src/core/services/decision-service.js';
import type { AssetView, FaceView, QueueItem } from '../../src/core/services/matches-service.js';
import type { ReviewParticipant } from '../../src/core/services/review-info.js';
import type { ActivityEvent, ReviewActivity } from '../../src/core/services/review-activity.js';
import type { AppGateway, HomeData, Picture, QueueSnapshot, ShootRow } from '../../src/tui/app/gateway.js';

export function face(id: number, over: Partial<FaceView> = {}): FaceView {
  return {
    face: id,
    box: { x: 0.3, y: 0.2, w: 0.4, h: 0.5 },
    state: 'proposed',
    participant: 'P1',
    participantName: 'Ada Model',
    consent: 'eligible',
    score: 0.8,
    margin: 0.1,
    detectorScore: 0.99,
    reason: null,
    confirmedBy: [],
    consentRecord: null,
    ...over,
  };
}

export function asset(id: number, file: string, faces: FaceView[]): AssetView {
  return {
    asset: id,
    assetRef: file,
    file,
    flags: [],
    scanState: 'scanned',
    error: null,
    width: 100,
    height: 100,
    orientation: 1,
    faces,
  };
}

/** One item per face, in the given order (as reviewQueue would have sorted them). */
export function snapshot(
  assets: AssetView[],
  opts: { reviewers?: 1 | 2; eligible?: ReviewParticipant[] } = {},
): QueueSnapshot {
  const items: QueueItem[] = assets.flatMap((a) => a.faces.map((f, i) => ({ asset: a, face: f, certainty: i })));
  const people: ReviewParticipant[] = opts.eligible ?? [
    {
      ref: 'P1',
      name: 'Ada Model',
      status: 'eligible',
      minor: false,
      referencePhoto: '/x/P1.png',
      referencePhotoSha256: 'a',
    },
    {
      ref: 'P2',
      name: 'Ben Stand-in',
      status: 'eligible',
      minor: false,
      referencePhoto: '/x/P2.png',
      referencePhotoSha256: 'b',
    },
    { ref: 'P4', name: 'Bea Other', status: 'eligible', minor: true, referencePhoto: null, referencePhotoSha256: null },
  ];
  const participants: Record<string, ReviewParticipant> = {};
  for (const p of people) participants[p.ref] = p;
  participants.P3 = {
    ref: 'P3',
    name: 'Cy Photos-only',
    status: 'photos-only',
    minor: false,
    referencePhoto: null,
    referencePhotoSha256: null,
  };
  return {
    shoot: {
      id: 'spring',
      name: 'Spring',
      status: 'approved',
      reviewersRequired: opts.reviewers ?? 1,
      matchThreshold: null,
      matchMargin: null,
      source: '/photos',
      connector: 'local',
      connectorOptions: {},
    },
    items,
    seenSeq: 0,
    eligible: people.filter((p) => p.status === 'eligible').map((p) => ({ ref: p.ref, name: p.name })),
    participants,
  };
}

/** Three proposals over two photos: faces 1 and 2 in a.jpg, face 3 in b.jpg. */
export function threeFaces(reviewers: 1 | 2 = 1): QueueSnapshot {
  return snapshot(
    [
      asset(10, 'a.jpg', [
        face(1, { score: 0.62, margin: 0.01 }),
        face(2, { participant: 'P2', participantName: 'Ben Stand-in', score: 0.9, margin: 0.3 }),
      ]),
      asset(11, 'b.jpg', [face(3, { score: 0.7, margin: 0.05 })]),
    ],
    { reviewers },
  );
}

export function outcome(faceId: number, over: Partial<DecisionOutcome> = {}): DecisionOutcome {
  return {
    face: faceId,
    action: 'confirm',
    participant: 'P1',
    reviewer: 'A',
    state: 'confirmed',
    confirmedBy: ['A'],
    learned: false,
    consentRecord: null,
    ...over,
  };
}

/** A flat-colour picture of the asked size. */
export function flat(width: number, height: number, rgb: [number, number, number] = [200, 150, 120]): Picture {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { pixels: { width, height, data } };
}

export interface Call {
  method: string;
  args: unknown[];
}

/** A gateway whose answers the test scripts; every call is recorded. */
export class FakeGateway implements AppGateway {
  calls: Call[] = [];
  queue: QueueSnapshot = threeFaces();
  busy: ((m: string | null) => void) | null = null;
  /** how decide answers: by default a confirmation by the reviewer */
  onDecide: (faceId: number, action: ReviewAction) => Promise<DecisionOutcome> = async (faceId, action) =>
    outcome(faceId, {
      action: action.kind,
      ...(action.kind === 'reject' ? { state: 'rejected', confirmedBy: [] } : {}),
      ...(action.kind === 'assign' ? { participant: action.participantRef } : {}),
    });
  onUndo: () => Promise<UndoOutcome> = async () => ({
    face: 1,
    undone: 'confirm',
    state: 'proposed',
    participant: 'P1',
  });
  missing = new Set<number>();
  home: HomeData = { shoots: [], audit: { ok: true, count: 3 } };
  row: ShootRow | null = null;

  constructor(readonly reviewer = 'A') {}

  onBusy(l: ((m: string | null) => void) | null) {
    this.busy = l;
  }
  async loadQueue(shootId: string) {
    this.calls.push({ method: 'loadQueue', args: [shootId] });
    return this.queue;
  }
  async decide(shootId: string, faceId: number, action: ReviewAction) {
    this.calls.push({ method: 'decide', args: [shootId, faceId, action] });
    return this.onDecide(faceId, action);
  }
  /** what other processes did, as the poll reads it: nothing unless a test scripts it */
  events: ActivityEvent[] = [];
  async activity(shootId: string, afterSeq: number): Promise<ReviewActivity> {
    this.calls.push({ method: 'activity', args: [shootId, afterSeq] });
    const events = this.events.filter((e) => e.seq > afterSeq);
    return { head: events.at(-1)?.seq ?? afterSeq, events };
  }
  async bulk(shootId: string, selector: unknown) {
    this.calls.push({ method: 'bulk', args: [shootId, selector] });
    return [outcome(1), outcome(2)];
  }
  async undo(shootId: string) {
    this.calls.push({ method: 'undo', args: [shootId] });
    return this.onUndo();
  }
  async faceImage(_s: string, item: QueueItem, w: number, h: number) {
    if (this.missing.has(item.face.face))
      throw new SitterError('ASSET_NOT_FOUND', `Asset "${item.asset.file}" does not exist.`);
    return flat(w, h);
  }
  async referenceImage(_s: string, p: ReviewParticipant, w: number, h: number) {
    if (!p.referencePhoto) throw new SitterError('NO_REFERENCE_PHOTO', 'No reference photo on the consent record.');
    return flat(w, h, [90, 90, 200]);
  }
  async overview() {
    this.calls.push({ method: 'overview', args: [] });
    return this.home;
  }
  async shoot(id: string) {
    this.calls.push({ method: 'shoot', args: [id] });
    if (!this.row) throw new SitterError('SHOOT_NOT_FOUND', `There is no shoot "${id}".`);
    return this.row;
  }
  async approve(id: string, dpia: string, by: string) {
    this.calls.push({ method: 'approve', args: [id, dpia, by] });
  }
  async enrol(id: string) {
    this.calls.push({ method: 'enrol', args: [id] });
    return { shootId: id, model: 'm', outcomes: [], enrolled: 2, unchanged: 0, failed: 0, notEligible: 1 };
  }
  scanImpl: AppGateway['scan'] = async (id) => scanSummary(id);
  scan: AppGateway['scan'] = (id, onProgress, signal) => {
    this.calls.push({ method: 'scan', args: [id] });
    return this.scanImpl(id, onProgress, signal);
  };
  async close() {}
}

/** A scan's summary with nothing found, for fakes; `over` sets what a test needs. */
export function scanSummary(
  id: string,
  over: Partial<Awaited<ReturnType<AppGateway['scan']>>> = {},
): Awaited<ReturnType<AppGateway['scan']>> {
  return {
    shootId: id,
    rosterHash: 'h',
    listed: 0,
    processed: 0,
    unchanged: 0,
    failed: [],
    notImages: [],
    skipped: [],
    outsideDates: [],
    noCaptureTime: [],
    faces: 0,
    proposed: 0,
    unidentified: 0,
    stopped: false,
    pausedMs: 0,
    ...over,
  };
}

/** Waits until `check` passes (frames change asynchronously); no fixed sleeps. */
export async function until<T>(check: () => T | undefined | false | null, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

import { z } from 'zod';
import {
  anchor,
  auditRef,
  bool,
  box,
  consentRecordRef,
  damUpdate,
  failure,
  int,
  legalHold,
  list,
  nullable,
  num,
  obj,
  roster,
  str,
  time,
} from './common.js';

/** The schemas of the main job (enrol, scan, push), review, report, clearance, publish, withdraw, erase. */
const errorLine = obj({ code: str, message: str, hint: str.optional() });

/** `scan --json` prints NDJSON: these events, one per line, then one `summary`. */
const scanProgress = obj({
  type: z.literal('progress'),
  total: int,
  done: int,
  skipped: int,
  failed: int,
  current: str.optional(),
  handled: int,
});
const scanSummary = obj({
  type: z.literal('summary'),
  shoot: str,
  rosterHash: str,
  listed: int,
  processed: int,
  unchanged: int,
  failed: list(obj({ asset: str, code: str, message: str })),
  notImages: list(obj({ asset: str, reason: str, message: str })),
  // every entry not analysed and why (the listing's, and contract 3's deleted / access-denied)
  skipped: list(obj({ asset: str, reason: str, message: str })),
  outsideDates: list(obj({ asset: str, capturedAt: str })),
  noCaptureTime: list(str),
  faces: int,
  proposed: int,
  unidentified: int,
  stopped: bool,
  stopReason: z.literal('rate-limited').optional(),
  pausedMs: int,
});

const accuracyCounts = {
  proposals: int,
  confirmed: int,
  rejected: int,
  reassigned: int,
  pending: int,
  precision: nullable(num),
};
const accuracy = obj({
  threshold: obj({ value: num, source: z.enum(['shoot', 'calibration']) }),
  bandWidth: num,
  bands: list(
    obj({
      band: str,
      distance: obj({ above: nullable(num), atMost: num }),
      score: obj({ atLeast: num, below: nullable(num) }),
      ...accuracyCounts,
    }),
  ),
  scoreUnknown: obj(accuracyCounts),
  total: obj(accuracyCounts),
  missed: int,
  foundByMatcher: nullable(num),
});

const decision = obj({
  face: int,
  action: str,
  participant: nullable(str),
  reviewer: str,
  state: str,
  confirmedBy: list(str),
  learned: bool,
  consentRecord: nullable(consentRecordRef),
});

const clearanceProblem = obj({
  reason: str,
  text: str,
  face: nullable(int),
  participant: nullable(str),
  name: nullable(str),
});

const erasureTrace = obj({ place: str, what: str });

export const jobSchemas = {
  enrol: obj({
    shoot: str,
    model: str,
    outcomes: list(
      z.union([
        obj({ participant: str, result: z.enum(['enrolled', 'unchanged']) }),
        obj({ participant: str, result: z.literal('failed'), code: str, message: str, hint: str.optional() }),
        obj({ participant: str, result: z.literal('not-eligible'), status: str }),
      ]),
    ),
    enrolled: int,
    unchanged: int,
    failed: int,
    notEligible: int,
  }),
  'scan-progress': scanProgress,
  'scan-summary': scanSummary,
  push: obj({
    shoot: str,
    assets: int,
    written: int,
    unchanged: int,
    cleared: int,
    persons: int,
    heldBack: list(obj({ asset: str, participant: str, consent: str })),
    updated: list(damUpdate),
    broughtUpToDate: obj({ assets: int, why: z.record(z.string(), int) }),
    leftoversRemoved: list(str),
    failed: list(failure),
    queued: int,
    warnings: list(obj({ asset: str, code: str, message: str, fields: list(str) })),
  }),
  report: obj({
    shoot: str,
    status: str,
    roster,
    assets: obj({
      total: int,
      scanned: int,
      failed: int,
      pending: int,
      withUnidentified: int,
      pushed: int,
      outsideDates: int,
      noCaptureTime: int,
    }),
    faces: obj({ total: int, proposed: int, confirmed: int, rejected: int, unidentified: int, ignored: int }),
    pendingReview: int,
    participants: list(
      obj({ participant: str, name: str, consent: str, proposed: int, confirmed: int, rejected: int }),
    ),
    confirmations: list(obj({ asset: str, face: int, participant: str, consentRecord: nullable(consentRecordRef) })),
    failures: list(obj({ asset: str, error: str })),
    outOfScope: list(obj({ asset: str, state: z.enum(['refused', 'held']), reason: str })),
    todo: list(str),
    accuracy,
  }),
  matches: obj({
    shoot: str,
    assets: list(
      obj({
        asset: str,
        file: str,
        flags: list(str),
        error: nullable(str).optional(),
        image: obj({ width: int, height: int, orientation: nullable(int) }).optional(),
        faces: list(
          obj({
            face: int,
            box,
            state: str,
            participant: nullable(str),
            score: nullable(num),
            margin: nullable(num),
            confirmedBy: list(str).optional(),
            consentRecord: consentRecordRef.optional(),
          }),
        ),
      }),
    ),
  }),
  decide: decision,
  'decide-bulk': obj({ decisions: list(decision) }),
  'decide-undo': obj({ face: int, undone: str, state: str, participant: nullable(str) }),
  clearance: obj({
    shoot: str,
    scope: str,
    asOf: time,
    scopeOnRecord: bool,
    scopesOnRecord: list(str),
    counts: obj({ assets: int, cleared: int, notCleared: int, changedSincePush: int }),
    assets: list(
      obj({
        asset: str,
        file: str,
        cleared: bool,
        changedSincePush: bool,
        people: list(str),
        problems: list(clearanceProblem),
      }),
    ),
    notLinked: list(obj({ participant: str, name: str, why: str })),
  }),
  'clearance-table': obj({
    shoot: str,
    asOf: time,
    scopes: list(str),
    assets: list(
      obj({
        asset: str,
        file: str,
        changedSincePush: bool,
        clearance: z.record(z.string(), obj({ cleared: bool, reasons: list(str) })),
      }),
    ),
  }),
  publish: obj({
    folder: str,
    manifest: obj({
      format: z.literal('sitter-publication/1'),
      shoot: str,
      scope: str,
      asOf: time,
      masking: obj({ method: z.literal('pixelate'), marginOfBox: num, blocksAcross: int }),
      assets: list(
        obj({
          asset: str,
          file: str,
          sha256: str,
          masked: list(obj({ face: int, box, area: box, reason: str, why: str })),
          kept: list(obj({ face: int, box, participant: str })),
        }),
      ),
      skipped: list(obj({ asset: str, reason: str, message: str })),
    }),
    manifestSha256: str,
    scopeOnRecord: bool,
    audit: auditRef,
    anchor,
  }),
  withdraw: obj({
    shoot: str,
    participant: str,
    name: str,
    withdrawnAt: time,
    templatesDeleted: int,
    matchesRevoked: int,
    damUpdates: list(damUpdate),
    damFailures: list(failure),
    audit: auditRef,
    anchor,
    outcome: z.enum(['withdrawn', 'completed', 'already-complete', 'dam-pending']),
    verifiedInSource: z.enum(['clean', 'still-named', 'pending-approval', 'not-verifiable']).optional(),
    sourceCheck: obj({
      verdict: z.enum(['clean', 'still-named', 'pending-approval', 'not-verifiable']),
      assets: int,
      stillNamed: list(str),
      pendingApproval: list(str),
      notVerifiable: list(str),
      hint: str.optional(),
    }).optional(),
  }),
  erase: obj({
    shoot: str,
    participant: str,
    pseudonym: str,
    outcome: z.enum(['erased', 'held', 'completed']),
    erasedAt: time,
    legalHold: nullable(legalHold),
    withdrawnNow: bool,
    templatesDeleted: int,
    matchesRevoked: int,
    removed: obj({
      consentRecords: int,
      rejections: int,
      decisions: int,
      faces: int,
      pushRecords: int,
      participantRow: str,
    }),
    damUpdates: list(damUpdate),
    damFailures: list(errorLine.extend({ asset: str })),
    verification: obj({
      clean: bool,
      checked: list(str),
      traces: list(erasureTrace),
      keptUnderHold: list(erasureTrace),
      unverified: list(erasureTrace),
    }),
    audit: auditRef,
    anchor,
  }),
};

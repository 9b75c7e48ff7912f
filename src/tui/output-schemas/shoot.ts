import { z } from 'zod';
import { anchor, bool, day, int, legalHold, list, nullable, num, obj, roster, str, time } from './common.js';

/** The schemas of `shoot *`, `init`, `settings`, `connectors` and `purge` output. */
const shootFields = {
  shoot: str,
  name: str,
  status: z.enum(['draft', 'approved', 'closed']),
  purpose: str,
  connector: str,
  connectorOptions: z.record(z.string(), z.unknown()),
  source: str,
  retentionDays: int,
  reviewersRequired: int,
  dates: nullable(obj({ from: day, to: day, utcOffset: str })),
  purge: obj({ dueAt: nullable(time), doneAt: nullable(time) }),
  dpiaRef: nullable(str),
  approvedBy: nullable(str),
  approvedAt: nullable(time),
  matchThreshold: nullable(num),
  createdAt: time,
  closedAt: nullable(time),
};
const listedShoot = obj({ ...shootFields, roster });

export const shootSchemas = {
  'shoot-create': obj({ ...shootFields, warnings: list(str) }),
  'shoot-configure': obj({
    shoot: str,
    connector: str,
    connectorOptions: z.record(z.string(), z.unknown()),
    before: z.record(z.string(), z.unknown()),
    changed: list(str),
    warnings: list(str),
  }),
  'shoot-dates': obj(shootFields),
  'shoot-approve': obj({ ...shootFields, roster, rosterDeclaredComplete: z.literal(true) }),
  'shoot-list': obj({ shoots: list(listedShoot) }),
  'shoot-show': obj({ ...shootFields, roster, legalHold: nullable(legalHold) }),
  'shoot-hold': obj({ shoot: str, legalHold: nullable(legalHold), anchor }),
  'shoot-allow-undated': obj({ shoot: str, allowed: list(obj({ asset: str, contentHash: nullable(str) })) }),
  'shoot-close': obj({ ...shootFields, templatesDeleted: int, embeddingsDeleted: int, keyDestroyed: bool }),
  init: obj({
    created: bool,
    joined: bool.optional(),
    folder: str,
    database: str,
    masterKey: obj({ kind: z.enum(['workspace', 'file', 'env']), path: str.optional() }),
  }),
  settings: obj({ settings: obj({ controller: nullable(str), contact: nullable(str) }), changed: list(str) }),
  connectors: obj({
    connectors: list(
      obj({
        name: str,
        title: str,
        origin: str,
        options: list(
          obj({
            key: str,
            type: str,
            required: bool,
            secret: bool,
            default: z.unknown().optional(),
            description: str.optional(),
          }),
        ),
      }),
    ),
    pluginsDir: str,
    skippedPlugins: list(obj({ folder: str, reason: str })),
  }),
  'connectors-check': obj({
    shoot: str,
    connector: str,
    source: str,
    ok: bool,
    findings: list(obj({ step: str, ok: bool, message: str, code: str.optional(), hint: str.optional() })),
  }),
  purge: obj({
    retention: list(
      obj({ shoot: str, retentionEnded: time, templatesDeleted: int, embeddingsDeleted: int, keyDestroyed: bool }),
    ),
    consent: list(obj({ shoot: str, participants: list(str), templatesDeleted: int, matchesRevoked: int })),
    blocked: list(obj({ shoot: str, reason: str })),
  }),
};

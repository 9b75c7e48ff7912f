import { z } from 'zod';

/**
 * Building blocks of the JSON Schemas of every command's `--json` output (docs/schemas). Fixed shapes
 * are strict objects (`additionalProperties: false`), so a renamed or stray field fails the schema
 * test (test/integration/json-schemas.test.ts) instead of slipping out to scripts unnoticed.
 */
export const obj = z.strictObject;
export const str = z.string();
export const int = z.number().int();
export const num = z.number();
export const bool = z.boolean();
export const time = z.iso.datetime({ offset: true });
export const day = z.iso.date();
export const nullable = <T extends z.ZodType>(t: T) => t.nullable();
export const list = <T extends z.ZodType>(t: T) => z.array(t);

export const box = obj({ x: num, y: num, w: num, h: num });
export const auditRef = obj({ seq: int, hash: str });
/** `HASH@SEQ`: the chain's head, to keep outside the workspace (docs/cli.md, "Keeping audit anchors") */
export const anchor = z.string().regex(/^[0-9a-f]{64}@\d+$/);
export const legalHold = obj({ reason: str, by: str, since: time, auditSeq: int });
export const roster = obj({
  total: int,
  eligible: int,
  photosOnly: int,
  withdrawn: int,
  expired: int,
  notYetSigned: int,
  noRecord: int,
});
/** One asset a push, withdrawal or erasure updated in the DAM; `why`: what made its metadata out of date. */
export const damUpdate = obj({
  asset: str,
  action: z.enum(['written', 'cleared', 'unchanged', 'queued']),
  location: str,
  why: list(str).optional(),
});
export const failure = obj({
  asset: str,
  code: str,
  message: str,
  hint: str.optional(),
  // '*' with `leftovers`: the sweep of a killed push's temp files failed; the DAM was reached
  stage: z.literal('leftovers').optional(),
});
export const consentRecordRef = obj({ id: int, formSha256: str, current: bool.optional() });

/** `{"error": {...}}`: what every command prints with --json when it refuses or fails. */
export const errorDocument = obj({
  error: obj({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: str,
    hint: str.optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/**
 * A plugin may put what it was given into its errors (`'401 for token=' + options.token`). Errors
 * leave a connector for the audit chain, `assets.error`, reports and the CLI's output, so before
 * they do, every resolved secret value in them is replaced by `secret:NAME`, the reference the
 * shoot already stores: the user still sees which secret was involved, never its value.
 */
import { SitterError } from '../core/domain/errors.js';
import type { HealthReport } from '../core/ports/connector.js';
import { SECRET_PREFIX } from './secrets.js';

/** Resolved secret values by secret name, as `connectShoot` resolved them. */
export type ResolvedSecrets = Readonly<Record<string, string>>;

/** Shorter values are not hidden: replacing "ab" everywhere would mangle messages and hide nothing. */
const MIN_REDACTED_LENGTH = 4;

/** Replaces each secret value in a text; longest first, so a value holding another is hidden whole. */
export function redactText(text: string, secrets: ResolvedSecrets): string {
  const pairs = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_REDACTED_LENGTH)
    .sort(([, a], [, b]) => b.length - a.length);
  let out = text;
  for (const [name, value] of pairs) out = out.split(value).join(`${SECRET_PREFIX}${name}`);
  return out;
}

function redactValue(value: unknown, secrets: ResolvedSecrets, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactCause(value, secrets, seen);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, seen));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, seen)]));
}

/** A copy of a cause (and its own causes) with the secrets hidden in message, stack and fields. */
function redactCause(e: unknown, secrets: ResolvedSecrets, seen: WeakSet<object>): unknown {
  if (!(e instanceof Error)) return redactValue(e, secrets, seen);
  if (seen.has(e)) return undefined;
  seen.add(e);
  if (e instanceof SitterError) return redactSitterError(e, secrets, seen);
  const copy = new Error(redactText(e.message, secrets), { cause: redactCause(e.cause, secrets, seen) });
  copy.name = e.name;
  copy.stack = e.stack === undefined ? undefined : redactText(e.stack, secrets);
  // Fields such as `code` (ENOENT) or `path` stay, hidden too where they hold a secret.
  for (const [k, v] of Object.entries(e))
    if (k !== 'cause') (copy as unknown as Record<string, unknown>)[k] = redactValue(v, secrets, seen);
  return copy;
}

function redactSitterError(e: SitterError, secrets: ResolvedSecrets, seen: WeakSet<object>): SitterError {
  const copy = new SitterError(
    e.code,
    redactText(e.message, secrets),
    e.hint === undefined ? undefined : redactText(e.hint, secrets),
    redactValue(e.details, secrets, seen),
    { cause: redactCause(e.cause, secrets, seen) },
  );
  copy.stack = e.stack === undefined ? undefined : redactText(e.stack, secrets);
  return copy;
}

/** The error with no resolved secret value left in its message, hint, details or causes. */
export function redactError(e: SitterError, secrets: ResolvedSecrets): SitterError {
  if (Object.keys(secrets).length === 0) return e;
  return redactSitterError(e, secrets, new WeakSet());
}

/** A health report with every resolved secret value hidden in its texts (a probe may echo its options). */
export function redactHealth(report: HealthReport, secrets: ResolvedSecrets): HealthReport {
  return redactValue(report, secrets, new WeakSet()) as HealthReport;
}

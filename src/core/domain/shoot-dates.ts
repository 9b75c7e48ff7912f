import { SitterError } from './errors.js';

/**
 * The days a closed shoot happened on (the law's line: matching "cannot be used to scan unrelated or
 * historical content"). `from` and `to` are calendar days, both inclusive, in the shoot's UTC
 * offset; a photo whose capture time falls outside them is refused before any biometric processing.
 */
export interface ShootDates {
  /** first day, YYYY-MM-DD */
  from: string;
  /** last day, YYYY-MM-DD (inclusive) */
  to: string;
  /** the offset the days are counted in, and the one EXIF times without an offset are read in: +HH:MM */
  utcOffset: string;
}

/**
 * When an asset was captured, as its metadata says: the wall-clock time and, when known, its UTC
 * offset (EXIF `DateTimeOriginal` + `OffsetTimeOriginal`; a DAM's capture instant has offset `+00:00`).
 */
export interface CaptureTime {
  /** YYYY-MM-DDTHH:MM:SS, wall clock where the photo was taken */
  local: string;
  /** +HH:MM / -HH:MM, or null when the metadata does not say */
  offset: string | null;
}

export type CaptureVerdict =
  { kind: 'inside'; capturedAt: string } | { kind: 'outside'; capturedAt: string } | { kind: 'no-capture-time' };

/** A shoot longer than this is no longer "a shoot" but an archive: refused at creation. */
export const MAX_SHOOT_DAYS = 366;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function dayMs(day: string): number | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-31 over to March: a day that does not exist is refused, not moved.
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : null;
}

/** Minutes east of UTC, or null for a malformed offset. `Z` is read as +00:00. */
export function offsetMinutes(offset: string): number | null {
  if (offset === 'Z') return 0;
  const m = OFFSET.exec(offset);
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Problems with declared shoot dates, as sentences; empty when they are fine. */
export function shootDatesProblems(dates: ShootDates): string[] {
  const problems: string[] = [];
  const from = dayMs(dates.from);
  const to = dayMs(dates.to);
  if (from === null) problems.push(`--from "${dates.from}" must be a calendar day, YYYY-MM-DD`);
  if (to === null) problems.push(`--to "${dates.to}" must be a calendar day, YYYY-MM-DD`);
  if (offsetMinutes(dates.utcOffset) === null)
    problems.push(`--utc-offset "${dates.utcOffset}" must be +HH:MM or -HH:MM`);
  if (from !== null && to !== null) {
    if (to < from) problems.push(`--to ${dates.to} is before --from ${dates.from}`);
    else if ((to - from) / 86_400_000 + 1 > MAX_SHOOT_DAYS)
      problems.push(
        `a shoot spans at most ${MAX_SHOOT_DAYS} days (${dates.from} to ${dates.to} is longer): an archive is not a shoot`,
      );
  }
  return problems;
}

/** The instant a capture time stands for; a time without offset is read in `fallbackOffset`. */
export function captureInstant(capture: CaptureTime, fallbackOffset: string): Date | null {
  const m = LOCAL_TIME.exec(capture.local);
  const offset = offsetMinutes(capture.offset ?? fallbackOffset);
  if (!m || offset === null) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Date.UTC rolls month 13 or hour 99 over: a time that does not exist is no capture time.
  if (Number.isNaN(wall) || new Date(wall).toISOString().slice(0, 19) !== capture.local) return null;
  return new Date(wall - offset * 60_000);
}

/** The window [first instant, first instant after) the declared days cover. */
export function shootWindow(dates: ShootDates): { start: Date; end: Date } {
  const offset = offsetMinutes(dates.utcOffset) ?? 0;
  return {
    start: new Date((dayMs(dates.from) ?? 0) - offset * 60_000),
    end: new Date((dayMs(dates.to) ?? 0) + 86_400_000 - offset * 60_000),
  };
}

/** Whether a photo taken at `capture` belongs to the shoot's days. A capture time that cannot be read counts as none. */
export function captureVerdict(dates: ShootDates, capture: CaptureTime | null | undefined): CaptureVerdict {
  const instant = capture ? captureInstant(capture, dates.utcOffset) : null;
  if (!capture || !instant) return { kind: 'no-capture-time' };
  const capturedAt = `${capture.local}${capture.offset ?? dates.utcOffset}`;
  const { start, end } = shootWindow(dates);
  const t = instant.getTime();
  return t >= start.getTime() && t < end.getTime() ? { kind: 'inside', capturedAt } : { kind: 'outside', capturedAt };
}

/** The declared dates of a shoot, or a refusal naming the command that declares them (shoots made before dates existed). */
export function requireShootDates(
  shoot: { id: string; shootFrom: string | null; shootTo: string | null; utcOffset: string | null },
  step = 'scanning',
): ShootDates {
  if (!shoot.shootFrom || !shoot.shootTo || !shoot.utcOffset) {
    throw new SitterError(
      'SHOOT_DATES_MISSING',
      `Shoot "${shoot.id}" has no declared shoot dates, so its photos cannot be told apart from historical content: ${step} is refused.`,
      `Declare the days the shoot took place: sitter shoot dates ${shoot.id} --from YYYY-MM-DD --to YYYY-MM-DD [--utc-offset +HH:MM]`,
    );
  }
  return { from: shoot.shootFrom, to: shoot.shootTo, utcOffset: shoot.utcOffset };
}

/**
 * The capture date, when an Asset Bank admin adds a date attribute to "API Search results": it comes
 * as a display attribute, `dd/MM/yyyy HH:mm:ss` in the server's local time (⚠ format as documented for
 * asset dates). `capturedAtOffset` says which offset that is; without it the shoot's offset applies.
 */
import type { CaptureTime } from '../../core/domain/shoot-dates.js';
import type { ListedRepr } from './reprs.js';

const DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseAssetBankDate(text: string, offset: string | null): CaptureTime | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  return { local: `${m[3]}-${m[2]}-${m[1]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`, offset };
}

export function captureTimeOf(item: ListedRepr, label: string | undefined, offset: string | undefined) {
  if (!label) return null;
  const shown = item.displayAttributes?.find((a) => a.label === label)?.value;
  return typeof shown === 'string' ? parseAssetBankDate(shown, offset ?? null) : null;
}

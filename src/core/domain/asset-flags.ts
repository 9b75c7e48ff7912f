import type { AssetFlag } from './records.js';

/**
 * How an asset's flags change, one function per event. Every flag Sitter writes is set here, so the
 * list of values in `records.ts` (`AssetFlag`) is the whole list.
 */

/** Sitter's push wrote names onto the asset (push-service). */
export const PUSHED_FLAG: AssetFlag = 'pushed';

/** A person allowed this asset (as it was when held) although it carries no capture time. */
export const UNDATED_ALLOWED_FLAG: AssetFlag = 'undated-allowed';

function withFlag(flags: readonly AssetFlag[], ...added: AssetFlag[]): AssetFlag[] {
  return [...new Set([...flags, ...added])];
}

/**
 * After an analysis: an unnamed face asks for manual handling; the "allowed undated" mark stays (the
 * scan only analyses a held asset whose content is the one a person allowed). Whatever a push or a
 * withdrawal said of the earlier content is said again by the next push.
 */
export function flagsAfterScan(
  previous: readonly AssetFlag[],
  hasUnidentified: boolean,
  fromRawPreview = false,
): AssetFlag[] {
  const flags: AssetFlag[] = hasUnidentified ? ['unidentified-person'] : [];
  if (fromRawPreview) flags.push('raw-preview');
  return previous.includes(UNDATED_ALLOWED_FLAG) ? [...flags, UNDATED_ALLOWED_FLAG] : flags;
}

/** The engine codes that mean "not analysable as it is", each told apart by a flag of its own. */
const UNANALYSABLE: Record<string, AssetFlag> = {
  IMAGE_TOO_SMALL: 'too-small',
  RAW_PREVIEW_MISSING: 'raw-no-preview',
  RAW_PREVIEW_UNUSABLE: 'raw-no-preview',
};

/**
 * After a failed analysis: a photo too small, or a RAW without a usable preview, says so by a flag, so
 * that `matches` and the report tell it apart from "0 faces" and from a damaged file. The other flags
 * stay as they were (a failure changes nothing in the DAM: what a push wrote is still there).
 */
export function flagsAfterFailure(previous: readonly AssetFlag[], code: string): AssetFlag[] {
  const unanalysable = new Set<AssetFlag>(Object.values(UNANALYSABLE));
  const flag = UNANALYSABLE[code];
  const kept = previous.filter((f) => !unanalysable.has(f) && f !== 'raw-preview');
  return flag ? withFlag(kept, flag) : kept;
}

/**
 * An asset kept out of processing by its capture time. Only this flag: a held asset keeps its
 * "allowed" mark only for the content a person looked at, and this is new content.
 */
export function flagsOutOfScope(state: 'refused' | 'held'): AssetFlag[] {
  return [state === 'refused' ? 'outside-shoot-dates' : 'no-capture-time'];
}

/** Someone named on the asset withdrew: the face is now an unnamed person, handled like any other. */
export function flagsAfterWithdrawal(flags: readonly AssetFlag[]): AssetFlag[] {
  return withFlag(flags, 'consent-withdrawn', 'unidentified-person');
}

/** After a push or a clear: `pushed` says whether the DAM still carries names Sitter wrote. */
export function flagsAfterPush(flags: readonly AssetFlag[], stillNamed: boolean): AssetFlag[] {
  return stillNamed ? withFlag(flags, PUSHED_FLAG) : flags.filter((f) => f !== PUSHED_FLAG);
}

/** A person allowed a held asset without a capture time (`sitter shoot allow-undated`). */
export function flagsAfterAllowUndated(flags: readonly AssetFlag[]): AssetFlag[] {
  return withFlag(flags, UNDATED_ALLOWED_FLAG);
}

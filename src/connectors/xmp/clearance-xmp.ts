/**
 * The asset's usage clearance in Sitter's namespace, next to the PLUS release fields (issue 13):
 * `sitter:Clearance`, a Bag with one struct per publication scope on record: `sitter:Scope`,
 * `sitter:Cleared` (True/False), `sitter:Reasons` (a Bag of `sitter clearance` reason codes, when not
 * cleared) and `sitter:Until` (when cleared and a consent on it ends by a known date); beside it
 * `sitter:ClearanceSummary`, every scope's answer on one line ("print: not cleared (scope-missing);
 * web: cleared"). ExifTool reads the Bag as XMP-sitter:Clearance with `-struct` or `-X`; its ordinary
 * flat output knows no list in Sitter's namespace, so it shows the first scope's ClearanceScope and
 * ClearanceReasons only (all of them, one per line and no longer per scope, with `-a`): the summary is
 * what a person reading `exiftool -G1` sees whole. Being in Sitter's namespace, both properties are
 * Sitter's: a push replaces them, a clear removes them.
 */
import type { AssetScopeClearance } from '../../core/ports/connector.js';
import { place, removeNode } from './layout.js';
import { NS } from './namespaces.js';
import {
  arrayItems,
  arrayTexts,
  fieldElement,
  fieldText,
  simpleTopLevel,
  structBody,
  topLevel,
  type Namer,
  type XElement,
  type XmpDoc,
} from './rdf.js';

const S = NS.sitter;

/** The clearance as written, read back (a clear that leaves some persons marks it, see `withdrawnFrom`). */
interface WrittenClearance {
  scope: string;
  cleared: boolean;
  reasons: string[];
  until: string | null;
}

export function removeClearance(x: XmpDoc): boolean {
  const found = topLevel(x, S, 'Clearance');
  for (const el of found) removeNode(el);
  // A simple property: Exiv2 rewrites it as an attribute of the rdf:Description.
  let summaries = 0;
  for (let s = simpleTopLevel(x, S, 'ClearanceSummary'); s; s = simpleTopLevel(x, S, 'ClearanceSummary')) {
    s.remove();
    summaries += 1;
  }
  return found.length + summaries > 0;
}

/** One scope's answer: "web: cleared until 2026-07-01T00:00:00.000Z", "print: not cleared (scope-missing, face-unreviewed)". */
function scopeSummary(c: WrittenClearance): string {
  if (c.cleared) return `${c.scope}: cleared${c.until !== null ? ` until ${c.until}` : ''}`;
  return `${c.scope}: not cleared${c.reasons.length > 0 ? ` (${c.reasons.join(', ')})` : ''}`;
}

function write(n: Namer, holder: XElement, list: readonly WrittenClearance[]): void {
  if (list.length === 0) return;
  const { prop, container } = n.array(S, 'Clearance', 'Bag');
  for (const c of list) {
    const li = n.structLi();
    li.appendChild(n.el(S, 'Scope', c.scope));
    li.appendChild(n.el(S, 'Cleared', c.cleared ? 'True' : 'False'));
    if (c.reasons.length > 0) li.appendChild(n.bag(S, 'Reasons', c.reasons));
    if (c.until !== null) li.appendChild(n.el(S, 'Until', c.until));
    container.appendChild(li);
  }
  place(holder, prop);
  place(holder, n.el(S, 'ClearanceSummary', list.map(scopeSummary).join('; ')));
}

/** Writes the payload's clearance (after a strip took the previous one out). */
export function writeClearance(n: Namer, holder: XElement, list: readonly AssetScopeClearance[] | undefined): void {
  write(
    n,
    holder,
    (list ?? []).map((c) => ({ scope: c.scope, cleared: c.cleared, reasons: c.reasons, until: c.until ?? null })),
  );
}

/**
 * Some persons were taken off (a withdrawal) and others stay: the people taken off are still
 * pictured, so the asset is cleared for no scope now (`consent-withdrawn`) until the next push says
 * more. Returns true when there was a clearance to change.
 */
export function withdrawnFrom(x: XmpDoc, n: Namer, holder: XElement): boolean {
  const props = topLevel(x, S, 'Clearance');
  if (props.length === 0) return false;
  const read: WrittenClearance[] = props.flatMap(arrayItems).map((li) => {
    const b = structBody(li);
    return {
      scope: fieldText(b, S, 'Scope') ?? '',
      cleared: false,
      reasons: [...new Set([...arrayTexts(fieldElement(b, S, 'Reasons')), 'consent-withdrawn'])].sort(),
      until: null,
    };
  });
  removeClearance(x);
  write(n, holder, read);
  return true;
}

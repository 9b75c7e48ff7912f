/**
 * Taking Sitter's statement out of a packet: its person entries and regions (recognised by their
 * Sitter consent URI) and what its ledger says it added, leaving every other tag as it was.
 */
import { isSitterConsentUri } from '../payload.js';
import { removeNode } from './layout.js';
import { readLedger, removeLedger, writeLedger } from './ledger.js';
import { NS } from './namespaces.js';
import { setOwned } from './owned-value.js';
import { removeClearance, withdrawnFrom } from './clearance-xmp.js';
import { type PeopleTagField, peopleTagSpec } from './people-tags.js';
import {
  Namer,
  arrayItems,
  arrayTexts,
  fieldElement,
  fieldText,
  itemText,
  structBody,
  targetDescription,
  topLevel,
  undeclare,
  type XElement,
  type XmpDoc,
} from './rdf.js';
import { releaseStatus, vocabUri, youngestAgeCode } from './release.js';

const I = NS.Iptc4xmpExt;

/** Removes matching items from every top-level array property; drops a property we emptied. */
function removeItems(x: XmpDoc, ns: string, local: string, match: (li: XElement) => boolean): number {
  let removed = 0;
  for (const prop of topLevel(x, ns, local)) {
    let here = 0;
    for (const li of arrayItems(prop)) {
      if (match(li)) {
        removeNode(li);
        here++;
      }
    }
    if (here > 0 && arrayItems(prop).length === 0) removeNode(prop);
    removed += here;
  }
  return removed;
}

/** Removes the last item with this text (Sitter appended it, so the last one is Sitter's). */
function removeOneText(x: XmpDoc, ns: string, local: string, text: string): boolean {
  for (const prop of topLevel(x, ns, local).reverse()) {
    const li = arrayItems(prop)
      .reverse()
      .find((l) => itemText(l) === text);
    if (li) {
      removeNode(li);
      if (arrayItems(prop).length === 0) removeNode(prop);
      return true;
    }
  }
  return false;
}

function personIds(li: XElement): string[] {
  return arrayTexts(fieldElement(structBody(li), I, 'PersonId'));
}

function regionPersonIds(li: XElement): string[] {
  const nested = fieldElement(structBody(li), I, 'PersonInImageWDetails');
  return nested ? arrayItems(nested).flatMap(personIds) : [];
}

function removeMwgRegions(x: XmpDoc, target: (uri: string) => boolean): number {
  let removed = 0;
  for (const prop of topLevel(x, NS.mwgRs, 'Regions')) {
    const list = fieldElement(structBody(prop), NS.mwgRs, 'RegionList');
    if (!list) continue;
    let here = 0;
    for (const li of arrayItems(list)) {
      const desc = fieldText(structBody(li), NS.mwgRs, 'Description');
      if (desc !== null && target(desc)) {
        removeNode(li);
        here++;
      }
    }
    if (here > 0 && arrayItems(list).length === 0) removeNode(prop);
    removed += here;
  }
  return removed;
}

/**
 * Takes Sitter's entries out: all of them (filter null), or those of some consent URIs. Returns true
 * when anything changed. With some persons left, the PLUS values are recomputed from the ledger.
 */
export function strip(x: XmpDoc, filter: ReadonlySet<string> | null): boolean {
  const target = (uri: string): boolean => (filter ? filter.has(uri) : isSitterConsentUri(uri));
  let changed = false;
  changed = removeItems(x, I, 'PersonInImageWDetails', (li) => personIds(li).some(target)) > 0 || changed;
  changed = removeItems(x, I, 'ImageRegion', (li) => regionPersonIds(li).some(target)) > 0 || changed;
  changed = removeMwgRegions(x, target) > 0 || changed;
  // The clearance is all Sitter's (its own namespace): gone with everything, marked when some go.
  if (!filter) changed = removeClearance(x) || changed;

  const ledger = readLedger(x);
  if (!ledger) return changed;
  const gone = ledger.persons.filter((p) => target(p.consentUri));
  const kept = ledger.persons.filter((p) => !target(p.consentUri));
  for (const p of gone) {
    if (p.addedName !== null) removeOneText(x, I, 'PersonInImage', p.addedName);
    if (p.addedReleaseId !== null) removeOneText(x, NS.plus, 'ModelReleaseID', p.addedReleaseId);
    for (const [field, value] of Object.entries(p.addedTags) as [PeopleTagField, string][]) {
      const spec = peopleTagSpec(field);
      removeOneText(x, spec.ns, spec.local, value);
    }
  }
  const holder = targetDescription(x);
  const n = new Namer(x, holder);
  if (kept.length === 0) {
    removeClearance(x);
    setOwned(x, n, holder, NS.plus, 'ModelReleaseStatus', null, ledger.releaseStatus);
    setOwned(x, n, holder, NS.plus, 'MinorModelAgeDisclosure', null, ledger.ageDisclosure);
    if (ledger.addedDimensions) removeAddedDimensions(x);
    removeLedger(x);
    undeclare(holder, ledger.namespaces);
    return true;
  }
  if (gone.length === 0) return changed;
  // Some persons withdrawn, others stay: the withdrawn are still pictured, now without a release.
  const otherFaces = ledger.otherFaces + gone.length;
  const status = releaseStatus(
    kept.map((p) => p.release),
    otherFaces,
  );
  const age = youngestAgeCode(kept.map((p) => p.ageCode));
  withdrawnFrom(x, n, holder);
  writeLedger(x, n, holder, {
    ...ledger,
    otherFaces,
    persons: kept,
    releaseStatus: setOwned(
      x,
      n,
      holder,
      NS.plus,
      'ModelReleaseStatus',
      status && vocabUri(status),
      ledger.releaseStatus,
    ),
    ageDisclosure: setOwned(
      x,
      n,
      holder,
      NS.plus,
      'MinorModelAgeDisclosure',
      age && vocabUri(age),
      ledger.ageDisclosure,
    ),
  });
  return true;
}

function removeAddedDimensions(x: XmpDoc): void {
  for (const prop of topLevel(x, NS.mwgRs, 'Regions')) {
    const dims = fieldElement(structBody(prop), NS.mwgRs, 'AppliedToDimensions');
    if (dims) removeNode(dims);
  }
}

/**
 * Writes Sitter's statement about one image into an XMP packet, and takes it out again, leaving every
 * other tag as it was (digiKam tags, other people's regions, dc:subject, ratings, darktable history).
 *
 * What Sitter owns in a packet:
 * - entries carrying a Sitter consent URI (`urn:sitter:consent:`): PersonInImageWDetails items (by
 *   PersonId), ImageRegion items (by their nested PersonId), MWG region items (by mwg-rs:Description);
 * - what its ledger (`sitter:Ledger`, namespace urn:sitter:xmp:1.0/) says it added: names in
 *   PersonInImage and ids in plus:ModelReleaseID that were not there before, and the PLUS status and
 *   age disclosure it set, with the values they replaced (restored on clear).
 * A push first removes all of that, then writes the payload, so pushing twice gives the same bytes and
 * re-pushing fewer persons drops the others.
 */
import type { PushPayload, PushPerson } from '../../core/ports/connector.js';
import { isSitterConsentUri } from '../payload.js';
import { type ExifOrientation, storedSize, toStoredBox } from '../../core/domain/orientation.js';
import { fmt } from './geometry.js';
import { NS, REGION_TYPE_HUMAN } from './namespaces.js';
import {
  Namer,
  arrayContainer,
  arrayItems,
  arrayTexts,
  elementChildren,
  emptyXmp,
  fieldElement,
  fieldText,
  hasNoProperties,
  itemText,
  parseXmp,
  simpleTopLevel,
  structBody,
  targetDescription,
  topLevel,
  undeclare,
  type XElement,
  type XmpDoc,
} from './rdf.js';
import { place, removeNode } from './layout.js';
import { readLedger, removeLedger, writeLedger, type Ledger, type LedgerPerson, type OwnedValue } from './ledger.js';
import { ageCode, releaseStatus, vocabUri, youngestAgeCode } from './release.js';

const I = NS.Iptc4xmpExt;

// ---------------------------------------------------------------- owned simple values

/** Sets (value) or gives back (null) a simple top-level property Sitter owns; returns the new state. */
function setOwned(
  x: XmpDoc,
  n: Namer,
  holder: XElement,
  ns: string,
  local: string,
  value: string | null,
  state: OwnedValue,
): OwnedValue {
  const cur = simpleTopLevel(x, ns, local);
  if (value === null) {
    if (state.set) {
      if (state.prior === null) cur?.remove();
      else if (cur) cur.set(state.prior);
      else place(holder, n.el(ns, local, state.prior));
    }
    return { set: false, prior: null };
  }
  const prior = state.set ? state.prior : (cur?.value ?? null);
  if (cur) cur.set(value);
  else place(holder, n.el(ns, local, value));
  return { set: true, prior };
}

// ---------------------------------------------------------------- removal

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
function strip(x: XmpDoc, filter: ReadonlySet<string> | null): boolean {
  const target = (uri: string): boolean => (filter ? filter.has(uri) : isSitterConsentUri(uri));
  let changed = false;
  changed = removeItems(x, I, 'PersonInImageWDetails', (li) => personIds(li).some(target)) > 0 || changed;
  changed = removeItems(x, I, 'ImageRegion', (li) => regionPersonIds(li).some(target)) > 0 || changed;
  changed = removeMwgRegions(x, target) > 0 || changed;

  const ledger = readLedger(x);
  if (!ledger) return changed;
  const gone = ledger.persons.filter((p) => target(p.consentUri));
  const kept = ledger.persons.filter((p) => !target(p.consentUri));
  for (const p of gone) {
    if (p.addedName !== null) removeOneText(x, I, 'PersonInImage', p.addedName);
    if (p.addedReleaseId !== null) removeOneText(x, NS.plus, 'ModelReleaseID', p.addedReleaseId);
  }
  const holder = targetDescription(x);
  const n = new Namer(x, holder);
  if (kept.length === 0) {
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

// ---------------------------------------------------------------- writing

/** The first top-level array property with this name, or a new one appended to the holder. */
function arrayProp(x: XmpDoc, n: Namer, holder: XElement, ns: string, local: string): XElement {
  const prop = topLevel(x, ns, local)[0];
  if (prop) {
    const c = arrayContainer(prop);
    if (c) return c;
    const bag = n.el(NS.rdf, 'Bag');
    place(prop, bag);
    return bag;
  }
  const { prop: created, container } = n.array(ns, local, 'Bag');
  place(holder, created);
  return container;
}

function personDetails(n: Namer, p: PushPerson, withName: boolean): XElement {
  const li = n.structLi();
  li.appendChild(n.bag(I, 'PersonId', [p.consentUri]));
  if (withName) {
    li.appendChild(n.langAlt(I, 'PersonName', p.displayName));
    // Under which signed form this face was named, next to the consent URI (Sitter's namespace).
    if (p.consentRecord) {
      li.appendChild(n.el(NS.sitter, 'ConsentRecord', String(p.consentRecord.id)));
      li.appendChild(n.el(NS.sitter, 'ConsentFormSha256', p.consentRecord.formSha256));
    }
  }
  return li;
}

function imageRegion(n: Namer, p: PushPerson, orientation: ExifOrientation): XElement {
  const b = toStoredBox(p.box, orientation);
  const li = n.structLi();
  const boundary = n.el(I, 'RegionBoundary');
  n.attr(boundary, NS.rdf, 'parseType', 'Resource');
  boundary.appendChild(n.el(I, 'rbShape', 'rectangle'));
  boundary.appendChild(n.el(I, 'rbUnit', 'relative'));
  boundary.appendChild(n.el(I, 'rbX', fmt(b.x)));
  boundary.appendChild(n.el(I, 'rbY', fmt(b.y)));
  boundary.appendChild(n.el(I, 'rbW', fmt(b.w)));
  boundary.appendChild(n.el(I, 'rbH', fmt(b.h)));
  li.appendChild(boundary);
  li.appendChild(n.el(I, 'rId', `sitter:${encodeURIComponent(p.participantId)}`));
  li.appendChild(n.langAlt(I, 'Name', p.displayName));
  const ctype = n.array(I, 'rCtype', 'Bag');
  const entity = n.structLi();
  entity.appendChild(n.bag(I, 'Identifier', [REGION_TYPE_HUMAN]));
  ctype.container.appendChild(entity);
  li.appendChild(ctype.prop);
  const details = n.array(I, 'PersonInImageWDetails', 'Bag');
  details.container.appendChild(personDetails(n, p, false));
  li.appendChild(details.prop);
  return li;
}

function mwgRegion(n: Namer, p: PushPerson, orientation: ExifOrientation): XElement {
  const b = toStoredBox(p.box, orientation);
  const li = n.li();
  const d = n.el(NS.rdf, 'Description');
  n.attr(d, NS.mwgRs, 'Type', 'Face');
  n.attr(d, NS.mwgRs, 'Name', p.displayName);
  n.attr(d, NS.mwgRs, 'Description', p.consentUri);
  const area = n.el(NS.mwgRs, 'Area');
  // MWG areas are centre-based.
  n.attr(area, NS.stArea, 'x', fmt(b.x + b.w / 2));
  n.attr(area, NS.stArea, 'y', fmt(b.y + b.h / 2));
  n.attr(area, NS.stArea, 'w', fmt(b.w));
  n.attr(area, NS.stArea, 'h', fmt(b.h));
  n.attr(area, NS.stArea, 'unit', 'normalized');
  d.appendChild(area);
  li.appendChild(d);
  return li;
}

/** `mwg-rs:AppliedToDimensions`: the stored pixel size the normalised areas refer to. */
function appliedToDimensions(n: Namer, payload: PushPayload): XElement {
  const dims = n.el(NS.mwgRs, 'AppliedToDimensions');
  const size = storedSize(payload.image.width, payload.image.height, payload.image.orientation ?? 1);
  n.attr(dims, NS.stDim, 'w', String(size.width));
  n.attr(dims, NS.stDim, 'h', String(size.height));
  n.attr(dims, NS.stDim, 'unit', 'pixel');
  return dims;
}

/**
 * The MWG region list Sitter appends to, and whether Sitter had to add the AppliedToDimensions of an
 * existing mwg-rs:Regions (without them its normalised areas would refer to nothing; the ledger
 * remembers, so a clear takes them out again).
 */
function mwgList(
  x: XmpDoc,
  n: Namer,
  holder: XElement,
  payload: PushPayload,
): { list: XElement; addedDimensions: boolean } {
  const existing = topLevel(x, NS.mwgRs, 'Regions')[0];
  if (existing) {
    const body = structBody(existing);
    const addedDimensions = !fieldElement(body, NS.mwgRs, 'AppliedToDimensions');
    if (addedDimensions) place(body, appliedToDimensions(n, payload));
    let list = fieldElement(body, NS.mwgRs, 'RegionList');
    if (!list) {
      list = n.el(NS.mwgRs, 'RegionList');
      place(body, list);
    }
    const c = arrayContainer(list);
    if (c) return { list: c, addedDimensions };
    const bag = n.el(NS.rdf, 'Bag');
    place(list, bag);
    return { list: bag, addedDimensions };
  }
  const regions = n.el(NS.mwgRs, 'Regions');
  n.attr(regions, NS.rdf, 'parseType', 'Resource');
  regions.appendChild(appliedToDimensions(n, payload));
  const { prop, container } = n.array(NS.mwgRs, 'RegionList', 'Bag');
  regions.appendChild(prop);
  place(holder, regions);
  return { list: container, addedDimensions: false };
}

/** Takes out the AppliedToDimensions Sitter added to another tool's regions. */
function removeAddedDimensions(x: XmpDoc): void {
  for (const prop of topLevel(x, NS.mwgRs, 'Regions')) {
    const dims = fieldElement(structBody(prop), NS.mwgRs, 'AppliedToDimensions');
    if (dims) removeNode(dims);
  }
}

/**
 * `before`: the ledger of the packet before the push's strip. Declarations it lists that are still
 * in place stay Sitter's, so a later clear can take them out.
 */
function apply(x: XmpDoc, payload: PushPayload, before: Ledger | null, createdSidecar: boolean): void {
  const holder = targetDescription(x);
  const n = new Namer(x, holder);
  const orientation = payload.image.orientation ?? 1;
  const persons = [...payload.persons].sort((a, b) =>
    a.consentUri < b.consentUri ? -1 : a.consentUri > b.consentUri ? 1 : 0,
  );
  const ledgerPersons: LedgerPerson[] = [];

  const names = arrayProp(x, n, holder, I, 'PersonInImage');
  const present = new Set(elementChildren(names).map(itemText));
  const details = arrayProp(x, n, holder, I, 'PersonInImageWDetails');
  const regions = arrayProp(x, n, holder, I, 'ImageRegion');
  const { list: mwg, addedDimensions } = mwgList(x, n, holder, payload);
  for (const p of persons) {
    let addedName: string | null = null;
    if (!present.has(p.displayName)) {
      place(names, n.li(p.displayName));
      present.add(p.displayName);
      addedName = p.displayName;
    }
    place(details, personDetails(n, p, true));
    place(regions, imageRegion(n, p, orientation));
    place(mwg, mwgRegion(n, p, orientation));
    ledgerPersons.push({
      consentUri: p.consentUri,
      release: p.release.status,
      ageCode: ageCode(p.release),
      addedName,
      addedReleaseId: null,
    });
  }

  const status = releaseStatus(
    persons.map((p) => p.release.status),
    payload.otherFaces,
  );
  const releaseState = setOwned(x, n, holder, NS.plus, 'ModelReleaseStatus', status && vocabUri(status), {
    set: false,
    prior: null,
  });
  const ids = persons.map((p, i) => [p.release.id, i] as const).filter((e): e is readonly [string, number] => !!e[0]);
  if (ids.length > 0) {
    const idBag = arrayProp(x, n, holder, NS.plus, 'ModelReleaseID');
    const have = new Set(elementChildren(idBag).map(itemText));
    for (const [id, i] of ids) {
      const lp = ledgerPersons[i];
      if (have.has(id) || !lp) continue;
      place(idBag, n.li(id));
      have.add(id);
      lp.addedReleaseId = id;
    }
  }
  const age = youngestAgeCode(ledgerPersons.map((p) => p.ageCode));
  const ageState = setOwned(x, n, holder, NS.plus, 'MinorModelAgeDisclosure', age && vocabUri(age), {
    set: false,
    prior: null,
  });

  writeLedger(x, n, holder, {
    createdSidecar,
    addedDimensions,
    namespaces: (before?.namespaces ?? []).filter((p) => holder.getAttributeNS(NS.xmlns, p) !== null),
    otherFaces: payload.otherFaces,
    releaseStatus: releaseState,
    ageDisclosure: ageState,
    persons: ledgerPersons,
  });
}

// ---------------------------------------------------------------- public

/**
 * The packet after pushing `payload` onto `existing` (null: no sidecar yet). Returns null when no
 * sidecar should exist (nothing to say and Sitter created the file), and `existing` itself, byte for
 * byte, when Sitter had nothing to change.
 */
export function pushXmp(existing: string | null, payload: PushPayload, where: string): string | null {
  const x = existing === null ? emptyXmp() : parseXmp(existing, where);
  const before = readLedger(x);
  const createdSidecar = existing === null || (before?.createdSidecar ?? false);
  const stripped = strip(x, null);
  if (payload.persons.length === 0) {
    if (existing === null) return null;
    if (!stripped) return existing;
    return createdSidecar && hasNoProperties(x) ? null : x.serialize();
  }
  apply(x, payload, before, createdSidecar);
  return x.serialize();
}

/**
 * The packet after removing Sitter's entries (all, or those of `consentUris`). Returns `existing` when
 * there was nothing of Sitter's, and null when the file should go (Sitter created it and nothing else
 * is left in it).
 */
export function clearXmp(existing: string, consentUris: readonly string[] | undefined, where: string): string | null {
  const x = parseXmp(existing, where);
  const createdSidecar = readLedger(x)?.createdSidecar ?? false;
  const changed = strip(x, consentUris ? new Set(consentUris) : null);
  if (!changed) return existing;
  return createdSidecar && hasNoProperties(x) ? null : x.serialize();
}

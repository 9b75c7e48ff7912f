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
 * re-pushing fewer persons drops the others. The taking out is strip.ts; the values Sitter sets and
 * gives back, owned-value.ts.
 */
import type { PushPayload, PushPerson } from '../../core/ports/connector.js';
import { type ExifOrientation, storedSize, toStoredBox } from '../../core/domain/orientation.js';
import { fmt } from './geometry.js';
import { NS, REGION_TYPE_HUMAN } from './namespaces.js';
import {
  Namer,
  arrayContainer,
  arrayProp,
  elementChildren,
  emptyXmp,
  fieldElement,
  hasNoProperties,
  itemText,
  parseXmp,
  structBody,
  targetDescription,
  topLevel,
  type XElement,
  type XmpDoc,
} from './rdf.js';
import { place } from './layout.js';
import { readLedger, writeLedger, type Ledger, type LedgerPerson } from './ledger.js';
import { ageCode, releaseStatus, vocabUri, youngestAgeCode } from './release.js';
import { setOwned } from './owned-value.js';
import { strip } from './strip.js';
import { writeClearance } from './clearance-xmp.js';
import { type PeopleTagsChoice, peopleTagSpecs } from './people-tags.js';

/** How a connector wants its sidecars written. */
export interface XmpWriteOptions {
  /** which photo tools' people fields to fill (docs/connectors.md, "People in the photo tools"); default none */
  peopleTags?: PeopleTagsChoice;
}

const I = NS.Iptc4xmpExt;

// ---------------------------------------------------------------- writing

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
    // What this person's consent allows as of the push (Sitter's namespace, beside the consent URI).
    if (p.publicationScopes && p.publicationScopes.length > 0)
      li.appendChild(n.bag(NS.sitter, 'PublicationScopes', p.publicationScopes));
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
/**
 * `before`: the ledger of the packet before the push's strip. Declarations it lists that are still
 * in place stay Sitter's, so a later clear can take them out.
 */
function apply(
  x: XmpDoc,
  payload: PushPayload,
  before: Ledger | null,
  createdSidecar: boolean,
  options: XmpWriteOptions,
): void {
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
  const tagFields = peopleTagSpecs(options.peopleTags ?? 'none').map((spec) => {
    const container = arrayProp(x, n, holder, spec.ns, spec.local, spec.kind);
    return { spec, container, present: new Set(elementChildren(container).map(itemText)) };
  });
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
    // A tag the user (or another person's entry) already has is left theirs: not added, not recorded.
    const addedTags: LedgerPerson['addedTags'] = {};
    for (const { spec, container, present: has } of tagFields) {
      const value = spec.value(p.displayName);
      if (has.has(value)) continue;
      place(container, n.li(value));
      has.add(value);
      addedTags[spec.field] = value;
    }
    ledgerPersons.push({
      consentUri: p.consentUri,
      release: p.release.status,
      ageCode: ageCode(p.release),
      addedName,
      addedReleaseId: null,
      addedTags,
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
  writeClearance(n, holder, payload.clearance);

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
export function pushXmp(
  existing: string | null,
  payload: PushPayload,
  where: string,
  options: XmpWriteOptions = {},
): string | null {
  const x = existing === null ? emptyXmp() : parseXmp(existing, where);
  const before = readLedger(x);
  const createdSidecar = existing === null || (before?.createdSidecar ?? false);
  const stripped = strip(x, null);
  if (payload.persons.length === 0) {
    if (existing === null) return null;
    if (!stripped) return existing;
    return createdSidecar && hasNoProperties(x) ? null : x.serialize();
  }
  apply(x, payload, before, createdSidecar, options);
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

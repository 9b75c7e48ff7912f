/**
 * Sitter's ledger in a sidecar (`sitter:Ledger`, namespace urn:sitter:xmp:1.0/): what Sitter added or
 * replaced that cannot be recognised by a consent URI alone, so a clear gives back exactly what was
 * there before. ExifTool reads it as XMP-sitter:Ledger* tags.
 */
import type { ModelRelease } from '../../core/ports/connector.js';
import { NS } from './namespaces.js';
import type { PeopleTagField } from './people-tags.js';
import { place, removeNode } from './layout.js';
import {
  arrayItems,
  fieldElement,
  fieldText,
  structBody,
  topLevel,
  type Namer,
  type XElement,
  type XmpDoc,
} from './rdf.js';

const S = NS.sitter;

export interface LedgerPerson {
  consentUri: string;
  release: ModelRelease['status'];
  ageCode: string | null;
  addedName: string | null;
  addedReleaseId: string | null;
  /** the people tags Sitter added for this person (option `peopleTags`), by field */
  addedTags: Partial<Record<PeopleTagField, string>>;
}

/** The ledger field that records the tag Sitter added to each tool's people field. */
const ADDED_TAG_FIELD: Record<PeopleTagField, string> = {
  digikam: 'AddedDigiKamTag',
  lightroom: 'AddedHierarchicalSubject',
  keywords: 'AddedKeyword',
};
const TAG_FIELDS = Object.keys(ADDED_TAG_FIELD) as PeopleTagField[];

/** A PLUS property Sitter set: whether it did, and what was there before (null: nothing). */
export interface OwnedValue {
  set: boolean;
  prior: string | null;
}

export interface Ledger {
  createdSidecar: boolean;
  /** Sitter added mwg-rs:AppliedToDimensions to another tool's mwg-rs:Regions. */
  addedDimensions: boolean;
  /** Namespace prefixes Sitter declared (taken out again by the last clear, if unused). */
  namespaces: string[];
  otherFaces: number;
  releaseStatus: OwnedValue;
  ageDisclosure: OwnedValue;
  persons: LedgerPerson[];
}

export function readLedger(x: XmpDoc): Ledger | null {
  const el = topLevel(x, S, 'Ledger')[0];
  if (!el) return null;
  const b = structBody(el);
  const bool = (local: string): boolean => (fieldText(b, S, local) ?? '').toLowerCase() === 'true';
  const persons = arrayItems(fieldElement(b, S, 'Persons') ?? el).map((li): LedgerPerson => {
    const pb = structBody(li);
    const release = fieldText(pb, S, 'Release');
    const addedTags: Partial<Record<PeopleTagField, string>> = {};
    for (const f of TAG_FIELDS) {
      const v = fieldText(pb, S, ADDED_TAG_FIELD[f]);
      if (v !== null) addedTags[f] = v;
    }
    return {
      consentUri: fieldText(pb, S, 'ConsentUri') ?? '',
      release: release === 'unlimited' || release === 'limited' ? release : 'none',
      ageCode: fieldText(pb, S, 'AgeCode'),
      addedName: fieldText(pb, S, 'AddedName'),
      addedReleaseId: fieldText(pb, S, 'AddedReleaseId'),
      addedTags,
    };
  });
  return {
    createdSidecar: bool('CreatedSidecar'),
    addedDimensions: bool('AddedDimensions'),
    namespaces: (fieldText(b, S, 'Namespaces') ?? '').split(' ').filter((p) => p !== ''),
    otherFaces: Number(fieldText(b, S, 'OtherFaces') ?? '0') || 0,
    releaseStatus: { set: bool('ReleaseStatusSet'), prior: fieldText(b, S, 'ReleaseStatusPrior') },
    ageDisclosure: { set: bool('AgeDisclosureSet'), prior: fieldText(b, S, 'AgeDisclosurePrior') },
    persons,
  };
}

export function removeLedger(x: XmpDoc): void {
  for (const el of topLevel(x, S, 'Ledger')) removeNode(el);
}

export function writeLedger(x: XmpDoc, n: Namer, holder: XElement, ledger: Ledger): void {
  removeLedger(x);
  const el = n.el(S, 'Ledger');
  n.attr(el, NS.rdf, 'parseType', 'Resource');
  const add = (local: string, v: string | null): void => {
    if (v !== null) el.appendChild(n.el(S, local, v));
  };
  add('CreatedSidecar', ledger.createdSidecar ? 'True' : 'False');
  if (ledger.addedDimensions) add('AddedDimensions', 'True');
  // after n.el(S, 'Ledger'), so the sitter prefix itself is listed when this push declared it
  const namespaces = [...new Set([...ledger.namespaces, ...n.declared])];
  if (namespaces.length > 0) add('Namespaces', namespaces.join(' '));
  add('OtherFaces', String(ledger.otherFaces));
  add('ReleaseStatusSet', ledger.releaseStatus.set ? 'True' : 'False');
  add('ReleaseStatusPrior', ledger.releaseStatus.set ? ledger.releaseStatus.prior : null);
  add('AgeDisclosureSet', ledger.ageDisclosure.set ? 'True' : 'False');
  add('AgeDisclosurePrior', ledger.ageDisclosure.set ? ledger.ageDisclosure.prior : null);
  const { prop, container } = n.array(S, 'Persons', 'Bag');
  for (const p of ledger.persons) {
    const li = n.structLi();
    li.appendChild(n.el(S, 'ConsentUri', p.consentUri));
    li.appendChild(n.el(S, 'Release', p.release));
    if (p.ageCode !== null) li.appendChild(n.el(S, 'AgeCode', p.ageCode));
    if (p.addedName !== null) li.appendChild(n.el(S, 'AddedName', p.addedName));
    if (p.addedReleaseId !== null) li.appendChild(n.el(S, 'AddedReleaseId', p.addedReleaseId));
    for (const f of TAG_FIELDS) {
      const v = p.addedTags[f];
      if (v !== undefined) li.appendChild(n.el(S, ADDED_TAG_FIELD[f], v));
    }
    container.appendChild(li);
  }
  el.appendChild(prop);
  place(holder, el);
}

/**
 * People as the user's photo tools show them (issue 14), written only when a shoot asks for it
 * (local connector option `peopleTags`): digiKam's `digiKam:TagsList` (`People/<Name>`), Lightroom's
 * `lr:hierarchicalSubject` (`People|<Name>`), and plain keywords `dc:subject` (`<Name>`; darktable
 * reads only these). Keywords are not tied to a consent URI, so every value Sitter adds is recorded in
 * its ledger, and a clear takes out exactly those: a tag that was there before Sitter is never added
 * again, never recorded, never removed.
 */
import { NS } from './namespaces.js';

/** The connector option: which of the tools' people fields Sitter fills. */
export const PEOPLE_TAG_CHOICES = ['none', 'digikam', 'lightroom', 'keywords', 'all'] as const;
export type PeopleTagsChoice = (typeof PEOPLE_TAG_CHOICES)[number];

/** One tool's people field. */
export type PeopleTagField = 'digikam' | 'lightroom' | 'keywords';

export interface PeopleTagSpec {
  field: PeopleTagField;
  ns: string;
  local: string;
  /** the container a new property gets (digiKam writes its tag list as a Seq) */
  kind: 'Bag' | 'Seq';
  /** the value that names the person in this field */
  value(displayName: string): string;
}

/**
 * A name's own `/` or `|` would make the tools file the person under a deeper tag ("People/A/B"), so
 * within a hierarchical tag it is written as the look-alike U+2215 DIVISION SLASH or U+00A6 BROKEN BAR.
 */
const SPECS: readonly PeopleTagSpec[] = [
  {
    field: 'digikam',
    ns: NS.digiKam,
    local: 'TagsList',
    kind: 'Seq',
    value: (name) => `People/${name.replaceAll('/', '\u2215')}`,
  },
  {
    field: 'lightroom',
    ns: NS.lr,
    local: 'hierarchicalSubject',
    kind: 'Bag',
    value: (name) => `People|${name.replaceAll('|', '\u00a6')}`,
  },
  { field: 'keywords', ns: NS.dc, local: 'subject', kind: 'Bag', value: (name) => name },
];

/** The fields a choice fills. */
export function peopleTagSpecs(choice: PeopleTagsChoice): readonly PeopleTagSpec[] {
  if (choice === 'none') return [];
  return choice === 'all' ? SPECS : SPECS.filter((s) => s.field === choice);
}

/** Every field Sitter may have filled: a clear looks in all of them, whatever the option says now. */
export function peopleTagSpec(field: PeopleTagField): PeopleTagSpec {
  const spec = SPECS.find((s) => s.field === field);
  if (!spec) throw new Error(`unknown people tag field ${field}`);
  return spec;
}

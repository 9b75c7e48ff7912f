/**
 * The fixed part of a record of processing activities (GDPR Art. 30) for what Sitter does: the
 * categories of data and of data subjects, and the measures every workspace has. The workspace adds
 * the shoots (purposes, retention, recipients) and the facts of its own security.
 */

/** Where a workspace keeps its records: a SQLite file in its folder, or a team's PostgreSQL database. */
export type StorageKind = 'sqlite' | 'postgresql';

export interface DataCategory {
  category: string;
  /** special category data (GDPR Art. 9): biometric data processed to identify a person */
  special: boolean;
  held: string;
  kept: string;
}

export const DATA_CATEGORIES: readonly DataCategory[] = dataCategories('sqlite');

/** The categories of data, each `held` where this workspace really keeps it. */
export function dataCategories(storage: StorageKind): readonly DataCategory[] {
  const store = storage === 'sqlite' ? 'store (sitter.db)' : "store (the team's PostgreSQL database)";
  return [
    {
      category:
        'identity and consent: participant reference, name, minor flag, guardian; consent record versions (biometric yes/no, publication scopes, signed/expiry/withdrawal dates, form reference and sha256, reference photo path)',
      special: false,
      held: store,
      kept: 'until erasure (sitter erase); a withdrawal keeps the record, marked withdrawn',
    },
    {
      category: 'face templates and proposal embeddings (128 numbers computed from a face)',
      special: true,
      held: 'store, encrypted with the shoot key and bound to their row',
      kept: 'while consent is valid and the shoot is open: deleted at withdrawal, lapse, decision (proposals), close or the end of retention',
    },
    {
      category: 'faces found in photos: box, detector score, match state, similarity score',
      special: false,
      held: 'store; never an embedding for an unidentified face',
      kept: "with the asset; a withdrawn person's faces are unlinked, an erased person's are deleted",
    },
    {
      category: 'reviewer decisions: reviewer name, time, face, person, consent record version relied on',
      special: false,
      held: 'store',
      kept: "with the shoot; an erased person's decisions are deleted",
    },
    {
      category: 'names and face regions written to the DAM (push)',
      special: false,
      held: "the connector's source (e.g. XMP sidecars), recorded per place in the store",
      kept: 'until a withdrawal or erasure clears them',
    },
    {
      category: 'audit record: who did what and when, participants as #id only',
      special: false,
      held: 'store, hash-chained',
      kept: 'for the life of the workspace; no personal data once a person is erased',
    },
  ];
}

export const SUBJECT_CATEGORIES: readonly string[] = [
  'participants of a shoot who signed a consent form (adults; minors through a guardian)',
  'people in the photos who are not on the roster: a face box only, never an embedding or a name',
  'reviewers and operators: their names on decisions and audit entries',
];

/**
 * How deleted rows leave the disk. SQLite's secure_delete overwrites them; PostgreSQL has no such
 * setting: a deleted row stays in its page until VACUUM reclaims it, and in the server's write-ahead
 * log and backups until they rotate. What keeps a template unreadable there is its encryption (the key
 * never enters the database) and destroying the shoot's data key at close.
 */
export const DELETION_MEASURE: Record<StorageKind, string> = {
  sqlite: 'SQLite secure_delete on every connection: deleted rows and freed pages are overwritten with zeros',
  postgresql:
    "team database on PostgreSQL: deleted rows are not overwritten (VACUUM reclaims them; the server's WAL and backups " +
    'keep them until they rotate); templates there are ciphertext only, the master key never enters the database, ' +
    "and closing a shoot destroys its data key; the server's disk and backups are the controller's to encrypt",
};

export const SECURITY_MEASURES: readonly string[] = securityMeasures('sqlite');

/** The measures every workspace of this storage kind has. */
export function securityMeasures(storage: StorageKind): readonly string[] {
  return [
    'biometric data encrypted at rest: AES-256-GCM with a data key per shoot, wrapped by the master key; each ciphertext bound to its row',
    'closing a shoot deletes its templates and embeddings and destroys its data key',
    DELETION_MEASURE[storage],
    ...(storage === 'postgresql'
      ? [
          'team database: every person logs in as their own database role, authenticated by the server (no password is recorded by Sitter); reviewers are the members of the workspace reviewer group (`sitter team list`)',
        ]
      : []),
    'hash-chained audit record of every change, verifiable with `sitter audit verify` and anchors kept elsewhere',
    'workspace folder 0700, files 0600; exports written 0600, never through a symbolic link',
    'two-person review when the shoot asks for it; only confirmed matches reach the DAM',
    'consent checked again at every decision, scan write and push; lapsed consent purged at the start of every command',
  ];
}

/**
 * The fake Asset Bank's catalogue: an OAuth client, three users (an archivist, an edit-with-approval
 * user, one who sees another folder only), a folder tree with a shoot and a sub-folder, the attributes a
 * Sitter shoot maps (dedicated text attributes, as dam-apis.md recommends) beside read-only and list
 * ones, and shoot photos: small distinct JPEGs whose modification times are shuffled so that no listing
 * can pass by assuming the server sorts by id.
 */
import sharp from 'sharp';
import { ATTRIBUTE_TYPE, DATE_LAST_MODIFIED_ATTRIBUTE, FILESIZE_ATTRIBUTE, type FakeAssetBankState } from './state.js';

/** Ids and credentials of the seeded catalogue, for tests and connector options. */
export const FAKE_AB = {
  clientId: '0123456789abcdef0123456789abcdef',
  clientSecret: 'f'.repeat(32) + '0123456789abcdef0123456789abcdef',
  users: {
    archivist: { id: 1, username: 'archivist', password: 'archivist-password' },
    approvalEditor: { id: 2, username: 'approval-editor', password: 'approval-password' },
    outsider: { id: 3, username: 'outsider', password: 'outsider-password' },
  },
  folders: { shoots: 10, shoot: 11, shootDay2: 12, otherShoot: 20 },
  attributes: {
    dateLastModified: DATE_LAST_MODIFIED_ATTRIBUTE,
    filesize: FILESIZE_ATTRIBUTE,
    title: 3,
    description: 4,
    dateTaken: 10,
    participants: 701,
    consentRefs: 702,
    faceRegions: 703,
    shootId: 704,
    usageClearance: 705,
    /** a text attribute the server keeps read-only: a PUT of it is ignored */
    lockedCaption: 706,
    people: 707,
  },
  shootId: 'SHOOT-42',
} as const;

export function seedCatalogue(state: FakeAssetBankState): void {
  const A = FAKE_AB.attributes;
  state.addClient({ clientId: FAKE_AB.clientId, clientSecret: FAKE_AB.clientSecret });
  const u = FAKE_AB.users;
  state.addUser({
    ...u.archivist,
    forename: 'Ada',
    surname: 'Archivist',
    emailAddress: 'archivist@example.org',
    groupIds: [1],
    isAdmin: false,
  });
  state.addUser({
    ...u.approvalEditor,
    forename: 'Ed',
    surname: 'Approval',
    emailAddress: 'editor@example.org',
    groupIds: [2],
    isAdmin: false,
    editsNeedApproval: true,
  });
  state.addUser({
    ...u.outsider,
    forename: 'Otto',
    surname: 'Outsider',
    emailAddress: 'outsider@example.org',
    groupIds: [3],
    isAdmin: false,
    accessLevelIds: [FAKE_AB.folders.otherShoot],
  });
  const f = FAKE_AB.folders;
  state.addFolder({ id: f.shoots, name: 'Shoots' });
  state.addFolder({ id: f.shoot, name: 'Shoot 42', parentId: f.shoots });
  state.addFolder({ id: f.shootDay2, name: 'Shoot 42 - day 2', parentId: f.shoot });
  state.addFolder({ id: f.otherShoot, name: 'Shoot 43', parentId: f.shoots });
  const T = ATTRIBUTE_TYPE;
  state.addAttribute({
    id: A.dateLastModified,
    label: 'Date Last Modified',
    staticName: 'dateLastModified',
    typeId: T.datetime,
    readOnly: true,
  });
  state.addAttribute({ id: A.filesize, label: 'Filesize', staticName: 'size', typeId: T.numeric, readOnly: true });
  state.addAttribute({ id: A.title, label: 'Title', staticName: 'title', typeId: T.text });
  state.addAttribute({ id: A.description, label: 'Description', staticName: 'description', typeId: T.textArea });
  state.addAttribute({ id: A.dateTaken, label: 'Date Taken', typeId: T.datetime });
  state.addAttribute({ id: A.participants, label: 'Consented participants', typeId: T.textArea });
  state.addAttribute({ id: A.consentRefs, label: 'Consent refs', typeId: T.textArea });
  state.addAttribute({ id: A.faceRegions, label: 'Face regions (JSON)', typeId: T.textArea });
  state.addAttribute({ id: A.shootId, label: 'Shoot ID', typeId: T.text });
  state.addAttribute({
    id: A.usageClearance,
    label: 'Usage clearance',
    typeId: T.dropdown,
    listValues: ['Cleared', 'Restricted', 'Not cleared'],
  });
  state.addAttribute({ id: A.lockedCaption, label: 'Locked caption', typeId: T.text, readOnly: true });
  state.addAttribute({ id: A.people, label: 'People', typeId: T.checklist, listValues: [] });
}

/** A small JPEG, distinct per `seed`, optionally larger (a 6000×4000 original for byte counts). */
export async function photo(seed: number, width = 64, height = 48): Promise<Uint8Array> {
  const shade = (seed * 53) % 256;
  const jpeg = await sharp({
    create: { width, height, channels: 3, background: { r: shade, g: (seed * 97) % 256, b: 255 - shade } },
  })
    .jpeg({ quality: 90 })
    .withExif({ IFD2: { DateTimeOriginal: '2026:06:01 10:00:00', OffsetTimeOriginal: '+00:00' } })
    .toBuffer();
  return new Uint8Array(jpeg);
}

export interface SeedShootOptions {
  count: number;
  /** the folder (default: the shoot's) */
  folderId?: number;
  /** the Shoot ID attribute's value (default SHOOT-42; null: none) */
  shootId?: string | null;
  /** pixel size of each photo */
  width?: number;
  height?: number;
  /** first seed of the image colours */
  firstSeed?: number;
}

/**
 * Adds `count` photos to a folder, each with a Shoot ID and a Date Taken, and shuffles their
 * modification times (a fixed permutation, so runs repeat) so date order is not id order.
 */
export async function seedShoot(state: FakeAssetBankState, options: SeedShootOptions): Promise<number[]> {
  const ids: number[] = [];
  const first = options.firstSeed ?? state.assets.size + 1;
  for (let i = 0; i < options.count; i++) {
    const values: Record<number, string> = { [FAKE_AB.attributes.dateTaken]: '01/06/2026 10:00:00' };
    const shootId = options.shootId === undefined ? FAKE_AB.shootId : options.shootId;
    if (shootId !== null) values[FAKE_AB.attributes.shootId] = shootId;
    ids.push(
      state.addAsset({
        originalFilename: `IMG_${String(first + i).padStart(4, '0')}.jpg`,
        bytes: await photo(first + i, options.width, options.height),
        accessLevelIds: [options.folderId ?? FAKE_AB.folders.shoot],
        values,
      }),
    );
  }
  const base = Math.max(...[...state.assets.values()].map((a) => a.modified)) + 1000;
  ids.forEach((id, i) => {
    state.assets.get(id)!.modified = base + ((i * 7919) % ids.length) * 1000 + i;
  });
  return ids;
}

import { createHash } from 'node:crypto';
import { SitterError } from '../domain/errors.js';
import type { FileReader } from '../ports/files.js';

/**
 * A participant's reference photo, read only if it is still the photo the consent import recorded
 * (its sha256). Enrolment builds a template from it and the review app shows it beside a face: a
 * photo swapped on disk since the import is neither learned from nor shown.
 */
export async function readReferencePhoto(
  files: FileReader,
  participant: string,
  photo: { path: string; sha256: string },
): Promise<Uint8Array> {
  const bytes = await files.read(photo.path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== photo.sha256) {
    throw new SitterError(
      'REFERENCE_PHOTO_CHANGED',
      `The reference photo of ${participant} (${photo.path}) changed since the consent import.`,
      'Import the consent file again so the new photo is on the record, then enrol.',
    );
  }
  return bytes;
}

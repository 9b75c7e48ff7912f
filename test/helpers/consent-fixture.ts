import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

export interface FixtureParticipant {
  id: string;
  name: string;
  consent: 'yes' | 'no';
  signed?: string;
  expires?: string;
  withdrawn?: string;
  minor?: boolean;
  guardian?: string;
  scopes?: string;
  /** bytes of the reference photo (a real image where the test needs one) */
  photo?: Buffer;
  /** the signed form's text, for a newly signed form (default: the person's first form) */
  form?: string;
}

const HEADER =
  'participant_id,name,biometric_consent,signed_at,expires_at,withdrawn_at,form_ref,form_sha256,reference_photo,minor,guardian,publication_scopes';

/** Writes a consent folder (forms, photos, consent.csv) the way an archivist would hand it over. */
export function writeConsentFolder(dir: string, people: FixtureParticipant[]): string {
  mkdirSync(join(dir, 'forms'), { recursive: true });
  mkdirSync(join(dir, 'photos'), { recursive: true });
  const lines = [HEADER];
  for (const p of people) {
    const form = Buffer.from(p.form ?? `Signed consent form of ${p.name} (${p.id})`);
    writeFileSync(join(dir, 'forms', `${p.id}.pdf`), form);
    let photoRef = '';
    if (p.photo) {
      photoRef = `photos/${p.id}.png`;
      writeFileSync(join(dir, photoRef), p.photo);
    }
    const sha = createHash('sha256').update(form).digest('hex');
    lines.push(
      [
        p.id,
        `"${p.name.replace(/"/g, '""')}"`,
        p.consent,
        p.signed ?? '2026-01-10',
        p.expires ?? '',
        p.withdrawn ?? '',
        `forms/${p.id}.pdf`,
        sha,
        photoRef,
        p.minor ? 'yes' : 'no',
        p.guardian ?? '',
        p.scopes ?? 'web',
      ].join(','),
    );
  }
  const file = join(dir, 'consent.csv');
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

/** A small real PNG, different for each seed, so each participant has their own file and sha256. */
export async function pngBytes(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: 90 } },
  })
    .png()
    .toBuffer();
}

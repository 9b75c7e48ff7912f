import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ConsentFormSet, FormRequest, FormToPrint } from '../../core/services/consent-form-service.js';
import type { Session } from '../session.js';

export interface ConsentFormFile {
  name: string;
  sha256: string;
  participant: string | null;
  format: 'pdf' | 'html';
}

export interface ConsentFormsWritten {
  shoot: string;
  dir: string;
  version: string;
  template: string;
  scopes: string[];
  scopesChanged: boolean;
  files: ConsentFormFile[];
  audit: { seq: number; hash: string };
}

/** A file name from a participant id: letters, digits, "-", "_" and "." only, unique in the folder. */
function baseNames(forms: readonly FormToPrint[]): string[] {
  const taken = new Set<string>();
  return forms.map((f) => {
    const raw = f.participant ? `consent-${f.participant.externalRef}` : 'consent-blank';
    const safe = raw.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
    let name = safe;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${safe}-${i}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/**
 * `sitter consent form`: the shoot's consent forms as PDF and HTML in a new owner-only folder outside
 * the workspace and the shoot's photos (like every export), then the issue on the audit chain.
 */
export async function writeConsentForms(
  session: Session,
  shootId: string,
  request: FormRequest & { dir: string; force: boolean },
): Promise<ConsentFormsWritten> {
  const [{ consentFormsFor, recordFormsIssued }, { prepareExportFolder }, { writePrivateFile }, pdf, html] =
    await Promise.all([
      import('../../core/services/consent-form-service.js'),
      import('../../core/store/files/export-folder.js'),
      import('../../core/store/files/private-file.js'),
      import('../../core/store/files/consent-form-pdf.js'),
      import('../../core/store/files/consent-form-html.js'),
    ]);
  const set: ConsentFormSet = await consentFormsFor(session.ctx, shootId, request);
  await prepareExportFolder(request.dir, request.force, [session.ws.paths.dir, set.shoot.source]);
  const files: ConsentFormFile[] = [];
  const names = baseNames(set.forms);
  for (const [i, form] of set.forms.entries()) {
    const bodies = [
      ['pdf', await pdf.consentFormPdf(set.text, form)],
      ['html', await html.consentFormHtml(set.text, form)],
    ] as const;
    for (const [format, body] of bodies) {
      const name = `${names[i]}.${format}`;
      await writePrivateFile(join(request.dir, name), body, { force: request.force, forceFlag: '--force' });
      files.push({
        name,
        sha256: createHash('sha256').update(body).digest('hex'),
        participant: form.participant?.externalRef ?? null,
        format,
      });
    }
  }
  const audit = await recordFormsIssued(session.ctx, set, files);
  return {
    shoot: set.shoot.id,
    dir: request.dir,
    version: set.text.version,
    template: set.text.template,
    scopes: set.text.scopes,
    scopesChanged: set.scopesChanged,
    files,
    audit,
  };
}

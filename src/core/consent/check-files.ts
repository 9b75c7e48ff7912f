/**
 * Checking the files the records name (form and reference photo): inside the consent file's folder,
 * readable, the form's sha256 as stated, no photo standing for two people. Through the ConsentFileAccess port.
 */
import { BugError } from '../domain/errors.js';
import type { ConsentFileAccess } from '../ports/consent-files.js';
import type { Draft } from './check-record.js';
import { resolveProblem } from './paths.js';
import type { Problems } from './problems.js';
import type { ConsentColumn } from './values.js';

type FileCheck = { ok: true; absolutePath: string; sha256: string } | { ok: false; problem: string };

export async function checkFiles(drafts: Draft[], files: ConsentFileAccess, problems: Problems): Promise<void> {
  // Resolve and hash every named file once (a form shared by many rows is read once), with a few
  // reads in flight (one at a time, a large roster waits mostly on the disk); the checks below then
  // run in file order on the results, without an await per row.
  const named = new Set<string>();
  for (const d of drafts) {
    if (d.formRefRelative !== undefined) named.add(d.formRefRelative);
    if (d.referencePhotoRelative) named.add(d.referencePhotoRelative);
  }
  const checked = new Map<string, FileCheck>();
  await inParallel([...named], FILE_CHECKS_IN_FLIGHT, async (rel) => checked.set(rel, await checkFile(rel, files)));
  const check = (rel: string): FileCheck => {
    const result = checked.get(rel);
    if (!result) throw new BugError(`the file ${JSON.stringify(rel)} named by the consent file was not checked`);
    return result;
  };

  const photoOwner = new Map<string, Draft>();
  for (const d of drafts) {
    const at = (c: ConsentColumn): number => d.cellLine[c] ?? d.line;
    if (d.formRefRelative !== undefined) {
      const form = check(d.formRefRelative);
      if (!form.ok) problems.add(at('form_ref'), 'form_ref', form.problem);
      else {
        d.formRef = form.absolutePath;
        if (d.formSha256 !== undefined && d.formSha256 !== form.sha256) {
          problems.add(
            at('form_sha256'),
            'form_sha256',
            `does not match the form file ${JSON.stringify(d.formRefRelative)} (its sha256 is ${form.sha256})`,
          );
        }
      }
    }
    if (d.referencePhotoRelative === null) {
      d.referencePhoto = null;
      d.referencePhotoSha256 = null;
    } else if (d.referencePhotoRelative !== undefined) {
      const photo = check(d.referencePhotoRelative);
      if (!photo.ok) problems.add(at('reference_photo'), 'reference_photo', photo.problem);
      else {
        d.referencePhoto = photo.absolutePath;
        d.referencePhotoSha256 = photo.sha256;
        const owner = photoOwner.get(photo.absolutePath);
        if (owner) {
          problems.add(
            at('reference_photo'),
            'reference_photo',
            `same file as the reference photo of ${JSON.stringify(owner.participantId ?? '?')} (line ` +
              `${owner.cellLine.reference_photo ?? owner.line}): one photo cannot stand for two people`,
          );
        } else photoOwner.set(photo.absolutePath, d);
      }
    }
  }
}

const FILE_CHECKS_IN_FLIGHT = 16;

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function checkFile(rel: string, files: ConsentFileAccess): Promise<FileCheck> {
  try {
    const r = await files.resolveInside(rel);
    if (!r.ok) return { ok: false, problem: resolveProblem(r.reason, rel, r.message) };
    return { ok: true, absolutePath: r.absolutePath, sha256: (await files.sha256(r.absolutePath)).toLowerCase() };
  } catch (e) {
    return { ok: false, problem: resolveProblem('unreadable', rel, e instanceof Error ? e.message : String(e)) };
  }
}

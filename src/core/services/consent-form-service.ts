/**
 * `sitter consent form`: the text of a shoot's consent form and the forms to print (one per
 * participant on the roster, and a blank one). The service reads; the PDF and HTML are the file
 * adapters' work; `recordFormsIssued` puts the issue on the audit chain once the files are written.
 */
import { type ConsentFormText, consentFormText, encodeFormCode } from '../domain/consent-form.js';
import { SitterError } from '../domain/errors.js';
import { participantSubject } from '../domain/pseudonym.js';
import type { Participant } from '../domain/records.js';
import type { Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import { requireParticipant, requireShoot, type ServiceContext } from './context.js';
import { requireFormSettings } from './settings-service.js';

export interface FormRequest {
  /** one participant's form only (no blank one), or every participant's and a blank one */
  participant: string | null;
  /** the publication scopes to offer, normalised; null: those the shoot's form offered last */
  scopes: string[] | null;
}

/** One form to print: for a participant of the roster, or blank (participant null). */
export interface FormToPrint {
  participant: Pick<Participant, 'externalRef' | 'displayName' | 'minor' | 'guardian'> | null;
  /** the text of the machine-readable code printed on it */
  code: string;
}

export interface ConsentFormSet {
  shoot: Pick<Shoot, 'id' | 'source'>;
  text: ConsentFormText;
  forms: FormToPrint[];
  /** the scopes were given now and differ from those the shoot's form offered before */
  scopesChanged: boolean;
}

/** The scopes offered: given, else as last offered, else those on the shoot's consent records. */
async function scopesOffered(uow: UnitOfWork, shootId: string, given: string[] | null): Promise<string[]> {
  if (given) return given;
  const setup = await uow.consentForms.find(shootId);
  if (setup) return setup.scopes;
  const onRecord = new Set<string>();
  for (const r of (await uow.consents.currentForShoot(shootId)).values())
    for (const s of r.publicationScopes) onRecord.add(s);
  if (onRecord.size > 0) return [...onRecord].sort();
  throw new SitterError(
    'FORM_SCOPES_MISSING',
    `Shoot "${shootId}" has no publication scopes yet: the form offers them as tick boxes.`,
    'Name the uses people can agree to, e.g. --scopes web,print,social (they become part of the form and its version).',
  );
}

/** The shoot's form text as it would be printed now (the settings, shoot and scopes of today). */
export async function currentFormText(
  uow: UnitOfWork,
  shoot: Shoot,
  scopes: string[] | null,
): Promise<ConsentFormText> {
  return consentFormText({
    shoot,
    settings: requireFormSettings(await uow.settings.get()),
    scopes: await scopesOffered(uow, shoot.id, scopes),
  });
}

export async function consentFormsFor(ctx: ServiceContext, shootId: string, req: FormRequest): Promise<ConsentFormSet> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    if (shoot.status === 'closed')
      throw new SitterError(
        'SHOOT_CLOSED',
        `Shoot "${shootId}" is closed: nobody can consent to it any more.`,
        'Create a new shoot for new photographs.',
      );
    const before = await uow.consentForms.find(shoot.id);
    const text = await currentFormText(uow, shoot, req.scopes);
    const people = req.participant
      ? [await requireParticipant(uow, shoot.id, req.participant)]
      : await uow.participants.listByShoot(shoot.id);
    const forms: FormToPrint[] = people.map((p) => ({
      participant: { externalRef: p.externalRef, displayName: p.displayName, minor: p.minor, guardian: p.guardian },
      code: encodeFormCode({ shoot: shoot.id, participant: p.externalRef, version: text.version }),
    }));
    if (!req.participant)
      forms.push({
        participant: null,
        code: encodeFormCode({ shoot: shoot.id, participant: null, version: text.version }),
      });
    const scopesChanged = req.scopes !== null && before !== null && before.scopes.join(';') !== req.scopes.join(';');
    return { shoot: { id: shoot.id, source: shoot.source }, text, forms, scopesChanged };
  });
}

/**
 * Records that the forms were written: the scopes they offer become the shoot's (a returned form is
 * checked against them), and the issue is on the audit chain with the version and the files' sha256.
 */
export async function recordFormsIssued(
  ctx: ServiceContext,
  set: ConsentFormSet,
  files: readonly { name: string; sha256: string }[],
): Promise<{ seq: number; hash: string }> {
  const now = ctx.clock.now();
  return ctx.store.transaction(async (uow) => {
    await uow.consentForms.save({ shootId: set.shoot.id, scopes: set.text.scopes, updatedAt: now });
    const people: string[] = [];
    for (const f of set.forms) {
      if (!f.participant) continue;
      const p = await uow.participants.findByExternalRef(set.shoot.id, f.participant.externalRef);
      if (p) people.push(participantSubject(p));
    }
    const entry = await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'consent.forms-issued',
        shootId: set.shoot.id,
        subject: null,
        details: {
          version: set.text.version,
          template: set.text.template,
          scopes: set.text.scopes,
          participants: people,
          blank: set.forms.some((f) => f.participant === null),
          // file names can carry participant ids: only their digests go on the chain
          files: files.map((f) => f.sha256),
        },
      },
      now,
    );
    return { seq: entry.seq, hash: entry.hash };
  });
}

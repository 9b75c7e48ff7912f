import { createHash } from 'node:crypto';
import { canonicalJson } from './audit.js';
import type { Shoot } from './shoot.js';

/**
 * The consent form Sitter prints for a shoot (issue 13): every word of it, in one place, so the PDF,
 * the HTML and the form version are made from the same text. The text is the shoot's, not the
 * person's: every participant's form of a shoot has the same version, and a returned form is checked
 * against the text as it would be printed today.
 */

/** Bumped when the wording below changes: a form printed before says so by its version. */
export const FORM_TEMPLATE = 'sitter-consent-form-1';

export interface FormSection {
  heading: string;
  paragraphs: string[];
}

/** One choice the person ticks: the two are printed as equals, "no" as easy to tick as "yes". */
export interface FormChoice {
  key: 'photos' | 'biometrics';
  question: string;
  yes: string;
  no: string;
}

export interface ConsentFormText {
  template: string;
  title: string;
  shoot: { id: string; name: string };
  controller: string;
  contact: string;
  intro: string;
  choices: FormChoice[];
  /** the publication scopes offered as tick boxes, and what ticking none means */
  scopes: string[];
  scopesNote: string;
  sections: FormSection[];
  signature: string[];
  guardian: string;
  /** the first 16 hex digits of the sha256 of everything above: printed, and in the code */
  version: string;
}

export interface FormFacts {
  shoot: Pick<Shoot, 'id' | 'name' | 'purpose' | 'connector' | 'retentionDays' | 'shootFrom' | 'shootTo'>;
  settings: { controller: string; contact: string };
  scopes: readonly string[];
}

/** Where the shoot's photos are kept, in plain words: the shoot's connector is where names are written. */
export function archiveInWords(connector: string): string {
  return connector === 'local'
    ? "the organisation's own photo archive (a folder on its computers)"
    : `the organisation's photo archive system "${connector}"`;
}

/** Who receives the photos and what is written there. */
export function recipientInWords(connector: string): string {
  const where = connector === 'local' ? ' (an XMP file beside each photo)' : '';
  return (
    `${archiveInWords(connector)}; your name is written on the photos you are in${where} so that the ` +
    'archive can find them'
  );
}

export function consentFormText(facts: FormFacts): ConsentFormText {
  const { shoot, settings } = facts;
  const days =
    shoot.shootFrom && shoot.shootTo
      ? shoot.shootFrom === shoot.shootTo
        ? ` on ${shoot.shootFrom}`
        : ` from ${shoot.shootFrom} to ${shoot.shootTo}`
      : '';
  const recipient = recipientInWords(shoot.connector);
  const body: Omit<ConsentFormText, 'version'> = {
    template: FORM_TEMPLATE,
    title: `Consent form: ${shoot.name}`,
    shoot: { id: shoot.id, name: shoot.name },
    controller: settings.controller,
    contact: settings.contact,
    intro:
      `${settings.controller} photographs "${shoot.name}"${days}. Please tell us below what you agree to. ` +
      'Each choice is yours and separate: you may agree to be photographed and say no to face matching.',
    choices: [
      {
        key: 'photos',
        question: 'Photographs: may we take photographs of you and keep them for the purpose below?',
        yes: 'Yes, you may photograph me',
        no: 'No, do not photograph me',
      },
      {
        key: 'biometrics',
        question:
          'Face matching (biometric data, GDPR Art. 9): may we compare your face with the photos of this ' +
          'shoot only, so that the photos you are in are found and labelled with your name?',
        yes: 'Yes, you may match my face',
        no: 'No face matching (my photos are labelled by hand, if at all)',
      },
    ],
    scopes: [...facts.scopes],
    scopesNote:
      'Where may photos of you be published? Tick each use you agree to. Ticking none means the photos are ' +
      'kept for the purpose below but not published.',
    sections: [
      {
        heading: 'Purpose',
        paragraphs: [
          shoot.purpose,
          'Face matching is used only to find you in the photos of this shoot, never in other photos, and ' +
            'only while your consent holds. A person checks every match the software proposes before your ' +
            'name is written on a photo: no decision about you is made by a machine alone.',
        ],
      },
      {
        heading: 'Who receives the photos',
        paragraphs: [
          `The photos and the names confirmed on them go to ${recipient}. The face data itself (the measurements ` +
            "of your face) never leaves the organisation's computers, is encrypted, and is never given to anyone.",
        ],
      },
      {
        heading: 'How long it is kept',
        paragraphs: [
          `Face data is deleted at the latest ${shoot.retentionDays} days after the shoot is approved, or as soon ` +
            'as you withdraw, whichever comes first. This form and the record of your choices are kept as proof ' +
            'of what you agreed to.',
        ],
      },
      {
        heading: 'How to withdraw, and what it does',
        paragraphs: [
          `You can withdraw at any time, as easily as you agreed: tell ${settings.contact}. Withdrawal does not ` +
            'make what was done before it unlawful, and you do not have to give a reason.',
          'When your withdrawal is recorded: the face data made from your photo and from confirmed photos is ' +
            'deleted; every link between your name and a face in the photos is removed, confirmed ones too; ' +
            `your name is taken off the photos in ${archiveInWords(shoot.connector)}; the photos you are in are marked ` +
            'for a person to handle; and you receive a receipt. Photos are not matched to you again unless you ' +
            'sign a new form. The photographs themselves, and copies already published, are not deleted by ' +
            'this: ask us about them.',
        ],
      },
      {
        heading: 'Your rights (GDPR Art. 13)',
        paragraphs: [
          `Controller: ${settings.controller}. Contact: ${settings.contact}.`,
          'Legal basis: your consent (GDPR Art. 6(1)(a)) and, for face matching, your explicit consent ' +
            '(Art. 9(2)(a)). Giving it is voluntary: saying no to face matching does not change your part in ' +
            'the shoot.',
          'You may ask for a copy of everything held about you and take it elsewhere (Art. 15, 20), have it ' +
            'corrected (Art. 16) or erased (Art. 17), restrict its use (Art. 18), and complain to a data ' +
            'protection supervisory authority (Art. 77).',
        ],
      },
    ],
    signature: ['Name', 'Participant id', 'Date', 'Signature'],
    guardian:
      'If the participant is under 18 (a minor): name and signature of the parent or legal guardian who ' +
      'consents for them',
  };
  return { ...body, version: formVersion(body) };
}

function formVersion(body: Omit<ConsentFormText, 'version'>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 16);
}

/** What the code on a form holds: enough to find its record and check its text, nothing personal. */
export interface FormCode {
  shoot: string;
  /** null on a blank form (filled in by hand) */
  participant: string | null;
  version: string;
}

const CODE_PREFIX = 'sitter-consent:1?';

export function encodeFormCode(code: FormCode): string {
  const params = new URLSearchParams({ shoot: code.shoot, version: code.version });
  if (code.participant !== null) params.set('participant', code.participant);
  return CODE_PREFIX + params.toString();
}

/** The code read back from a scan, or null when it is not one of Sitter's (another QR code on the page). */
export function decodeFormCode(text: string): FormCode | null {
  if (!text.startsWith(CODE_PREFIX)) return null;
  const params = new URLSearchParams(text.slice(CODE_PREFIX.length));
  const shoot = params.get('shoot');
  const version = params.get('version');
  if (!shoot || !version) return null;
  return { shoot, participant: params.get('participant') || null, version };
}

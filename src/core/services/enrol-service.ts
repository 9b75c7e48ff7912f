import { participantPseudonym, participantSubject } from '../domain/pseudonym.js';
import { embeddingToBytes } from '../domain/embedding.js';
import { isSitterError, SitterError } from '../domain/errors.js';
import { consentStatus } from '../domain/consent.js';
import { templateBinding } from '../domain/seal-binding.js';
import { assertBiometricProcessingAllowed } from '../domain/shoot.js';
import type { Template } from '../domain/records.js';
import type { FaceEngine } from '../ports/face-engine.js';
import type { FileReader } from '../ports/files.js';
import type { EngineProvider } from '../ports/providers.js';
import { type ServiceContext, requireShoot } from './context.js';
import { readReferencePhoto } from './reference-photo.js';
import { biometricRoster, loadRoster } from './roster.js';
import { sweepLapsedConsent } from './withdrawal.js';

export interface EnrolDeps {
  /** asked for one engine only after the shoot's approval is checked: a refused enrolment loads no model */
  engines: EngineProvider;
  files: FileReader;
}

export type EnrolOutcome =
  | { participant: string; result: 'enrolled' | 'unchanged' }
  | { participant: string; result: 'failed'; code: string; message: string; hint?: string }
  | { participant: string; result: 'not-eligible'; status: string };

export interface EnrolSummary {
  shootId: string;
  model: string;
  outcomes: EnrolOutcome[];
  enrolled: number;
  unchanged: number;
  failed: number;
  notEligible: number;
}

function fail(participant: string, code: string, message: string, hint?: string): EnrolOutcome {
  return { participant, result: 'failed', code, message, ...(hint ? { hint } : {}) };
}

/** How the chain names a participant of the roster (domain/pseudonym.ts), from the reference an outcome carries. */
function pseudonymOfRef(roster: readonly { participant: { id: number; externalRef: string } }[], ref: string): string {
  const entry = roster.find((e) => e.participant.externalRef === ref);
  return entry ? participantPseudonym(entry.participant) : '#?';
}

/**
 * Builds a template from each eligible participant's reference photo (rule 3: nobody else's photo
 * is even decoded). Exactly one face must be found; anything else is that participant's error and
 * the others go on. Re-running is idempotent: a template of the same photo and model is kept.
 */
export async function enrolShoot(ctx: ServiceContext, deps: EnrolDeps, shootId: string): Promise<EnrolSummary> {
  const plan = await ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertBiometricProcessingAllowed(shoot, 'enrolment', ctx.clock.now());
    const now = ctx.clock.now();
    await sweepLapsedConsent(uow, shootId, now, ctx.actor);
    const everyone = await loadRoster(uow, shootId, now);
    const eligible = await biometricRoster(uow, shootId, now);
    const templates = await uow.templates.listByShoot(shootId);
    return { everyone, eligible, templates };
  });
  const { engine } = await deps.engines.open('single');
  try {
    return await enrolWith(ctx, deps.files, engine, shootId, plan);
  } finally {
    await engine.close();
  }
}

type EnrolPlan = {
  everyone: Awaited<ReturnType<typeof loadRoster>>;
  eligible: Awaited<ReturnType<typeof biometricRoster>>;
  templates: Template[];
};

/** Enrols the plan's eligible participants with an engine already loaded. */
async function enrolWith(
  ctx: ServiceContext,
  files: FileReader,
  engine: FaceEngine,
  shootId: string,
  plan: EnrolPlan,
): Promise<EnrolSummary> {
  const model = engine.model;
  const outcomes: EnrolOutcome[] = [];
  for (const entry of plan.everyone) {
    if (entry.status !== 'eligible')
      outcomes.push({ participant: entry.participant.externalRef, result: 'not-eligible', status: entry.status });
  }
  for (const { participant, consent } of plan.eligible) {
    const ref = participant.externalRef;
    const photo = consent?.referencePhoto;
    if (!photo || !consent.referencePhotoSha256) {
      outcomes.push(
        fail(
          ref,
          'NO_REFERENCE_PHOTO',
          `${ref} has no reference photo.`,
          'Add reference_photo to the consent file and import it again.',
        ),
      );
      continue;
    }
    const originRef = `photo:${consent.referencePhotoSha256}`;
    const has = plan.templates.some(
      (t) =>
        t.participantId === participant.id &&
        t.origin === 'reference-photo' &&
        t.originRef === originRef &&
        t.modelDigest === model.digest,
    );
    if (has) {
      outcomes.push({ participant: ref, result: 'unchanged' });
      continue;
    }
    try {
      const bytes = await readReferencePhoto(files, ref, { path: photo, sha256: consent.referencePhotoSha256 });
      const analysis = await engine.analyse(bytes);
      if (analysis.faces.length !== 1) {
        outcomes.push(
          analysis.faces.length === 0
            ? fail(
                ref,
                'NO_FACE',
                `No face was found in the reference photo of ${ref} (${photo}).`,
                'Use a clear, front-facing photo of this person alone.',
              )
            : fail(
                ref,
                'SEVERAL_FACES',
                `${analysis.faces.length} faces were found in the reference photo of ${ref} (${photo}).`,
                'Use a photo of this person alone, or crop it to them.',
              ),
        );
        continue;
      }
      const sealed = await ctx.keyVault.encrypt(
        templateBinding({
          shootId,
          participantId: participant.id,
          modelDigest: model.digest,
          origin: 'reference-photo',
        }),
        embeddingToBytes(analysis.faces[0]!.embedding),
      );
      await ctx.store.transaction(async (uow) => {
        const now = ctx.clock.now();
        // Enrolment can take minutes: the shoot may have closed, or this consent lapsed, meanwhile.
        assertBiometricProcessingAllowed(await requireShoot(uow, shootId), 'enrolment', now);
        const latest = await uow.consents.current(participant.id);
        if (!latest || consentStatus(latest, now) !== 'eligible') {
          throw new SitterError(
            'CONSENT_NOT_VALID',
            `The biometric consent of ${ref} lapsed during enrolment: no template was kept.`,
            'Nothing to do: a withdrawn or expired consent is honoured.',
          );
        }
        // A newer reference photo replaces the template of the old one.
        for (const old of plan.templates.filter(
          (t) => t.participantId === participant.id && t.origin === 'reference-photo',
        )) {
          await uow.templates.deleteByOrigin(shootId, old.originRef);
        }
        await uow.templates.add({
          shootId,
          participantId: participant.id,
          embedding: sealed,
          modelDigest: model.digest,
          origin: 'reference-photo',
          originRef,
          createdAt: now,
        });
        await uow.audit.append(
          {
            actor: ctx.actor,
            action: 'enrol.template',
            shootId,
            subject: participantSubject(participant),
            details: { photoSha256: consent.referencePhotoSha256, model: model.id, modelDigest: model.digest },
          },
          now,
        );
      });
      outcomes.push({ participant: ref, result: 'enrolled' });
    } catch (error) {
      // A full disk is nobody's photo's fault: stop, so the same command can simply be run again.
      if (!isSitterError(error) || error.code === 'DISK_FULL') throw error;
      outcomes.push(fail(ref, error.code, error.message, error.hint));
    }
  }
  const count = (r: EnrolOutcome['result']) => outcomes.filter((o) => o.result === r).length;
  const summary: EnrolSummary = {
    shootId,
    model: model.id,
    outcomes,
    enrolled: count('enrolled'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    notEligible: count('not-eligible'),
  };
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      {
        actor: ctx.actor,
        action: 'enrol.finished',
        shootId,
        subject: `shoot:${shootId}`,
        details: {
          enrolled: summary.enrolled,
          unchanged: summary.unchanged,
          failed: outcomes
            .filter((o) => o.result === 'failed')
            .map((o) => pseudonymOfRef(plan.everyone, o.participant)),
          notEligible: summary.notEligible,
          modelDigest: model.digest,
        },
      },
      ctx.clock.now(),
    ),
  );
  if (summary.enrolled + summary.unchanged === 0 && plan.eligible.length > 0) {
    throw new SitterError(
      'ENROL_FAILED',
      `No participant of shoot "${shootId}" could be enrolled.`,
      "See each participant's error with --json, fix the reference photos, import the consent file again and re-run enrol.",
      { outcomes },
    );
  }
  return summary;
}

/** The shoot's templates a scan matches against: eligible participants only, this face model only (rule 3). */
import { participantPseudonym } from '../domain/pseudonym.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/audit.js';
import { bytesToEmbedding } from '../domain/embedding.js';
import { SitterError } from '../domain/errors.js';
import { type ParticipantTemplates } from '../domain/matching.js';
import { templateBinding } from '../domain/seal-binding.js';
import { type Shoot } from '../domain/shoot.js';
import { type ServiceContext } from './context.js';
import { biometricRoster } from './roster.js';

export interface Roster {
  hash: string;
  modelDigest: string;
  templates: ParticipantTemplates[];
  refs: Map<number, string>;
}

/** The shoot's templates of eligible participants, for this model only, decrypted in memory. */
export async function loadMatchingRoster(ctx: ServiceContext, shoot: Shoot, modelDigest: string): Promise<Roster> {
  return ctx.store.transaction(async (uow) => {
    const eligible = await biometricRoster(uow, shoot.id, ctx.clock.now());
    const byParticipant = new Map<number, ParticipantTemplates>();
    const refs = new Map<number, string>();
    // The chain and the roster hash see pseudonyms only (domain/pseudonym.ts).
    for (const e of eligible) refs.set(e.participant.id, participantPseudonym(e.participant));
    const templateIds: Record<string, number[]> = {};
    for (const t of await uow.templates.listByShoot(shoot.id)) {
      const ref = refs.get(t.participantId);
      if (!ref || t.modelDigest !== modelDigest) continue; // rule 3, and never compare across models
      const entry = byParticipant.get(t.participantId) ?? { participantId: t.participantId, embeddings: [] };
      // A blob moved from another row fails here, loudly: nobody is named on its strength.
      entry.embeddings.push(bytesToEmbedding(await ctx.keyVault.decrypt(templateBinding(t), t.embedding)));
      byParticipant.set(t.participantId, entry);
      (templateIds[ref] ??= []).push(t.id);
    }
    if (byParticipant.size === 0) {
      throw new SitterError(
        'NO_TEMPLATES',
        `Shoot "${shoot.id}" has no enrolled participant with valid biometric consent for this face model.`,
        `Run \`sitter enrol ${shoot.id}\` first.`,
      );
    }
    const hash = createHash('sha256')
      .update(canonicalJson({ modelDigest, templates: templateIds }))
      .digest('hex');
    return { hash, modelDigest, templates: [...byParticipant.values()], refs };
  });
}

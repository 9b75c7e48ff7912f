/**
 * How the audit chain refers to a participant: by the workspace's own numeric id (`#12`), never by
 * name or by the organisation's reference. The chain cannot be edited without breaking its hashes,
 * so it must not hold what erasure (GDPR Art. 17) has to remove; the participant row is the only link
 * from `#12` to a person, and erasure blanks that row (ids are never reused), so what the chain keeps
 * is no longer personal data once the person is erased.
 */
export function participantPseudonym(participant: { id: number }): string {
  return `#${participant.id}`;
}

export function participantSubject(participant: { id: number }): string {
  return `participant:${participantPseudonym(participant)}`;
}

/** What an erased participant's row says instead of a reference: its pseudonym, and nothing else. */
export const ERASED_REF_PREFIX = 'erased:';

export function isErased(participant: { externalRef: string }): boolean {
  return participant.externalRef.startsWith(ERASED_REF_PREFIX);
}

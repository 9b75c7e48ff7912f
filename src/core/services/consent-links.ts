import type { Decision, Face } from '../domain/records.js';
import { type ConsentLink, consentLinkOf } from '../domain/review.js';
import type { UnitOfWork } from '../ports/store.js';

/** The consent record version each confirmed face of a shoot was named under, by face id. */
export async function consentLinksOfShoot(
  uow: UnitOfWork,
  shootId: string,
  faces: readonly Pick<Face, 'id' | 'participantId' | 'state'>[],
): Promise<Map<number, ConsentLink>> {
  const byFace = new Map<number, Decision[]>();
  for (const d of await uow.decisions.listByShoot(shootId)) {
    const list = byFace.get(d.faceId);
    if (list) list.push(d);
    else byFace.set(d.faceId, [d]);
  }
  const links = new Map<number, ConsentLink>();
  for (const f of faces) {
    const link = consentLinkOf(f, byFace.get(f.id) ?? []);
    if (link) links.set(f.id, link);
  }
  return links;
}

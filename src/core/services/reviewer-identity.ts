import { SitterError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';

/**
 * Who a decision is recorded under (rule 5). In a team workspace it is the database role this
 * process logged in as: PostgreSQL authenticated it, so two-person confirmation means two people.
 * A different `--reviewer` is refused rather than ignored: a script that believes it records "bob"
 * must not silently record someone else, and nobody may decide under another reviewer's name. On
 * SQLite (one machine, no login) the reviewer is the name given.
 */
export async function reviewerIdentity(ctx: ServiceContext, given: string | undefined): Promise<string> {
  const name = given?.trim() ?? '';
  const role = await ctx.store.currentRole();
  if (role !== null) {
    if (name && name !== role)
      throw new SitterError(
        'REVIEWER_NOT_ROLE',
        `In this team workspace you decide as the database role "${role}" you connected as, not as "${name}".`,
        `Drop --reviewer (your role is recorded), or connect as "${name}" with their own login (PGUSER=${name} and their password in PGPASSWORD or ~/.pgpass).`,
        { role, given: name },
      );
    return role;
  }
  if (!name)
    throw new SitterError(
      'REVIEWER_REQUIRED',
      'Every decision needs the reviewer who made it.',
      'Pass --reviewer NAME.',
    );
  return name;
}

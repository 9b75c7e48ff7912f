import { SitterError } from '../domain/errors.js';
import { quoteIdent } from '../domain/sql-identifier.js';
import type { TeamDirectory, TeamMember } from '../ports/team.js';
import type { ServiceContext } from './context.js';

async function requireTeam(ctx: ServiceContext): Promise<TeamDirectory> {
  const team = await ctx.store.team();
  if (!team)
    throw new SitterError(
      'TEAM_WORKSPACE_REQUIRED',
      'This workspace is on SQLite, for one user on one machine: it has no reviewers to manage.',
      'Reviewers on several machines share a team workspace: sitter init --database postgres://USER@HOST/DB (docs/team.md).',
    );
  return team;
}

function requireRoleName(role: string): string {
  const name = role.trim();
  if (!name) throw new SitterError('ROLE_REQUIRED', 'Which database role?', 'Example: sitter team add-reviewer alice');
  return name;
}

export interface TeamChange {
  role: string;
  group: string;
  members: TeamMember[];
}

/**
 * Lets an existing login role review in this workspace (issue 15). The role and its password are
 * made by the database administrator (`CREATE ROLE alice LOGIN`, then `\password alice` in psql):
 * a password never passes through Sitter's command line, its shell history or its audit chain.
 */
export async function addReviewer(ctx: ServiceContext, roleName: string): Promise<TeamChange> {
  const team = await requireTeam(ctx);
  const role = requireRoleName(roleName);
  if (!(await team.roleExists(role)))
    throw new SitterError(
      'ROLE_NOT_FOUND',
      `The database server has no role "${role}".`,
      `Have the database administrator create it with its own password: in psql, CREATE ROLE ${quoteIdent(role)} LOGIN; then \\password ${quoteIdent(role)}. Then run this again.`,
    );
  await team.addReviewer(role);
  return recordTeamChange(ctx, team, role, 'team.reviewer-added');
}

/** Puts a change of the reviewer group on the audit chain, by the role that made it, and returns the group as it now is. */
async function recordTeamChange(
  ctx: ServiceContext,
  team: TeamDirectory,
  role: string,
  action: 'team.reviewer-added' | 'team.reviewer-removed',
): Promise<TeamChange> {
  await ctx.store.transaction((uow) =>
    uow.audit.append(
      { actor: ctx.actor, action, shootId: null, subject: `role:${role}`, details: { group: team.group } },
      ctx.clock.now(),
    ),
  );
  return { role, group: team.group, members: await team.list() };
}

/** Takes a role's access to this workspace away; its past decisions stay on the record under its name. */
export async function removeReviewer(ctx: ServiceContext, roleName: string): Promise<TeamChange> {
  const team = await requireTeam(ctx);
  const role = requireRoleName(roleName);
  const member = (await team.list()).find((m) => m.role === role && m.kind === 'reviewer');
  if (!member)
    throw new SitterError(
      'NOT_A_REVIEWER',
      `"${role}" is not a reviewer of this workspace.`,
      'See who is with `sitter team list`.',
    );
  await team.removeReviewer(role);
  return recordTeamChange(ctx, team, role, 'team.reviewer-removed');
}

export interface TeamList {
  group: string;
  /** the role this process is logged in as */
  you: string | null;
  members: TeamMember[];
}

export async function listTeam(ctx: ServiceContext): Promise<TeamList> {
  const team = await requireTeam(ctx);
  return { group: team.group, you: await ctx.store.currentRole(), members: await team.list() };
}

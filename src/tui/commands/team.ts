import type { Command } from 'commander';
import type { TeamMember } from '../../core/ports/team.js';
import { withWorkspace } from '../context.js';
import { safeText as one } from '../format/safe-text.js';
import { table } from '../format/table.js';
import { action } from '../runner.js';

function membersTable(members: readonly TeamMember[]): string {
  return table(
    ['ROLE', 'AS', 'LOGIN'],
    members.map((m) => [
      one(m.role),
      // an owner without CREATEROLE (e.g. `createuser` without --createrole) cannot add reviewers
      m.kind === 'reviewer'
        ? 'reviewer'
        : m.canAdminister
          ? 'owner (administers)'
          : 'owner (cannot add reviewers: no CREATEROLE)',
      m.canLogin ? 'yes' : 'no',
    ]),
  );
}

/**
 * `sitter team`: who reviews in a team workspace (PostgreSQL). Each reviewer logs in as their own
 * database role; these commands only let an existing role in or out. Passwords are set by the
 * database administrator, never given to Sitter (docs/team.md, "Reviewers").
 */
export function registerTeam(program: Command): void {
  const team = program
    .command('team')
    .description('reviewers of a team workspace: each one logs in as their own PostgreSQL role (docs/team.md)');

  team
    .command('add-reviewer')
    .description(
      "let an existing database role review here: grants it the reviewer group's privileges on Sitter's tables",
    )
    .argument('<role>', 'the PostgreSQL login role (made by the database administrator, with its own password)')
    .action(
      action(async ([role], _opts, globals) => {
        const { addReviewer } = await import('../../core/services/team-service.js');
        const r = await withWorkspace(globals, (ctx) => addReviewer(ctx, role ?? ''));
        return {
          json: r,
          text: `${one(r.role)} can now review in this workspace (member of ${one(r.group)}; on the audit record).\n${membersTable(r.members)}`,
        };
      }),
    );

  team
    .command('remove-reviewer')
    .description('take a role out of the reviewer group: its past decisions stay on the record under its name')
    .argument('<role>', 'the PostgreSQL role')
    .action(
      action(async ([role], _opts, globals) => {
        const { removeReviewer } = await import('../../core/services/team-service.js');
        const r = await withWorkspace(globals, (ctx) => removeReviewer(ctx, role ?? ''));
        return {
          json: r,
          text: `${one(r.role)} no longer reviews in this workspace (on the audit record).\n${membersTable(r.members)}`,
        };
      }),
    );

  team
    .command('list')
    .description('the owner and the reviewers of this team workspace, and the role you are logged in as')
    .action(
      action(async (_args, _opts, globals) => {
        const { listTeam } = await import('../../core/services/team-service.js');
        const r = await withWorkspace(globals, (ctx) => listTeam(ctx));
        return {
          json: r,
          text: `You are ${r.you === null ? '(no role)' : one(r.you)}. Reviewer group: ${one(r.group)}.\n${membersTable(r.members)}`,
        };
      }),
    );
}

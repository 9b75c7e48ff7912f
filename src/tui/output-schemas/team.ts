import { z } from 'zod';
import { bool, list, nullable, obj, str } from './common.js';

/** The schemas of `sitter team` (issue 15: reviewers of a team workspace). */
const member = obj({ role: str, kind: z.enum(['owner', 'reviewer']), canLogin: bool, canAdminister: bool });

export const teamSchemas = {
  'team-list': obj({ group: str, you: nullable(str), members: list(member) }),
  'team-change': obj({ role: str, group: str, members: list(member) }),
};

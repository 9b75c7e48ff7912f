/**
 * Who may work in a team workspace (PostgreSQL): each reviewer logs in as their own database role,
 * and the workspace's reviewer group gives a role the privileges a reviewer needs on Sitter's
 * tables. Passwords are never Sitter's business: the database administrator sets them.
 */
export interface TeamMember {
  role: string;
  /** `owner`: the database's owner (administers the workspace); `reviewer`: a member of the reviewer group */
  kind: 'owner' | 'reviewer';
  /** whether the role may log in at all (a role without LOGIN cannot decide anything) */
  canLogin: boolean;
  /** whether the role may create and grant roles (CREATEROLE or superuser): the owner needs it to add reviewers */
  canAdminister: boolean;
}

export interface TeamDirectory {
  /** the reviewer group's name (one per database: roles are shared by the whole server) */
  readonly group: string;
  /** whether a role of that name exists on the server */
  roleExists(role: string): Promise<boolean>;
  /** makes the role a member of the reviewer group; the group's privileges are brought up to date first */
  addReviewer(role: string): Promise<void>;
  /** takes the role out of the reviewer group: it keeps its login, not its access to this workspace */
  removeReviewer(role: string): Promise<void>;
  /** the owner and the reviewer group's members, by name */
  list(): Promise<TeamMember[]>;
}

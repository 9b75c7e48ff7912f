/** An identifier as SQL spells it (roles, the database, a schema cannot be bound parameters): in double quotes, inner ones doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

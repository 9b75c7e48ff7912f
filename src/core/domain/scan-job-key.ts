/**
 * The version of a listed asset a queued job is for: the source's change token when it has one, else
 * the content hash the listing gives, else the modification time and size. The same asset listed
 * again unchanged gets the same version, so queuing a shoot twice queues nothing twice; a changed
 * asset gets a new version, so it is queued again.
 */
export interface ListedVersionFacts {
  revision?: string | undefined;
  contentHash?: string | undefined;
  modifiedAt: Date;
  size?: number | undefined;
}

export function listedVersion(item: ListedVersionFacts): string {
  if (item.revision !== undefined) return `rev:${item.revision}`;
  if (item.contentHash !== undefined) return item.contentHash;
  return `mtime:${item.modifiedAt.toISOString()}:${item.size ?? '?'}`;
}

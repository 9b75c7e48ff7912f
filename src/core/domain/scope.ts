import { SitterError } from './errors.js';

/**
 * Rule 1 (scope): only assets that the shoot's connector listed for the shoot's source are processed.
 * The listing is the connector's answer for this shoot's source; anything else is refused, whatever
 * path or id a caller hands in.
 */
export function assertListedAsset(shootId: string, listedAssetIds: ReadonlySet<string>, assetId: string): void {
  if (!listedAssetIds.has(assetId)) {
    throw new SitterError(
      'ASSET_OUT_OF_SCOPE',
      `Asset "${assetId}" was not listed by the connector for shoot "${shootId}": it is outside the shoot's scope.`,
      'Only assets inside the shoot source can be processed. Move the file into the shoot source, or create a shoot for it.',
    );
  }
}

/** How a new shoot's source relates to another path: the same folder, inside it, or around it. */
export type SourceRelation = 'same' | 'inside' | 'around';

/** Splits an absolute POSIX path into its segments, ignoring empty and "." segments. */
function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * How `source` relates to `other` when both are absolute, already canonical (symlinks resolved)
 * paths; null when neither contains the other. Segment-wise, so /photos/a is not inside /photos/ab.
 */
export function sourceRelation(source: string, other: string): SourceRelation | null {
  const a = segments(source);
  const b = segments(other);
  const common = a.length <= b.length ? a : b;
  if (!common.every((s, i) => a[i] === s && b[i] === s)) return null;
  if (a.length === b.length) return 'same';
  return a.length > b.length ? 'inside' : 'around';
}

/**
 * The system's own trees: nothing at or beneath them is a photoshoot (`/proc/1`, `/etc/ssl`,
 * `/usr/share`, `/dev/shm` are as refused as the trees themselves).
 */
export const SYSTEM_TREES = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/run',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/snap',
  '/System',
  '/Library',
  '/private/etc',
  '/private/var/run',
  '/var/run',
  '/var/lock',
  '/var/log',
  '/var/cache',
  '/var/lib',
];

/**
 * Roots that are never a photoshoot themselves but legitimately hold photo folders beneath them
 * (`/home/ann/shoots/x`, `/mnt/card/DCIM`, `/srv/photos/gala`): refused only as they are.
 */
export const ROOT_FOLDERS = [
  '/',
  '/tmp',
  '/var',
  '/opt',
  '/srv',
  '/home',
  '/root',
  '/Users',
  '/Volumes',
  '/mnt',
  '/media',
  '/private',
  '/private/tmp',
  '/private/var',
];

/** The root, a system tree or anything beneath one, or a root that holds others' folders: never a shoot. */
export function isSystemFolder(source: string): boolean {
  return (
    ROOT_FOLDERS.includes(source) ||
    SYSTEM_TREES.some((tree) => {
      const relation = sourceRelation(source, tree);
      return relation === 'same' || relation === 'inside';
    })
  );
}

export interface OpenShootSource {
  id: string;
  connector: string;
  /** canonical (symlinks resolved) when it is a path */
  source: string;
}

export interface ScopeContext {
  /** the workspace folder, canonical: it holds biometric data and keys, never photos to scan */
  workspaceDir: string;
  /** the user's home folder, canonical: a whole home is not a shoot */
  homeDir: string | null;
  /** every open (draft or approved) shoot of the workspace */
  openShoots: OpenShootSource[];
}

/**
 * Rule 1 at creation: a new shoot's source may not be a system folder, a home folder itself, the
 * workspace (or a folder around it), or overlap another open shoot's source. Two open shoots over the
 * same photos would make a withdrawal recorded in one invisible to the other.
 */
export function assertSourceAllowed(shootId: string, connector: string, source: string, ctx: ScopeContext): void {
  const isPath = source.startsWith('/');
  if (isPath) {
    if (isSystemFolder(source) || (ctx.homeDir !== null && sourceRelation(source, ctx.homeDir) === 'same')) {
      throw new SitterError(
        'SOURCE_TOO_BROAD',
        `The source ${source} is a system folder, lies inside one, or is a root or home folder: not a photoshoot: shoot "${shootId}" is refused.`,
        "Pass --source with the folder that holds only this shoot's photos.",
      );
    }
    const toWorkspace = sourceRelation(source, ctx.workspaceDir);
    if (toWorkspace === 'same' || toWorkspace === 'inside' || toWorkspace === 'around') {
      throw new SitterError(
        'SOURCE_IS_WORKSPACE',
        `The source ${source} ${toWorkspace === 'around' ? 'contains' : 'is inside'} the Sitter workspace ${ctx.workspaceDir}: shoot "${shootId}" is refused.`,
        'The workspace holds the biometric data and keys; keep the photos in a folder of their own, outside it, and pass that folder with --source.',
      );
    }
  }
  for (const other of ctx.openShoots) {
    // Folders overlap whatever connector reads them (the same photos); ids only within one connector.
    const relation =
      isPath && other.source.startsWith('/')
        ? sourceRelation(source, other.source)
        : other.connector === connector && source === other.source
          ? 'same'
          : null;
    if (!relation) continue;
    const how = relation === 'same' ? 'is the same as' : relation === 'inside' ? 'is inside' : 'contains';
    throw new SitterError(
      'SOURCE_OVERLAPS',
      `The source ${source} ${how} the source ${other.source} of the open shoot "${other.id}": shoot ` +
        `"${shootId}" is refused, since a withdrawal recorded in one shoot would be invisible to the other.`,
      `Give each shoot its own folder, or close the other shoot first (sitter shoot close ${other.id} --yes).`,
      { overlapsShoot: other.id, relation },
    );
  }
}

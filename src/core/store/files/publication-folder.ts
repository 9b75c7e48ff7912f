/**
 * The folder of publication copies (the `PublicationFolder` port): prepared like a subject export's
 * (`prepareExportFolder`: 0700, a non-empty folder refused without --force), each file written owner-only
 * through `writePrivateFile`, subfolders (a source's own) made 0700 inside it.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { PublicationFolder } from '../../ports/publication.js';
import { linkRefused, pathKind, writePrivateFile } from './private-file.js';

export class PublicationFolderOnDisk implements PublicationFolder {
  constructor(
    private readonly dir: string,
    private readonly force: boolean,
  ) {}

  /** The file's path, refused if it would leave the folder or pass through a link. */
  private async pathOf(name: string): Promise<string> {
    const path = resolve(this.dir, name);
    const rel = relative(this.dir, path);
    if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..'))
      throw new Error(`copy name ${JSON.stringify(name)} leaves the folder`);
    let folder = this.dir;
    for (const segment of rel.split(sep).slice(0, -1)) {
      folder = join(folder, segment);
      const kind = await pathKind(folder);
      if (kind === 'link') throw linkRefused(folder, 'folder');
      if (kind === 'none') await mkdir(folder, { mode: 0o700 });
    }
    return path;
  }

  async write(name: string, bytes: Uint8Array | string): Promise<string> {
    const path = await this.pathOf(name);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writePrivateFile(path, bytes, { force: this.force, forceFlag: '--force' });
    return createHash('sha256').update(bytes).digest('hex');
  }

  async remove(names: readonly string[]): Promise<void> {
    for (const name of names) await rm(resolve(this.dir, name), { force: true });
  }
}

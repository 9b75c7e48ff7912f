import { requireShoot } from '../../core/services/context.js';
import type { PublishResult } from '../../core/services/publish-service.js';
import type { Session } from '../session.js';
import { withShootConnector } from './shoot-connector.js';

export interface PublishRequest {
  /** one publication scope, normalised (`normaliseScope`) */
  scope: string;
  /** the output folder, absolute */
  dir: string;
  /** write into a folder that is not empty */
  force: boolean;
  /** only this asset (its connector id), or every asset */
  asset: string | null;
}

/**
 * `sitter publish`: copies of the shoot's photos for one scope, every face its consent does not cover
 * masked. The bytes come through the shoot's own connector; the masker (sharp) and the folder are
 * the file adapters. The folder is prepared only once the shoot is known.
 */
export async function publish(session: Session, shootId: string, request: PublishRequest): Promise<PublishResult> {
  const [{ publishShoot }, { prepareExportFolder }, { PublicationFolderOnDisk }, { SharpFaceMasker }] =
    await Promise.all([
      import('../../core/services/publish-service.js'),
      import('../../core/store/files/export-folder.js'),
      import('../../core/store/files/publication-folder.js'),
      import('../../core/engine/face-masker.js'),
    ]);
  return withShootConnector(session, shootId, async (connector, id) => {
    const shoot = await session.ctx.store.transaction((uow) => requireShoot(uow, id));
    await prepareExportFolder(request.dir, request.force, [session.ws.paths.dir, shoot.source]);
    return publishShoot(
      session.ctx,
      {
        connector,
        masker: new SharpFaceMasker(),
        folder: new PublicationFolderOnDisk(request.dir, request.force),
        folderPath: request.dir,
      },
      id,
      request.scope,
      request.asset,
    );
  });
}

import type { Connector } from '../../core/ports/connector.js';
import { requireShoot } from '../../core/services/context.js';
import type { Session } from '../session.js';

/**
 * Runs work that must reach the shoot's DAM with the shoot's own connector (made from its stored
 * options), closed afterwards. A shoot that does not exist is refused before any connector is made.
 */
export async function withShootConnector<T>(
  session: Session,
  shootId: string,
  run: (connector: Connector, shootId: string) => Promise<T>,
): Promise<T> {
  const shoot = await session.ctx.store.transaction((uow) => requireShoot(uow, shootId));
  const connector = await session.connectors.forShoot(shoot);
  let result: T;
  try {
    result = await run(connector, shoot.id);
  } catch (error) {
    // The work's own error is what the user must see, not a failure to close afterwards.
    await connector.close?.().catch(() => undefined);
    throw error;
  }
  await connector.close?.();
  return result;
}

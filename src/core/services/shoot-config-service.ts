import { SitterError } from '../domain/errors.js';
import { assertOpen, type Shoot } from '../domain/shoot.js';
import type { UnitOfWork } from '../ports/store.js';
import { type ServiceContext, requireShoot } from './context.js';

/**
 * Checks a shoot's next connector options: the connector's own schema, which the core does not
 * know (the caller passes the connector layer's check). Returns what may be stored; secrets appear
 * only as `secret:NAME` references, so the row and the audit entry never hold a secret's value.
 */
export type OptionsCheck = (shoot: Shoot) => Record<string, unknown>;

export interface ConfigureResult {
  shoot: Shoot;
  before: Record<string, unknown>;
  /** the keys whose value changed, was added or was removed */
  changed: string[];
}

function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/**
 * An option that decides where the connector writes cannot change while the push record names a place:
 * a later clear, withdrawal or erasure would look only in the new place, and the old one would keep
 * the names while Sitter reported them gone.
 */
async function assertPlacementFree(
  uow: UnitOfWork,
  shoot: Shoot,
  changed: readonly string[],
  placement: readonly string[],
): Promise<void> {
  const fixed = changed.filter((k) => placement.includes(k));
  if (fixed.length === 0) return;
  const open = await uow.pushRecords.openByShoot(shoot.id);
  if (open.length === 0) return;
  const places = new Set(open.map((r) => r.location)).size;
  throw new SitterError(
    'OPTION_FIXED_ONCE_PUSHED',
    `Shoot "${shoot.id}": ${fixed.join(', ')} decides where the connector "${shoot.connector}" writes, and Sitter's push record still names ${places} place(s) written the current way; changing it would leave those names where no clear, withdrawal or erasure looks.`,
    `Clear what Sitter wrote first (withdraw the people concerned, or remove the names and push again so no place names anyone), or create a new shoot with the other setting.`,
    { shoot: shoot.id, options: fixed, places },
  );
}

/**
 * Changes the connector options of a draft or approved shoot (a closed one is read-only), in one unit
 * of work with its `shoot.configured` audit entry, which lists the options before and after. An
 * unchanged configuration writes nothing.
 */
export async function configureShoot(
  ctx: ServiceContext,
  shootId: string,
  nextOptions: OptionsCheck,
  /** the connector's options that decide where it writes (`ConnectorOptionsSpec.placement`) */
  placementOf: (connector: string) => readonly string[] = () => [],
): Promise<ConfigureResult> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'changing its connector options');
    const before = shoot.connectorOptions;
    const after = nextOptions(shoot);
    const changed = changedKeys(before, after);
    if (changed.length === 0) return { shoot, before, changed };
    await assertPlacementFree(uow, shoot, changed, placementOf(shoot.connector));
    shoot.connectorOptions = after;
    const now = ctx.clock.now();
    await uow.audit.append(
      {
        actor: ctx.actor,
        action: 'shoot.configured',
        shootId: shoot.id,
        subject: `shoot:${shoot.id}`,
        details: { connector: shoot.connector, before, after, changed },
      },
      now,
    );
    return { shoot, before, changed };
  });
}

import { assertOpen, type Shoot } from '../domain/shoot.js';
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
 * Changes the connector options of a draft or approved shoot (a closed one is read-only), in one unit
 * of work with its `shoot.configured` audit entry, which lists the options before and after. An
 * unchanged configuration writes nothing.
 */
export async function configureShoot(
  ctx: ServiceContext,
  shootId: string,
  nextOptions: OptionsCheck,
): Promise<ConfigureResult> {
  return ctx.store.transaction(async (uow) => {
    const shoot = await requireShoot(uow, shootId);
    assertOpen(shoot, 'changing its connector options');
    const before = shoot.connectorOptions;
    const after = nextOptions(shoot);
    const changed = changedKeys(before, after);
    if (changed.length === 0) return { shoot, before, changed };
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

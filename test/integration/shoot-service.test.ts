import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/domain/audit.js';
import { approveShoot, closeShoot, createShoot, listShoots } from '../../src/core/services/shoot-service.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

const base = {
  id: 'spring-26',
  name: 'Spring campaign',
  purpose: 'Link models to releases',
  source: '/photos/spring',
  retentionDays: 90,
  connector: 'local',
  reviewersRequired: 1,
  from: '2026-05-30',
  to: '2026-06-01',
  utcOffset: '+00:00',
};

describe('shoot lifecycle on a real SQLite workspace', () => {
  let t: TestWorkspace;
  beforeEach(async () => {
    t = await makeWorkspace();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('creates a draft shoot and records it on the audit chain', async () => {
    const shoot = await createShoot(t.ctx, base);
    expect(shoot.status).toBe('draft');
    const [summary] = await listShoots(t.ctx);
    expect(summary?.shoot).toMatchObject({ id: 'spring-26', status: 'draft', retentionDays: 90, dpiaRef: null });
    const entries = await t.ws.store.transaction((uow) => uow.audit.all());
    expect(entries.map((e) => e.action)).toEqual(['shoot.created']);
    expect(verifyChain(entries).ok).toBe(true);
  });

  it('refuses a shoot without purpose or with a bad retention, and writes nothing', async () => {
    await expect(createShoot(t.ctx, { ...base, purpose: '  ' })).rejects.toMatchObject({ code: 'SHOOT_INVALID' });
    await expect(createShoot(t.ctx, { ...base, retentionDays: 0 })).rejects.toMatchObject({ code: 'SHOOT_INVALID' });
    await expect(createShoot(t.ctx, { ...base, retentionDays: 1.5 })).rejects.toMatchObject({ code: 'SHOOT_INVALID' });
    expect(await listShoots(t.ctx)).toEqual([]);
    expect(await t.ws.store.transaction((uow) => uow.audit.all())).toEqual([]);
  });

  it('refuses a duplicate id and leaves the first shoot as it was', async () => {
    await createShoot(t.ctx, base);
    await expect(createShoot(t.ctx, { ...base, name: 'Other' })).rejects.toMatchObject({ code: 'SHOOT_EXISTS' });
    const [summary] = await listShoots(t.ctx);
    expect(summary?.shoot.name).toBe('Spring campaign');
  });

  it('approval records DPIA, approver and time once', async () => {
    await createShoot(t.ctx, base);
    const { shoot } = await approveShoot(t.ctx, 'spring-26', 'DPIA-7', 'Dana Officer');
    expect(shoot).toMatchObject({ status: 'approved', dpiaRef: 'DPIA-7', approvedBy: 'Dana Officer' });
    expect(shoot.approvedAt?.toISOString()).toBe('2026-06-01T10:00:00.000Z');
    await expect(approveShoot(t.ctx, 'spring-26', 'DPIA-8', 'X')).rejects.toMatchObject({
      code: 'SHOOT_ALREADY_APPROVED',
    });
    await expect(approveShoot(t.ctx, 'nope', 'DPIA-8', 'X')).rejects.toMatchObject({ code: 'SHOOT_NOT_FOUND' });
  });

  it('closing refuses any further approval and is audited', async () => {
    await createShoot(t.ctx, base);
    const closed = await closeShoot(t.ctx, 'spring-26');
    expect(closed.shoot.status).toBe('closed');
    await expect(approveShoot(t.ctx, 'spring-26', 'DPIA-7', 'Dana')).rejects.toMatchObject({ code: 'SHOOT_CLOSED' });
    const actions = (await t.ws.store.transaction((uow) => uow.audit.all())).map((e) => e.action);
    expect(actions).toEqual(['shoot.created', 'shoot.closed', 'shoot.key-destroyed']);
  });
});

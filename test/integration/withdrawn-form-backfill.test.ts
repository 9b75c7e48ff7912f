import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { formDigest } from '../../src/core/domain/consent.js';
import { withdrawConsent } from '../../src/core/services/withdraw-service.js';
import { openWorkspace } from '../../src/core/store/workspace.js';
import { createLocalConnector } from '../../src/connectors/local/index.js';
import { wrapConnector } from '../../src/connectors/wrap-connector.js';
import { withRawDb } from '../helpers/raw-db.js';
import { seedApprovedShoot } from '../helpers/seed.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';

let t: TestWorkspace;
afterAll(() => t.cleanup());

/** Issue 9, rule 6: a workspace whose withdrawals predate `withdrawn_form` remembers their forms once migrated. */
it('the migration backfills the withdrawn forms from the withdrawals already recorded', async () => {
  t = await makeWorkspace();
  await seedApprovedShoot(t, 's', [
    { id: 'P1', name: 'Ada Leaving', consent: 'yes' },
    { id: 'P2', name: 'Ben Staying', consent: 'yes' },
  ]);
  await withdrawConsent(t.ctx, wrapConnector(createLocalConnector({})), 's', 'P1');
  const form = (await t.ctx.store.transaction(async (uow) =>
    uow.consents.current((await uow.participants.findByExternalRef('s', 'P1'))!.id),
  ))!.formSha256;
  await t.ws.close();

  // The workspace as it was before the migration: no table, the migration not applied.
  const db = join(t.root, 'sitter.db');
  await withRawDb(db, async (sql) => {
    await sql('drop table withdrawn_form');
    await sql("delete from mikro_orm_migrations where name like 'Migration20261128173810%'");
  });
  await (await openWorkspace(t.root)).close();
  const rows = await withRawDb(db, (sql) => sql('select shoot_id, form_digest from withdrawn_form'));
  expect(rows).toEqual([{ shoot_id: 's', form_digest: formDigest(form) }]);
  expect(JSON.stringify(rows)).not.toContain(form);
});

import { Migration } from '@mikro-orm/migrations';
import { formDigest } from '../../domain/consent.js';

/** The withdrawn signed forms of each shoot (rule 6), backfilled from the withdrawals already recorded. */
export class Migration20261128173810 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`withdrawn_form\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`form_digest\` text not null, \`withdrawn_at\` datetime not null);`,
    );
    this.addSql(
      `create unique index \`withdrawn_form_shoot_id_form_digest_unique\` on \`withdrawn_form\` (\`shoot_id\`, \`form_digest\`);`,
    );
    // Every version that recorded a withdrawal in effect; the earliest date per form is kept.
    const rows = await this.execute(
      'select p.shoot_id as shoot_id, c.form_sha256 as form_sha256, c.withdrawn_at as withdrawn_at from consent_record c join participant p on p.id = c.participant_id where c.withdrawn_at is not null order by c.withdrawn_at asc',
    );
    const seen = new Set<string>();
    for (const row of rows as { shoot_id: string; form_sha256: string; withdrawn_at: number | string }[]) {
      if (new Date(row.withdrawn_at).getTime() > Date.now()) continue;
      const digest = formDigest(row.form_sha256);
      if (seen.has(`${row.shoot_id}\n${digest}`)) continue;
      seen.add(`${row.shoot_id}\n${digest}`);
      this.addSql(
        this.getKnex()
          .insert({ shoot_id: row.shoot_id, form_digest: digest, withdrawn_at: row.withdrawn_at })
          .into('withdrawn_form')
          .toString(),
      );
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261128200937 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`erasure\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`participant_id\` integer not null, \`ref_digest\` text not null, \`pending_since\` datetime null, \`receipt_seq\` integer null);`,
    );
    this.addSql(`create index \`erasure_shoot_id_ref_digest_index\` on \`erasure\` (\`shoot_id\`, \`ref_digest\`);`);
  }
}

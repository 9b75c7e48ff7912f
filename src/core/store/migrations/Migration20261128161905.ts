import { Migration } from '@mikro-orm/migrations';

export class Migration20261128161905 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`push_record\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`asset_id\` integer not null, \`connector_asset_id\` text not null, \`participant_id\` integer not null, \`consent_uri\` text not null, \`location\` text not null, \`content_sha256\` text not null, \`pushed_at\` datetime not null, \`cleared_at\` datetime null);`,
    );
    this.addSql(`create index \`push_record_shoot_id_index\` on \`push_record\` (\`shoot_id\`);`);
    this.addSql(`create index \`push_record_asset_id_index\` on \`push_record\` (\`asset_id\`);`);
    this.addSql(`create index \`push_record_participant_id_index\` on \`push_record\` (\`participant_id\`);`);
  }
}

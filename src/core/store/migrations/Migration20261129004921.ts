import { Migration } from '@mikro-orm/migrations';

export class Migration20261129004921 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`scan_job\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`connector_asset_id\` text not null, \`version\` text not null, \`queued_at\` datetime not null, \`outcome\` text null, \`error\` text null, \`worker\` text null, \`settled_at\` datetime null);`,
    );
    this.addSql(`create index \`scan_job_shoot_id_index\` on \`scan_job\` (\`shoot_id\`);`);
    this.addSql(
      `create unique index \`scan_job_shoot_id_connector_asset_id_version_unique\` on \`scan_job\` (\`shoot_id\`, \`connector_asset_id\`, \`version\`);`,
    );
  }
}

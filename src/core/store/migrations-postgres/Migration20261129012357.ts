import { Migration } from '@mikro-orm/migrations';

export class Migration20261129012357 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "scan_job" ("id" serial primary key, "shoot_id" varchar(255) not null, "connector_asset_id" text not null, "version" text not null, "queued_at" timestamptz not null, "outcome" varchar(255) null, "error" text null, "worker" varchar(255) null, "settled_at" timestamptz null);`,
    );
    this.addSql(`create index "scan_job_shoot_id_index" on "scan_job" ("shoot_id");`);
    this.addSql(
      `alter table "scan_job" add constraint "scan_job_shoot_id_connector_asset_id_version_unique" unique ("shoot_id", "connector_asset_id", "version");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "scan_job" cascade;`);
  }
}

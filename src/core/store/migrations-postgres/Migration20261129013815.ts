import { Migration } from '@mikro-orm/migrations';

export class Migration20261129013815 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "face" add column "quality_band" text null;`);
  }
}

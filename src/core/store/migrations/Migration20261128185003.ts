import { Migration } from '@mikro-orm/migrations';

export class Migration20261128185003 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`asset\` add column \`orientation\` integer null;`);
  }
}

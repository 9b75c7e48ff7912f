import { Migration } from '@mikro-orm/migrations';

export class Migration20261128161843 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`shoot\` add column \`shoot_from\` text null;`);
    this.addSql(`alter table \`shoot\` add column \`shoot_to\` text null;`);
    this.addSql(`alter table \`shoot\` add column \`utc_offset\` text null;`);
  }
}

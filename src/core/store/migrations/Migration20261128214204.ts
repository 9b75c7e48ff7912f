import { Migration } from '@mikro-orm/migrations';

export class Migration20261128214204 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`asset\` add column \`source_revision\` text null;`);
    this.addSql(`alter table \`asset\` add column \`rendition\` text null;`);

    this.addSql(`alter table \`push_record\` add column \`state\` text not null default 'written';`);
  }
}

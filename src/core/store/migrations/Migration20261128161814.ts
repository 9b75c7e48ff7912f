import { Migration } from '@mikro-orm/migrations';

export class Migration20261128161814 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`decision\` add column \`consent_record_id\` integer null;`);
    this.addSql(`alter table \`decision\` add column \`consent_form_sha256\` text null;`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261128214150 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`consent_form_setup\` (\`shoot_id\` text not null, \`scopes\` json not null, \`updated_at\` datetime not null, primary key (\`shoot_id\`));`,
    );

    this.addSql(
      `create table \`workspace_setting\` (\`key\` text not null, \`value\` text not null, \`updated_at\` datetime not null, primary key (\`key\`));`,
    );

    this.addSql(`alter table \`consent_record\` add column \`signed_scan\` json null;`);
  }
}

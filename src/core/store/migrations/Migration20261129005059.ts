import { Migration } from '@mikro-orm/migrations';

export class Migration20261129005059 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`shoot_key\` (\`shoot_id\` text not null, \`wrapped\` blob null, \`created_at\` datetime not null, \`destroyed_at\` datetime null, primary key (\`shoot_id\`));`,
    );

    this.addSql(
      `create table \`workspace_identity\` (\`id\` text not null, \`key_check\` text not null, \`created_at\` datetime not null, \`created_by\` text not null, primary key (\`id\`));`,
    );
  }
}

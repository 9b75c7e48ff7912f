import { Migration } from '@mikro-orm/migrations';

export class Migration20261127121141 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`asset\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`connector_asset_id\` text not null, \`file_name\` text not null, \`content_sha256\` text null, \`size\` integer null, \`width\` integer null, \`height\` integer null, \`scan_state\` text not null, \`error\` text null, \`flags\` json not null, \`scanned_at\` datetime null);`,
    );
    this.addSql(`create index \`asset_shoot_id_index\` on \`asset\` (\`shoot_id\`);`);
    this.addSql(
      `create unique index \`asset_shoot_id_connector_asset_id_unique\` on \`asset\` (\`shoot_id\`, \`connector_asset_id\`);`,
    );

    this.addSql(
      `create table \`audit_event\` (\`seq\` integer not null, \`at\` datetime not null, \`actor\` text not null, \`action\` text not null, \`shoot_id\` text null, \`subject\` text null, \`details\` text not null, \`prev_hash\` text not null, \`hash\` text not null, primary key (\`seq\`));`,
    );

    this.addSql(
      `create table \`consent_record\` (\`id\` integer not null primary key autoincrement, \`participant_id\` integer not null, \`biometric_consent\` integer not null, \`publication_scopes\` json not null, \`signed_at\` datetime null, \`expires_at\` datetime null, \`withdrawn_at\` datetime null, \`form_ref\` text not null, \`form_sha256\` text not null, \`reference_photo\` text null, \`reference_photo_sha256\` text null, \`imported_from\` text not null, \`imported_file_sha256\` text not null, \`imported_at\` datetime not null);`,
    );
    this.addSql(`create index \`consent_record_participant_id_index\` on \`consent_record\` (\`participant_id\`);`);

    this.addSql(
      `create table \`decision\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`face_id\` integer not null, \`reviewer\` text not null, \`action\` text not null, \`participant_id\` integer null, \`at\` datetime not null, \`undone_at\` datetime null, \`previous_state\` text not null, \`previous_participant_id\` integer null);`,
    );
    this.addSql(`create index \`decision_shoot_id_index\` on \`decision\` (\`shoot_id\`);`);
    this.addSql(`create index \`decision_face_id_index\` on \`decision\` (\`face_id\`);`);

    this.addSql(
      `create table \`face\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`asset_id\` integer not null, \`x\` double not null, \`y\` double not null, \`w\` double not null, \`h\` double not null, \`detector_score\` double not null, \`state\` text not null, \`participant_id\` integer null, \`score\` double null, \`margin\` double null, \`reason\` text null, \`embedding\` blob null, \`model_digest\` text null, \`created_at\` datetime not null);`,
    );
    this.addSql(`create index \`face_shoot_id_index\` on \`face\` (\`shoot_id\`);`);
    this.addSql(`create index \`face_asset_id_index\` on \`face\` (\`asset_id\`);`);

    this.addSql(
      `create table \`participant\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`external_ref\` text not null, \`display_name\` text not null, \`minor\` integer not null, \`guardian\` text null, \`created_at\` datetime not null);`,
    );
    this.addSql(`create index \`participant_shoot_id_index\` on \`participant\` (\`shoot_id\`);`);
    this.addSql(
      `create unique index \`participant_shoot_id_external_ref_unique\` on \`participant\` (\`shoot_id\`, \`external_ref\`);`,
    );

    this.addSql(
      `create table \`rejection\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`asset_id\` integer not null, \`participant_id\` integer not null, \`x\` double not null, \`y\` double not null, \`w\` double not null, \`h\` double not null, \`decision_id\` integer not null, \`created_at\` datetime not null);`,
    );
    this.addSql(`create index \`rejection_shoot_id_index\` on \`rejection\` (\`shoot_id\`);`);
    this.addSql(`create index \`rejection_asset_id_index\` on \`rejection\` (\`asset_id\`);`);
    this.addSql(`create index \`rejection_decision_id_index\` on \`rejection\` (\`decision_id\`);`);

    this.addSql(
      `create table \`shoot\` (\`id\` text not null, \`name\` text not null, \`purpose\` text not null, \`connector\` text not null, \`connector_options\` json not null, \`source\` text not null, \`retention_days\` integer not null, \`reviewers_required\` integer not null, \`status\` text not null, \`dpia_ref\` text null, \`approved_by\` text null, \`approved_at\` datetime null, \`match_threshold\` double null, \`match_margin\` double null, \`created_at\` datetime not null, \`closed_at\` datetime null, primary key (\`id\`));`,
    );

    this.addSql(
      `create table \`template\` (\`id\` integer not null primary key autoincrement, \`shoot_id\` text not null, \`participant_id\` integer not null, \`embedding\` blob not null, \`model_digest\` text not null, \`origin\` text not null, \`origin_ref\` text not null, \`created_at\` datetime not null);`,
    );
    this.addSql(`create index \`template_shoot_id_index\` on \`template\` (\`shoot_id\`);`);
    this.addSql(`create index \`template_participant_id_index\` on \`template\` (\`participant_id\`);`);
  }
}

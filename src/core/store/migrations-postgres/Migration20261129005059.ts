import { Migration } from '@mikro-orm/migrations';

export class Migration20261129005059 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "asset" ("id" serial primary key, "shoot_id" varchar(255) not null, "connector_asset_id" text not null, "file_name" text not null, "content_sha256" varchar(255) null, "size" int null, "width" int null, "height" int null, "orientation" int null, "source_revision" text null, "rendition" varchar(255) null, "scan_state" varchar(255) not null, "error" text null, "flags" jsonb not null, "scanned_at" timestamptz null);`,
    );
    this.addSql(`create index "asset_shoot_id_index" on "asset" ("shoot_id");`);
    this.addSql(
      `alter table "asset" add constraint "asset_shoot_id_connector_asset_id_unique" unique ("shoot_id", "connector_asset_id");`,
    );

    this.addSql(
      `create table "audit_event" ("seq" int not null, "at" timestamptz not null, "actor" varchar(255) not null, "action" varchar(255) not null, "shoot_id" varchar(255) null, "subject" text null, "details" text not null, "prev_hash" varchar(255) not null, "hash" varchar(255) not null, constraint "audit_event_pkey" primary key ("seq"));`,
    );

    this.addSql(
      `create table "consent_form_setup" ("shoot_id" varchar(255) not null, "scopes" jsonb not null, "updated_at" timestamptz not null, constraint "consent_form_setup_pkey" primary key ("shoot_id"));`,
    );

    this.addSql(
      `create table "consent_record" ("id" serial primary key, "participant_id" int not null, "biometric_consent" boolean not null, "publication_scopes" jsonb not null, "signed_at" timestamptz null, "expires_at" timestamptz null, "withdrawn_at" timestamptz null, "form_ref" text not null, "form_sha256" varchar(255) not null, "reference_photo" text null, "reference_photo_sha256" varchar(255) null, "imported_from" text not null, "imported_file_sha256" varchar(255) not null, "imported_at" timestamptz not null, "signed_scan" jsonb null);`,
    );
    this.addSql(`create index "consent_record_participant_id_index" on "consent_record" ("participant_id");`);

    this.addSql(
      `create table "decision" ("id" serial primary key, "shoot_id" varchar(255) not null, "face_id" int not null, "reviewer" varchar(255) not null, "action" varchar(255) not null, "participant_id" int null, "at" timestamptz not null, "undone_at" timestamptz null, "previous_state" varchar(255) not null, "previous_participant_id" int null, "consent_record_id" int null, "consent_form_sha256" varchar(255) null);`,
    );
    this.addSql(`create index "decision_shoot_id_index" on "decision" ("shoot_id");`);
    this.addSql(`create index "decision_face_id_index" on "decision" ("face_id");`);

    this.addSql(
      `create table "erasure" ("id" serial primary key, "shoot_id" varchar(255) not null, "participant_id" int not null, "ref_digest" varchar(255) not null, "pending_since" timestamptz null, "receipt_seq" int null);`,
    );
    this.addSql(`create index "erasure_shoot_id_ref_digest_index" on "erasure" ("shoot_id", "ref_digest");`);

    this.addSql(
      `create table "face" ("id" serial primary key, "shoot_id" varchar(255) not null, "asset_id" int not null, "x" double precision not null, "y" double precision not null, "w" double precision not null, "h" double precision not null, "detector_score" double precision not null, "state" varchar(255) not null, "participant_id" int null, "score" double precision null, "margin" double precision null, "reason" varchar(255) null, "embedding" bytea null, "model_digest" varchar(255) null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "face_shoot_id_index" on "face" ("shoot_id");`);
    this.addSql(`create index "face_asset_id_index" on "face" ("asset_id");`);

    this.addSql(
      `create table "participant" ("id" serial primary key, "shoot_id" varchar(255) not null, "external_ref" varchar(255) not null, "display_name" varchar(255) not null, "minor" boolean not null, "guardian" varchar(255) null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "participant_shoot_id_index" on "participant" ("shoot_id");`);
    this.addSql(
      `alter table "participant" add constraint "participant_shoot_id_external_ref_unique" unique ("shoot_id", "external_ref");`,
    );

    this.addSql(
      `create table "push_record" ("id" serial primary key, "shoot_id" varchar(255) not null, "asset_id" int not null, "connector_asset_id" text not null, "participant_id" int not null, "consent_uri" text not null, "location" text not null, "content_sha256" varchar(255) not null, "state" varchar(255) not null default 'written', "pushed_at" timestamptz not null, "cleared_at" timestamptz null);`,
    );
    this.addSql(`create index "push_record_shoot_id_index" on "push_record" ("shoot_id");`);
    this.addSql(`create index "push_record_asset_id_index" on "push_record" ("asset_id");`);
    this.addSql(`create index "push_record_participant_id_index" on "push_record" ("participant_id");`);

    this.addSql(
      `create table "rejection" ("id" serial primary key, "shoot_id" varchar(255) not null, "asset_id" int not null, "participant_id" int not null, "x" double precision not null, "y" double precision not null, "w" double precision not null, "h" double precision not null, "decision_id" int not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "rejection_shoot_id_index" on "rejection" ("shoot_id");`);
    this.addSql(`create index "rejection_asset_id_index" on "rejection" ("asset_id");`);
    this.addSql(`create index "rejection_decision_id_index" on "rejection" ("decision_id");`);

    this.addSql(
      `create table "shoot" ("id" varchar(255) not null, "name" varchar(255) not null, "purpose" text not null, "connector" varchar(255) not null, "connector_options" jsonb not null, "source" text not null, "retention_days" int not null, "reviewers_required" int not null, "shoot_from" varchar(255) null, "shoot_to" varchar(255) null, "utc_offset" varchar(255) null, "status" varchar(255) not null, "dpia_ref" varchar(255) null, "approved_by" varchar(255) null, "approved_at" timestamptz null, "match_threshold" double precision null, "match_margin" double precision null, "created_at" timestamptz not null, "closed_at" timestamptz null, constraint "shoot_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "shoot_key" ("shoot_id" varchar(255) not null, "wrapped" bytea null, "created_at" timestamptz not null, "destroyed_at" timestamptz null, constraint "shoot_key_pkey" primary key ("shoot_id"));`,
    );

    this.addSql(
      `create table "template" ("id" serial primary key, "shoot_id" varchar(255) not null, "participant_id" int not null, "embedding" bytea not null, "model_digest" varchar(255) not null, "origin" varchar(255) not null, "origin_ref" varchar(255) not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "template_shoot_id_index" on "template" ("shoot_id");`);
    this.addSql(`create index "template_participant_id_index" on "template" ("participant_id");`);

    this.addSql(
      `create table "withdrawn_form" ("id" serial primary key, "shoot_id" varchar(255) not null, "form_digest" varchar(255) not null, "withdrawn_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "withdrawn_form" add constraint "withdrawn_form_shoot_id_form_digest_unique" unique ("shoot_id", "form_digest");`,
    );

    this.addSql(
      `create table "workspace_identity" ("id" varchar(255) not null, "key_check" varchar(255) not null, "created_at" timestamptz not null, "created_by" varchar(255) not null, constraint "workspace_identity_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "workspace_setting" ("key" varchar(255) not null, "value" text not null, "updated_at" timestamptz not null, constraint "workspace_setting_pkey" primary key ("key"));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "asset" cascade;`);

    this.addSql(`drop table if exists "audit_event" cascade;`);

    this.addSql(`drop table if exists "consent_form_setup" cascade;`);

    this.addSql(`drop table if exists "consent_record" cascade;`);

    this.addSql(`drop table if exists "decision" cascade;`);

    this.addSql(`drop table if exists "erasure" cascade;`);

    this.addSql(`drop table if exists "face" cascade;`);

    this.addSql(`drop table if exists "participant" cascade;`);

    this.addSql(`drop table if exists "push_record" cascade;`);

    this.addSql(`drop table if exists "rejection" cascade;`);

    this.addSql(`drop table if exists "shoot" cascade;`);

    this.addSql(`drop table if exists "shoot_key" cascade;`);

    this.addSql(`drop table if exists "template" cascade;`);

    this.addSql(`drop table if exists "withdrawn_form" cascade;`);

    this.addSql(`drop table if exists "workspace_identity" cascade;`);

    this.addSql(`drop table if exists "workspace_setting" cascade;`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261129021629 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "asset" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "asset" alter column "content_sha256" type text using ("content_sha256"::text);`);
    this.addSql(`alter table "asset" alter column "size" type bigint using ("size"::bigint);`);
    this.addSql(`alter table "asset" alter column "rendition" type text using ("rendition"::text);`);
    this.addSql(`alter table "asset" alter column "scan_state" type text using ("scan_state"::text);`);

    this.addSql(`alter table "audit_event" alter column "actor" type text using ("actor"::text);`);
    this.addSql(`alter table "audit_event" alter column "action" type text using ("action"::text);`);
    this.addSql(`alter table "audit_event" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "audit_event" alter column "prev_hash" type text using ("prev_hash"::text);`);
    this.addSql(`alter table "audit_event" alter column "hash" type text using ("hash"::text);`);

    this.addSql(`alter table "consent_form_setup" alter column "shoot_id" type text using ("shoot_id"::text);`);

    this.addSql(`alter table "consent_record" alter column "form_sha256" type text using ("form_sha256"::text);`);
    this.addSql(
      `alter table "consent_record" alter column "reference_photo_sha256" type text using ("reference_photo_sha256"::text);`,
    );
    this.addSql(
      `alter table "consent_record" alter column "imported_file_sha256" type text using ("imported_file_sha256"::text);`,
    );

    this.addSql(`alter table "decision" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "decision" alter column "reviewer" type text using ("reviewer"::text);`);
    this.addSql(`alter table "decision" alter column "action" type text using ("action"::text);`);
    this.addSql(`alter table "decision" alter column "previous_state" type text using ("previous_state"::text);`);
    this.addSql(
      `alter table "decision" alter column "consent_form_sha256" type text using ("consent_form_sha256"::text);`,
    );

    this.addSql(`alter table "erasure" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "erasure" alter column "ref_digest" type text using ("ref_digest"::text);`);

    this.addSql(`alter table "face" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "face" alter column "state" type text using ("state"::text);`);
    this.addSql(`alter table "face" alter column "reason" type text using ("reason"::text);`);
    this.addSql(`alter table "face" alter column "model_digest" type text using ("model_digest"::text);`);

    this.addSql(`alter table "participant" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "participant" alter column "external_ref" type text using ("external_ref"::text);`);
    this.addSql(`alter table "participant" alter column "display_name" type text using ("display_name"::text);`);
    this.addSql(`alter table "participant" alter column "guardian" type text using ("guardian"::text);`);

    this.addSql(`alter table "push_record" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "push_record" alter column "content_sha256" type text using ("content_sha256"::text);`);
    this.addSql(`alter table "push_record" alter column "state" type text using ("state"::text);`);

    this.addSql(`alter table "rejection" alter column "shoot_id" type text using ("shoot_id"::text);`);

    this.addSql(`alter table "scan_job" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "scan_job" alter column "outcome" type text using ("outcome"::text);`);
    this.addSql(`alter table "scan_job" alter column "worker" type text using ("worker"::text);`);

    this.addSql(`alter table "shoot" alter column "id" type text using ("id"::text);`);
    this.addSql(`alter table "shoot" alter column "name" type text using ("name"::text);`);
    this.addSql(`alter table "shoot" alter column "connector" type text using ("connector"::text);`);
    this.addSql(`alter table "shoot" alter column "shoot_from" type text using ("shoot_from"::text);`);
    this.addSql(`alter table "shoot" alter column "shoot_to" type text using ("shoot_to"::text);`);
    this.addSql(`alter table "shoot" alter column "utc_offset" type text using ("utc_offset"::text);`);
    this.addSql(`alter table "shoot" alter column "status" type text using ("status"::text);`);
    this.addSql(`alter table "shoot" alter column "dpia_ref" type text using ("dpia_ref"::text);`);
    this.addSql(`alter table "shoot" alter column "approved_by" type text using ("approved_by"::text);`);

    this.addSql(`alter table "shoot_key" alter column "shoot_id" type text using ("shoot_id"::text);`);

    this.addSql(`alter table "template" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "template" alter column "model_digest" type text using ("model_digest"::text);`);
    this.addSql(`alter table "template" alter column "origin" type text using ("origin"::text);`);
    this.addSql(`alter table "template" alter column "origin_ref" type text using ("origin_ref"::text);`);

    this.addSql(`alter table "withdrawn_form" alter column "shoot_id" type text using ("shoot_id"::text);`);
    this.addSql(`alter table "withdrawn_form" alter column "form_digest" type text using ("form_digest"::text);`);

    this.addSql(`alter table "workspace_identity" alter column "id" type text using ("id"::text);`);
    this.addSql(`alter table "workspace_identity" alter column "key_check" type text using ("key_check"::text);`);
    this.addSql(`alter table "workspace_identity" alter column "created_by" type text using ("created_by"::text);`);

    this.addSql(`alter table "workspace_setting" alter column "key" type text using ("key"::text);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "asset" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(
      `alter table "asset" alter column "content_sha256" type varchar(255) using ("content_sha256"::varchar(255));`,
    );
    this.addSql(`alter table "asset" alter column "size" type int4 using ("size"::int4);`);
    this.addSql(`alter table "asset" alter column "rendition" type varchar(255) using ("rendition"::varchar(255));`);
    this.addSql(`alter table "asset" alter column "scan_state" type varchar(255) using ("scan_state"::varchar(255));`);

    this.addSql(`alter table "audit_event" alter column "actor" type varchar(255) using ("actor"::varchar(255));`);
    this.addSql(`alter table "audit_event" alter column "action" type varchar(255) using ("action"::varchar(255));`);
    this.addSql(
      `alter table "audit_event" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`,
    );
    this.addSql(
      `alter table "audit_event" alter column "prev_hash" type varchar(255) using ("prev_hash"::varchar(255));`,
    );
    this.addSql(`alter table "audit_event" alter column "hash" type varchar(255) using ("hash"::varchar(255));`);

    this.addSql(
      `alter table "consent_form_setup" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`,
    );

    this.addSql(
      `alter table "consent_record" alter column "form_sha256" type varchar(255) using ("form_sha256"::varchar(255));`,
    );
    this.addSql(
      `alter table "consent_record" alter column "reference_photo_sha256" type varchar(255) using ("reference_photo_sha256"::varchar(255));`,
    );
    this.addSql(
      `alter table "consent_record" alter column "imported_file_sha256" type varchar(255) using ("imported_file_sha256"::varchar(255));`,
    );

    this.addSql(`alter table "decision" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(`alter table "decision" alter column "reviewer" type varchar(255) using ("reviewer"::varchar(255));`);
    this.addSql(`alter table "decision" alter column "action" type varchar(255) using ("action"::varchar(255));`);
    this.addSql(
      `alter table "decision" alter column "previous_state" type varchar(255) using ("previous_state"::varchar(255));`,
    );
    this.addSql(
      `alter table "decision" alter column "consent_form_sha256" type varchar(255) using ("consent_form_sha256"::varchar(255));`,
    );

    this.addSql(`alter table "erasure" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(
      `alter table "erasure" alter column "ref_digest" type varchar(255) using ("ref_digest"::varchar(255));`,
    );

    this.addSql(`alter table "face" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(`alter table "face" alter column "state" type varchar(255) using ("state"::varchar(255));`);
    this.addSql(`alter table "face" alter column "reason" type varchar(255) using ("reason"::varchar(255));`);
    this.addSql(
      `alter table "face" alter column "model_digest" type varchar(255) using ("model_digest"::varchar(255));`,
    );

    this.addSql(
      `alter table "participant" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`,
    );
    this.addSql(
      `alter table "participant" alter column "external_ref" type varchar(255) using ("external_ref"::varchar(255));`,
    );
    this.addSql(
      `alter table "participant" alter column "display_name" type varchar(255) using ("display_name"::varchar(255));`,
    );
    this.addSql(
      `alter table "participant" alter column "guardian" type varchar(255) using ("guardian"::varchar(255));`,
    );

    this.addSql(
      `alter table "push_record" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`,
    );
    this.addSql(
      `alter table "push_record" alter column "content_sha256" type varchar(255) using ("content_sha256"::varchar(255));`,
    );
    this.addSql(`alter table "push_record" alter column "state" type varchar(255) using ("state"::varchar(255));`);

    this.addSql(`alter table "rejection" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);

    this.addSql(`alter table "scan_job" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(`alter table "scan_job" alter column "outcome" type varchar(255) using ("outcome"::varchar(255));`);
    this.addSql(`alter table "scan_job" alter column "worker" type varchar(255) using ("worker"::varchar(255));`);

    this.addSql(`alter table "shoot" alter column "id" type varchar(255) using ("id"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "name" type varchar(255) using ("name"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "connector" type varchar(255) using ("connector"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "shoot_from" type varchar(255) using ("shoot_from"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "shoot_to" type varchar(255) using ("shoot_to"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "utc_offset" type varchar(255) using ("utc_offset"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "status" type varchar(255) using ("status"::varchar(255));`);
    this.addSql(`alter table "shoot" alter column "dpia_ref" type varchar(255) using ("dpia_ref"::varchar(255));`);
    this.addSql(
      `alter table "shoot" alter column "approved_by" type varchar(255) using ("approved_by"::varchar(255));`,
    );

    this.addSql(`alter table "shoot_key" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);

    this.addSql(`alter table "template" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`);
    this.addSql(
      `alter table "template" alter column "model_digest" type varchar(255) using ("model_digest"::varchar(255));`,
    );
    this.addSql(`alter table "template" alter column "origin" type varchar(255) using ("origin"::varchar(255));`);
    this.addSql(
      `alter table "template" alter column "origin_ref" type varchar(255) using ("origin_ref"::varchar(255));`,
    );

    this.addSql(
      `alter table "withdrawn_form" alter column "shoot_id" type varchar(255) using ("shoot_id"::varchar(255));`,
    );
    this.addSql(
      `alter table "withdrawn_form" alter column "form_digest" type varchar(255) using ("form_digest"::varchar(255));`,
    );

    this.addSql(`alter table "workspace_identity" alter column "id" type varchar(255) using ("id"::varchar(255));`);
    this.addSql(
      `alter table "workspace_identity" alter column "key_check" type varchar(255) using ("key_check"::varchar(255));`,
    );
    this.addSql(
      `alter table "workspace_identity" alter column "created_by" type varchar(255) using ("created_by"::varchar(255));`,
    );

    this.addSql(`alter table "workspace_setting" alter column "key" type varchar(255) using ("key"::varchar(255));`);
  }
}

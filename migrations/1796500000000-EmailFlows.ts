import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * E-mail flows: the user's `email_verified` flag (true for everyone who existed before, so an upgrade
 * locks nobody out; false for accounts created from now on), the single-use tokens behind reset and
 * verification links (only their SHA-256 is stored; one live token per user and purpose, so issuing a
 * new one replaces the old), and the transactional outbox the sender delivers from.
 */
export class EmailFlows1796500000000 implements MigrationInterface {
  name = 'EmailFlows1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "email_verified" boolean NOT NULL DEFAULT true`,
    );
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "email_verified" SET DEFAULT false`);
    await queryRunner.query(`
      CREATE TABLE "email_tokens" (
        "user_id" uuid NOT NULL,
        "purpose" text NOT NULL,
        "token_hash" text NOT NULL,
        "email" citext NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_email_tokens" PRIMARY KEY ("user_id", "purpose"),
        CONSTRAINT "UQ_email_tokens_token_hash" UNIQUE ("token_hash"),
        CONSTRAINT "CHK_email_tokens_purpose" CHECK ("purpose" IN ('password_reset', 'verify_email', 'change_email')),
        CONSTRAINT "FK_email_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "mail_outbox" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" text NOT NULL,
        "recipient" citext NOT NULL,
        "user_id" uuid,
        "params" jsonb NOT NULL DEFAULT '{}',
        "sealed_token" text,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_error" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "sent_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_mail_outbox" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_mail_outbox_status" CHECK ("status" IN ('pending', 'sent', 'failed'))
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_mail_outbox_due" ON "mail_outbox" ("next_attempt_at") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_mail_outbox_recipient" ON "mail_outbox" ("recipient", "created_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "mail_outbox"`);
    await queryRunner.query(`DROP TABLE "email_tokens"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-account lockout counters (shared by every instance), and the security events table. */
export class LockoutAndSecurityEvents1795445008068 implements MigrationInterface {
  name = 'LockoutAndSecurityEvents1795445008068';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "security_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "type" text NOT NULL,
        "user_id" uuid,
        "actor_id" uuid,
        "session_id" uuid,
        "ip" text,
        "user_agent" text,
        "details" jsonb NOT NULL DEFAULT '{}',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_6fc100d6700780737348df0d3ae" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_87123d25025bb5487c4baf9b46" ON "security_events" ("user_id", "created_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD "failed_login_count" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "locked_until"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "failed_login_count"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_87123d25025bb5487c4baf9b46"`);
    await queryRunner.query(`DROP TABLE "security_events"`);
  }
}

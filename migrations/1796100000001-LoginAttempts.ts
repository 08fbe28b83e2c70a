import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lockout leaves the users table for counters of its own (docs/security.md, "Lockout"):
 * `login_attempts` holds one counter per account for unknown clients (`client = ''`) and one per
 * known device of the account; `known_devices` the devices that completed a login (hashes only).
 * Locks in force are carried over; then the old columns go.
 */
export class LoginAttempts1796100000001 implements MigrationInterface {
  name = 'LoginAttempts1796100000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "login_attempts" (
        "account" text NOT NULL,
        "client" text NOT NULL,
        "failures" integer NOT NULL,
        "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_login_attempts" PRIMARY KEY ("account", "client")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_login_attempts_window_ends_at" ON "login_attempts" ("window_ends_at")`,
    );
    await queryRunner.query(`
      CREATE TABLE "known_devices" (
        "token_hash" text NOT NULL,
        "user_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_login_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_known_devices" PRIMARY KEY ("token_hash"),
        CONSTRAINT "FK_known_devices_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_known_devices_user" ON "known_devices" ("user_id", "last_login_at")`,
    );
    await queryRunner.query(`
      INSERT INTO "login_attempts" ("account", "client", "failures", "window_ends_at")
      SELECT "id"::text, '', GREATEST("failed_login_count", 1000000), "locked_until"
      FROM "users" WHERE "locked_until" > now()
    `);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "failed_login_count"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "locked_until"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "failed_login_count" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      UPDATE "users" u SET "locked_until" = a."window_ends_at"
      FROM "login_attempts" a WHERE a."account" = u."id"::text AND a."client" = ''
    `);
    await queryRunner.query(`DROP TABLE "known_devices"`);
    await queryRunner.query(`DROP TABLE "login_attempts"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-factor authentication: the user's flag (shown in the user), the encrypted TOTP secret with the
 * last time step used (replay protection), hashed single-use recovery codes, and the short-lived
 * challenges between a correct password and a correct code. Everything goes with its user.
 */
export class TwoFactor1795600000000 implements MigrationInterface {
  name = 'TwoFactor1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "mfa_challenges" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "token_hash" text NOT NULL,
        "requested_scope" text array,
        "failed_attempts" integer NOT NULL DEFAULT '0',
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "consumed_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_cf5f2cdf8d418c02661b06a9312" UNIQUE ("token_hash"),
        CONSTRAINT "PK_25d85a6da62620267e003fb4da4" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_1715663f6483821e6af6132b35" ON "mfa_challenges" ("user_id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "two_factor_recovery_codes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "code_hash" text NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_8c727ef386226c6af2fbcee2663" UNIQUE ("user_id", "code_hash"),
        CONSTRAINT "PK_6f535a18c9fb9da8cc9b7ea70dc" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "two_factor_credentials" (
        "user_id" uuid NOT NULL,
        "secret_encrypted" text,
        "pending_secret_encrypted" text,
        "pending_created_at" TIMESTAMP WITH TIME ZONE,
        "enabled_at" TIMESTAMP WITH TIME ZONE,
        "last_used_step" integer,
        CONSTRAINT "PK_a55d08aa8d0d941c4db0b22d466" PRIMARY KEY ("user_id")
      )
    `);
    await queryRunner.query(
      `ALTER TABLE "users" ADD "two_factor_enabled" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `ALTER TABLE "mfa_challenges" ADD CONSTRAINT "FK_1715663f6483821e6af6132b35b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "two_factor_recovery_codes" ADD CONSTRAINT "FK_dd306548ffdd22f617146670845" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "two_factor_credentials" ADD CONSTRAINT "FK_a55d08aa8d0d941c4db0b22d466" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "two_factor_credentials" DROP CONSTRAINT "FK_a55d08aa8d0d941c4db0b22d466"`,
    );
    await queryRunner.query(
      `ALTER TABLE "two_factor_recovery_codes" DROP CONSTRAINT "FK_dd306548ffdd22f617146670845"`,
    );
    await queryRunner.query(
      `ALTER TABLE "mfa_challenges" DROP CONSTRAINT "FK_1715663f6483821e6af6132b35b"`,
    );
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "two_factor_enabled"`);
    await queryRunner.query(`DROP TABLE "two_factor_credentials"`);
    await queryRunner.query(`DROP TABLE "two_factor_recovery_codes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1715663f6483821e6af6132b35"`);
    await queryRunner.query(`DROP TABLE "mfa_challenges"`);
  }
}

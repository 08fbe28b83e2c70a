import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.password_changed_at`: when the password last changed (change or reset). Pending mfa_tokens
 * and enrolment tokens issued before it are refused. Existing users start with NULL (never changed).
 */
export class PasswordChangedAt1796000000000 implements MigrationInterface {
  name = 'PasswordChangedAt1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "password_changed_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "password_changed_at"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions are kept after they end, so a user's rows and the table grow with every login. The
 * queries that run often look only at a small part of them:
 * - a user's active sessions (the cap at each login, the session list, ending them all), in order of
 *   use: `IDX_sessions_active_by_user`, only rows not revoked;
 * - sessions revoked recently (the revocation cache's reload at start-up and after a gap in the
 *   notification connection): `IDX_sessions_revoked_at`, only revoked rows.
 */
export class SessionIndexes1796700000000 implements MigrationInterface {
  name = 'SessionIndexes1796700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_sessions_active_by_user" ON "sessions" ("user_id", "last_used_at", "created_at") WHERE "revoked_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_sessions_revoked_at" ON "sessions" ("revoked_at") WHERE "revoked_at" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_sessions_revoked_at"`);
    await queryRunner.query(`DROP INDEX "IDX_sessions_active_by_user"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every instance keeps in-memory state derived from users and sessions (user cache, revoked sessions).
 * These triggers announce each change on a NOTIFY channel at commit, whatever code made it, and end
 * the sessions of a user who is disabled, whoever disables them.
 */
export class ChangeNotifications1795444165390 implements MigrationInterface {
  name = 'ChangeNotifications1795444165390';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_user_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_user_changed()
    `);
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_session_revoked', NEW.id::text);
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER sessions_notify_revoked AFTER UPDATE OF revoked_at ON sessions
      FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
      EXECUTE FUNCTION gatehouse_notify_session_revoked()
    `);
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_end_sessions_of_disabled_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE sessions SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER users_end_sessions_when_disabled AFTER UPDATE OF is_active ON users
      FOR EACH ROW WHEN (OLD.is_active AND NOT NEW.is_active)
      EXECUTE FUNCTION gatehouse_end_sessions_of_disabled_user()
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER users_end_sessions_when_disabled ON users`);
    await queryRunner.query(`DROP FUNCTION gatehouse_end_sessions_of_disabled_user()`);
    await queryRunner.query(`DROP TRIGGER sessions_notify_revoked ON sessions`);
    await queryRunner.query(`DROP FUNCTION gatehouse_notify_session_revoked()`);
    await queryRunner.query(`DROP TRIGGER users_notify_changed ON users`);
    await queryRunner.query(`DROP FUNCTION gatehouse_notify_user_changed()`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys: only the SHA-256 of each secret is stored (unique, it is how a key is found), and a user's
 * keys go with the user. Every instance caches key lookups in memory; the trigger announces a revoked,
 * changed or deleted key on a NOTIFY channel at commit, whatever code made the change. Updates of
 * `last_used_at` alone announce nothing, so use tracking does not empty the caches.
 */
export class CreateApiKeys1795500000000 implements MigrationInterface {
  name = 'CreateApiKeys1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "api_keys" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "key_hash" text NOT NULL,
        "scopes" text array NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"),
        CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_6e393c08e040904152c61f4fd9" ON "api_keys" ("user_id", "created_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_api_key_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER api_keys_notify_changed
      AFTER UPDATE OF revoked_at, expires_at, scopes, user_id, key_hash OR DELETE ON api_keys
      FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_api_key_changed()
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER api_keys_notify_changed ON api_keys`);
    await queryRunner.query(`DROP FUNCTION gatehouse_notify_api_key_changed()`);
    await queryRunner.query(
      `ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973"`,
    );
    await queryRunner.query(`DROP INDEX "public"."IDX_6e393c08e040904152c61f4fd9"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}

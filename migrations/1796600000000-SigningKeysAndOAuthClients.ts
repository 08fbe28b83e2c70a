import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signing key pairs (ALGORITHM ES256 / EdDSA / RS256): the private half sealed with AES-256-GCM, the
 * public half as a JWK. A key's state follows from its dates alone (published from `created_at`,
 * signing from `activates_at`, retired when a newer key activates), so no job has to flip a flag.
 * OAuth clients: only the SHA-256 of each secret is stored. Both tables announce changes on a NOTIFY
 * channel at commit, so every instance's in-memory copy follows at once whoever made the change.
 */
export class SigningKeysAndOAuthClients1796600000000 implements MigrationInterface {
  name = 'SigningKeysAndOAuthClients1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "signing_keys" (
        "kid" text NOT NULL,
        "algorithm" text NOT NULL,
        "public_jwk" jsonb NOT NULL,
        "private_key" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "activates_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_signing_keys" PRIMARY KEY ("kid")
      )
    `);
    await queryRunner.query(`
      CREATE TABLE "oauth_clients" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "secret_hash" text NOT NULL,
        "scopes" text array NOT NULL,
        "created_by" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_oauth_clients_secret_hash" UNIQUE ("secret_hash"),
        CONSTRAINT "PK_oauth_clients" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_notify_signing_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_signing_keys_changed', COALESCE(NEW.kid, OLD.kid));
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER signing_keys_notify_changed
      AFTER INSERT OR UPDATE OR DELETE ON signing_keys
      FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_signing_keys_changed()
    `);
    await queryRunner.query(`
      CREATE FUNCTION gatehouse_notify_oauth_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('gatehouse_oauth_client_changed', COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER oauth_clients_notify_changed
      AFTER UPDATE OR DELETE ON oauth_clients
      FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_oauth_client_changed()
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER oauth_clients_notify_changed ON oauth_clients`);
    await queryRunner.query(`DROP FUNCTION gatehouse_notify_oauth_client_changed()`);
    await queryRunner.query(`DROP TRIGGER signing_keys_notify_changed ON signing_keys`);
    await queryRunner.query(`DROP FUNCTION gatehouse_notify_signing_keys_changed()`);
    await queryRunner.query(`DROP TABLE "oauth_clients"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes security_events a tamper-evident, append-only log.
 *
 * - `security_event_chain` is a single row: the chain head (last seq and hash) and the anchor left
 *   by pruning (the hash of the last pruned row).
 * - A BEFORE INSERT trigger updates the head row first, which takes its row lock: concurrent inserts
 *   from any number of app instances queue on that lock until the inserting transaction ends, so
 *   `seq` has no gaps or duplicates and each row's `prev_hash` is the hash of the row before it.
 *   The trigger also sets `created_at` (clock time, after the lock), so rows cannot be back-dated.
 * - `hash` = sha256 over the canonical JSON text of ('v1', seq, id, type, user_id, actor_id,
 *   session_id, ip, user_agent, details, created_at in UTC with microseconds, prev_hash).
 * - UPDATE, DELETE and TRUNCATE are refused; only the prune command deletes, with
 *   `SET LOCAL gatehouse.audit_prune = 'on'`.
 * Rows that already exist are chained in (created_at, id) order.
 */
export class AuditChain1795700000000 implements MigrationInterface {
  name = 'AuditChain1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "security_events" ADD "seq" bigint`);
    await queryRunner.query(`ALTER TABLE "security_events" ADD "prev_hash" text`);
    await queryRunner.query(`ALTER TABLE "security_events" ADD "hash" text`);
    await queryRunner.query(`
      CREATE TABLE "security_event_chain" (
        "id" smallint NOT NULL CHECK ("id" = 1),
        "last_seq" bigint NOT NULL,
        "last_hash" text NOT NULL,
        "pruned_through_seq" bigint NOT NULL DEFAULT 0,
        "pruned_hash" text NOT NULL,
        "pruned_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_security_event_chain" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(`
      CREATE FUNCTION security_event_hash(e security_events) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(jsonb_build_array(
          'v1', e.seq, e.id, e.type, e.user_id, e.actor_id, e.session_id, e.ip, e.user_agent,
          e.details, to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          e.prev_hash
        )::text, 'UTF8')), 'hex')
      $$
    `);
    // Existing rows join the chain in the order they were written.
    await queryRunner.query(`
      DO $$
      DECLARE
        r record;
        previous text := repeat('0', 64);
        n bigint := 0;
        h text;
      BEGIN
        FOR r IN SELECT id FROM security_events ORDER BY created_at, id LOOP
          n := n + 1;
          UPDATE security_events SET seq = n, prev_hash = previous WHERE id = r.id;
          SELECT security_event_hash(e) INTO h FROM security_events e WHERE e.id = r.id;
          UPDATE security_events SET hash = h WHERE id = r.id;
          previous := h;
        END LOOP;
        INSERT INTO security_event_chain (id, last_seq, last_hash, pruned_hash)
          VALUES (1, n, previous, repeat('0', 64));
      END
      $$
    `);
    await queryRunner.query(`ALTER TABLE "security_events" ALTER COLUMN "seq" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "security_events" ALTER COLUMN "prev_hash" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "security_events" ALTER COLUMN "hash" SET NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_9a5371054e903304ec3f979a9c" ON "security_events" ("seq")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_5135b4693b511af295de8cee58" ON "security_events" ("actor_id")`,
    );
    await queryRunner.query(`
      CREATE FUNCTION security_events_chain() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        head record;
      BEGIN
        -- The UPDATE locks the head row until this transaction ends: inserts are chained one at a time.
        UPDATE security_event_chain SET last_seq = last_seq + 1 WHERE id = 1
          RETURNING last_seq, last_hash INTO head;
        IF head IS NULL THEN
          RAISE EXCEPTION 'security_event_chain has no head row';
        END IF;
        NEW.seq := head.last_seq;
        NEW.prev_hash := head.last_hash;
        NEW.created_at := clock_timestamp();
        NEW.hash := security_event_hash(NEW);
        UPDATE security_event_chain SET last_hash = NEW.hash WHERE id = 1;
        RETURN NEW;
      END
      $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER security_events_chain BEFORE INSERT ON security_events
      FOR EACH ROW EXECUTE FUNCTION security_events_chain()
    `);
    await queryRunner.query(`
      CREATE FUNCTION security_events_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('gatehouse.audit_prune', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'security_events is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$
    `);
    await queryRunner.query(`
      CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events
      FOR EACH ROW EXECUTE FUNCTION security_events_append_only()
    `);
    await queryRunner.query(`
      CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON security_events
      FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only()
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER security_events_no_truncate ON security_events`);
    await queryRunner.query(`DROP TRIGGER security_events_append_only ON security_events`);
    await queryRunner.query(`DROP FUNCTION security_events_append_only()`);
    await queryRunner.query(`DROP TRIGGER security_events_chain ON security_events`);
    await queryRunner.query(`DROP FUNCTION security_events_chain()`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5135b4693b511af295de8cee58"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9a5371054e903304ec3f979a9c"`);
    await queryRunner.query(`DROP FUNCTION security_event_hash(security_events)`);
    await queryRunner.query(`DROP TABLE "security_event_chain"`);
    await queryRunner.query(`ALTER TABLE "security_events" DROP COLUMN "hash"`);
    await queryRunner.query(`ALTER TABLE "security_events" DROP COLUMN "prev_hash"`);
    await queryRunner.query(`ALTER TABLE "security_events" DROP COLUMN "seq"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Items, the example resource: each belongs to a user and goes when that user is deleted. */
export class CreateItems1795446422852 implements MigrationInterface {
  name = 'CreateItems1795446422852';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "items" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" uuid NOT NULL,
        "name" text NOT NULL,
        "description" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_ba5885359424c15ca6b9e79bcf6" PRIMARY KEY ("id")
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "IDX_b84b4a4ed2cbd22b083e766862" ON "items" ("owner_id", "created_at")`,
    );
    await queryRunner.query(
      `ALTER TABLE "items" ADD CONSTRAINT "FK_3dfe6bec02ed2b26ded4bd89253" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "items" DROP CONSTRAINT "FK_3dfe6bec02ed2b26ded4bd89253"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b84b4a4ed2cbd22b083e766862"`);
    await queryRunner.query(`DROP TABLE "items"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

type Column = 'email' | 'username';

/** The same normalisation as src/users/identity.ts (kept here: a migration must not change later). */
const normalize = (value: string) => value.normalize('NFKC');
const keyOf = (value: string) => normalize(value).toLowerCase();

/**
 * Rewrites every e-mail address and username in NFKC, the form the service now stores and looks up,
 * so an address typed in NFD and the same one in NFC are one identity.
 *
 * Accounts created before this that are the same identity once normalised (two accounts for one
 * address) cannot both keep it: the migration does not fail and does not pick a winner. It leaves
 * those rows exactly as they are and names them in a warning (ids only), for an operator to merge or
 * rename (docs/operations.md). Everything else is normalised. Not reversible, and need not be: the
 * NFKC form is the same identity as what was there.
 */
export class NormalizeIdentities1796200000000 implements MigrationInterface {
  name = 'NormalizeIdentities1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['email', 'username'] as const) {
      await this.normalizeColumn(queryRunner, column);
    }
  }

  public async down(): Promise<void> {
    // Nothing to undo: the normalised form names the same identity.
  }

  private async normalizeColumn(queryRunner: QueryRunner, column: Column): Promise<void> {
    const rows: Array<{ id: string; value: string }> = await queryRunner.query(
      `SELECT id, "${column}"::text AS value FROM users ORDER BY created_at, id`,
    );
    const groups = new Map<string, Array<{ id: string; value: string }>>();
    for (const row of rows) {
      const key = keyOf(row.value);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const collisions: string[][] = [];
    for (const group of groups.values()) {
      if (group.length > 1) {
        collisions.push(group.map((row) => row.id));
        continue;
      }
      const [row] = group;
      if (normalize(row.value) !== row.value) {
        await queryRunner.query(`UPDATE users SET "${column}" = $1 WHERE id = $2`, [
          normalize(row.value),
          row.id,
        ]);
      }
    }
    for (const ids of collisions) {
      queryRunner.connection.logger.log(
        'warn',
        `NormalizeIdentities: users ${ids.join(', ')} have the same ${column} once normalised (NFKC, case folded); left unchanged: merge or rename them (see docs/operations.md)`,
      );
    }
  }
}

import type { DataSource, EntityManager } from 'typeorm';

/** The `prev_hash` of the very first row: nothing came before it. */
export const GENESIS_HASH = '0'.repeat(64);
const BATCH = 1000;
/** A broken chain is reported up to this many problems; the first one is what matters. */
const MAX_PROBLEMS = 100;

export interface ChainProblem {
  /** The row where the break shows (for a deletion: the first row after the gap, if any). */
  seq: string | null;
  id: string | null;
  problem: string;
}

export interface ChainReport {
  valid: boolean;
  /** Rows checked. */
  checked: number;
  head: { seq: string; hash: string };
  /** Where the remaining chain starts: after the last pruned row (seq 0 when nothing was pruned). */
  anchor: { seq: string; hash: string };
  problems: ChainProblem[];
}

interface HeadRow {
  last_seq: string;
  last_hash: string;
  pruned_through_seq: string;
  pruned_hash: string;
}

interface ChainRow {
  seq: string;
  id: string;
  prev_hash: string;
  hash: string;
  computed: string;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

async function readHead(db: Queryable, forUpdate = false): Promise<HeadRow> {
  const rows = (await db.query(
    `SELECT last_seq::text, last_hash, pruned_through_seq::text, pruned_hash
       FROM security_event_chain WHERE id = 1 ${forUpdate ? 'FOR UPDATE' : ''}`,
  )) as HeadRow[];
  if (!rows[0]) throw new Error('security_event_chain has no head row: migrations missing?');
  return rows[0];
}

/**
 * Re-computes every row's hash in the database (the same function the insert trigger uses) and walks
 * the chain in `seq` order from the prune anchor to the head: a changed row fails its own hash, a
 * deleted row leaves a gap in `seq` and a `prev_hash` that no longer matches, rows deleted at the end
 * no longer reach the head.
 */
export async function verifyChain(db: Queryable): Promise<ChainReport> {
  const head = await readHead(db);
  const problems: ChainProblem[] = [];
  const report = (problem: ChainProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  let expectedSeq = BigInt(head.pruned_through_seq) + 1n;
  let expectedPrev = head.pruned_hash;
  let checked = 0;
  let last: ChainRow | undefined;
  for (;;) {
    const rows = (await db.query(
      `SELECT seq::text, id, prev_hash, hash, security_event_hash(e) AS computed
         FROM security_events e WHERE e.seq > $1 ORDER BY e.seq LIMIT ${BATCH}`,
      [last?.seq ?? head.pruned_through_seq],
    )) as ChainRow[];
    for (const row of rows) {
      checked++;
      const seq = BigInt(row.seq);
      const name = `row ${row.id} (seq ${row.seq})`;
      if (seq !== expectedSeq) {
        report({
          seq: row.seq,
          id: row.id,
          problem:
            expectedSeq === seq - 1n
              ? `the row with seq ${expectedSeq} before ${name} is missing (deleted)`
              : `rows with seq ${expectedSeq} to ${seq - 1n} before ${name} are missing (deleted)`,
        });
      } else if (row.prev_hash !== expectedPrev) {
        report({
          seq: row.seq,
          id: row.id,
          problem: `${name} does not follow the row before it: prev_hash does not match (the row before was altered or replaced)`,
        });
      }
      if (row.computed !== row.hash) {
        report({
          seq: row.seq,
          id: row.id,
          problem: `${name} was altered: its content no longer matches its hash`,
        });
      }
      expectedSeq = seq + 1n;
      expectedPrev = row.hash;
      last = row;
    }
    if (rows.length < BATCH) break;
  }
  const lastSeq = last?.seq ?? head.pruned_through_seq;
  if (BigInt(lastSeq) < BigInt(head.last_seq)) {
    report({
      seq: null,
      id: null,
      problem: `rows with seq ${BigInt(lastSeq) + 1n} to ${head.last_seq} at the end are missing (deleted)`,
    });
  } else if (last && (last.seq !== head.last_seq || last.hash !== head.last_hash)) {
    report({
      seq: last.seq,
      id: last.id,
      problem: `row ${last.id} (seq ${last.seq}) is not the chain head the database recorded`,
    });
  }
  return {
    valid: problems.length === 0,
    checked,
    head: { seq: head.last_seq, hash: head.last_hash },
    anchor: { seq: head.pruned_through_seq, hash: head.pruned_hash },
    problems,
  };
}

export interface PruneResult {
  /** Rows deleted. */
  pruned: number;
  /** The new anchor: seq and hash of the last deleted row. */
  throughSeq: string;
  anchorHash: string;
}

export class BrokenChainError extends Error {
  constructor(readonly report: ChainReport) {
    super(`the audit chain is broken: ${report.problems[0]?.problem ?? 'unknown problem'}`);
    this.name = 'BrokenChainError';
  }
}

/**
 * Deletes the rows written before `before`, keeping the rest verifiable: the hash of the last deleted
 * row becomes the anchor the next row's prev_hash is checked against, and an `audit.pruned` event
 * (itself chained) records what was removed. Refuses when the chain is broken, so pruning cannot erase
 * the evidence of tampering. One transaction, holding the chain head: no insert interleaves.
 */
export async function pruneChain(dataSource: DataSource, before: Date): Promise<PruneResult> {
  return dataSource.transaction(async (manager) => {
    const head = await readHead(manager, true);
    const report = await verifyChain(manager);
    if (!report.valid) throw new BrokenChainError(report);
    const [last] = (await manager.query(
      `SELECT e.seq::text AS seq, e.hash FROM security_events e WHERE e.created_at < $1 ORDER BY e.seq DESC LIMIT 1`,
      [before],
    )) as Array<{ seq: string; hash: string }>;
    if (!last)
      return { pruned: 0, throughSeq: head.pruned_through_seq, anchorHash: head.pruned_hash };
    await manager.query(`SET LOCAL gatehouse.audit_prune = 'on'`);
    const [{ count: pruned }] = (await manager.query(
      `WITH gone AS (DELETE FROM security_events WHERE seq <= $1 RETURNING 1)
       SELECT count(*)::int AS count FROM gone`,
      [last.seq],
    )) as Array<{ count: number }>;
    await manager.query(`SET LOCAL gatehouse.audit_prune = 'off'`);
    await manager.query(
      `UPDATE security_event_chain SET pruned_through_seq = $1, pruned_hash = $2, pruned_at = now() WHERE id = 1`,
      [last.seq, last.hash],
    );
    await manager.query(`INSERT INTO security_events (type, details) VALUES ('audit.pruned', $1)`, [
      JSON.stringify({
        rows: pruned,
        through_seq: Number(last.seq),
        anchor_hash: last.hash,
        before: before.toISOString(),
      }),
    ]);
    return { pruned, throughSeq: last.seq, anchorHash: last.hash };
  });
}

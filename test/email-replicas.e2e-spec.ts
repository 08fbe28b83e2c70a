import pg from 'pg';
import { startTestApp, type TestApp } from './app.js';
import { createTestDatabase, dropTestDatabase } from './database.js';
import { type Instance, startInstance } from './instance.js';
import { TestMailServer } from './mail.js';

const SLOW = 60_000;
const MAILS = 40;

/**
 * Two replicas on one database, both delivering the outbox to one real SMTP server: each mail arrives
 * exactly once (rows are claimed with FOR UPDATE SKIP LOCKED and marked sent in the same transaction).
 * Then a restart: mails queued while no instance could deliver them go out after the next start.
 */
describe('mail delivery with two replicas and across a restart', () => {
  let t: TestApp;
  let second: Instance;
  let db: pg.Client;
  const smtp = new TestMailServer();
  let database: { name: string; url: string };

  beforeAll(async () => {
    await smtp.start();
    database = await createTestDatabase();
    const env = { SMTP_URL: smtp.url, MAIL_RETRY_BASE_SECONDS: '1' };
    t = await startTestApp({ env, database });
    second = await startInstance(t.database.url, env);
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  }, SLOW);
  afterAll(async () => {
    await db.end();
    await second?.stop();
    await t.close();
    await dropTestDatabase(database.name);
    await smtp.stop();
    delete process.env.SMTP_URL;
    delete process.env.MAIL_RETRY_BASE_SECONDS;
  });

  /** Notices queued straight into the outbox, all due at the same instant in a second. */
  async function queue(count: number, tag: string): Promise<void> {
    await db.query(
      `INSERT INTO mail_outbox (kind, recipient, params, next_attempt_at)
       SELECT 'password_changed', $1 || n || '@example.com', '{"username":"replica","how":"change"}',
              now() + interval '1 second'
         FROM generate_series(1, $2) AS n`,
      [tag, count],
    );
  }

  async function drained(): Promise<void> {
    for (;;) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pending'`,
      );
      if (rows[0].n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it(
    'both replicas deliver, and no mail is sent twice',
    async () => {
      await queue(MAILS, 'replica-');
      await drained();
      const mine = smtp.received.filter((mail) => mail.to.startsWith('replica-'));
      expect(mine).toHaveLength(MAILS);
      expect(new Set(mine.map((mail) => mail.messageId)).size).toBe(MAILS);
      expect(new Set(mine.map((mail) => mail.to)).size).toBe(MAILS);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'sent' AND sealed_token IS NULL`,
      );
      expect(rows[0].n).toBe(MAILS);
    },
    SLOW,
  );

  it(
    'mails queued while no instance runs are delivered after a restart',
    async () => {
      await second.stop();
      await t.close();
      await queue(3, 'restart-');
      t = await startTestApp({ database });
      await drained();
      expect(smtp.received.filter((mail) => mail.to.startsWith('restart-'))).toHaveLength(3);
    },
    SLOW,
  );
});

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Link mails one address receives per hour at most; further requests answer the same 202 without a mail. */
export const MAILS_PER_ADDRESS_PER_HOUR = 5;
const LINK_KINDS = ['password_reset', 'verify_email', 'change_email'];

/**
 * The per-address limit on mails that routes send on request. Counted from the outbox itself (the mails
 * actually queued to that address in the last hour), under a transaction-scoped lock on the address,
 * so concurrent requests on any number of instances cannot together exceed it.
 */
@Injectable()
export class MailLimits {
  async allow(manager: EntityManager, address: string): Promise<boolean> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('gatehouse:mail:' || lower($1)))`, [
      address,
    ]);
    const [row] = (await manager.query(
      `SELECT count(*)::int AS sent FROM mail_outbox
        WHERE recipient = $1 AND kind = ANY($2) AND created_at > now() - interval '1 hour'`,
      [address, LINK_KINDS],
    )) as Array<{ sent: number }>;
    return (row?.sent ?? 0) < MAILS_PER_ADDRESS_PER_HOUR;
  }
}

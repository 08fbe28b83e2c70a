import { Injectable } from '@nestjs/common';
import { SharedLimiter } from '../limits/shared-limiter.js';

/** Link mails one address receives per hour on request; further requests answer the same 202 without a mail. */
export const MAILS_PER_ADDRESS_PER_HOUR = 5;

/**
 * The per-address limit on link mails that routes send on request (reset, verification resend,
 * address change), counted in the shared limiter (PostgreSQL, or Redis with REDIS_URL), so it holds
 * across replicas. Addresses are compared case-insensitively, as the column is citext.
 */
@Injectable()
export class MailLimits {
  constructor(private readonly limiter: SharedLimiter) {}

  async allow(address: string): Promise<boolean> {
    const result = await this.limiter.consume(
      'mail:address',
      address.toLowerCase(),
      MAILS_PER_ADDRESS_PER_HOUR,
      3600,
    );
    return result.allowed;
  }
}

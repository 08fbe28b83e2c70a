import { hash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EmailToken, type EmailTokenPurpose } from './email-token.entity.js';

/** 256 random bits, base64url: exactly 43 characters of `[A-Za-z0-9_-]`. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashEmailToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The time link tokens are issued and checked against; tests replace `now` to move it. */
@Injectable()
export class EmailTokenClock {
  now(): number {
    return Date.now();
  }
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Single-use tokens of mailed links. One live token per user and purpose: issuing replaces the row,
 * so only the newest link works. Using a token deletes its row in one statement, so of any number of
 * concurrent uses exactly one gets it. Only the SHA-256 is stored.
 */
@Injectable()
export class EmailTokens {
  constructor(private readonly clock: EmailTokenClock) {}

  async issue(
    manager: EntityManager,
    userId: string,
    purpose: EmailTokenPurpose,
    email: string,
    lifetimeMs: number,
  ): Promise<IssuedToken> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now() + lifetimeMs);
    await manager.query(
      `INSERT INTO email_tokens (user_id, purpose, token_hash, email, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, purpose) DO UPDATE SET token_hash = EXCLUDED.token_hash,
         email = EXCLUDED.email, expires_at = EXCLUDED.expires_at, created_at = now()`,
      [userId, purpose, hashEmailToken(token), email, expiresAt],
    );
    return { token, expiresAt };
  }

  /** The live, unexpired token of one of these purposes, without using it; null for anything else. */
  async find(
    manager: EntityManager,
    token: unknown,
    purposes: readonly EmailTokenPurpose[],
  ): Promise<EmailToken | null> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
    const row = await manager
      .createQueryBuilder(EmailToken, 'token')
      .where('token.tokenHash = :hash', { hash: hashEmailToken(token) })
      .andWhere('token.purpose IN (:...purposes)', { purposes })
      .andWhere('token.expiresAt > :now', { now: new Date(this.clock.now()) })
      .getOne();
    return row;
  }

  /**
   * Uses the token: deletes its row if it is still the live, unexpired one; the row, or null when
   * another use got there first (or it was replaced or expired meanwhile). Call inside the transaction
   * that makes the change, so a refused change leaves the token usable.
   */
  async consume(manager: EntityManager, found: EmailToken): Promise<EmailToken | null> {
    const [rows] = (await manager.query(
      `DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2 AND token_hash = $3
         AND expires_at > $4 RETURNING user_id`,
      [found.userId, found.purpose, found.tokenHash, new Date(this.clock.now())],
    )) as [unknown[], number];
    return rows.length === 1 ? found : null;
  }

  /** Drops a user's live token of this purpose (its link stops working). */
  async revoke(manager: EntityManager, userId: string, purpose: EmailTokenPurpose): Promise<void> {
    await manager.delete(EmailToken, { userId, purpose });
  }
}

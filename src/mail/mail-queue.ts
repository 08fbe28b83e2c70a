import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SECRET_BOX_PURPOSES, SecretBox } from '../common/secret-box.js';
import { twoFactorConfig, type TwoFactorConfig } from '../config/two-factor.config.js';
import { MailMessage, type MailParams } from './mail-message.entity.js';
import { MailMetrics } from './mail-metrics.js';
import type { MailKind } from './mail-templates.js';

export interface OutgoingMail {
  kind: MailKind;
  to: string;
  userId?: string | null;
  params?: MailParams;
  /** The token of a link mail; kept sealed in the outbox until the mail is sent. */
  token?: string;
}

/**
 * The outbox's key: derived from the key material that protects TOTP secrets at rest (required in
 * production, kept under .data/ in development) with a label of its own, so it is a separate key.
 */
@Injectable()
export class OutboxSecrets {
  private readonly box: SecretBox;

  constructor(@Inject(twoFactorConfig.KEY) config: TwoFactorConfig) {
    this.box = new SecretBox(config.encryptionKey, SECRET_BOX_PURPOSES.mailOutbox);
  }

  seal(token: string, messageId: string): string {
    return this.box.seal(token, messageId);
  }

  open(sealed: string, messageId: string): string {
    return this.box.open(sealed, messageId);
  }
}

/**
 * Writes mails to the transactional outbox. Always inside the caller's transaction (the `manager`), so
 * a mail exists exactly when the change it announces committed. Delivery is MailSender's job.
 */
@Injectable()
export class MailQueue {
  private listener: (() => void) | undefined;

  constructor(
    private readonly secrets: OutboxSecrets,
    private readonly metrics: MailMetrics,
  ) {}

  async enqueue(manager: EntityManager, mail: OutgoingMail): Promise<void> {
    const id = randomUUID();
    await manager.insert(MailMessage, {
      id,
      kind: mail.kind,
      recipient: mail.to,
      userId: mail.userId ?? null,
      params: mail.params ?? {},
      sealedToken: mail.token ? this.secrets.seal(mail.token, id) : null,
    });
    this.metrics.queued(mail.kind);
  }

  /** After the caller's commit: deliver now rather than at the sender's next poll. */
  wake(): void {
    this.listener?.();
  }

  /** For MailSender. */
  onWake(listener: () => void): void {
    this.listener = listener;
  }
}

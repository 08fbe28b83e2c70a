import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { mailConfig, type MailConfig } from '../config/mail.config.js';

export interface Envelope {
  /** The outbox row's id: also the Message-ID, so a receiver can tell a resend from a new mail. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Hands a mail to the SMTP server of SMTP_URL (nodemailer), or, without SMTP_URL (development), writes
 * it as an `.eml` file under `.data/mail/` and names it in the log with its recipient and subject.
 * Logs never carry a mail's body: link mails hold tokens.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private transporter?: Transporter;
  private readonly domain: string;

  constructor(@Inject(mailConfig.KEY) private readonly config: MailConfig) {
    this.domain = /@([^>\s]+)>?\s*$/.exec(config.from)?.[1] ?? 'localhost';
  }

  /** Made by the first mail: nodemailer is loaded only by a process that sends one. */
  private transport(): Transporter {
    if (this.transporter) return this.transporter;
    const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer');
    this.transporter = this.config.smtpUrl
      ? nodemailer.createTransport({
          url: this.config.smtpUrl,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return this.transporter;
  }

  get writesFiles(): boolean {
    return this.config.smtpUrl === undefined;
  }

  async send(mail: Envelope): Promise<void> {
    const info = (await this.transport().sendMail({
      from: this.config.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@${this.domain}>`,
    })) as { message?: Buffer };
    if (!this.writesFiles) return;
    mkdirSync(this.config.outboxDir, { recursive: true, mode: 0o700 });
    const file = join(
      this.config.outboxDir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.id}.eml`,
    );
    writeFileSync(file, info.message ?? '', { mode: 0o600 });
    this.logger.log(`Mail to ${mail.to}, "${mail.subject}", written to ${file}`);
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}

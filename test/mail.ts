import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The token of the first `?token=` link in the text part, if any. */
  token?: string;
  /** That link as the text part shows it. */
  link?: string;
}

function toReceived(parsed: ParsedMail): ReceivedMail {
  const text = parsed.text ?? '';
  const link = /(https?:\/\/\S+\?token=([A-Za-z0-9_-]+))/.exec(text);
  const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
  return {
    to: to?.value[0]?.address?.toLowerCase() ?? '',
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    messageId: parsed.messageId ?? '',
    token: link?.[2],
    link: link?.[1],
  };
}

/**
 * A real SMTP server for the specs (the `smtp-server` package) on a free loopback port, keeping what
 * arrives, parsed with `mailparser`. `stop()` and `start()` again on the same port simulate an outage.
 */
export class TestMailServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.received.push(toReceived(parsed));
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Mails to this address so far. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to === address.toLowerCase());
  }

  /** Polls until `count` mails to the address have arrived (the spec's timeout bounds the wait). */
  async waitFor(address: string, count = 1): Promise<ReceivedMail[]> {
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= count) return mails;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The newest mail to the address with this subject (waiting for it). */
  async latest(address: string, subject: RegExp): Promise<ReceivedMail> {
    for (;;) {
      const mails = this.to(address).filter((mail) => subject.test(mail.subject));
      if (mails.length > 0) return mails[mails.length - 1];
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

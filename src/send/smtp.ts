import nodemailer from 'nodemailer';
import type { MailSender } from './send-stage.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  rejectUnauthorized: boolean;
}

export interface SmtpSender {
  send: MailSender;
  close(): void;
  verify(): Promise<boolean>;
}

/** A MailSender over SMTP (one pooled Nodemailer transport per process). */
export function createSmtpSender(settings: SmtpSettings): SmtpSender {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    tls: { rejectUnauthorized: settings.rejectUnauthorized },
    pool: true,
    maxConnections: 3,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    send: async (mail) => {
      const info = await transport.sendMail({
        from: mail.from,
        to: mail.to,
        bcc: mail.bcc,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        headers: mail.headers,
      });
      return { response: String(info.response ?? '') };
    },
    close: () => transport.close(),
    verify: () => transport.verify(),
  };
}

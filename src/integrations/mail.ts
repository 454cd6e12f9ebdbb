/**
 * Outgoing email over SMTP (nodemailer). Configured with a URL such as
 * `smtp://user:pass@mail.example.com:587` or `smtps://…:465`; without one, Okra sends no
 * mail and the API hands the links to the admin instead.
 */
import nodemailer from "nodemailer";
import type { Mailer, MailMessage } from "../services/context.js";

export interface MailConfig {
  /** smtp:// or smtps:// URL of the relay. */
  url: string;
  /** The From: address, e.g. `Okra <okra@example.com>`. */
  from: string;
}

export function createSmtpMailer(config: MailConfig): Mailer {
  const transport = nodemailer.createTransport(config.url);
  return {
    async send(msg: MailMessage) {
      await transport.sendMail({
        from: config.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: msg.html,
        ...(msg.headers && { headers: msg.headers }),
      });
    },
  };
}

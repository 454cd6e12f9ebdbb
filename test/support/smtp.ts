/**
 * A real SMTP server for tests (smtp-server), keeping every message it receives parsed
 * (mailparser), and a mailer pointed at it through nodemailer — the same code path as
 * production.
 */
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { createSmtpMailer } from "../../src/integrations/mail.js";
import type { Mailer } from "../../src/services/context.js";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  /** The HTML part ("" when the message had none). */
  html: string;
  /** Header values by lower-case name, as text. */
  headers: Map<string, string>;
  /** The List-Unsubscribe header ("" when absent). */
  listUnsubscribe: string;
}

export interface TestSmtp {
  mailer: Mailer;
  inbox: ReceivedMail[];
  /** Waits until a message to `to` arrives (or fails after `ms`). */
  waitFor(to: string, ms?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const inbox: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          const headers = new Map<string, string>();
          for (const line of mail.headerLines)
            headers.set(line.key, line.line.slice(line.line.indexOf(":") + 1).trim());
          inbox.push({
            to: to?.value[0]?.address ?? "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            headers,
            listUnsubscribe: (mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "").replace(
              /^[^:]*:\s*/,
              "",
            ),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mailer: createSmtpMailer({ url: `smtp://127.0.0.1:${port}?ignoreTLS=true`, from: "Okra <okra@test.example>" }),
    inbox,
    async waitFor(to, ms = 5000) {
      const until = Date.now() + ms;
      for (;;) {
        const found = inbox.find((m) => m.to.toLowerCase() === to.toLowerCase());
        if (found) return found;
        if (Date.now() > until) throw new Error(`no mail to ${to} within ${ms} ms (inbox: ${inbox.map((m) => m.to)})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The emails Okra sends about the rhythm (notices, reminders, digests): one layout, an HTML
 * part and a plain-text part saying the same, absolute links (`OKRA_PUBLIC_URL`), and an
 * unsubscribe link in every one. Pure: the caller gives every URL.
 */
import type { MailMessage } from "./context.js";

export interface MailItem {
  text: string;
  /** Absolute URL the item opens. */
  url?: string | undefined;
  /** A second, quieter line (a status, a reason). */
  detail?: string | undefined;
}

export interface MailSection {
  heading?: string | undefined;
  items: MailItem[];
}

export interface MailContent {
  to: string;
  subject: string;
  /** First paragraph: who it is for and why it came. */
  intro: string;
  sections: MailSection[];
  /** The main button. */
  action?: { label: string; url: string } | undefined;
  /** Why the person gets this, and the link that stops it (one click). */
  unsubscribe: { reason: string; url: string; label: string };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** Builds the message: subject, text and HTML parts, and the one-click unsubscribe headers (RFC 8058). */
export function renderMail(c: MailContent): MailMessage {
  const text: string[] = [c.intro, ""];
  const html: string[] = [
    `<div style="font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:560px;margin:0 auto;color:#1f2328;line-height:1.45">`,
    `<p>${escapeHtml(c.intro)}</p>`,
  ];
  for (const section of c.sections) {
    if (section.heading) {
      text.push(section.heading, "-".repeat(Math.min(section.heading.length, 60)));
      html.push(`<h3 style="font-size:15px;margin:20px 0 6px">${escapeHtml(section.heading)}</h3>`);
    }
    html.push(`<ul style="padding-left:20px;margin:0">`);
    for (const item of section.items) {
      text.push(`- ${item.text}${item.detail ? ` (${item.detail})` : ""}`);
      if (item.url) text.push(`  ${item.url}`);
      const label = item.url
        ? `<a href="${escapeHtml(item.url)}" style="color:#1864ab">${escapeHtml(item.text)}</a>`
        : escapeHtml(item.text);
      const detail = item.detail
        ? `<br><span style="color:#59636e;font-size:13px">${escapeHtml(item.detail)}</span>`
        : "";
      html.push(`<li style="margin:4px 0">${label}${detail}</li>`);
    }
    html.push("</ul>");
    text.push("");
  }
  if (c.action) {
    text.push(`${c.action.label}: ${c.action.url}`, "");
    html.push(
      `<p style="margin:24px 0"><a href="${escapeHtml(c.action.url)}" style="background:#1864ab;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(c.action.label)}</a></p>`,
    );
  }
  text.push("--", c.unsubscribe.reason, `${c.unsubscribe.label}: ${c.unsubscribe.url}`);
  html.push(
    `<hr style="border:none;border-top:1px solid #d1d9e0;margin:24px 0 8px">`,
    `<p style="color:#59636e;font-size:12px">${escapeHtml(c.unsubscribe.reason)} <a href="${escapeHtml(c.unsubscribe.url)}" style="color:#59636e">${escapeHtml(c.unsubscribe.label)}</a></p>`,
    "</div>",
  );
  return {
    to: c.to,
    subject: c.subject,
    text: text.join("\n"),
    html: html.join("\n"),
    headers: {
      "List-Unsubscribe": `<${c.unsubscribe.url}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

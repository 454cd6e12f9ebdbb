/** How an audit entry reads in the UI. */
import { t } from "./i18n.js";
import type { AuditEntry } from "./types.js";

export function auditLabel(e: Pick<AuditEntry, "action">): string {
  const known = t(`audit.actions.${e.action}`, { defaultValue: "" });
  if (known) return known;
  const [object = "", verb = ""] = e.action.split(".");
  return `${object.replace(/([A-Z])/g, " $1").toLowerCase()} ${verb.replace(/([A-Z])/g, " $1").toLowerCase()}`.trim();
}

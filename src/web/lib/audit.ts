/** How an audit entry reads in the UI: its action, and its objects in words (the API names them). */
import { t } from "./i18n.js";
import type { AuditEntry } from "./types.js";

export function auditLabel(e: Pick<AuditEntry, "action">): string {
  const known = t(`audit.actions.${e.action}`, { defaultValue: "" });
  if (known) return known;
  const [object = "", verb = ""] = e.action.split(".");
  return `${object.replace(/([A-Z])/g, " $1").toLowerCase()} ${verb.replace(/([A-Z])/g, " $1").toLowerCase()}`.trim();
}

export type AuditRef = AuditEntry["related"][number];

/** An object's kind in words, lower case ("key result", "KPI"). */
export function auditKind(type: string): string {
  return t(`audit.names.kinds.${type}`, { defaultValue: type.replace(/([A-Z])/g, " $1").toLowerCase() });
}

/** The first characters of an id: enough to tell two apart, shown beside a name. */
export const shortId = (id: string) => id.slice(0, 8);

/**
 * A related object in words: its name; "a private objective" when the reader may not see it;
 * "a deleted objective" when it is gone.
 */
export function auditRefName(r: AuditRef): string {
  if (r.name) return r.name;
  if (r.hidden) return t(`audit.names.hidden.${r.type}`, { defaultValue: t("audit.names.hidden.objective") });
  if (r.deleted)
    return t(`audit.names.gone.${r.type}`, { defaultValue: t("audit.names.deleted", { kind: auditKind(r.type) }) });
  return r.id ? shortId(r.id) : "—";
}

/** The entry's object in words: its name, or "deleted <kind>"; null when it has no name of its own (a check-in). */
export function auditObjectName(e: Pick<AuditEntry, "objectName" | "objectDeleted" | "objectType">): string | null {
  if (e.objectName) return e.objectName;
  return e.objectDeleted ? t("audit.names.deleted", { kind: auditKind(e.objectType) }) : null;
}

/** What the entry's related objects say, in words: "A → B", "on <key result>", "for <person>". */
export function auditRelatedText(e: Pick<AuditEntry, "related">): string | null {
  const child = e.related.find((r) => r.role === "child");
  const parent = e.related.find((r) => r.role === "parent");
  if (child && parent) return t("audit.names.link", { child: auditRefName(child), parent: auditRefName(parent) });
  const other = e.related[0];
  if (!other) return null;
  const key = other.role === "account" ? "audit.names.forAccount" : "audit.names.on";
  return t(key, { name: auditRefName(other) });
}

/** The entry's objects in one line of words: "<name> · <related>", whichever it has. */
export function auditSubject(e: Pick<AuditEntry, "objectName" | "objectDeleted" | "objectType" | "related">): string {
  return [auditObjectName(e), auditRelatedText(e)].filter(Boolean).join(" · ");
}

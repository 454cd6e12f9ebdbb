/**
 * SCIM 2.0 provisioning (RFC 7643 schemas, RFC 7644 protocol) for identity providers such
 * as Okta and Microsoft Entra ID: SCIM Users are Okra people, SCIM Groups are Okra teams.
 *
 * - Credentials: bearer tokens per organisation (`scim_tokens`, SHA-256 hashes, shown once),
 *   managed by the organisation's admins; a token sees and changes only its organisation.
 * - Mapping: `userName` is the person's email (Okra keeps one address, so a change of the
 *   primary / work email changes it too); `name.givenName` + `name.familyName`, else
 *   `name.formatted`, else `displayName` give the name; `active`; `externalId`; the
 *   enterprise extension's `manager.value` names the manager when it is a known person.
 *   Groups: `displayName` is the team name, `members[].value` are person ids.
 * - Okra never deletes people: DELETE /Users deactivates (and revokes their API tokens and
 *   sessions, so they stop working at once); DELETE /Groups soft-deletes the team.
 * - Every write is one transaction under the organisation's lock and records audit events
 *   with no actor (`actorId` null) and `via: "scim"` in the after snapshot.
 *
 * Errors are AppErrors whose `details.scimType` carries the RFC 7644 error type; the HTTP
 * layer turns them into SCIM error responses.
 */
import { z } from "zod";
import { type ScimTokenRow, scimQueries } from "../db/credential-queries.js";
import type { Executor } from "../db/database.js";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { type TeamRow, teamQueries, teamRepo, type UserRow, userQueries, userRepo } from "../db/repositories.js";
import type { teams as teamsTable, users as usersTable } from "../db/schema.js";
import { isId } from "../db/table-repository.js";
import { type Changer, personChangeDenial } from "../domain/access.js";
import { bidiControlProblem } from "../domain/bidi-controls.js";
import { AppError, type AppErrorCode } from "../domain/errors.js";
import { type AuditFn, revokeAccess, settlePersonChange } from "./account.service.js";
import { generateToken, hashToken } from "./auth.service.js";
import {
  type Actor,
  checkParentLink,
  mutate,
  publicBaseUrl,
  read,
  type Services,
  writeTransaction,
} from "./context.js";
import { presentTeam, presentUser } from "./presenters.js";
import { parseInput, TitleSchema } from "./schemas.js";

// ---------------------------------------------------------------- protocol constants

export const SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCIM_LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCIM_PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const SCIM_SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const SCIM_RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCIM_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/** SCIM secrets start with this, so a leaked one is recognisable (and never mistaken for an API token). */
export const SCIM_TOKEN_PREFIX = "okra_scim_";
/** The largest page a list answers (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 200;
const DEFAULT_COUNT = 100;

/** The `scimType` values of RFC 7644 §3.12 this implementation answers with. */
export type ScimType =
  | "invalidFilter"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue";

function scimError(code: AppErrorCode, scimType: ScimType | null, detail: string): AppError {
  return new AppError(code, detail, { scimType });
}

const invalid = (scimType: ScimType, detail: string) => scimError("VALIDATION", scimType, detail);

/** The RFC 7644 `scimType` an error carries, when it has one. */
export function scimTypeOf(err: AppError): ScimType | null {
  const details = err.details as { scimType?: unknown } | undefined;
  if (details && typeof details === "object" && typeof details.scimType === "string") {
    return details.scimType as ScimType;
  }
  if (err.code === "VALIDATION") return "invalidValue";
  if (err.code === "ALREADY_EXISTS") return "uniqueness";
  return null;
}

/** Where the SCIM endpoints live on the server. */
export const SCIM_PATH = "/scim/v2";

/**
 * The SCIM base URL to give an identity provider, and the start of every `meta.location` and
 * `$ref`: the public address (`OKRA_PUBLIC_URL`), like every other link the server writes.
 */
export function scimBaseUrl(svc: Pick<Services, "publicUrl">): string {
  return `${publicBaseUrl(svc)}${SCIM_PATH}`;
}

/** The authenticated SCIM client: its organisation, its token and the base URL resources live under. */
export interface ScimCaller {
  orgId: string;
  scope: OrgScope;
  tokenId: string;
  /** The owner who issued the token: SCIM changes people with their rank (`personChangeDenial`). */
  actor: Changer;
  /** e.g. `https://okr.example.com/scim/v2`, for `meta.location` and `$ref`. */
  baseUrl: string;
}

/** When a SCIM write happens and with whose rank. */
interface WriteAt {
  nowMs: number;
  actor: Changer;
}

// ---------------------------------------------------------------- schema definitions (RFC 7643)

type AttrType = "string" | "boolean" | "complex" | "reference" | "dateTime";

interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  returned: "always" | "default" | "never" | "request";
  uniqueness: "none" | "server" | "global";
  subAttributes?: AttrDef[];
  referenceTypes?: string[];
  canonicalValues?: string[];
}

function attr(name: string, type: AttrType, description: string, over: Partial<AttrDef> = {}): AttrDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...over,
  };
}

const ID_ATTR = attr("id", "string", "Okra's id of the resource (a uuid).", {
  caseExact: true,
  mutability: "readOnly",
  returned: "always",
  uniqueness: "server",
});
const EXTERNAL_ID_ATTR = attr("externalId", "string", "The identity provider's id of the resource.", {
  caseExact: true,
});
const META_ATTR = attr("meta", "complex", "Resource metadata.", {
  mutability: "readOnly",
  subAttributes: [
    attr("resourceType", "string", "User or Group.", { mutability: "readOnly", caseExact: true }),
    attr("created", "dateTime", "When the resource was created.", { mutability: "readOnly" }),
    attr("lastModified", "dateTime", "When the resource last changed.", { mutability: "readOnly" }),
    attr("location", "reference", "The resource's URI.", { mutability: "readOnly", caseExact: true }),
    attr("version", "string", 'The resource\'s version, as a weak ETag (W/"3").', {
      mutability: "readOnly",
      caseExact: true,
    }),
  ],
});
/** Attributes every resource has (RFC 7643 §3.1). */
const COMMON_ATTRS = [ID_ATTR, EXTERNAL_ID_ATTR, META_ATTR];

const USER_ATTRS: AttrDef[] = [
  attr("userName", "string", "The person's email address, with which they sign in to Okra. Unique.", {
    required: true,
    uniqueness: "server",
  }),
  attr("name", "complex", "The person's name; Okra keeps it as one string (givenName familyName).", {
    subAttributes: [
      attr("formatted", "string", "The full name."),
      attr("familyName", "string", "The family name."),
      attr("givenName", "string", "The given name."),
    ],
  }),
  attr("displayName", "string", "The name shown in Okra (used when no name parts are given)."),
  attr("active", "boolean", "Whether the person may sign in; false deactivates them and revokes their API tokens."),
  attr("emails", "complex", "Email addresses; Okra keeps one, the primary (or work) one, equal to userName.", {
    multiValued: true,
    subAttributes: [
      attr("value", "string", "The email address."),
      attr("display", "string", "A label for the address."),
      attr("type", "string", "work, home or other.", { canonicalValues: ["work", "home", "other"] }),
      attr("primary", "boolean", "Whether this is the primary address."),
    ],
  }),
  attr("groups", "complex", "The teams the person belongs to (change them through Groups).", {
    multiValued: true,
    mutability: "readOnly",
    subAttributes: [
      attr("value", "string", "The team's id.", { mutability: "readOnly", caseExact: true }),
      attr("$ref", "reference", "The team's URI.", {
        mutability: "readOnly",
        caseExact: true,
        referenceTypes: ["Group"],
      }),
      attr("display", "string", "The team's name.", { mutability: "readOnly" }),
      attr("type", "string", "direct.", { mutability: "readOnly", canonicalValues: ["direct"] }),
    ],
  }),
];

const ENTERPRISE_ATTRS: AttrDef[] = [
  attr("manager", "complex", "The person's manager in Okra, when the id names a known person.", {
    subAttributes: [
      attr("value", "string", "The manager's id.", { caseExact: true }),
      attr("$ref", "reference", "The manager's URI.", { caseExact: true, referenceTypes: ["User"] }),
      attr("displayName", "string", "The manager's name.", { mutability: "readOnly" }),
    ],
  }),
];

const GROUP_ATTRS: AttrDef[] = [
  attr("displayName", "string", "The team's name.", { required: true }),
  attr("members", "complex", "The team's members (people).", {
    multiValued: true,
    subAttributes: [
      attr("value", "string", "The person's id.", { caseExact: true, mutability: "immutable" }),
      attr("$ref", "reference", "The person's URI.", {
        caseExact: true,
        mutability: "immutable",
        referenceTypes: ["User"],
      }),
      attr("display", "string", "The person's name.", { mutability: "readOnly" }),
      attr("type", "string", "User.", { mutability: "immutable", canonicalValues: ["User"] }),
    ],
  }),
];

/** How one resource type is described: its core schema, its extensions, and what Okra accepts but does not keep. */
interface ResourceSchema {
  resource: "User" | "Group";
  core: string;
  attrs: AttrDef[];
  extensions: { urn: string; attrs: AttrDef[] }[];
  /** RFC 7643 attributes Okra accepts in requests but does not keep (so provisioning does not fail on them). */
  ignored: ReadonlySet<string>;
}

const USER_RESOURCE: ResourceSchema = {
  resource: "User",
  core: SCIM_USER_SCHEMA,
  attrs: USER_ATTRS,
  extensions: [{ urn: SCIM_ENTERPRISE_USER_SCHEMA, attrs: ENTERPRISE_ATTRS }],
  ignored: new Set(
    [
      "nickName",
      "profileUrl",
      "title",
      "userType",
      "preferredLanguage",
      "locale",
      "timezone",
      "password",
      "phoneNumbers",
      "ims",
      "photos",
      "addresses",
      "entitlements",
      "roles",
      "x509Certificates",
      // enterprise extension
      "employeeNumber",
      "costCenter",
      "organization",
      "division",
      "department",
    ].map((n) => n.toLowerCase()),
  ),
};

const GROUP_RESOURCE: ResourceSchema = {
  resource: "Group",
  core: SCIM_GROUP_SCHEMA,
  attrs: GROUP_ATTRS,
  extensions: [],
  ignored: new Set(),
};

const findAttr = (defs: readonly AttrDef[], name: string) =>
  defs.find((d) => d.name.toLowerCase() === name.toLowerCase()) ?? null;

/** A resolved attribute reference: `ext` is the extension URN holding it (null for core). */
interface Ref {
  ext: string | null;
  def: AttrDef;
  sub: AttrDef | null;
}

/** Resolves attribute paths (`userName`, `name.givenName`, `urn:…:User:manager.value`) in one resource schema. */
interface AttrScope {
  /** The reference, "ignored" for attributes Okra accepts but does not keep, or null when unknown. */
  lookup(path: string): Ref | "ignored" | null;
  /** The attribute names, for error messages. */
  names(): string;
}

/** Splits a leading schema URN off a path: `urn:…:enterprise:2.0:User:manager` → [urn, "manager"]. */
function splitUrn(rs: ResourceSchema, path: string): { urn: string | null; rest: string; unknownUrn: boolean } {
  const lower = path.toLowerCase();
  for (const urn of [rs.core, ...rs.extensions.map((e) => e.urn)]) {
    const u = urn.toLowerCase();
    if (lower === u) return { urn, rest: "", unknownUrn: false };
    if (lower.startsWith(`${u}:`)) return { urn, rest: path.slice(urn.length + 1), unknownUrn: false };
  }
  return { urn: null, rest: path, unknownUrn: lower.startsWith("urn:") };
}

function resourceScope(rs: ResourceSchema): AttrScope {
  return {
    lookup(path) {
      const { urn, rest, unknownUrn } = splitUrn(rs, path);
      // Custom extensions (Entra's, Okta's) carry attributes Okra has no place for.
      if (unknownUrn) return "ignored";
      const ext = urn && urn !== rs.core ? urn : null;
      const defs = ext ? (rs.extensions.find((e) => e.urn === ext)?.attrs ?? []) : [...COMMON_ATTRS, ...rs.attrs];
      const parts = rest.split(".");
      if (parts.length > 2 || !parts[0]) return null;
      const [name, subName] = parts as [string, string | undefined];
      const def = findAttr(defs, name);
      if (!def) return rs.ignored.has(name.toLowerCase()) ? "ignored" : null;
      if (subName === undefined) return { ext, def, sub: null };
      const sub = findAttr(def.subAttributes ?? [], subName);
      return sub ? { ext, def, sub } : null;
    },
    names() {
      const core = [...COMMON_ATTRS, ...rs.attrs].map((d) => d.name);
      const ext = rs.extensions.flatMap((e) => e.attrs.map((d) => `${e.urn}:${d.name}`));
      return [...core, ...ext].join(", ");
    },
  };
}

/** The scope inside a value filter (`emails[type eq "work"]`): the sub-attributes of `parent`. */
function elementScope(parent: AttrDef): AttrScope {
  const subs = parent.subAttributes ?? [];
  return {
    lookup(path) {
      const def = findAttr(subs, path);
      return def ? { ext: null, def, sub: null } : null;
    },
    names: () => subs.map((d) => d.name).join(", "),
  };
}

// ---------------------------------------------------------------- filters (RFC 7644 §3.4.2.2)

type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
type Scalar = string | number | boolean | null;
const COMPARE_OPS: readonly string[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

type Filter =
  | { kind: "compare"; ref: Ref; op: CompareOp; value: Scalar }
  | { kind: "present"; ref: Ref }
  | { kind: "and" | "or"; left: Filter; right: Filter }
  | { kind: "not"; filter: Filter }
  | {
      kind: "valuePath";
      ref: Ref;
      filter: Filter;
      /** Entra's form `emails[type eq "work"].value eq "x"`: a test on a sub-attribute of the matching values. */
      subTest: { sub: AttrDef; op: CompareOp | "pr"; value: Scalar } | null;
    };

type Token = { t: "(" | ")" | "[" | "]"; at: number } | { t: "word" | "str"; v: string; at: number };

class FilterSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      out.push({ t: c, at: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) throw new FilterSyntaxError(`the string starting at position ${i + 1} is not closed`);
      let v: string;
      try {
        v = JSON.parse(text.slice(i, j + 1)) as string;
      } catch {
        throw new FilterSyntaxError(`the string starting at position ${i + 1} has an invalid escape`);
      }
      out.push({ t: "str", v, at: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\]"]/.test(text[j]!)) j++;
      out.push({ t: "word", v: text.slice(i, j), at: i });
      i = j;
    }
  }
  return out;
}

class FilterParser {
  private pos = 0;
  constructor(
    private readonly toks: Token[],
    private readonly what: string,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.pos];
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === "word" && t.v.toLowerCase() === w;
  }
  private expect(t: "(" | ")" | "[" | "]"): void {
    const tok = this.peek();
    if (tok?.t !== t) throw new FilterSyntaxError(`expected "${t}" ${this.where(tok)}`);
    this.pos++;
  }
  private where(tok: Token | undefined): string {
    if (!tok) return "at the end";
    const shown = tok.t === "word" ? tok.v : tok.t === "str" ? JSON.stringify(tok.v) : tok.t;
    return `at position ${tok.at + 1} (found ${shown})`;
  }
  done(): boolean {
    return this.pos >= this.toks.length;
  }
  /** How many tokens have been read. */
  get consumed(): number {
    return this.pos;
  }
  rest(): string {
    return this.where(this.peek());
  }

  parseOr(scope: AttrScope): Filter {
    let left = this.parseAnd(scope);
    while (this.isWord("or")) {
      this.pos++;
      left = { kind: "or", left, right: this.parseAnd(scope) };
    }
    return left;
  }

  private parseAnd(scope: AttrScope): Filter {
    let left = this.parseUnary(scope);
    while (this.isWord("and")) {
      this.pos++;
      left = { kind: "and", left, right: this.parseUnary(scope) };
    }
    return left;
  }

  private parseUnary(scope: AttrScope): Filter {
    if (this.isWord("not")) {
      this.pos++;
      this.expect("(");
      const filter = this.parseOr(scope);
      this.expect(")");
      return { kind: "not", filter };
    }
    if (this.peek()?.t === "(") {
      this.pos++;
      const f = this.parseOr(scope);
      this.expect(")");
      return f;
    }
    return this.parseAttrExp(scope);
  }

  /** The attribute named at the current position, resolved in `scope`. */
  resolveAttr(scope: AttrScope): Ref {
    const tok = this.peek();
    if (tok?.t !== "word") throw new FilterSyntaxError(`expected an attribute name ${this.where(tok)}`);
    this.pos++;
    const ref = scope.lookup(tok.v);
    if (ref === null || ref === "ignored") {
      throw new FilterSyntaxError(`"${tok.v}" is not an attribute ${this.what} supports; use one of ${scope.names()}`);
    }
    return ref;
  }

  private parseAttrExp(scope: AttrScope): Filter {
    const ref = this.resolveAttr(scope);
    if (this.peek()?.t === "[") {
      if (ref.sub || ref.def.type !== "complex") {
        throw new FilterSyntaxError(`"${ref.def.name}" has no values to filter with [...]`);
      }
      this.pos++;
      const filter = this.parseOr(elementScope(ref.def));
      this.expect("]");
      const next = this.peek();
      if (next?.t === "word" && next.v.startsWith(".")) {
        this.pos++;
        const sub = findAttr(ref.def.subAttributes ?? [], next.v.slice(1));
        if (!sub) {
          throw new FilterSyntaxError(
            `"${ref.def.name}" has no sub-attribute "${next.v.slice(1)}"; use one of ${elementScope(ref.def).names()}`,
          );
        }
        const { op, value } = this.parseTest(sub);
        return { kind: "valuePath", ref, filter, subTest: { sub, op, value } };
      }
      return { kind: "valuePath", ref, filter, subTest: null };
    }
    // A comparison on a complex attribute compares its `value` (e.g. `members eq "<id>"`).
    const target = ref.sub ?? ref.def;
    let resolved = ref;
    if (target.type === "complex") {
      const value = findAttr(target.subAttributes ?? [], "value");
      if (!value) throw new FilterSyntaxError(`"${ref.def.name}" is complex: name one of its sub-attributes`);
      resolved = { ...ref, sub: value };
    }
    const { op, value } = this.parseTest(resolved.sub ?? resolved.def);
    return op === "pr" ? { kind: "present", ref: resolved } : { kind: "compare", ref: resolved, op, value };
  }

  private parseTest(def: AttrDef): { op: CompareOp | "pr"; value: Scalar } {
    const tok = this.peek();
    if (tok?.t !== "word") throw new FilterSyntaxError(`expected an operator ${this.where(tok)}`);
    const op = tok.v.toLowerCase();
    this.pos++;
    if (op === "pr") return { op: "pr", value: null };
    if (!COMPARE_OPS.includes(op)) {
      throw new FilterSyntaxError(`"${tok.v}" is not an operator; use eq, ne, co, sw, ew, gt, ge, lt, le or pr`);
    }
    const value = this.parseValue();
    if (def.type === "boolean" && op !== "eq" && op !== "ne") {
      throw new FilterSyntaxError(`"${def.name}" is true or false: compare it with eq or ne`);
    }
    return { op: op as CompareOp, value: def.type === "boolean" ? asBooleanLike(value) : value };
  }

  private parseValue(): Scalar {
    const tok = this.peek();
    this.pos++;
    if (tok?.t === "str") return tok.v;
    if (tok?.t === "word") {
      const w = tok.v.toLowerCase();
      if (w === "true") return true;
      if (w === "false") return false;
      if (w === "null") return null;
      if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok.v)) return Number(tok.v);
    }
    this.pos--;
    throw new FilterSyntaxError(
      `expected a value (a "quoted string", a number, true, false or null) ${this.where(tok)}`,
    );
  }
}

function asBooleanLike(v: Scalar): Scalar {
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  return v;
}

/** Parses a `filter` query parameter; throws VALIDATION (scimType invalidFilter) with what is wrong. */
function parseFilter(text: string, rs: ResourceSchema): Filter {
  try {
    const p = new FilterParser(tokenize(text), `in ${rs.resource} filters`);
    if (p.done()) throw new FilterSyntaxError("it is empty");
    const f = p.parseOr(resourceScope(rs));
    if (!p.done()) throw new FilterSyntaxError(`unexpected text ${p.rest()}`);
    return f;
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) throw err;
    throw invalid(
      "invalidFilter",
      `filter: ${err.message}. Write filters as in RFC 7644 §3.4.2.2, e.g. userName eq "ada@example.com".`,
    );
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The values at `ref` in `obj`, flattened over multi-valued attributes; unassigned ones left out. */
function valuesAt(obj: Json, ref: Ref): unknown[] {
  const holder = ref.ext ? obj[ref.ext] : obj;
  if (!isObject(holder)) return [];
  const v = holder[ref.def.name];
  const items = Array.isArray(v) ? v : [v];
  const out = ref.sub ? items.map((x) => (isObject(x) ? x[ref.sub!.name] : undefined)) : items;
  return out.filter((x) => x !== undefined && x !== null && x !== "");
}

function compare(actual: unknown, op: CompareOp, expected: Scalar, caseExact: boolean): boolean {
  if (typeof expected === "boolean" || typeof actual === "boolean") {
    const same = actual === expected;
    return op === "eq" ? same : op === "ne" ? !same : false;
  }
  if (typeof expected === "number") {
    const a = typeof actual === "number" ? actual : Number(actual);
    if (Number.isNaN(a)) return op === "ne";
    return cmpOrdered(a, expected, op);
  }
  if (typeof actual !== "string" || expected === null) return op === "ne";
  const a = caseExact ? actual : actual.toLowerCase();
  const e = caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case "co":
      return a.includes(e);
    case "sw":
      return a.startsWith(e);
    case "ew":
      return a.endsWith(e);
    default:
      return cmpOrdered(a, e, op);
  }
}

function cmpOrdered<T extends string | number>(a: T, e: T, op: CompareOp): boolean {
  switch (op) {
    case "eq":
      return a === e;
    case "ne":
      return a !== e;
    case "gt":
      return a > e;
    case "ge":
      return a >= e;
    case "lt":
      return a < e;
    case "le":
      return a <= e;
    default:
      return false;
  }
}

function test(values: unknown[], op: CompareOp | "pr", expected: Scalar, def: AttrDef): boolean {
  if (op === "pr") return values.length > 0;
  // `eq null` asks for an unassigned attribute (RFC 7644 §3.4.2.2).
  if (expected === null) return op === "eq" ? values.length === 0 : op === "ne" ? values.length > 0 : false;
  if (op === "ne") return !values.some((v) => compare(v, "eq", expected, def.caseExact));
  return values.some((v) => compare(v, op, expected, def.caseExact));
}

function matches(f: Filter, obj: Json): boolean {
  switch (f.kind) {
    case "and":
      return matches(f.left, obj) && matches(f.right, obj);
    case "or":
      return matches(f.left, obj) || matches(f.right, obj);
    case "not":
      return !matches(f.filter, obj);
    case "present":
      return valuesAt(obj, f.ref).length > 0;
    case "compare":
      return test(valuesAt(obj, f.ref), f.op, f.value, f.ref.sub ?? f.ref.def);
    case "valuePath": {
      const hits = valuesAt(obj, { ...f.ref, sub: null }).filter(
        (el): el is Json => isObject(el) && matches(f.filter, el),
      );
      const t = f.subTest;
      if (!t) return hits.length > 0;
      return hits.some((el) =>
        test(
          [el[t.sub.name]].filter((x) => x != null),
          t.op,
          t.value,
          t.sub,
        ),
      );
    }
  }
}

/** The fields an `eq` filter (or an `and` of them) pins down: what a new value must have to match it. */
function equalities(f: Filter): Json | null {
  if (f.kind === "compare" && f.op === "eq" && f.value !== null) return { [f.ref.def.name]: f.value };
  if (f.kind === "and") {
    const l = equalities(f.left);
    const r = equalities(f.right);
    return l && r ? { ...l, ...r } : null;
  }
  return null;
}

// ---------------------------------------------------------------- PATCH (RFC 7644 §3.5.2)

type PatchKind = "add" | "replace" | "remove";

interface PatchPath {
  ref: Ref;
  /** The value filter of a multi-valued attribute: `emails[type eq "work"]`. */
  filter: Filter | null;
  /** The sub-attribute after a value filter: `emails[type eq "work"].value`. */
  sub: AttrDef | null;
}

/** Parses a PatchOp `path`; null when it names an attribute Okra accepts but does not keep. */
function parsePatchPath(raw: string, rs: ResourceSchema, where: string): PatchPath | null {
  const bad = (why: string) =>
    invalid(
      "invalidPath",
      `${where}.path: ${why}. Paths look like "name.givenName" or 'emails[type eq "work"].value'.`,
    );
  let toks: Token[];
  try {
    toks = tokenize(raw);
  } catch (err) {
    throw bad((err as Error).message);
  }
  const first = toks[0];
  if (first?.t !== "word") throw bad(`"${raw}" does not start with an attribute name`);
  const found = resourceScope(rs).lookup(first.v);
  if (found === "ignored") return null;
  if (!found) {
    throw bad(`"${first.v}" is not a ${rs.resource} attribute Okra supports; use one of ${resourceScope(rs).names()}`);
  }
  if (toks.length === 1) return { ref: found, filter: null, sub: null };
  if (toks[1]?.t !== "[" || found.sub || !found.def.multiValued) throw bad(`"${raw}" is not a valid path`);
  const parser = new FilterParser(toks.slice(2), `in values of ${found.def.name}`);
  let filter: Filter;
  try {
    filter = parser.parseOr(elementScope(found.def));
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw bad(err.message);
    throw err;
  }
  const after = toks.slice(2 + parser.consumed);
  if (after[0]?.t !== "]") throw bad(`the value filter in "${raw}" is not closed with "]"`);
  if (after.length === 1) return { ref: found, filter, sub: null };
  const subTok = after[1];
  if (after.length !== 2 || subTok?.t !== "word" || !subTok.v.startsWith("."))
    throw bad(`"${raw}" is not a valid path`);
  const sub = findAttr(found.def.subAttributes ?? [], subTok.v.slice(1));
  if (!sub) throw bad(`"${found.def.name}" has no sub-attribute "${subTok.v.slice(1)}"`);
  return { ref: found, filter, sub };
}

/** Coerces a request value to the attribute's type; `where` names it in errors. */
function coerce(def: AttrDef, value: unknown, where: string, asWhole = true): unknown {
  if (value === null) return null;
  if (def.multiValued && asWhole) {
    const items = Array.isArray(value) ? value : [value];
    return items.map((v, i) => coerce(def, v, `${where}[${i}]`, false));
  }
  switch (def.type) {
    case "complex": {
      // Entra sends single complex values as a bare id ("manager": "<id>") or a one-item list.
      if (typeof value === "string" && findAttr(def.subAttributes ?? [], "value")) return { value };
      const obj = Array.isArray(value) && value.length === 1 && !def.multiValued ? value[0] : value;
      if (!isObject(obj))
        throw invalid("invalidValue", `${where}: must be an object with ${def.name}'s sub-attributes`);
      const out: Json = {};
      for (const [k, v] of Object.entries(obj)) {
        const sub = findAttr(def.subAttributes ?? [], k);
        if (sub) out[sub.name] = coerce(sub, v, `${where}.${sub.name}`);
      }
      return out;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      // Entra sent booleans as "True" / "False" for years; accept them.
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === "true";
      throw invalid("invalidValue", `${where}: must be true or false (got ${JSON.stringify(value)})`);
    default:
      if (typeof value === "string") return value;
      throw invalid("invalidValue", `${where}: must be a string (got ${JSON.stringify(value)})`);
  }
}

function holderOf(doc: Json, ext: string | null): Json {
  if (!ext) return doc;
  const h = doc[ext];
  if (isObject(h)) return h;
  const created: Json = {};
  doc[ext] = created;
  return created;
}

const sameValue = (a: unknown, b: unknown) =>
  isObject(a) && isObject(b) && a.value !== undefined && a.value !== null && a.value === b.value;

/** Applies one operation to a resource document (canonical attribute names) in place. */
function applyOperation(doc: Json, kind: PatchKind, path: PatchPath, value: unknown, where: string): void {
  const { ref, filter, sub } = path;
  const target = ref.sub ?? sub ?? ref.def;
  if (ref.def.mutability === "readOnly" || target.mutability === "readOnly") {
    throw scimError(
      "VALIDATION",
      "mutability",
      `${where}: "${ref.def.name}${ref.sub || sub ? `.${(ref.sub ?? sub)!.name}` : ""}" is read-only${ref.def.name === "groups" ? "; change a person's teams through /Groups members" : ""}`,
    );
  }
  const holder = holderOf(doc, ref.ext);
  const name = ref.def.name;

  if (kind === "remove") {
    if (ref.def.required && !ref.sub && !filter) {
      throw invalid("invalidValue", `${where}: "${name}" is required and cannot be removed; replace it instead`);
    }
    if (!ref.def.multiValued) {
      if (ref.sub) {
        const obj = holder[name];
        if (isObject(obj)) delete obj[ref.sub.name];
      } else {
        delete holder[name];
      }
      return;
    }
    const items = Array.isArray(holder[name]) ? (holder[name] as unknown[]) : [];
    if (filter) {
      if (sub) {
        for (const el of items) if (isObject(el) && matches(filter, el)) delete el[sub.name];
      } else {
        holder[name] = items.filter((el) => !(isObject(el) && matches(filter, el)));
      }
    } else if (ref.sub) {
      for (const el of items) if (isObject(el)) delete el[ref.sub.name];
    } else if (value !== undefined && value !== null) {
      // Entra removes members with a value list instead of a filter: drop just those.
      const gone = coerce(ref.def, value, `${where}.value`) as Json[];
      holder[name] = items.filter((el) => !gone.some((g) => sameValue(el, g)));
    } else {
      holder[name] = [];
    }
    return;
  }

  if (value === undefined) throw invalid("invalidValue", `${where}.value: is required for "${kind}"`);

  if (!ref.def.multiValued) {
    if (ref.sub) {
      const obj = isObject(holder[name]) ? (holder[name] as Json) : {};
      obj[ref.sub.name] = coerce(ref.sub, value, `${where}.value`);
      holder[name] = obj;
    } else if (ref.def.type === "complex") {
      const v = coerce(ref.def, value, `${where}.value`);
      // RFC 7644 §3.5.2.1 / .3: sub-attributes not given stay as they were.
      holder[name] = v === null ? null : { ...(isObject(holder[name]) ? (holder[name] as Json) : {}), ...(v as Json) };
    } else {
      holder[name] = coerce(ref.def, value, `${where}.value`);
    }
    return;
  }

  const items = Array.isArray(holder[name]) ? [...(holder[name] as unknown[])] : [];
  if (filter || ref.sub) {
    const selected = items.filter((el): el is Json => isObject(el) && (!filter || matches(filter, el)));
    const subDef = sub ?? ref.sub;
    const v = subDef ? coerce(subDef, value, `${where}.value`) : coerce(ref.def, value, `${where}.value`, false);
    if (!subDef && !isObject(v)) throw invalid("invalidValue", `${where}.value: must be an object`);
    if (selected.length === 0) {
      // Entra adds `emails[type eq "work"].value` when there is no work address yet: create the value.
      const seed = filter ? equalities(filter) : {};
      if (!seed) {
        throw invalid("noTarget", `${where}: no value of "${name}" matches the filter, so there is nothing to ${kind}`);
      }
      const created: Json = subDef ? { ...seed, [subDef.name]: v } : { ...seed, ...(v as Json) };
      items.push(created);
      keepOnePrimary(items, created);
    } else {
      for (const el of selected) {
        if (subDef) el[subDef.name] = v;
        else Object.assign(el, v as Json);
      }
      keepOnePrimary(items, selected.at(-1));
    }
    holder[name] = items;
    return;
  }
  const added = (coerce(ref.def, value, `${where}.value`) ?? []) as Json[];
  if (kind === "replace") {
    holder[name] = added;
    return;
  }
  for (const a of added) {
    const existing = items.find((el) => sameValue(el, a));
    const el = isObject(existing) ? Object.assign(existing, a) : a;
    if (el === a) items.push(a);
    keepOnePrimary(items, el);
  }
  holder[name] = items;
}

/** At most one value of a multi-valued attribute is primary (RFC 7643 §2.4): the one just set wins. */
function keepOnePrimary(items: unknown[], winner: Json | undefined): void {
  if (winner?.primary !== true) return;
  for (const el of items) if (isObject(el) && el !== winner && el.primary === true) el.primary = false;
}

interface PatchOperation {
  kind: PatchKind;
  path: string | undefined;
  value: unknown;
  where: string;
}

/** Checks a PatchOp body's shape (RFC 7644 §3.5.2); throws invalidSyntax / invalidPath / invalidValue. */
function readPatchBody(body: unknown): PatchOperation[] {
  const syntax = (why: string) =>
    invalid(
      "invalidSyntax",
      `${why}. Send {"schemas": ["${SCIM_PATCH_OP}"], "Operations": [{"op": "replace", "path": "active", "value": false}]}.`,
    );
  if (!isObject(body)) throw syntax("The body must be a PatchOp JSON object");
  const schemas = body.schemas;
  if (
    schemas !== undefined &&
    !(
      Array.isArray(schemas) &&
      schemas.some((s) => typeof s === "string" && s.toLowerCase() === SCIM_PATCH_OP.toLowerCase())
    )
  ) {
    throw syntax(`schemas: must list "${SCIM_PATCH_OP}"`);
  }
  const key = Object.keys(body).find((k) => k.toLowerCase() === "operations");
  const ops = key ? body[key] : undefined;
  if (!Array.isArray(ops) || ops.length === 0) throw syntax("Operations: must be a non-empty list of operations");
  return ops.map((raw, i) => {
    const where = `Operations[${i}]`;
    if (!isObject(raw)) throw syntax(`${where}: must be an object with op, path and value`);
    const op = typeof raw.op === "string" ? raw.op.toLowerCase() : undefined;
    if (op !== "add" && op !== "replace" && op !== "remove") {
      throw syntax(`${where}.op: must be "add", "replace" or "remove" (got ${JSON.stringify(raw.op ?? null)})`);
    }
    if (raw.path !== undefined && (typeof raw.path !== "string" || raw.path.trim() === "")) {
      throw invalid("invalidPath", `${where}.path: must be a non-empty string such as "active" or "name.givenName"`);
    }
    return { kind: op, path: raw.path === undefined ? undefined : String(raw.path).trim(), value: raw.value, where };
  });
}

/** Applies PatchOp operations to a copy of `current` and returns the patched document. */
function patchDocument(current: Json, ops: PatchOperation[], rs: ResourceSchema): Json {
  const doc = structuredClone(current);
  for (const op of ops) {
    if (op.path !== undefined) {
      const path = parsePatchPath(op.path, rs, op.where);
      if (path) applyOperation(doc, op.kind, path, op.value, op.where);
      continue;
    }
    if (op.kind === "remove") {
      throw invalid("noTarget", `${op.where}.path: "remove" needs a path naming what to remove`);
    }
    if (!isObject(op.value)) {
      throw invalid("invalidValue", `${op.where}.value: without a path, value must be an object of attributes`);
    }
    // Without a path the value's keys are attributes; Okta and Entra also send paths as keys
    // ("name.givenName", 'emails[type eq "work"].value') and read-only ones such as id.
    for (const [key, v] of Object.entries(op.value)) {
      const ext = rs.extensions.find((e) => e.urn.toLowerCase() === key.toLowerCase());
      const entries: [string, unknown][] =
        ext && isObject(v) ? Object.entries(v).map(([k, x]) => [`${ext.urn}:${k}`, x]) : [[key, v]];
      for (const [p, x] of entries) {
        if (p.toLowerCase() === "schemas") continue;
        const path = parsePatchPath(p, rs, `${op.where}.value`);
        if (
          !path ||
          (path.ref.sub ?? path.ref.def).mutability === "readOnly" ||
          path.ref.def.mutability === "readOnly"
        ) {
          continue;
        }
        applyOperation(doc, op.kind, path, x, `${op.where}.value.${p}`);
      }
    }
  }
  return doc;
}

/** A PUT / POST body as a document: each attribute given replaces the current one; read-only ones are ignored. */
function replaceDocument(current: Json, body: unknown, rs: ResourceSchema): Json {
  if (!isObject(body)) {
    throw invalid("invalidSyntax", `The body must be a ${rs.resource} JSON object (schemas ["${rs.core}"]).`);
  }
  const doc = structuredClone(current);
  const scope = resourceScope(rs);
  for (const [key, v] of Object.entries(body)) {
    const ext = rs.extensions.find((e) => e.urn.toLowerCase() === key.toLowerCase());
    if (ext) {
      if (v !== null && !isObject(v)) throw invalid("invalidValue", `${key}: must be an object`);
      const out: Json = {};
      for (const [k, x] of Object.entries(v ?? {})) {
        const def = findAttr(ext.attrs, k);
        if (def && def.mutability !== "readOnly") out[def.name] = coerce(def, x, `${key}.${def.name}`);
      }
      doc[ext.urn] = out;
      continue;
    }
    const ref = scope.lookup(key);
    if (!ref || ref === "ignored" || ref.sub || ref.ext || ref.def.mutability === "readOnly") continue;
    doc[ref.def.name] = coerce(ref.def, v, ref.def.name);
  }
  return doc;
}

// ---------------------------------------------------------------- presentation

const iso = (d: Date) => d.toISOString();
const weakEtag = (version: number) => `W/"${version}"`;

function splitName(name: string): { givenName: string; familyName: string } {
  const trimmed = name.trim();
  const i = trimmed.indexOf(" ");
  return i < 0
    ? { givenName: trimmed, familyName: "" }
    : { givenName: trimmed.slice(0, i), familyName: trimmed.slice(i + 1).trim() };
}

interface GroupRef {
  id: string;
  name: string;
}

function presentScimUser(u: UserRow, groups: readonly GroupRef[], baseUrl: string): Json {
  const { givenName, familyName } = splitName(u.name);
  return {
    schemas: [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA],
    id: u.id,
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.email,
    name: { formatted: u.name, givenName, ...(familyName ? { familyName } : {}) },
    displayName: u.name,
    active: u.active,
    emails: [{ value: u.email, type: "work", primary: true }],
    groups: groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.name, type: "direct" })),
    [SCIM_ENTERPRISE_USER_SCHEMA]: u.managerId
      ? { manager: { value: u.managerId, $ref: `${baseUrl}/Users/${u.managerId}` } }
      : {},
    meta: {
      resourceType: "User",
      created: iso(u.createdAt),
      lastModified: iso(u.updatedAt),
      location: `${baseUrl}/Users/${u.id}`,
      version: weakEtag(u.version),
    },
  };
}

function presentScimGroup(t: TeamRow, members: readonly { id: string; name: string }[], baseUrl: string): Json {
  return {
    schemas: [SCIM_GROUP_SCHEMA],
    id: t.id,
    ...(t.externalId ? { externalId: t.externalId } : {}),
    displayName: t.name,
    members: members.map((m) => ({ value: m.id, $ref: `${baseUrl}/Users/${m.id}`, display: m.name, type: "User" })),
    meta: {
      resourceType: "Group",
      created: iso(t.createdAt),
      lastModified: iso(t.updatedAt),
      location: `${baseUrl}/Groups/${t.id}`,
      version: weakEtag(t.version),
    },
  };
}

/** What `attributes` / `excludedAttributes` ask for (RFC 7644 §3.4.2.5). */
export interface ScimProjection {
  attributes?: string | undefined;
  excludedAttributes?: string | undefined;
}

function project(resource: Json, q: ScimProjection, rs: ResourceSchema): Json {
  const scope = resourceScope(rs);
  const refs = (list: string | undefined) =>
    (list ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => scope.lookup(s))
      .filter((r): r is Ref => r !== null && r !== "ignored");
  const holder = (obj: Json, ext: string | null) => (ext ? (obj[ext] as Json | undefined) : obj);
  const include = refs(q.attributes);
  if (include.length) {
    const out: Json = { schemas: resource.schemas, id: resource.id };
    for (const r of include) {
      const from = holder(resource, r.ext);
      const v = from?.[r.def.name];
      if (v === undefined) continue;
      const to = holderOf(out, r.ext);
      if (r.sub && isObject(v)) {
        const prev = isObject(to[r.def.name]) ? (to[r.def.name] as Json) : {};
        to[r.def.name] = { ...prev, [r.sub.name]: v[r.sub.name] };
      } else {
        to[r.def.name] = v;
      }
    }
    return out;
  }
  const exclude = refs(q.excludedAttributes);
  if (!exclude.length) return resource;
  const out = structuredClone(resource);
  for (const r of exclude) {
    if (r.def.returned === "always") continue;
    const from = holder(out, r.ext);
    if (!from) continue;
    if (r.sub && isObject(from[r.def.name])) delete (from[r.def.name] as Json)[r.sub.name];
    else if (!r.sub) delete from[r.def.name];
  }
  return out;
}

// ---------------------------------------------------------------- authentication and plumbing

/**
 * Resolves a SCIM bearer token to its organisation, or throws UNAUTHENTICATED (unknown,
 * malformed or revoked token). Records when the token was last used (at most once a minute).
 */
export async function authenticateScim(svc: Services, token: string | undefined, baseUrl: string): Promise<ScimCaller> {
  if (!token) {
    throw scimError(
      "UNAUTHENTICATED",
      null,
      'Send the organisation\'s SCIM token as "Authorization: Bearer <token>". An Okra admin issues one with POST /api/v1/scim-tokens.',
    );
  }
  const db = svc.database.db;
  const found = await scimQueries.findLiveByHash(db, hashToken(token));
  const row = found?.token;
  if (!row) {
    throw scimError(
      "UNAUTHENTICATED",
      null,
      "This SCIM token is not valid (unknown or revoked). An Okra admin can issue a new one with POST /api/v1/scim-tokens; API tokens do not work here.",
    );
  }
  // Provisioning acts with its issuer's rank, and only while they may still issue SCIM tokens.
  const issuer = found?.issuer;
  if (!issuer?.active || issuer.role !== "owner") {
    throw scimError(
      "UNAUTHENTICATED",
      null,
      "This SCIM token no longer works: the person who issued it is no longer an active organisation owner. An owner can issue a new one with POST /api/v1/scim-tokens.",
    );
  }
  const nowMs = svc.now();
  // Bookkeeping, not a change: no audit, no event, no organisation lock on every request.
  if (!row.lastUsedAt || nowMs - row.lastUsedAt.getTime() > 60_000) {
    await scimQueries.touch(db, grantOrgScope(row.orgId), row.id, new Date(nowMs));
  }
  return {
    orgId: row.orgId,
    scope: grantOrgScope(row.orgId),
    tokenId: row.id,
    baseUrl,
    actor: { userId: issuer.id, role: issuer.role, isInstanceAdmin: issuer.isInstanceAdmin },
  };
}

type Audit = AuditFn;

/**
 * One write through the one write path (`writeTransaction`): a transaction under the
 * organisation's lock, audit rows with no actor and `via: "scim"` with the token's id in
 * their after snapshot, live events after the commit.
 */
async function scimWrite<T>(
  svc: Services,
  caller: ScimCaller,
  fn: (tx: Executor, scope: OrgScope, audit: Audit) => Promise<T>,
): Promise<T> {
  return writeTransaction(
    svc,
    { scope: caller.scope, actorId: null, auditMark: { via: "scim", scimTokenId: caller.tokenId } },
    (t) => fn(t.tx, t.scope, t.audit),
  );
}

/** Throws VERSION_CONFLICT (HTTP 412) when an If-Match version was sent and is not the current one. */
function checkIfMatch(ifMatch: number | undefined, current: { version: number }, what: string): void {
  if (ifMatch !== undefined && ifMatch !== current.version) {
    throw new AppError(
      "VERSION_CONFLICT",
      `If-Match: the ${what} is at version W/"${current.version}", not W/"${ifMatch}"; read it again and retry.`,
      { scimType: null },
    );
  }
}

interface Page {
  startIndex: number;
  count: number;
}

/** Reads `startIndex` (1-based) and `count` (RFC 7644 §3.4.2.4). */
function readPage(q: { startIndex?: unknown; count?: unknown }): Page {
  const int = (v: unknown, name: string): number | undefined => {
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n))
      throw invalid("invalidValue", `${name}: must be a whole number (got ${JSON.stringify(v)})`);
    return n;
  };
  const startIndex = Math.max(1, int(q.startIndex, "startIndex") ?? 1);
  const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, int(q.count, "count") ?? DEFAULT_COUNT));
  return { startIndex, count };
}

/** The query parameters of a list request. */
export interface ScimListQuery extends ScimProjection {
  filter?: string | undefined;
  startIndex?: string | number | undefined;
  count?: string | number | undefined;
}

function listResponse(resources: Json[], query: ScimListQuery, rs: ResourceSchema): Json {
  const filter = query.filter?.trim() ? parseFilter(query.filter, rs) : null;
  const page = readPage(query);
  const hits = filter ? resources.filter((r) => matches(filter, r)) : resources;
  const slice = hits.slice(page.startIndex - 1, page.startIndex - 1 + page.count);
  return {
    schemas: [SCIM_LIST_RESPONSE],
    totalResults: hits.length,
    itemsPerPage: slice.length,
    startIndex: page.startIndex,
    Resources: slice.map((r) => project(r, query, rs)),
  };
}

// ---------------------------------------------------------------- Users

/** Team memberships (live teams only), by person. */
async function groupsByUser(
  ex: Executor,
  scope: OrgScope,
  userIds?: readonly string[],
): Promise<Map<string, GroupRef[]>> {
  const byUser = await userQueries.teamIdsByUser(ex, scope, userIds);
  const teamIds = [...new Set([...byUser.values()].flat())];
  const names = new Map((await teamRepo.listByIds(ex, scope, teamIds)).map((t) => [t.id, t.name]));
  const out = new Map<string, GroupRef[]>();
  for (const [userId, ids] of byUser) {
    out.set(
      userId,
      ids.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! })),
    );
  }
  return out;
}

async function userResource(ex: Executor, scope: OrgScope, u: UserRow, baseUrl: string): Promise<Json> {
  return presentScimUser(u, (await groupsByUser(ex, scope, [u.id])).get(u.id) ?? [], baseUrl);
}

async function userView(ex: Executor, scope: OrgScope, u: UserRow) {
  return presentUser(u, (await userQueries.teamIdsByUser(ex, scope, [u.id])).get(u.id) ?? []);
}

/** Lists people as SCIM Users, filtered and paged (ListResponse). */
export async function listScimUsers(svc: Services, caller: ScimCaller, query: ScimListQuery): Promise<Json> {
  const ex = svc.database.db;
  const rows = await userRepo.list(ex, caller.scope);
  const groups = await groupsByUser(ex, caller.scope);
  const resources = rows.map((u) => presentScimUser(u, groups.get(u.id) ?? [], caller.baseUrl));
  return listResponse(resources, query, USER_RESOURCE);
}

/** One person as a SCIM User; NOT_FOUND when the id names no person of the caller's organisation. */
export async function getScimUser(
  svc: Services,
  caller: ScimCaller,
  id: string,
  q: ScimProjection = {},
): Promise<Json> {
  const ex = svc.database.db;
  const u = await userRepo.get(ex, caller.scope, id);
  return project(await userResource(ex, caller.scope, u, caller.baseUrl), q, USER_RESOURCE);
}

const EmailSchema = z.email();

interface UserChanges {
  email?: string;
  name?: string;
  active?: boolean;
  externalId?: string | null;
  managerId?: string | null;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

function primaryEmail(doc: Json): string | undefined {
  const emails = Array.isArray(doc.emails) ? doc.emails.filter(isObject) : [];
  const pick =
    emails.find((e) => e.primary === true) ??
    emails.find((e) => typeof e.type === "string" && e.type.toLowerCase() === "work") ??
    emails[0];
  return str(pick?.value);
}

function managerOf(doc: Json): string | null {
  const ext = doc[SCIM_ENTERPRISE_USER_SCHEMA];
  const m = isObject(ext) ? ext.manager : undefined;
  return (isObject(m) ? str(m.value) : undefined) ?? null;
}

function nameParts(doc: Json) {
  const n = isObject(doc.name) ? doc.name : {};
  return {
    givenName: str(n.givenName),
    familyName: str(n.familyName),
    formatted: str(n.formatted),
    displayName: str(doc.displayName),
  };
}

/**
 * What a User document changes in Okra, compared with `before` (the current resource, or
 * an empty one for a new person). The changed name parts win over `formatted`, which wins
 * over `displayName`; a changed userName wins over a changed primary email.
 */
function userChanges(doc: Json, before: Json | null): UserChanges {
  const out: UserChanges = {};
  const prev = before ?? {};
  const userName = str(doc.userName);
  const email = primaryEmail(doc);
  if (before === null || userName !== str(prev.userName)) {
    if (!userName) {
      throw invalid(
        "invalidValue",
        "userName: is required; send the person's email address (Okra signs people in by email)",
      );
    }
    out.email = userName;
  } else if (email && email !== primaryEmail(prev)) {
    out.email = email;
  }
  if (out.email !== undefined) {
    if (!EmailSchema.safeParse(out.email).success) {
      throw invalid(
        "invalidValue",
        `userName: ${JSON.stringify(out.email)} is not an email address. Okra signs people in by email: map the person's email (mail or userPrincipalName) to userName in your identity provider.`,
      );
    }
  }

  const now = nameParts(doc);
  const was = nameParts(prev);
  const joined = [now.givenName, now.familyName].filter(Boolean).join(" ");
  let name: string | undefined;
  if (before === null) {
    name = joined || now.formatted || now.displayName || out.email?.split("@")[0];
  } else if (now.givenName !== was.givenName || now.familyName !== was.familyName) {
    name = joined || now.formatted || now.displayName;
  } else if (now.formatted !== was.formatted) {
    name = now.formatted;
  } else if (now.displayName !== was.displayName) {
    name = now.displayName;
  }
  if (name !== undefined) {
    if (name.length > 200) throw invalid("invalidValue", "name: must be at most 200 characters");
    const bidi = bidiControlProblem(name);
    if (bidi) throw invalid("invalidValue", `name: ${bidi}`);
    out.name = name;
  }

  const active = doc.active;
  if (typeof active === "boolean" && (before === null || active !== prev.active)) out.active = active;
  const externalId = str(doc.externalId) ?? null;
  if (before === null ? externalId !== null : externalId !== (str(prev.externalId) ?? null))
    out.externalId = externalId;
  const managerId = managerOf(doc);
  if (before === null ? managerId !== null : managerId !== managerOf(prev)) out.managerId = managerId;
  return out;
}

/** The manager id to store: a known person of the organisation, else null; VALIDATION on a reporting loop. */
async function resolveManager(ex: Executor, scope: OrgScope, userId: string | null, managerId: string | null) {
  if (!managerId || !isId(managerId) || !(await userRepo.find(ex, scope, managerId))) return null;
  await checkParentLink(
    userId,
    managerId,
    (x) => userRepo.find(ex, scope, x),
    (u) => u.managerId,
    {
      field: `${SCIM_ENTERPRISE_USER_SCHEMA}:manager.value`,
      noun: "person",
      loopMessage: "a person cannot report to themselves or to someone who reports to them",
    },
  );
  return managerId;
}

async function requireFreeEmail(ex: Executor, scope: OrgScope, email: string, selfId: string | null) {
  const other = await userQueries.findByEmail(ex, scope, email);
  if (other && other.id !== selfId) {
    throw scimError(
      "ALREADY_EXISTS",
      "uniqueness",
      `userName: a person with the email ${email} already exists (id ${other.id}); find them with filter=userName eq "${email}" and update them instead.`,
    );
  }
}

/** Refuses to deactivate the organisation's last active owner (nobody could administer it any more). */
async function guardLastOwner(ex: Executor, scope: OrgScope, u: UserRow) {
  if (u.role !== "owner" || !u.active) return;
  if ((await scimQueries.otherActiveOwners(ex, scope, u.id)) === 0) {
    throw scimError(
      "VALIDATION",
      "mutability",
      `${u.email} is the organisation's last active owner and cannot be deactivated; make another person an owner in Okra first.`,
    );
  }
}

/** Applies the changes to a stored person in the open transaction; returns the updated row. */
async function writeUser(
  tx: Executor,
  scope: OrgScope,
  u: UserRow,
  changes: UserChanges,
  { nowMs, actor }: WriteAt,
  audit: Audit,
): Promise<UserRow> {
  const patch: Partial<typeof usersTable.$inferInsert> = {};
  // Owners hold the organisation: their email (which resets their password), provider id and
  // activity are changed in Okra by another owner, never by provisioning.
  const ownerChange =
    u.role === "owner" &&
    ((changes.email !== undefined && changes.email !== u.email) ||
      (changes.externalId !== undefined && changes.externalId !== u.externalId) ||
      changes.active === false);
  if (ownerChange) {
    throw scimError(
      "VALIDATION",
      "mutability",
      `${u.email} is an organisation owner: provisioning cannot change an owner's email or id, or deactivate them. An owner does that in Okra.`,
    );
  }
  if (changes.email !== undefined && changes.email !== u.email) {
    await requireFreeEmail(tx, scope, changes.email, u.id);
    patch.email = changes.email;
  }
  if (changes.name !== undefined && changes.name !== u.name) patch.name = changes.name;
  if (changes.externalId !== undefined && changes.externalId !== u.externalId) patch.externalId = changes.externalId;
  if (changes.managerId !== undefined) {
    const managerId = await resolveManager(tx, scope, u.id, changes.managerId);
    if (managerId !== u.managerId) patch.managerId = managerId;
  }
  if (changes.active !== undefined && changes.active !== u.active) {
    if (!changes.active) await guardLastOwner(tx, scope, u);
    patch.active = changes.active;
  }
  if (Object.keys(patch).length === 0) return u;
  // The same rule as every other path: provisioning acts with its token's issuer's rank.
  const denial = personChangeDenial(actor, u, {
    email: patch.email !== undefined,
    identity: patch.externalId !== undefined,
    active: patch.active,
  });
  if (denial) throw scimError("FORBIDDEN", null, `${u.email}: ${denial}`);
  const before = await userView(tx, scope, u);
  const updated = await userRepo.update(tx, scope, u.id, patch);
  const action = patch.active === false ? "user.deactivated" : "user.updated";
  await audit(action, "user", u.id, before, await userView(tx, scope, updated));
  await settlePersonChange(
    tx,
    scope,
    u.id,
    { deactivated: patch.active === false, email: patch.email !== undefined, identity: patch.externalId !== undefined },
    nowMs,
    audit,
  );
  return updated;
}

/**
 * Creates a person from a SCIM User (role member). Throws ALREADY_EXISTS (uniqueness) when a
 * person with the userName (email) exists, VALIDATION (invalidValue) when it is no email.
 */
export async function createScimUser(svc: Services, caller: ScimCaller, body: unknown): Promise<Json> {
  const doc = replaceDocument({}, body, USER_RESOURCE);
  const changes = userChanges(doc, null);
  return scimWrite(svc, caller, async (tx, scope, audit) => {
    const email = changes.email!;
    await requireFreeEmail(tx, scope, email, null);
    const managerId = await resolveManager(tx, scope, null, changes.managerId ?? null);
    const row = await userRepo.insert(tx, scope, {
      name: changes.name!,
      email,
      role: "member",
      active: changes.active ?? true,
      externalId: changes.externalId ?? null,
      managerId,
    });
    await audit("user.created", "user", row.id, null, await userView(tx, scope, row));
    return userResource(tx, scope, row, caller.baseUrl);
  });
}

/**
 * DELETE /Users: deactivates the person (Okra keeps people, their OKRs and check-ins) and
 * revokes their API tokens and sessions. Throws NOT_FOUND, VERSION_CONFLICT, and VALIDATION
 * (mutability) for the organisation's last active owner.
 */
export async function deactivateScimUser(
  svc: Services,
  caller: ScimCaller,
  id: string,
  ifMatch?: number,
): Promise<void> {
  await scimWrite(svc, caller, async (tx, scope, audit) => {
    const u = await userRepo.get(tx, scope, id, { forUpdate: true });
    checkIfMatch(ifMatch, u, "user");
    await writeUser(tx, scope, u, { active: false }, { nowMs: svc.now(), actor: caller.actor }, audit);
    // Already inactive: still make sure nothing of theirs works.
    if (!u.active) await revokeAccess(tx, scope, u.id, svc.now());
  });
}

// ---------------------------------------------------------------- Groups

async function membersOf(ex: Executor, scope: OrgScope, teamIds?: readonly string[]) {
  const rows = await teamQueries.members(ex, scope, teamIds);
  const people = new Map(
    (await userRepo.listByIds(ex, scope, [...new Set(rows.map((r) => r.userId))])).map((u) => [u.id, u]),
  );
  const byTeam = new Map<string, { id: string; name: string; role: string }[]>();
  for (const r of rows) {
    const u = people.get(r.userId);
    if (!u) continue;
    byTeam.set(r.teamId, [...(byTeam.get(r.teamId) ?? []), { id: u.id, name: u.name, role: r.role }]);
  }
  return byTeam;
}

async function groupResource(ex: Executor, scope: OrgScope, t: TeamRow, baseUrl: string): Promise<Json> {
  return presentScimGroup(t, (await membersOf(ex, scope, [t.id])).get(t.id) ?? [], baseUrl);
}

async function teamView(ex: Executor, scope: OrgScope, t: TeamRow) {
  return presentTeam(t, await teamQueries.members(ex, scope, [t.id]));
}

/** Lists teams as SCIM Groups, filtered and paged (ListResponse). */
export async function listScimGroups(svc: Services, caller: ScimCaller, query: ScimListQuery): Promise<Json> {
  const ex = svc.database.db;
  const rows = await teamRepo.list(ex, caller.scope);
  const members = await membersOf(ex, caller.scope);
  const resources = rows.map((t) => presentScimGroup(t, members.get(t.id) ?? [], caller.baseUrl));
  return listResponse(resources, query, GROUP_RESOURCE);
}

/** One team as a SCIM Group; NOT_FOUND when the id names no live team of the caller's organisation. */
export async function getScimGroup(
  svc: Services,
  caller: ScimCaller,
  id: string,
  q: ScimProjection = {},
): Promise<Json> {
  const ex = svc.database.db;
  const t = await teamRepo.get(ex, caller.scope, id);
  return project(await groupResource(ex, caller.scope, t, caller.baseUrl), q, GROUP_RESOURCE);
}

interface GroupChanges {
  name?: string;
  externalId?: string | null;
  memberIds?: string[];
}

function memberIdsOf(doc: Json): string[] {
  const items = Array.isArray(doc.members) ? doc.members : [];
  const ids = items.map((m, i) => {
    const v = isObject(m) ? str(m.value) : undefined;
    if (!v) throw invalid("invalidValue", `members[${i}].value: is required (the id of a User)`);
    return v;
  });
  return [...new Set(ids)];
}

function groupChanges(doc: Json, before: Json | null): GroupChanges {
  const out: GroupChanges = {};
  const name = str(doc.displayName);
  if (before === null || name !== str(before.displayName)) {
    if (!name) throw invalid("invalidValue", "displayName: is required (the team's name)");
    if (name.length > 200) throw invalid("invalidValue", "displayName: must be at most 200 characters");
    const bidi = bidiControlProblem(name);
    if (bidi) throw invalid("invalidValue", `displayName: ${bidi}`);
    out.name = name;
  }
  const externalId = str(doc.externalId) ?? null;
  if (before === null ? externalId !== null : externalId !== (str(before.externalId) ?? null))
    out.externalId = externalId;
  const ids = memberIdsOf(doc);
  const was = before ? memberIdsOf(before) : [];
  if (ids.length !== was.length || ids.some((x) => !was.includes(x))) out.memberIds = ids;
  return out;
}

async function requireFreeTeamName(ex: Executor, scope: OrgScope, name: string, selfId: string | null) {
  const same = await scimQueries.teamsNamed(ex, scope, name);
  const other = same.find((t) => t.id !== selfId);
  if (other) {
    throw scimError(
      "ALREADY_EXISTS",
      "uniqueness",
      `displayName: a team named "${other.name}" already exists (id ${other.id}); find it with filter=displayName eq "${other.name}" and update it instead.`,
    );
  }
}

async function requireMembers(ex: Executor, scope: OrgScope, ids: readonly string[]) {
  const found = new Set((await userRepo.listByIds(ex, scope, ids)).map((u) => u.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw invalid(
      "invalidValue",
      `members: ${missing.map((m) => JSON.stringify(m)).join(", ")} ${missing.length === 1 ? "is" : "are"} not the id of a User in this organisation; provision the people first and use the ids Okra answered with.`,
    );
  }
}

async function writeGroup(tx: Executor, scope: OrgScope, t: TeamRow, changes: GroupChanges, audit: Audit) {
  const patch: Partial<typeof teamsTable.$inferInsert> = {};
  if (changes.name !== undefined && changes.name !== t.name) {
    await requireFreeTeamName(tx, scope, changes.name, t.id);
    patch.name = changes.name;
  }
  if (changes.externalId !== undefined && changes.externalId !== t.externalId) patch.externalId = changes.externalId;
  if (Object.keys(patch).length === 0 && changes.memberIds === undefined) return t;
  const before = await teamView(tx, scope, t);
  if (changes.memberIds !== undefined) {
    await requireMembers(tx, scope, changes.memberIds);
    // Team owners stay owners while they remain members; the identity provider knows only membership.
    const keep = new Set(changes.memberIds);
    await teamQueries.setMembers(
      tx,
      scope,
      t.id,
      before.ownerIds.filter((id) => keep.has(id)),
      changes.memberIds,
    );
  }
  // Membership changes the group too: bump its version either way.
  const updated = await teamRepo.update(tx, scope, t.id, patch);
  await audit("team.updated", "team", t.id, before, await teamView(tx, scope, updated));
  return updated;
}

/**
 * Creates a team from a SCIM Group. Throws ALREADY_EXISTS (uniqueness) when a live team has
 * that name, VALIDATION (invalidValue) without a displayName or with members that are not
 * people of the organisation.
 */
export async function createScimGroup(svc: Services, caller: ScimCaller, body: unknown): Promise<Json> {
  const changes = groupChanges(replaceDocument({}, body, GROUP_RESOURCE), null);
  return scimWrite(svc, caller, async (tx, scope, audit) => {
    await requireFreeTeamName(tx, scope, changes.name!, null);
    const memberIds = changes.memberIds ?? [];
    await requireMembers(tx, scope, memberIds);
    const row = await teamRepo.insert(tx, scope, {
      name: changes.name!,
      description: "",
      externalId: changes.externalId ?? null,
    });
    await teamQueries.setMembers(tx, scope, row.id, [], memberIds);
    await audit("team.created", "team", row.id, null, await teamView(tx, scope, row));
    return groupResource(tx, scope, row, caller.baseUrl);
  });
}

/**
 * DELETE /Groups: soft-deletes the team and its memberships. CONFLICT while objectives or
 * sub-teams belong to it (Okra's own rule for deleting a team): move those first.
 */
export async function deleteScimGroup(svc: Services, caller: ScimCaller, id: string, ifMatch?: number): Promise<void> {
  await scimWrite(svc, caller, async (tx, scope, audit) => {
    const t = await teamRepo.get(tx, scope, id, { forUpdate: true });
    checkIfMatch(ifMatch, t, "group");
    const owned = await scimQueries.objectivesOfTeam(tx, scope, id);
    if (owned > 0) {
      throw scimError(
        "CONFLICT",
        null,
        `The team "${t.name}" owns ${owned} objective(s); an Okra admin must give them to another team (or delete them) before the group can be deleted.`,
      );
    }
    const subTeams = await scimQueries.subTeams(tx, scope, id);
    if (subTeams.length) {
      throw scimError(
        "CONFLICT",
        null,
        `The team "${t.name}" has sub-teams (${subTeams.map((s) => s.name).join(", ")}); an Okra admin must move or delete them before the group can be deleted.`,
      );
    }
    const before = await teamView(tx, scope, t);
    await teamQueries.setMembers(tx, scope, id, [], []);
    await teamRepo.softDelete(tx, scope, id);
    await audit("team.deleted", "team", id, before, { deleted: true });
  });
}

// ---------------------------------------------------------------- PUT and PATCH of Users and Groups

/** How PUT and PATCH reach one kind of resource: load it, show it as SCIM, read the changes, store them. */
export interface ScimKind<Row extends { version: number } = { version: number }, Changes = unknown> {
  what: "user" | "group";
  schema: ResourceSchema;
  load(tx: Executor, scope: OrgScope, id: string): Promise<Row>;
  present(tx: Executor, scope: OrgScope, row: Row, baseUrl: string): Promise<Json>;
  changes(doc: Json, before: Json): Changes;
  write(tx: Executor, scope: OrgScope, row: Row, changes: Changes, at: WriteAt, audit: Audit): Promise<Row>;
}

/**
 * People. A change throws VALIDATION with scimType invalidValue, or mutability for an owner's
 * email, id or activity and for the last active owner; ALREADY_EXISTS (uniqueness) for a taken userName.
 */
export const SCIM_USERS: ScimKind<UserRow, UserChanges> = {
  what: "user",
  schema: USER_RESOURCE,
  load: (tx, scope, id) => userRepo.get(tx, scope, id, { forUpdate: true }),
  present: userResource,
  changes: userChanges,
  write: writeUser,
};

/**
 * Teams. Members are replaced by the list given; team owners keep their role while they stay
 * members. A change throws as createScimGroup.
 */
export const SCIM_GROUPS: ScimKind<TeamRow, GroupChanges> = {
  what: "group",
  schema: GROUP_RESOURCE,
  load: (tx, scope, id) => teamRepo.get(tx, scope, id, { forUpdate: true }),
  present: groupResource,
  changes: groupChanges,
  write: (tx, scope, t, changes, _at, audit) => writeGroup(tx, scope, t, changes, audit),
};

/**
 * One PUT or PATCH: locks the stored resource, checks If-Match, turns its SCIM document into the
 * new one with `next`, stores the difference and answers the resource as it now is.
 * Throws NOT_FOUND (unknown id) and VERSION_CONFLICT (If-Match), and what the kind's write throws.
 */
async function updateScimResource<Row extends { version: number }, Changes>(
  svc: Services,
  caller: ScimCaller,
  kind: ScimKind<Row, Changes>,
  id: string,
  ifMatch: number | undefined,
  next: (current: Json) => Json,
): Promise<Json> {
  return scimWrite(svc, caller, async (tx, scope, audit) => {
    const row = await kind.load(tx, scope, id);
    checkIfMatch(ifMatch, row, kind.what);
    const current = await kind.present(tx, scope, row, caller.baseUrl);
    const changes = kind.changes(next(current), current);
    const updated = await kind.write(tx, scope, row, changes, { nowMs: svc.now(), actor: caller.actor }, audit);
    return kind.present(tx, scope, updated, caller.baseUrl);
  });
}

/**
 * PUT: each attribute given replaces the stored one; attributes left out stay as they are
 * (a Group's member list given replaces its members).
 */
export async function replaceScimResource<Row extends { version: number }, Changes>(
  svc: Services,
  caller: ScimCaller,
  kind: ScimKind<Row, Changes>,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<Json> {
  return updateScimResource(svc, caller, kind, id, ifMatch, (current) => replaceDocument(current, body, kind.schema));
}

/**
 * PATCH with a SCIM PatchOp: add / replace / remove, with or without paths (Okta's
 * `members[value eq "<id>"]` and Entra's value lists), op names in any case. Also throws
 * VALIDATION with scimType invalidSyntax (not a PatchOp), invalidPath or noTarget.
 */
export async function patchScimResource<Row extends { version: number }, Changes>(
  svc: Services,
  caller: ScimCaller,
  kind: ScimKind<Row, Changes>,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<Json> {
  const ops = readPatchBody(body);
  return updateScimResource(svc, caller, kind, id, ifMatch, (current) => patchDocument(current, ops, kind.schema));
}

// ---------------------------------------------------------------- discovery (RFC 7644 §4)

function schemaDocument(id: string, name: string, description: string, attributes: AttrDef[], baseUrl: string): Json {
  return {
    schemas: [SCIM_SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${id}` },
  };
}

/** The Schemas Okra serves: User, the enterprise User extension, Group. */
export function scimSchemas(baseUrl: string): Json[] {
  return [
    schemaDocument(SCIM_USER_SCHEMA, "User", "An Okra person", USER_ATTRS, baseUrl),
    schemaDocument(
      SCIM_ENTERPRISE_USER_SCHEMA,
      "EnterpriseUser",
      "The manager of an Okra person",
      ENTERPRISE_ATTRS,
      baseUrl,
    ),
    schemaDocument(SCIM_GROUP_SCHEMA, "Group", "An Okra team", GROUP_ATTRS, baseUrl),
  ];
}

/** The ResourceTypes Okra serves: User and Group. */
export function scimResourceTypes(baseUrl: string): Json[] {
  return [
    {
      schemas: [SCIM_RESOURCE_TYPE],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "People of the organisation",
      schema: SCIM_USER_SCHEMA,
      schemaExtensions: [{ schema: SCIM_ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_RESOURCE_TYPE],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Teams of the organisation",
      schema: SCIM_GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

/** What this implementation supports (RFC 7643 §5). */
export function scimServiceProviderConfig(baseUrl: string): Json {
  return {
    schemas: [SCIM_SERVICE_PROVIDER_CONFIG],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, "")}/api/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description:
          "A SCIM token issued by an Okra admin (POST /api/v1/scim-tokens), sent as Authorization: Bearer <token>.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

/** A list of discovery resources as a ListResponse. */
export function scimDiscoveryList(resources: Json[]): Json {
  return {
    schemas: [SCIM_LIST_RESPONSE],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

// ---------------------------------------------------------------- SCIM tokens (admins, normal API)

export const ScimTokenCreateSchema = z.strictObject({ name: TitleSchema(200) });

function presentScimToken(t: ScimTokenRow) {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
  };
}

/**
 * Issues a SCIM token for the caller's organisation (owners only: provisioning changes people with
 * its issuer's rank, and stops working once they are no longer an active owner; FORBIDDEN otherwise).
 * The secret (`okra_scim_…`) is in this answer only; only its SHA-256 hash is stored.
 */
export async function createScimToken(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(ScimTokenCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    if (actor.role !== "owner") {
      throw new AppError(
        "FORBIDDEN",
        "Only organisation owners can issue SCIM tokens: provisioning changes people's accounts with the rank of whoever issued its token.",
      );
    }
    const secret = SCIM_TOKEN_PREFIX + generateToken().replace(/^okra_/, "");
    const row = await scimQueries.insert(w.tx, w.scope, {
      name: input.name,
      tokenHash: hashToken(secret),
      createdBy: actor.userId,
    });
    const view = presentScimToken(row);
    await w.audit("scimToken.created", "scimToken", row.id, null, view);
    return { ...view, token: secret };
  });
}

/** The organisation's live SCIM tokens, newest first (never the secrets). Owners and admins only. */
export async function listScimTokens(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    guard.assertAdmin("manage SCIM tokens");
    const rows = await scimQueries.live(ex, scope);
    return { items: rows.map(presentScimToken), nextCursor: null };
  });
}

/** Revokes a SCIM token of the organisation: it answers 401 from then on. NOT_FOUND for unknown or revoked ids. */
export async function revokeScimToken(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage SCIM tokens");
    // A malformed id names nothing (and never reaches PostgreSQL, where a bad uuid aborts the transaction).
    const row = await scimQueries.findLive(w.tx, w.scope, id);
    if (!row) throw AppError.notFound("SCIM token", id);
    await scimQueries.revoke(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("scimToken.revoked", "scimToken", id, presentScimToken(row), null);
  });
}

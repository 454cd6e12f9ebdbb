/**
 * OKR files in YAML: reading one with the line of every problem, writing one, and linting one
 * offline (the coach on the file alone: no server, no database). The format itself is
 * `domain/okr-file.ts`.
 */
import { LineCounter, parseDocument, stringify } from "yaml";
import type { Finding } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { lintOkrFile, type OkrFile, OkrFileSchema, okrFileProblems, withoutExtensions } from "../domain/okr-file.js";

/** One problem of a file, at a line (1-based; 0 when the file has no such place). */
export interface FileProblem {
  line: number;
  path: string;
  message: string;
}

/** The outcome of reading a file: the OKRs, or every problem found. */
export type ReadResult =
  | { ok: true; file: OkrFile; lineOf: (path: (string | number)[]) => number }
  | {
      ok: false;
      problems: FileProblem[];
    };

/** `objectives[2].keyResults[0].target` as path segments. */
function segments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

function dotted(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
    "",
  );
}

/**
 * Parses the YAML text of an OKR file and checks it against the format: every problem (YAML
 * syntax, the schema, refs used twice…) comes back as `path: message` with its line.
 */
export function readOkrYaml(text: string): ReadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        line: lines.linePos(e.pos[0]).line,
        path: "",
        message: e.message.split("\n")[0] ?? "the YAML cannot be read",
      })),
    };
  }
  const lineOf = (path: (string | number)[]): number => {
    // The deepest node that exists along the path: a missing field is reported where its parent is.
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return 0;
  };
  const parsed = OkrFileSchema.safeParse(withoutExtensions(doc.toJS() ?? {}));
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        const path = dotted(i.path);
        const at = i.path as (string | number)[];
        // An unknown field is reported on its own line, not its object's.
        const first = i.code === "unrecognized_keys" ? i.keys[0] : undefined;
        return { line: lineOf(first === undefined ? at : [...at, first]), path, message: issueMessage(i) };
      }),
    };
  }
  const rest = okrFileProblems(parsed.data);
  if (rest.length > 0) {
    return {
      ok: false,
      problems: rest.map((p) => {
        const [path = "", ...message] = p.split(": ");
        return { line: lineOf(segments(path)), path, message: message.join(": ") };
      }),
    };
  }
  return { ok: true, file: parsed.data, lineOf };
}

function issueMessage(i: { code: string; message: string; keys?: string[] }): string {
  if (i.code === "unrecognized_keys" && i.keys) {
    return `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}: check the spelling against docs/okrs-as-code.md`;
  }
  return i.message;
}

/** `line N: path: message`, the way lint and apply print a problem. */
export function formatProblem(p: FileProblem, fileName = ""): string {
  const where = `${fileName}${fileName ? ":" : ""}${p.line || "?"}`;
  return `${where}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** Reads an OKR file or throws VALIDATION with each problem as `line N: path: message`. */
export function parseOkrYaml(text: string): OkrFile {
  const r = readOkrYaml(text);
  if (!r.ok) {
    const details = r.problems.map((p) => `line ${p.line || "?"}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
    throw new AppError("VALIDATION", `The OKR file has ${details.length} problem(s).`, details);
  }
  return r.file;
}

/** Writes an OKR file as YAML, with a header line naming the format. */
export function writeOkrYaml(file: OkrFile): string {
  const body = stringify(file, { lineWidth: 0, aliasDuplicateObjects: false });
  return `# Okra OKRs as code (docs/okrs-as-code.md); schema: docs/okrs.schema.json\n${body}`;
}

/** A coach finding on a file, with the line of the objective or key result it is about. */
export interface LintFinding extends Finding {
  line: number;
}

/** What `okra lint <file>` reports: problems that keep the file from being read, or the coach's findings. */
export type LintResult = { problems: FileProblem[]; findings: LintFinding[] };

/**
 * Lints the YAML text of an OKR file at `nowMs`: schema problems when it cannot be read, else
 * the coach's findings (each with the line of what it is about).
 */
export function lintOkrYaml(text: string, nowMs: number): LintResult {
  const r = readOkrYaml(text);
  if (!r.ok) return { problems: r.problems, findings: [] };
  const where = new Map<string, (string | number)[]>();
  for (const [i, o] of (r.file.objectives ?? []).entries()) {
    where.set(`objective:${o.ref}`, ["objectives", i]);
    for (const [j, k] of (o.keyResults ?? []).entries())
      where.set(`keyResult:${k.ref}`, ["objectives", i, "keyResults", j]);
  }
  const findings = lintOkrFile(r.file, nowMs).map((f) => {
    const path = where.get(`${f.objectType}:${f.objectId}`);
    return { ...f, line: path ? r.lineOf(path) : 0 };
  });
  return { problems: [], findings };
}

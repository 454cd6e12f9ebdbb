/**
 * The input shape of a key result's data source (#13, pull): `{ kind: "json", url, path }`
 * (a JSONPath that must find one number) or `{ kind: "csv", url, cell }` (a cell in A1
 * notation, such as `B3`: column B, third line of the file, the header line counting as 1).
 * Kept apart from schemas.ts so the reader (data-source.ts) can use both without a cycle.
 */
import { z } from "zod";

/** A cell in A1 notation: 1–3 letters, then a line number from 1. */
export const CELL_RE = /^([A-Z]{1,3})([1-9]\d{0,6})$/;

const SourceUrlSchema = z
  .string()
  .trim()
  .max(2000, "must be at most 2,000 characters")
  .superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute http:// or https:// URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
    }
  });

const JsonPathSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty; a JSONPath such as "$.metrics.signups"')
  .max(500, "must be at most 500 characters")
  .refine((v) => v.startsWith("$"), 'must be a JSONPath starting with "$", such as "$.metrics.signups"');

const CellSchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => CELL_RE.test(v), 'must be a cell in A1 notation, such as "B3" (column B, line 3 of the file)');

export const KeyResultSourceSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("json"), url: SourceUrlSchema, path: JsonPathSchema }),
    z.strictObject({ kind: z.literal("csv"), url: SourceUrlSchema, cell: CellSchema }),
  ],
  { error: 'must have kind "json" (with url and path) or "csv" (with url and cell)' },
);
export type KeyResultSource = z.output<typeof KeyResultSourceSchema>;

/** Whether two stored or given sources name the same thing (jsonb does not keep key order). */
export function sameSource(a: unknown, b: unknown): boolean {
  const pa = KeyResultSourceSchema.safeParse(a);
  const pb = KeyResultSourceSchema.safeParse(b);
  if (!pa.success || !pb.success) return !pa.success && !pb.success && (a ?? null) === (b ?? null);
  return JSON.stringify(pa.data) === JSON.stringify(pb.data);
}

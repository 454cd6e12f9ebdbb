/** What the OKR import answers (#13): counts, what is missing, every problem per row, and a preview. */
import { z } from "zod";

const Counts = z.strictObject({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int().describe("named in the file and already as it says"),
});

export const OkrImportSummaryShape = z.strictObject({
  dryRun: z.boolean(),
  rows: z.number().int().describe("rows read under the header"),
  objectives: Counts,
  keyResults: Counts,
  initiatives: Counts,
  checkIns: z.strictObject({
    created: z.number().int(),
    skipped: z.number().int().describe("already recorded at the same instant"),
  }),
  missing: z
    .strictObject({ people: z.array(z.string()), teams: z.array(z.string()), periods: z.array(z.string()) })
    .describe("named in the file but not in Okra (people by email); created with createMissing"),
  createdMissing: z.strictObject({ people: z.number().int(), teams: z.number().int(), periods: z.number().int() }),
  problems: z
    .array(z.strictObject({ row: z.number().int(), column: z.string().nullable(), message: z.string() }))
    .describe("what is wrong, per row (the header is row 1), and how to fix it; an import with any is refused"),
  preview: z
    .array(
      z.strictObject({
        row: z.number().int(),
        type: z.enum(["objective", "keyResult", "initiative", "checkIn"]),
        ref: z.string().nullable(),
        title: z.string(),
        action: z.enum(["create", "update", "unchanged"]),
      }),
    )
    .describe("the first 200 rows and what happens to each"),
  columns: z.array(z.strictObject({ field: z.string(), header: z.string() })).describe("the file's columns Okra read"),
  ignoredColumns: z.array(z.string()).describe("the file's columns Okra does not read"),
});

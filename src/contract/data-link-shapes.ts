/** Response shapes of data-linked key results (#13): a key result's check-in tokens, its source and its syncs. */
import { z } from "zod";
import { Id, Instant, pageOf } from "./api-shapes.js";

export const KeyResultTokenShape = z.strictObject({
  id: Id,
  keyResultId: Id,
  name: z.string(),
  createdBy: Id.nullable().describe("who made it; it works only while they may edit the key result"),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
});
export const KeyResultTokenPageShape = pageOf(KeyResultTokenShape);
export const KeyResultTokenCreatedShape = KeyResultTokenShape.extend({
  token: z.string().describe("the secret (okrkr_…), shown in this answer only"),
});

export const KeyResultSourceShape = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("json"),
    url: z.string().describe("the full URL for those who may edit the key result; scheme, host and path for others"),
    path: z.string().describe("a JSONPath that finds one number"),
  }),
  z.strictObject({
    kind: z.literal("csv"),
    url: z.string().describe("the full URL for those who may edit the key result; scheme, host and path for others"),
    cell: z.string().describe("a cell in A1 notation: B3 is column B of the file's third line"),
  }),
]);

export const SourceStateShape = z.strictObject({
  lastSyncAt: Instant.describe("the last time the source was read"),
  lastValue: z.number().nullable().describe("the last value read successfully"),
  lastValueAt: Instant.nullable().describe("when that value was read"),
  error: z.string().nullable().describe("why the last read failed (the last good value stays); null when it worked"),
});

export const DataLinkShape = z.strictObject({
  keyResultId: Id,
  canEdit: z.boolean().describe("whether the caller may change the source and the tokens"),
  source: KeyResultSourceShape.nullable(),
  state: SourceStateShape.nullable().describe("null before the first sync"),
});

export const SyncOutcomeShape = z.strictObject({
  keyResultId: Id,
  outcome: z
    .enum(["recorded", "unchanged", "failed"])
    .describe(
      "recorded: a check-in with the new value; unchanged: the key result had that value already; failed: see error",
    ),
  value: z.number().nullable(),
  error: z.string().nullable(),
  checkInId: Id.nullable(),
  state: SourceStateShape,
});

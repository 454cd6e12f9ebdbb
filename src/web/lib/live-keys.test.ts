import { describe, expect, it } from "vitest";
import { parseChangeFrame } from "./live.js";
import { keysForChange } from "./live-keys.js";

const roots = (e: Parameters<typeof keysForChange>[0]) => keysForChange(e)?.map((k) => k[0]);

describe("keysForChange", () => {
  it("a check-in reaches its key result, check-ins and the figures above, not people or teams", () => {
    const r = roots({ type: "checkIn.created", objectType: "checkIn" });
    expect(r).toEqual(expect.arrayContaining(["keyResults", "checkIns", "objectives", "tree", "coach", "series"]));
    expect(r).not.toContain("users");
    expect(r).not.toContain("teams");
    expect(r).not.toContain("periods");
    expect(r).not.toContain("trash");
  });

  it("a change to a person reaches people lists and teams, not OKR figures", () => {
    const r = roots({ type: "user.updated", objectType: "user" });
    expect(r).toEqual(expect.arrayContaining(["users", "teams", "me"]));
    expect(r).not.toContain("objectives");
    expect(r).not.toContain("checkIns");
  });

  it("deletes reach the trash; every change reaches the audit trail", () => {
    expect(roots({ type: "objective.deleted", objectType: "objective" })).toContain("trash");
    expect(roots({ type: "checkIn.deleted", objectType: "checkIn" })).toContain("trash");
    expect(roots({ type: "kpi.created", objectType: "kpi" })).toEqual(["kpis", "audit"]);
  });

  it("a notice or reading one refetches only the notification centre, not the person's lists", () => {
    expect(roots({ type: "notification.created", objectType: "user" })).toEqual(["notifications"]);
    expect(roots({ type: "notification.read", objectType: "user" })).toEqual(["notifications"]);
    expect(roots({ type: "notificationPreferences.updated", objectType: "user" })).toEqual([
      "notificationPreferences",
      "audit",
    ]);
  });

  it("a comment or a reaction reaches threads and following, not OKR figures", () => {
    const r = roots({ type: "comment.reacted", objectType: "comment" });
    expect(r).toEqual(expect.arrayContaining(["comments", "following", "audit"]));
    expect(r).not.toContain("objectives");
    expect(roots({ type: "follow.started", objectType: "follow" })).toEqual(["following", "audit"]);
  });

  it("organisation settings and unknown kinds refetch everything", () => {
    expect(keysForChange({ type: "settings.updated", objectType: "organization" })).toBeNull();
    expect(keysForChange({ type: "thing.happened", objectType: "somethingNew" })).toBeNull();
  });
});

describe("parseChangeFrame", () => {
  it("reads the event's data", () => {
    expect(parseChangeFrame('event: change\ndata: {"type":"checkIn.created","objectType":"checkIn"}')).toEqual({
      type: "checkIn.created",
      objectType: "checkIn",
    });
  });
  it("ignores other frames and unreadable data", () => {
    expect(parseChangeFrame(": heartbeat")).toBeNull();
    expect(parseChangeFrame("event: change\ndata: not json")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { t } from "./i18n.js";

describe("counted labels", () => {
  it("say one thing in the singular and more in the plural", () => {
    expect(t("explorer.count", { count: 1 })).toBe("1 objective");
    expect(t("explorer.count", { count: 2 })).toBe("2 objectives");
    expect(t("people.objectives", { count: 1 })).toBe("1 objective this period");
    expect(t("people.members", { count: 1 })).toBe("1 member");
    expect(t("dashboard.stale", { count: 1 })).toBe("1 key result without a check-in this week");
    expect(t("map.nodes", { count: 0 })).toBe("0 nodes");
  });
});

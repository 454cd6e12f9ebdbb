import { describe, expect, it } from "vitest";
import { redactUrl } from "./log-redaction.js";

describe("redactUrl", () => {
  it.each([
    ["/api/v1/objectives", "/api/v1/objectives"],
    ["/api/v1/objectives?periodId=abc&limit=20", "/api/v1/objectives?periodId=abc&limit=20"],
    ["/cb?code=abc&state=def", "/cb?code=[redacted]&state=[redacted]"],
    ["/cb?Code=abc&STATE=def", "/cb?Code=[redacted]&STATE=[redacted]"],
    ["/cb?%63ode=abc", "/cb?%63ode=[redacted]"],
    ["/cb?code+=abc", "/cb?code+=[redacted]"],
    ["/cb?code", "/cb?code"],
    ["/cb?code=", "/cb?code=[redacted]"],
    ["/cb?code=a&code=b", "/cb?code=[redacted]&code=[redacted]"],
    ["/scim/v2/Users?filter=userName%20eq%20%22x%40y%22&startIndex=1", "/scim/v2/Users?filter=[redacted]&startIndex=1"],
    [
      "/x?token=t&access_token=a&refresh_token=r&id_token=i",
      "/x?token=[redacted]&access_token=[redacted]&refresh_token=[redacted]&id_token=[redacted]",
    ],
    ["/x?%E0%A4%A=1", "/x?%E0%A4%A=[redacted]"],
    ["/x?", "/x?"],
  ])("%s → %s", (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});

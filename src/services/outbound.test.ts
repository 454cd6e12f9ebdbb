import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressRange,
  createOutboundFetch,
  isAllowedAddress,
  OutboundError,
  type OutboundFailure,
  resolveAllowed,
} from "./outbound.js";

describe("addressRange", () => {
  it.each([
    // IPv4
    ["8.8.8.8", "public"],
    ["93.184.216.34", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["100.127.255.255", "carrierGradeNat"],
    ["100.128.0.1", "public"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    // IPv6
    ["2606:4700:4700::1111", "public"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["fc00::1", "uniqueLocal"],
    ["fd12:3456::1", "uniqueLocal"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["64:ff9b::a00:1", "rfc6052"],
    ["2002:a00:1::1", "6to4"],
    // IPv4 inside IPv6: classified as the IPv4 address.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "linkLocal"],
    ["::ffff:8.8.8.8", "public"],
    // Outside 2000::/3, unlisted: not a public host (the old IPv4-compatible form, for one,
    // as URLs write it: [::127.0.0.1] becomes [::7f00:1]).
    ["::7f00:1", "reserved"],
    ["4000::1", "reserved"],
  ])("%s is %s", (address, range) => {
    expect(addressRange(address)).toBe(range);
  });

  it.each(["localhost", "127.1", "0x7f.0.0.1", "2130706433", "", "[::1]", "1.2.3.4.5"])(
    "refuses %j, which is not an IP address",
    (text) => {
      expect(() => addressRange(text)).toThrow(TypeError);
      expect(isAllowedAddress(text, { allowPrivate: true })).toBe(false);
    },
  );
});

describe("isAllowedAddress", () => {
  it.each([
    ["8.8.8.8", true, true],
    ["2606:4700:4700::1111", true, true],
    ["127.0.0.1", false, true],
    ["::1", false, true],
    ["10.1.2.3", false, true],
    ["169.254.169.254", false, true],
    ["fd00::1", false, true],
    ["100.64.0.1", false, true],
    ["::ffff:192.168.0.1", false, true],
    ["0.0.0.0", false, false],
    ["::", false, false],
    ["224.0.0.1", false, false],
    ["255.255.255.255", false, false],
  ])("%s: %s by default, %s when private addresses are allowed", (address, byDefault, whenAllowed) => {
    expect(isAllowedAddress(address, { allowPrivate: false })).toBe(byDefault);
    expect(isAllowedAddress(address, { allowPrivate: true })).toBe(whenAllowed);
  });
});

const failure = async (promise: Promise<unknown>): Promise<OutboundError> => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
};

describe("resolveAllowed", () => {
  const lookupTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("answers the first address when every one is allowed", async () => {
    const url = new URL("https://idp.example.com/");
    expect(await resolveAllowed(url, { allowPrivate: false, lookup: lookupTo("93.184.216.34", "8.8.8.8") })).toEqual({
      address: "93.184.216.34",
      family: 4,
    });
    expect(await resolveAllowed(new URL("https://[2606:4700::1]/"), { allowPrivate: false })).toEqual({
      address: "2606:4700::1",
      family: 6,
    });
  });

  it.each<[string, string[], OutboundFailure]>([
    ["a host with one private address among public ones", ["93.184.216.34", "10.0.0.5"], "address"],
    ["a host resolving to loopback", ["127.0.0.1"], "address"],
    ["a host resolving to IPv4-mapped loopback", ["::ffff:127.0.0.1"], "address"],
    ["a host with no address", [], "dns"],
  ])("refuses %s", async (_what, addresses, reason) => {
    const url = new URL("https://idp.example.com/");
    const err = await failure(resolveAllowed(url, { allowPrivate: false, lookup: lookupTo(...addresses) }));
    expect(err.reason).toBe(reason);
  });

  it.each([
    ["http://127.0.0.1/", "address"],
    ["http://[::1]:8080/", "address"],
    ["http://[::ffff:7f00:1]/", "address"],
    ["http://2130706433/", "address"],
    ["http://0x7f.1/", "address"],
    ["https://169.254.169.254/latest/meta-data/", "address"],
    ["https://10.0.0.1/", "address"],
    ["http://0.0.0.0:3000/", "address"],
    ["http://localhost:3000/", "address"],
    ["file:///etc/passwd", "scheme"],
    ["ftp://example.com/", "scheme"],
    ["gopher://127.0.0.1:6379/", "scheme"],
    ["https://okra-no-such-host.invalid/", "dns"],
  ])("refuses %s (%s)", async (url, reason) => {
    const err = await failure(resolveAllowed(new URL(url), { allowPrivate: false }));
    expect(err.reason).toBe(reason);
  });

  it("lets loopback through when private addresses are allowed, but never the unspecified address", async () => {
    expect(await resolveAllowed(new URL("http://127.0.0.1:9/"), { allowPrivate: true })).toEqual({
      address: "127.0.0.1",
      family: 4,
    });
    expect((await failure(resolveAllowed(new URL("http://0.0.0.0/"), { allowPrivate: true }))).reason).toBe("address");
  });
});

describe("createOutboundFetch", () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://169.254.169.254/" });
        res.end();
      } else if (req.url === "/big") {
        res.end("x".repeat(5000));
      } else if (req.url === "/hang") {
        // Never answers.
      } else if (req.url === "/echo") {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", () => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ method: req.method, host: req.headers.host, body, accept: req.headers.accept }));
        });
      } else {
        res.setHeader("content-type", "application/json");
        res.setHeader("set-cookie", ["a=1", "b=2"]);
        res.end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("refuses a private address by default without connecting to it", async () => {
    const before = hits;
    const err = await failure(createOutboundFetch({ allowPrivate: false })(`http://127.0.0.1:${port}/`));
    expect(err.reason).toBe("address");
    expect(hits).toBe(before);
  });

  it("fetches when allowed: status, headers and body as fetch answers them", async () => {
    const res = await createOutboundFetch({ allowPrivate: true })(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(await res.json()).toEqual({ ok: true });
  });

  it("sends the method, headers and a form body", async () => {
    const res = await createOutboundFetch({ allowPrivate: true })(`http://127.0.0.1:${port}/echo`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: "abc" }),
    });
    expect(await res.json()).toEqual({
      method: "POST",
      host: `127.0.0.1:${port}`,
      body: "grant_type=authorization_code&code=abc",
      accept: "application/json",
    });
  });

  it("connects to the address it checked, not to a second DNS answer (rebinding)", async () => {
    let lookups = 0;
    // The name exists only for this lookup: the socket must use the checked address.
    const fetcher = createOutboundFetch({
      allowPrivate: true,
      lookup: async () => {
        lookups++;
        return [{ address: "127.0.0.1", family: 4 }];
      },
    });
    const res = await fetcher(`http://okra-rebind.invalid:${port}/echo`);
    expect(((await res.json()) as { host: string }).host).toBe(`okra-rebind.invalid:${port}`);
    expect(lookups).toBe(1);
  });

  it("never follows a redirect", async () => {
    const res = await createOutboundFetch({ allowPrivate: true })(`http://127.0.0.1:${port}/redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://169.254.169.254/");
  });

  it("gives up on a large answer and on a silent server, in the same words as any failure", async () => {
    const small = createOutboundFetch({ allowPrivate: true, maxBytes: 1000, timeoutMs: 300 });
    const big = await failure(small(`http://127.0.0.1:${port}/big`));
    expect(big.reason).toBe("size");
    const started = performance.now();
    const silent = await failure(small(`http://127.0.0.1:${port}/hang`));
    expect(silent.reason).toBe("timeout");
    expect(performance.now() - started).toBeLessThan(3000);
    // A closed port.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const refused = await failure(small(`http://127.0.0.1:${closed}/`));
    expect(refused.reason).toBe("connection");
    const words = (e: OutboundError) => e.message.replace(e.url, "<url>");
    expect(new Set([big, silent, refused].map(words))).toEqual(new Set(["<url> could not be reached"]));
  });
});

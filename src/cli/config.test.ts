import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, publicHostOf } from "./config.js";

const TLS = path.resolve(import.meta.dirname, "../../test/fixtures/tls");
const CERT = path.join(TLS, "localhost.crt");
const KEY = path.join(TLS, "localhost.key");

const fails = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
};

describe("loadConfig: TLS", () => {
  it("serves plain HTTP unless both files are given", () => {
    const c = loadConfig({});
    expect(c.tls).toBeUndefined();
    expect(c.publicUrl).toBe("http://localhost:3000");
  });

  it("reads a matching certificate and key, and defaults the public address to https", () => {
    const c = loadConfig({ OKRA_TLS_CERT: CERT, OKRA_TLS_KEY: KEY, PORT: "8443" });
    expect(c.tls?.cert.toString()).toContain("BEGIN CERTIFICATE");
    expect(c.tls?.key.toString()).toContain("PRIVATE KEY");
    expect(c.publicUrl).toBe("https://localhost:8443");
  });

  it("says which variable is missing, unreadable or wrong", () => {
    expect(fails({ OKRA_TLS_CERT: CERT })).toMatch(/set OKRA_TLS_KEY too/);
    expect(fails({ OKRA_TLS_KEY: KEY })).toMatch(/set OKRA_TLS_CERT too/);
    expect(fails({ OKRA_TLS_CERT: "/nowhere/cert.pem", OKRA_TLS_KEY: KEY })).toMatch(
      /^OKRA_TLS_CERT: cannot read \/nowhere\/cert\.pem \(ENOENT\)/,
    );
    // The certificate where the key belongs.
    expect(fails({ OKRA_TLS_CERT: CERT, OKRA_TLS_KEY: CERT })).toMatch(
      /must be a PEM certificate .* and its private key/,
    );
  });
});

describe("loadConfig: OKRA_PUBLIC_URL", () => {
  it.each([
    [undefined, "http://localhost:3488"],
    ["", "http://localhost:3488"],
    ["0.0.0.0", "http://localhost:3488"],
    ["::", "http://localhost:3488"],
    ["[::]", "http://localhost:3488"],
    ["127.0.0.1", "http://127.0.0.1:3488"],
    ["192.168.1.20", "http://192.168.1.20:3488"],
    ["::1", "http://[::1]:3488"],
    ["localhost", "http://localhost:3488"],
    ["okr.internal", "http://okr.internal:3488"],
  ])("defaults to the listening address: HOST=%j gives %s", (host, url) => {
    const c = loadConfig({ PORT: "3488", ...(host !== undefined && { HOST: host }) });
    expect(c.publicUrl).toBe(url);
  });

  it("takes the value given over the listening address, without a trailing slash", () => {
    const c = loadConfig({ HOST: "127.0.0.1", PORT: "3488", OKRA_PUBLIC_URL: "https://okr.example.com/" });
    expect(c.publicUrl).toBe("https://okr.example.com");
    expect(fails({ OKRA_PUBLIC_URL: "okr.example.com" })).toMatch(/^OKRA_PUBLIC_URL must start with https:\/\//);
  });

  it("names every interface as localhost", () => {
    expect(["0.0.0.0", "::", "::0", "0:0:0:0:0:0:0:0", " "].map(publicHostOf)).toEqual(Array(5).fill("localhost"));
  });
});

describe("loadConfig: OKRA_TRUST_PROXY", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["false", false],
    ["off", false],
    ["true", true],
    ["YES", true],
    ["1", 1],
    ["2", 2],
    ["10.0.0.1", "10.0.0.1"],
    [" 10.0.0.0/8 , 192.168.1.1, ::1, fd00::/8, loopback ", "10.0.0.0/8,192.168.1.1,::1,fd00::/8,loopback"],
  ])("reads %j as %j", (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { OKRA_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(["proxy.example.com", "10.0.0.0/33", "10.0.0.1/8/2", "maybe", "1.2.3"])("refuses %j, naming it", (raw) => {
    expect(fails({ OKRA_TRUST_PROXY: raw })).toContain(JSON.stringify(raw));
  });
});

describe("loadConfig: OKRA_ALLOW_PRIVATE_URLS", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["false", false],
    ["0", false],
    ["off", false],
    ["true", true],
    ["1", true],
    [" YES ", true],
  ])("reads %j as %j", (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { OKRA_ALLOW_PRIVATE_URLS: raw }).allowPrivateUrls).toBe(expected);
  });

  it("refuses anything else, naming the variable", () => {
    expect(fails({ OKRA_ALLOW_PRIVATE_URLS: "sometimes" })).toBe(
      'OKRA_ALLOW_PRIVATE_URLS must be true or false (got "sometimes").',
    );
  });
});

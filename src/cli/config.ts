/**
 * Configuration from the environment, validated once, with messages that say how to fix
 * a bad value.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  bootstrapToken: string | undefined;
  adminEmail: string;
  organizationName: string;
  demo: boolean;
  logLevel: string;
  /**
   * The address people reach Okra at: every link the server writes (emails, the SSO redirect
   * URI, the SCIM base URL) starts with it. Defaults to the listening address (`publicHostOf`).
   */
  publicUrl: string;
  /** SMTP relay for invitations and resets; unset → links are shown to the admin instead. */
  smtpUrl: string | undefined;
  mailFrom: string;
  secureCookies: boolean;
  sessionIdleHours: number;
  sessionMaxDays: number;
  loginRateLimit: number;
  /** Above this many key results, a time zone change recomputes figures in the background (OKRA_BACKGROUND_RECOMPUTE_ABOVE). */
  backgroundRecomputeAbove: number;
  /** Serve HTTPS with this PEM certificate and key (OKRA_TLS_CERT, OKRA_TLS_KEY). */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Which reverse proxies' X-Forwarded-* headers to believe (OKRA_TRUST_PROXY). */
  trustProxy: boolean | number | string;
  /** Let server-side requests (SSO discovery) reach loopback, private and link-local addresses. */
  allowPrivateUrls: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

export class ConfigError extends Error {}

/** Reads the configuration; throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const portRaw = env.PORT ?? "3000";
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got ${JSON.stringify(portRaw)}).`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/okra.");
  }
  const bootstrapToken = env.OKRA_BOOTSTRAP_TOKEN?.trim() || undefined;
  if (bootstrapToken && bootstrapToken.length < 16) {
    throw new ConfigError("OKRA_BOOTSTRAP_TOKEN must be at least 16 characters long (use a long random value).");
  }
  const positive = (name: string, fallback: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      throw new ConfigError(`${name} must be a number above 0 and at most ${max} (got ${JSON.stringify(raw)}).`);
    }
    return n;
  };
  const tlsFiles = readTls(env);
  const host = env.HOST?.trim() || "0.0.0.0";
  const publicUrl = (
    env.OKRA_PUBLIC_URL?.trim() || `${tlsFiles ? "https" : "http"}://${publicHostOf(host)}:${port}`
  ).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(publicUrl)) {
    throw new ConfigError("OKRA_PUBLIC_URL must start with https:// or http://, such as https://okr.example.com.");
  }
  const smtpUrl = env.OKRA_SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new ConfigError(
      "OKRA_SMTP_URL must be an smtp:// or smtps:// URL, such as smtp://user:password@mail.example.com:587.",
    );
  }
  return {
    publicUrl,
    smtpUrl,
    mailFrom: env.OKRA_MAIL_FROM?.trim() || "Okra <okra@localhost>",
    secureCookies: env.OKRA_COOKIE_SECURE === undefined ? true : truthy(env.OKRA_COOKIE_SECURE),
    sessionIdleHours: positive("OKRA_SESSION_IDLE_HOURS", 168, 24 * 365),
    sessionMaxDays: positive("OKRA_SESSION_MAX_DAYS", 30, 365),
    loginRateLimit: positive("OKRA_LOGIN_RATE_LIMIT", 10, 100_000),
    backgroundRecomputeAbove: positive("OKRA_BACKGROUND_RECOMPUTE_ABOVE", 2000, 100_000_000),
    tls: tlsFiles,
    trustProxy: readTrustProxy(env.OKRA_TRUST_PROXY),
    allowPrivateUrls: readSwitch(env, "OKRA_ALLOW_PRIVATE_URLS"),
    port,
    host,
    dataDir: path.resolve(env.OKRA_DATA_DIR ?? "./data"),
    databaseUrl,
    bootstrapToken,
    adminEmail: env.OKRA_ADMIN_EMAIL ?? "admin@example.com",
    organizationName: env.OKRA_ORG_NAME ?? "My organisation",
    demo: truthy(env.OKRA_DEMO),
    logLevel: env.LOG_LEVEL ?? "info",
  };
}

/**
 * The host name links use when OKRA_PUBLIC_URL is not set: the address the server listens on
 * when it is one (127.0.0.1, 192.168.1.20, okr.internal; an IPv6 address in brackets), and
 * localhost when it listens on every interface (0.0.0.0, ::).
 */
export function publicHostOf(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, "$1");
  if (h === "" || h === "0.0.0.0" || /^[0:]+$/.test(h)) return "localhost";
  return net.isIPv6(h) ? `[${h}]` : h;
}

/** An on/off variable: unset or empty is off; anything but true/false, 1/0, yes/no, on/off is refused. */
function readSwitch(env: NodeJS.ProcessEnv, name: string): boolean {
  const v = env[name]?.trim() ?? "";
  if (v === "" || /^(0|false|no|off)$/i.test(v)) return false;
  if (truthy(v)) return true;
  throw new ConfigError(`${name} must be true or false (got ${JSON.stringify(env[name])}).`);
}

/** OKRA_TLS_CERT and OKRA_TLS_KEY: both PEM files, or neither. */
function readTls(env: NodeJS.ProcessEnv): { cert: Buffer; key: Buffer } | undefined {
  const certPath = env.OKRA_TLS_CERT?.trim() || undefined;
  const keyPath = env.OKRA_TLS_KEY?.trim() || undefined;
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) {
    throw new ConfigError(
      `OKRA_TLS_CERT and OKRA_TLS_KEY go together: set ${certPath ? "OKRA_TLS_KEY" : "OKRA_TLS_CERT"} too (PEM files), or neither to serve plain HTTP.`,
    );
  }
  const read = (name: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ConfigError(
        `${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err}); give the path of a PEM file.`,
      );
    }
  };
  const files = { cert: read("OKRA_TLS_CERT", certPath), key: read("OKRA_TLS_KEY", keyPath) };
  try {
    tls.createSecureContext(files);
  } catch (err) {
    throw new ConfigError(
      `OKRA_TLS_CERT and OKRA_TLS_KEY must be a PEM certificate (chain) and its private key: ${(err as Error).message}.`,
    );
  }
  return files;
}

/** OKRA_TRUST_PROXY: false (default), true, a number of proxies, or their addresses and CIDR ranges. */
function readTrustProxy(raw: string | undefined): boolean | number | string {
  const v = raw?.trim() ?? "";
  if (v === "" || /^(false|no|off)$/i.test(v)) return false;
  if (/^(true|yes|on)$/i.test(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(",").map((e) => e.trim());
  const bad = entries.filter((e) => {
    if (/^(loopback|linklocal|uniquelocal)$/.test(e)) return false;
    const [address, bits, ...rest] = e.split("/");
    const family = net.isIP(address ?? "");
    if (family === 0 || rest.length > 0) return true;
    return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (bad.length) {
    throw new ConfigError(
      `OKRA_TRUST_PROXY must be true, false, a number of proxies, or addresses, CIDR ranges and loopback / linklocal / uniquelocal separated by commas, such as 10.0.0.1,192.168.0.0/16 (${bad.map((b) => JSON.stringify(b)).join(", ")} is not one).`,
    );
  }
  return entries.join(",");
}

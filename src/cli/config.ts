/**
 * Configuration from the environment, validated once, with messages that say how to fix
 * a bad value.
 */
import path from "node:path";

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
  return {
    port,
    host: env.HOST ?? "0.0.0.0",
    dataDir: path.resolve(env.OKRA_DATA_DIR ?? "./data"),
    databaseUrl,
    bootstrapToken,
    adminEmail: env.OKRA_ADMIN_EMAIL ?? "admin@example.com",
    organizationName: env.OKRA_ORG_NAME ?? "My organisation",
    demo: truthy(env.OKRA_DEMO),
    logLevel: env.LOG_LEVEL ?? "info",
  };
}

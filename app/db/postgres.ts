/**
 * The PostgreSQL engine behind the same Db as SQLite (docs/decisions/0011):
 * Kysely's PostgresDialect over a `pg` pool. Connection settings come from
 * the URL (QBR_DATABASE_URL or --database-url) plus a few options a managed
 * server (RDS, Aurora) needs: TLS with a CA bundle and the pool size.
 */
import fs from "node:fs";
import { Kysely, PostgresDialect, sql, type CompiledQuery, type DatabaseConnection } from "kysely";
import pg from "pg";
import { DatabaseUnavailableError } from "./health";
import type { Schema } from "./schema";

/** TLS modes, as libpq names them. */
export const SSL_MODES = ["disable", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresOptions {
  /** Connections per process (QBR_DATABASE_POOL_SIZE, default 10). */
  poolSize?: number;
  /** QBR_DATABASE_SSL; unset: whatever the URL's sslmode says (none: no TLS). */
  ssl?: SslMode;
  /** QBR_DATABASE_SSL_CA: a PEM bundle (for RDS: the region's global-bundle.pem). */
  sslCaFile?: string;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The URL without its password: what messages and /healthz show. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/** The options from the environment, each checked so a typo stops the start with its name. */
export function postgresOptionsFromEnv(env: Record<string, string | undefined> = process.env): PostgresOptions {
  const options: PostgresOptions = {};
  if (env.QBR_DATABASE_POOL_SIZE) {
    const size = Number(env.QBR_DATABASE_POOL_SIZE);
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      throw new Error(`QBR_DATABASE_POOL_SIZE must be a whole number from 1 to 1000, not "${env.QBR_DATABASE_POOL_SIZE}".`);
    options.poolSize = size;
  }
  if (env.QBR_DATABASE_SSL) {
    if (!(SSL_MODES as readonly string[]).includes(env.QBR_DATABASE_SSL)) {
      throw new Error(`QBR_DATABASE_SSL must be one of ${SSL_MODES.join(", ")}, not "${env.QBR_DATABASE_SSL}".`);
    }
    options.ssl = env.QBR_DATABASE_SSL as SslMode;
  }
  if (env.QBR_DATABASE_SSL_CA) options.sslCaFile = env.QBR_DATABASE_SSL_CA;
  return options;
}

function tlsSettings(options: PostgresOptions): pg.ClientConfig["ssl"] {
  let ca: string | undefined;
  if (options.sslCaFile) {
    try {
      ca = fs.readFileSync(options.sslCaFile, "utf8");
    } catch (error) {
      throw new Error(`QBR_DATABASE_SSL_CA: cannot read the CA bundle ${options.sslCaFile}: ${(error as Error).message}`, { cause: error });
    }
  }
  switch (options.ssl) {
    case "disable":
      return false;
    // Encrypted but the server is not verified (libpq's require): for a CA the process cannot be given.
    case "require":
      return { rejectUnauthorized: false };
    // The chain is checked against the CA, not the host name (an endpoint reached through a tunnel or proxy).
    case "verify-ca":
      return { rejectUnauthorized: true, ...(ca ? { ca } : {}), checkServerIdentity: () => undefined };
    default:
      return { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  }
}

/**
 * The pool's settings. An explicit QBR_DATABASE_SSL replaces the URL's
 * sslmode (pg lets the URL win over the config object, so it is taken out).
 */
export function poolConfig(url: string, options: PostgresOptions): pg.PoolConfig {
  const config: pg.PoolConfig = { max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 };
  if (options.ssl === undefined && !options.sslCaFile) return { ...config, connectionString: url };
  const parsed = new URL(url);
  for (const key of ["sslmode", "sslrootcert", "sslcert", "sslkey", "ssl"]) parsed.searchParams.delete(key);
  return { ...config, connectionString: parsed.toString(), ssl: tlsSettings({ ssl: "verify-full", ...options }) };
}

/**
 * Counts and sums are bigint (int8) in PostgreSQL, which pg returns as text
 * to be safe past 2^53; this product's counts and ids are far below, and
 * SQLite returns numbers, so both engines give the repositories numbers.
 */
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const typeParsers = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  }) as typeof pg.types.getTypeParser,
};

/** Connection failures (refused, unknown host, bad password, no such database, server gone, read-only) name the server. */
const PG_PROBLEMS: [RegExp, string][] = [
  [/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/, "cannot be reached"],
  [/^(ENOTFOUND|EAI_AGAIN)$/, "has a host name that does not resolve"],
  [/^(28P01|28000)$/, "refused the credentials (user name, password or pg_hba.conf)"],
  [/^3D000$/, "has no such database"],
  [/^(53300|53400)$/, "has no connection slots left"],
  [/^(57P01|57P02|57P03)$/, "is shutting down or starting up"],
  [/^25006$/, "is read-only (a replica or reader endpoint: use the writer endpoint)"],
  [/^53100$/, "is out of disk space"],
];

export function describePostgresError(location: string, error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as Error | null)?.message ?? String(error);
  const problem =
    (typeof code === "string" ? PG_PROBLEMS.find(([pattern]) => pattern.test(code))?.[1] : undefined) ??
    (/timeout exceeded when trying to connect|Connection terminated/i.test(message) ? "cannot be reached" : undefined) ??
    (/self[- ]signed|certificate|SSL|TLS/i.test(message) && !code ? "refused the TLS connection" : undefined);
  if (!problem) return error;
  return new DatabaseUnavailableError(`The PostgreSQL database ${location} ${problem} (${code ? `${String(code)}: ` : ""}${message}).`, location, {
    cause: error,
  });
}

/** Wraps each connection so errors about the server name it; everything else is the connection itself. */
function describingConnection(connection: DatabaseConnection, location: string): DatabaseConnection {
  return new Proxy(connection, {
    get(target, property) {
      if (property === "executeQuery") {
        return async (query: CompiledQuery) => {
          try {
            return await target.executeQuery(query);
          } catch (error) {
            throw describePostgresError(location, error);
          }
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function postgresKysely(url: string, location: string, options: PostgresOptions): Kysely<Schema> {
  const pool = new pg.Pool({ ...poolConfig(url, options), types: typeParsers });
  // An idle connection the server drops (restart, failover) is an 'error' event: without a listener it ends the process.
  pool.on("error", (error) => console.error(`qbiz-readiness: PostgreSQL ${location}: idle connection lost: ${error.message}`));
  const dialect = new PostgresDialect({ pool });
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  return new Kysely<Schema>({
    dialect: {
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createDriver: () => {
        const driver = dialect.createDriver();
        const acquire = driver.acquireConnection.bind(driver);
        const release = driver.releaseConnection.bind(driver);
        const original = new WeakMap<DatabaseConnection, DatabaseConnection>();
        driver.acquireConnection = async () => {
          let connection: DatabaseConnection;
          try {
            connection = await acquire();
          } catch (error) {
            throw describePostgresError(location, error);
          }
          let proxy = wrapped.get(connection);
          if (!proxy) {
            proxy = describingConnection(connection, location);
            wrapped.set(connection, proxy);
            original.set(proxy, connection);
          }
          return proxy;
        };
        driver.releaseConnection = (connection) => release(original.get(connection) ?? connection);
        return driver;
      },
    },
  });
}

/** One number for the whole product's migrations (pg_advisory_lock's key), distinct from Kysely's own. */
const MIGRATION_LOCK_KEY = 0x51_42_52_01;

/**
 * Run `work` while holding a session advisory lock on one connection: a
 * second process starting at the same moment waits here, then finds every
 * migration applied. The lock goes with the session if the process dies.
 */
export async function withMigrationLock(kysely: Kysely<Schema>, work: (db: Kysely<Schema>) => Promise<void>): Promise<void> {
  await kysely.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    try {
      await work(connection);
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(connection);
    }
  });
}

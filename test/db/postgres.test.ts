/**
 * What only the PostgreSQL engine has: its settings (pool size, TLS with a CA
 * bundle, the URL's sslmode), messages that name the server without its
 * password, and the CLIs storing into it with --database-url.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudits } from "~/audit/history";
import { openDatabase } from "~/db/database";
import { DatabaseUnavailableError } from "~/db/health";
import { poolConfig, postgresOptionsFromEnv, redactUrl } from "~/db/postgres";
import { runScript } from "../helpers/cli";
import { createPostgresDatabase, postgresServerUrl, type TestDatabase } from "../helpers/postgres";
import { freePort } from "../helpers/postgres-server";

describe("PostgreSQL settings", () => {
  it("reads the pool size and TLS mode from the environment, refusing what it cannot use by name", () => {
    expect(postgresOptionsFromEnv({ QBR_DATABASE_POOL_SIZE: "25", QBR_DATABASE_SSL: "verify-full", QBR_DATABASE_SSL_CA: "/ca.pem" })).toEqual({
      poolSize: 25,
      ssl: "verify-full",
      sslCaFile: "/ca.pem",
    });
    expect(() => postgresOptionsFromEnv({ QBR_DATABASE_POOL_SIZE: "many" })).toThrow(/QBR_DATABASE_POOL_SIZE must be a whole number/);
    expect(() => postgresOptionsFromEnv({ QBR_DATABASE_SSL: "yes" })).toThrow(/QBR_DATABASE_SSL must be one of disable, require, verify-ca, verify-full/);
  });

  it("verifies the server against the CA bundle, replacing the URL's sslmode when QBR_DATABASE_SSL is given", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-ca-"));
    const ca = path.join(dir, "global-bundle.pem");
    fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const url = "postgres://app:secret@db.example.internal:5432/qbr?sslmode=disable";
    const config = poolConfig(url, { ssl: "verify-full", sslCaFile: ca, poolSize: 3 });
    expect(config.connectionString).toBe("postgres://app:secret@db.example.internal:5432/qbr");
    expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: fs.readFileSync(ca, "utf8") });
    expect(config.max).toBe(3);
    expect(poolConfig(url, {}).connectionString).toBe(url);
    expect(() => poolConfig(url, { sslCaFile: path.join(dir, "missing.pem") })).toThrow(/QBR_DATABASE_SSL_CA: cannot read the CA bundle .*missing\.pem/);
    expect(redactUrl(url)).toBe("postgres://app:***@db.example.internal:5432/qbr?sslmode=disable");
  });
});

describe("PostgreSQL problems name the server, never the password", () => {
  it("a server that is not there", async () => {
    const url = `postgres://app:hunter2@127.0.0.1:${await freePort()}/qbr`;
    const error = await openDatabase(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/^The PostgreSQL database postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/qbr cannot be reached/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("a database that does not exist, and TLS the server does not offer", async () => {
    const missing = (await postgresServerUrl()).replace(/\/postgres$/, "/no_such_database");
    await expect(openDatabase(missing)).rejects.toThrow(/no_such_database has no such database \(3D000/);
    await expect(openDatabase(await postgresServerUrl(), { ssl: "verify-full" })).rejects.toThrow(/refused the TLS connection .*does not support SSL/);
  });
});

describe("the CLIs on PostgreSQL", () => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await createPostgresDatabase();
  });
  afterAll(async () => {
    await target?.drop();
  });

  it("npm run audit -- --database-url stores the audit there and says where, without the password", async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: os.tmpdir(), NODE_ENV: "test" };
    const withPassword = target.url.replace("postgres@", "postgres:not-needed@");
    const run = await runScript(
      "scripts/audit.ts",
      ["--fixture", "app/local-aws/fixtures/demo-fleet.json", "--database-url", withPassword, "--format", "json"],
      env,
    );
    expect(run.stderr).toMatch(/Saved as audit #1 in postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/qbr_test_/);
    expect(run.stderr).not.toContain("not-needed");
    const db = await openDatabase(target.url);
    try {
      const audits = await listAudits(db);
      expect(audits).toHaveLength(1);
      expect(audits[0]!.summary).toEqual(JSON.parse(run.stdout).summary);
    } finally {
      await db.close();
    }
    const both = await runScript("scripts/audit.ts", ["--db", "x.sqlite", "--database-url", target.url], env);
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining("--db and --database-url name two databases") });
  }, 120_000);
});

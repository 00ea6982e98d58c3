/**
 * PostgreSQL for the tests, on both engines. The vitest globalSetup
 * (./postgres-global.ts) gives every test process one folder; the first test
 * that needs PostgreSQL starts the server there (initdb, pg_ctl start on a
 * free loopback port) and the others wait for it; the globalSetup stops it at
 * the end. A test run that needs no PostgreSQL starts none. Each test gets a
 * database of its own (CREATE DATABASE), dropped when it closes.
 *
 * If the server cannot start, every test that asked for it fails with the
 * reason: nothing is skipped.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, inject } from "vitest";
import { openDatabase, type Db } from "~/db/database";
import { startPostgres } from "./postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    postgresDir: string;
  }
}

export const ENGINES = ["sqlite", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

const START_WAIT_MS = 180_000;

async function waitForFile(urlFile: string, errorFile: string): Promise<string> {
  const deadline = Date.now() + START_WAIT_MS;
  while (Date.now() < deadline) {
    if (fs.existsSync(urlFile)) return fs.readFileSync(urlFile, "utf8");
    if (fs.existsSync(errorFile)) throw new Error(`PostgreSQL did not start for the tests: ${fs.readFileSync(errorFile, "utf8")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`PostgreSQL did not start for the tests within ${START_WAIT_MS / 1000} s (another test process was starting it).`);
}

let serverUrl: Promise<string> | undefined;

/** The test server's admin URL (database "postgres"), starting the server if no test process has yet. */
export function postgresServerUrl(): Promise<string> {
  serverUrl ??= (async () => {
    const dir = inject("postgresDir");
    const urlFile = path.join(dir, "url");
    const errorFile = path.join(dir, "error");
    try {
      fs.mkdirSync(path.join(dir, "starting"));
    } catch {
      return waitForFile(urlFile, errorFile);
    }
    try {
      const { url } = await startPostgres(dir);
      fs.writeFileSync(`${urlFile}.tmp`, url);
      fs.renameSync(`${urlFile}.tmp`, urlFile);
      return url;
    } catch (error) {
      fs.writeFileSync(errorFile, (error as Error).message);
      throw new Error(`PostgreSQL did not start for the tests: ${(error as Error).message}`, { cause: error });
    }
  })();
  return serverUrl;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await postgresServerUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** postgres://… of a new, empty database. */
  url: string;
  drop(): Promise<void>;
}

/** A new empty database on the test server. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `qbr_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = (await postgresServerUrl()).replace(/\/postgres$/, `/${name}`);
  return { url, drop: () => admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))) };
}

/**
 * Where a test's database lives on each engine: a new SQLite file in a new
 * folder, or a new PostgreSQL database. For tests that open it from several
 * processes; `drop` removes it.
 */
export async function testDatabaseTarget(engine: Engine): Promise<TestDatabase> {
  if (engine === "postgres") return createPostgresDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), "qbr-db-"));
  return { url: path.join(dir, "test.sqlite"), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A new, migrated, empty database on the engine; closing it also drops it. */
export async function openTestDatabase(engine: Engine): Promise<Db> {
  if (engine === "sqlite") return openDatabase(":memory:");
  const target = await createPostgresDatabase();
  const db = await openDatabase(target.url, { poolSize: 4 });
  return {
    ...db,
    close: async () => {
      await db.close();
      await target.drop();
    },
  };
}

/**
 * For a describe block: two handles on one new database of the engine, as
 * two replicas hold it (a SQLite file opened twice; two PostgreSQL pools),
 * new for each test and dropped after it. Its fields are set in beforeEach.
 */
export function twoHandles(engine: Engine): { a: Db; b: Db } {
  const handles = {} as { a: Db; b: Db };
  let target: TestDatabase;
  beforeEach(async () => {
    target = await testDatabaseTarget(engine);
    handles.a = await openDatabase(target.url);
    handles.b = await openDatabase(target.url);
  });
  afterEach(async () => {
    await handles.a.close();
    await handles.b.close();
    await target.drop();
  });
  return handles;
}

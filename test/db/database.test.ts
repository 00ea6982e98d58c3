import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { limitPageCache, MIGRATIONS, openDatabase } from "~/db/database";
import { ENGINES, testDatabaseTarget } from "../helpers/postgres";

const root = path.resolve(__dirname, "../..");

function openInChildProcess(target: string): Promise<{ code: number | null; stderr: string }> {
  const script = `import { openDatabase } from "./app/db/database.ts"; await (await openDatabase(${JSON.stringify(target)})).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe.each(ENGINES)("openDatabase (%s)", (engine) => {
  it("lets several processes open a new database at once, migrating it exactly once", async () => {
    const target = await testDatabaseTarget(engine);
    try {
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openInChildProcess(target.url)));
      for (const result of results) expect(result).toEqual({ code: 0, stderr: expect.not.stringMatching(/Error/) });
      const db = await openDatabase(target.url);
      const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db.kysely);
      expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATIONS]);
      expect(db.dialect).toBe(engine);
      await db.close();
    } finally {
      await target.drop();
    }
  }, 90_000);
});

describe("limitPageCache", () => {
  it("bounds a SQLite connection's page cache (the CLI's own store), refuses a bad size, and leaves PostgreSQL as it is", async () => {
    const db = await openDatabase(":memory:");
    try {
      const cacheSize = async () => (await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(db.kysely)).rows[0]!.cache_size;
      expect(await cacheSize()).toBe(-16000);
      await limitPageCache(db, 2048);
      expect(await cacheSize()).toBe(-2048);
      await expect(limitPageCache(db, 0)).rejects.toThrow(/whole number of KB/);
      expect(await cacheSize()).toBe(-2048);
    } finally {
      await db.close();
    }
    const target = await testDatabaseTarget("postgres");
    const pg = await openDatabase(target.url);
    try {
      await expect(limitPageCache(pg, 2048)).resolves.toBeUndefined();
    } finally {
      await pg.close();
      await target.drop();
    }
  }, 60_000);
});

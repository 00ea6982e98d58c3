import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { MIGRATIONS, openDatabase } from "~/db/database";

const root = path.resolve(__dirname, "../..");

function openInChildProcess(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `import { openDatabase } from "./app/db/database.ts"; await (await openDatabase(${JSON.stringify(file)})).close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("openDatabase", () => {
  it("lets several processes open a new database file at once, migrating it exactly once", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "qbr-db-")), "race.sqlite");
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => openInChildProcess(file)));
    for (const result of results) expect(result).toEqual({ code: 0, stderr: expect.not.stringMatching(/Error/) });
    const db = await openDatabase(file);
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db.kysely);
    expect(applied.rows.map((r) => r.name)).toEqual([...MIGRATIONS]);
    await db.close();
  }, 60_000);
});

/**
 * Scan workers need PostgreSQL (ADR 0016): on SQLite, `npm run audit --
 * --workers` and `npm run worker` stop with the reason (exit 2) before
 * reading anything or creating any file.
 */
import fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "../helpers/cli";

const dir = fs.mkdtempSync(path.join(tmpdir(), "qbr-workers-sqlite-"));
const file = path.join(dir, "history.sqlite");
const env = {
  PATH: process.env.PATH,
  HOME: dir,
  QBR_DB: file,
  AWS_REGION: "us-east-1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  NODE_ENV: "test",
} as NodeJS.ProcessEnv;

describe("scan workers on SQLite", () => {
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("npm run audit -- --workers refuses a SQLite database, naming it", async () => {
    const run = await runScript("scripts/audit.ts", ["--workers"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`audit: --workers needs PostgreSQL (--database-url or QBR_DATABASE_URL); ${file} is a SQLite file, audited in this process`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("npm run worker refuses to start without PostgreSQL", async () => {
    const run = await runScript("scripts/worker.ts", [], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `worker: Scan workers need PostgreSQL (QBR_DATABASE_URL or --database-url postgres://…); the SQLite database ${file} runs scans in one process.`,
    );
    expect(fs.existsSync(file)).toBe(false);
  });
});

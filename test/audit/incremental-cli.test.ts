/**
 * `npm run audit`: a second audit into the same database reuses the lasting
 * evidence and says so; --full and QBR_FULL_SCAN_EVERY=1 read everything; a
 * bad QBR_FULL_SCAN_EVERY stops the audit with its name. As a user runs it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditReport } from "../../app/audit/types";
import { runScript } from "../helpers/cli";
import { AFTER, account, application, dataSource, documents, fleet, index, syncJob } from "./fleet-builder";

let dir: string;
let fixture: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-incremental-cli-"));
  fixture = path.join(dir, "fleet.json");
  const ds = dataSource("ds", { syncJobs: [syncJob("job", AFTER)], documents: documents(3, AFTER) });
  fs.writeFileSync(fixture, JSON.stringify(fleet([account("111122223333", { "us-east-1": [application("app", [index("idx", [ds])])] })])));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function audit(args: string[], env: Record<string, string> = {}) {
  const base = { PATH: process.env.PATH, HOME: dir, QBR_DB: path.join(dir, "audits.sqlite"), NODE_ENV: "test" };
  return runScript("scripts/audit.ts", ["--fixture", fixture, "--format", "json", "--fail-on", "none", ...args], { ...base, ...env } as NodeJS.ProcessEnv);
}

const reused = (stdout: string) => (JSON.parse(stdout) as AuditReport).findings.filter((f) => f.evidence.reusedFrom !== undefined).map((f) => f.checkId);

describe("audit CLI, incremental", () => {
  it("reuses evidence on the second audit and reads everything with --full", async () => {
    const first = await audit([]);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/Incremental audit/);
    const second = await audit([]);
    // The one job is read anyway (it is the latest); the document scan is the one skipped.
    expect(second.stderr).toMatch(/Incremental audit: 1 finding reuses evidence stored by an earlier audit/);
    expect(reused(second.stdout)).toEqual(["datasource-documents-stale"]);
    const full = await audit(["--full"]);
    expect(full.stderr).not.toMatch(/Incremental audit/);
    expect(reused(full.stdout)).toEqual([]);
  }, 60_000);

  it("QBR_FULL_SCAN_EVERY=1 makes every audit a full one; a bad value is refused with its name", async () => {
    await audit([]);
    const again = await audit([], { QBR_FULL_SCAN_EVERY: "1" });
    expect(reused(again.stdout)).toEqual([]);
    const bad = await audit([], { QBR_FULL_SCAN_EVERY: "0" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/QBR_FULL_SCAN_EVERY must be a whole number of audits, 1 or more; got "0"/);
  }, 60_000);
});

/**
 * Accepted exceptions end to end: `npm run audit` over a fleet on the local
 * AWS, with rules from a file (--suppressions and QBR_SUPPRESSIONS_FILE) and
 * from the database (as the dashboard makes them), read back from the JSON
 * report, the CSV, the exit code of --fail-on and the stored audit.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAudits } from "../../app/audit/history";
import { createSuppression } from "../../app/audit/suppression-rules";
import type { AuditReport } from "../../app/audit/types";
import { openDatabase } from "../../app/db/database";
import { runScript, type ScriptRun } from "../helpers/cli";
import { parseCsv } from "../helpers/csv";
import { PROD, SANDBOX, WEST, suppressionFleet } from "./fleet";

let dir: string;
let fixture: string;
let dbPath: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-supp-"));
  fixture = path.join(dir, "fleet.json");
  fs.writeFileSync(fixture, JSON.stringify(suppressionFleet()));
  dbPath = path.join(dir, "audits.sqlite");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeRules(rules: unknown): string {
  const file = path.join(dir, `rules-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(rules));
  return file;
}

function audit(args: string[], extraEnv: Record<string, string> = {}): Promise<ScriptRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, QBR_DB: dbPath, ...extraEnv, NODE_ENV: "test" };
  return runScript("scripts/audit.ts", ["--fixture", fixture, ...args], env);
}

const FILE_RULES = {
  suppressions: [
    { checkId: "datasource-*", accountId: "1111*", region: "*", reason: "sandbox: never synced on purpose", expires: "2099-12-31", by: "alice" },
    {
      checkId: "application-identity-unsupported",
      accountId: "*",
      region: "*",
      applicationId: "faq-bot-*",
      reason: "public FAQ, no downloads wanted",
      by: "alice",
    },
    { checkId: "webexperience-role-missing", accountId: "999999999999", reason: "an account we closed", by: "bob" },
    { checkId: "datasource-*", accountId: PROD, reason: "migration window", expires: "2025-01-01", by: "carol" },
  ],
};

const fails = (r: AuditReport) => r.findings.filter((f) => f.status === "fail");
const appOf = (r: AuditReport, name: string) => r.applications.find((a) => a.displayName === name)!;

describe("accepted exceptions from a file", () => {
  it("suppress matching findings with wildcards, keep their status, leave expired and unmatched rules reported", async () => {
    const run = await audit(["--format", "json", "--suppressions", writeRules(FILE_RULES)]);
    expect(run.code, run.stderr).toBe(1); // the production application still fails (its rule expired)
    const report = JSON.parse(run.stdout) as AuditReport;

    const sandboxFails = fails(report).filter((f) => f.resource.accountId === SANDBOX);
    expect(sandboxFails.map((f) => f.checkId).sort()).toEqual([
      "application-identity-unsupported",
      "datasource-documents-stale",
      "datasource-full-sync-missing",
    ]);
    for (const f of sandboxFails) expect(f.suppressed?.source).toBe("file");
    const stale = sandboxFails.find((f) => f.checkId === "datasource-full-sync-missing")!;
    expect(stale.suppressed).toEqual({ reason: "sandbox: never synced on purpose", by: "alice", expires: "2099-12-31", source: "file", ruleId: "file:0" });
    expect(report.summary.findings.fail).toBe(5); // real statuses are kept

    expect(appOf(report, "sandbox-app")).toMatchObject({ readiness: "ready", suppressedFindings: 2 });
    expect(appOf(report, "faq-bot").readiness).toBe("unsupported");
    expect(appOf(report, "prod-app").readiness).toBe("not-ready");
    for (const f of fails(report).filter((x) => x.resource.accountId === PROD)) expect(f.suppressed).toBeUndefined();

    expect(report.suppressions?.unmatched).toEqual(["file:2"]);
    expect(report.suppressions?.expired).toEqual(["file:3"]);
    expect(report.suppressions?.rules.find((r) => r.id === "file:3")).toMatchObject({ expired: true, matched: 0, matchedIfActive: 2 });
    expect(run.stderr).toContain("unmatched: file:2 (webexperience-role-missing) matched no finding");
    expect(run.stderr).toContain("expired: file:3 (datasource-*) expired 2025-01-01 and no longer applies (2 findings count again)");
  });

  it("--fail-on ignores suppressed findings; the database's rules apply with the file's (QBR_SUPPRESSIONS_FILE)", async () => {
    const file = writeRules({ suppressions: FILE_RULES.suppressions.slice(0, 2) });
    expect((await audit(["--fail-on", "critical"], { QBR_SUPPRESSIONS_FILE: file })).code).toBe(1);

    const db = await openDatabase(dbPath);
    await createSuppression(
      db,
      { checkId: "datasource-*", accountId: PROD, region: WEST, reason: "decommissioned next month", expires: "2099-01-31" },
      { actor: "dana", at: new Date() },
    );
    await db.close();

    const run = await audit(["--fail-on", "critical", "--format", "json"], { QBR_SUPPRESSIONS_FILE: file });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(fails(report).every((f) => f.suppressed !== undefined)).toBe(true);
    const prod = fails(report).find((f) => f.resource.accountId === PROD)!;
    expect(prod.suppressed).toMatchObject({ source: "database", by: "dana", reason: "decommissioned next month", ruleId: "db:1" });
    expect(report.summary.applications).toMatchObject({ ready: 2, notReady: 0, unsupported: 1 });
  });

  it("the CSV and the table show the accepted exceptions", async () => {
    const rules = writeRules({ suppressions: FILE_RULES.suppressions.slice(0, 1) });
    const csv = parseCsv((await audit(["--format", "csv", "--suppressions", rules])).stdout);
    const header = csv[0]!;
    const rows = csv.slice(1).map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
    const stale = rows.find((r) => r["checkId"] === "datasource-full-sync-missing" && r["accountId"] === SANDBOX)!;
    expect(stale["suppressed"]).toBe("true");
    expect(stale["suppressionReason"]).toBe("Accepted by alice until 2099-12-31 (file rule file:0): sandbox: never synced on purpose");
    expect(rows.find((r) => r["checkId"] === "datasource-full-sync-missing" && r["accountId"] === PROD)!["suppressed"]).toBe("false");

    const table = (await audit(["--suppressions", rules])).stdout;
    expect(table).toContain("FAIL  critical  datasource-full-sync-missing  (accepted exception)");
    expect(table).toMatch(/Findings: 5 fail, .*; 2 of them accepted exceptions/);
  });
});

describe("a bad suppressions file", () => {
  const bad: [string, unknown, string][] = [
    [
      "a misspelt field",
      { suppressions: [{ checkId: "datasource-full-sync-missing", acountId: "1", reason: "r", by: "a" }] },
      'suppressions[0]: unknown field "acountId"',
    ],
    [
      "a date that does not exist",
      { suppressions: [{ checkId: "datasource-full-sync-missing", reason: "r", by: "a", expires: "2027-02-30" }] },
      "suppressions[0].expires: must be a date",
    ],
    [
      "an unknown check",
      { suppressions: [{ checkId: "no-such-check", reason: "r", by: "a" }] },
      "suppressions[0].checkId: must be a check id of the catalogue",
    ],
    ["no reason", { suppressions: [{ checkId: "datasource-*", reason: " ", by: "a" }] }, "suppressions[0].reason: must say why"],
  ];
  it.each(bad)("%s: exit 2 with the field named, nothing audited or stored", async (_name, rules, message) => {
    const run = await audit(["--db", dbPath, "--suppressions", writeRules(rules)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe("");
    const db = await openDatabase(dbPath);
    expect(await listAudits(db)).toEqual([]);
    await db.close();
  });
});

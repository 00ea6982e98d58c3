import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../app/db/database";
import { compareAudits, listAudits } from "../../app/audit/history";
import { runAudit } from "../../app/audit/run";
import type { AuditReport } from "../../app/audit/types";
import type { Fixture } from "../../app/local-aws/fixture-types";
import { AFTER, BEFORE, documents, dataSource, servedApplication, singleAppFleet, syncJob } from "./fleet-builder";
import { ROOT, runNpmScript, runScript, type ScriptRun } from "../helpers/cli";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";

/** One IDC application with one S3 source; `synced` decides whether it had a full sync after the cutoff. */
function oneApp(synced: boolean): Fixture {
  const ds = dataSource("hr-data", {
    syncJobs: [syncJob("job", synced ? AFTER : BEFORE)],
    documents: documents(3, synced ? "2025-08-01T10:01:00.000Z" : BEFORE),
  });
  const labels = { app: "acme-assistant", index: "main", web: "web", role: "QBusinessWebRole" };
  return singleAppFleet(ACCOUNT, REGION, servedApplication(ACCOUNT, REGION, labels, [ds]));
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-cli-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeFixture(name: string, fixture: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(fixture));
  return file;
}

/** A user's environment with no AWS settings from this machine, and the default database in the test's directory. */
const userEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: dir, QBR_DB: path.join(dir, "default.sqlite"), NODE_ENV: "test" });

/** Run `npm run audit -- ...args` as a user would (tsx scripts/audit.ts), with no AWS settings from this machine. */
function audit(args: string[]): Promise<ScriptRun> {
  return runScript("scripts/audit.ts", args, userEnv());
}

describe("audit CLI", () => {
  it("prints the JSON report and exits 1 when a critical finding fails", async () => {
    const fixture = writeFixture("stale.json", oneApp(false));
    const run = await audit(["--fixture", fixture, "--format", "json"]);
    expect(run.stderr).toMatch(/Audited 1\/1 targets · \d+ API calls · 0 throttled/);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.reportVersion).toBe(1);
    expect(report.targets).toEqual([{ accountId: ACCOUNT, region: REGION, status: "ok" }]);
    expect(report.applications[0]).toMatchObject({ displayName: "acme-assistant", readiness: "not-ready" });
    expect(report.findings.some((f) => f.checkId === "datasource-full-sync-missing" && f.status === "fail")).toBe(true);
  }, 30_000);

  it("runs from its build as `npm run audit` (plain Node, ADR 0017): the same report, and OCSF names the product's version", async () => {
    const fixture = writeFixture("stale.json", oneApp(false));
    const built = await runNpmScript("audit", ["--fixture", fixture, "--format", "json"], userEnv());
    expect(built.code).toBe(1);
    const fromSource = await audit(["--fixture", fixture, "--format", "json"]);
    const verdicts = (run: ScriptRun) => (JSON.parse(run.stdout) as AuditReport).findings.map((f) => [f.checkId, f.resource.name, f.status]);
    expect(verdicts(built)).toEqual(verdicts(fromSource));
    expect(fs.existsSync(path.join(ROOT, "build/cli/scripts/audit.js"))).toBe(true);
    const ocsf = await runNpmScript("audit", ["--fixture", fixture, "--format", "ocsf", "--fail-on", "none"], userEnv());
    expect(ocsf.code).toBe(0);
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const product = (JSON.parse(ocsf.stdout) as { metadata: { product: { version: string } } }[])[0]!.metadata.product;
    expect(product.version).toBe(version);
  }, 60_000);

  it("exits 0 on the same fleet with --fail-on none, and 0 by default on a ready fleet", async () => {
    const stale = await audit(["--fixture", writeFixture("stale.json", oneApp(false)), "--format", "json", "--fail-on", "none"]);
    expect(stale.code).toBe(0);
    const ready = await audit(["--fixture", writeFixture("ready.json", oneApp(true)), "--format", "json"]);
    expect(ready.code).toBe(0);
    expect((JSON.parse(ready.stdout) as AuditReport).applications[0].readiness).toBe("ready");
  }, 30_000);

  it("prints a table by default and CSV with --format csv", async () => {
    const fixture = writeFixture("stale.json", oneApp(false));
    const table = await audit(["--fixture", fixture]);
    expect(table.stdout).toContain("acme-assistant");
    expect(table.stdout).toContain("datasource-full-sync-missing");
    const csv = await audit(["--fixture", fixture, "--format", "csv"]);
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/checkId|check_id|check/i);
    expect(lines.some((l) => l.includes("datasource-full-sync-missing") && l.includes("fail"))).toBe(true);
  }, 30_000);

  it("--cutoff moves the instant a full sync must follow", async () => {
    // The job ran 2025-05-14: before the default cutoff, after this one.
    const run = await audit(["--fixture", writeFixture("stale.json", oneApp(false)), "--format", "json", "--cutoff", "2025-05-01T00:00:00Z"]);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.cutoff).toBe("2025-05-01T00:00:00.000Z");
    expect(report.findings.find((f) => f.checkId === "datasource-full-sync-missing")?.status).toBe("pass");
  }, 30_000);

  it("--out writes the report to the file instead of stdout", async () => {
    const out = path.join(dir, "reports", "audit.json");
    const run = await audit(["--fixture", writeFixture("stale.json", oneApp(false)), "--format", "json", "--out", out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`Report written to ${out}`);
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as AuditReport).reportVersion).toBe(1);
  }, 30_000);

  it.each([
    [["--format", "xml"], /--format must be one of table, json, csv, ocsf, asff, got "xml"/],
    [["--fail-on", "severe"], /--fail-on must be one of critical, high, medium, low, none/],
    [["--concurrency", "0"], /--concurrency must be a positive integer/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--cutoff", "soon"], /--cutoff must be an ISO-8601 time/],
  ])(
    "exits 2 on bad arguments %j with a message",
    async (args, message) => {
      const run = await audit(["--fixture", writeFixture("f.json", oneApp(true)), ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    },
    30_000,
  );

  it("exits 2 on a bad fixture, naming the JSON path of the problem", async () => {
    const bad = oneApp(true) as unknown as { accounts: { accountId: string }[] };
    bad.accounts[0].accountId = "not-an-account";
    const run = await audit(["--fixture", writeFixture("bad.json", bad)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("accounts[0].accountId");
  }, 30_000);

  it("exits 2 on an invalid targets file, naming the JSON path", async () => {
    const targets = path.join(dir, "targets.json");
    fs.writeFileSync(targets, JSON.stringify({ targets: [{ accountId: ACCOUNT, regions: ["nowhere"] }] }));
    const run = await audit(["--fixture", writeFixture("f.json", oneApp(true)), "--targets", targets]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/targets\[0\]\.regions\[0\]: must be an AWS region name/);
  }, 30_000);

  it("exits 2 without credentials or region when no fixture is given", async () => {
    const run = await audit(["--format", "json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No region to audit|No usable AWS credentials/);
  }, 30_000);

  it("a target the fleet denies is a scan-target-unreadable finding, not a crash", async () => {
    const fixture = oneApp(true);
    fixture.accounts[0].regions["eu-west-1"] = { applications: [] };
    fixture.accounts[0].denied = [{ service: "qbusiness", region: "eu-west-1", operation: "*" }];
    const run = await audit(["--fixture", writeFixture("denied.json", fixture), "--format", "json", "--fail-on", "none"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.targets[1]).toMatchObject({ region: "eu-west-1", status: "error", error: { code: "AccessDeniedException" } });
    expect(report.findings.find((f) => f.checkId === "scan-target-unreadable" && f.resource.region === "eu-west-1")?.status).not.toBe("pass");
  }, 30_000);

  it("keeps each audit in the database, and comparing them shows the application became ready", async () => {
    const db = path.join(dir, "history.sqlite");
    const first = await audit(["--fixture", writeFixture("stale.json", oneApp(false)), "--db", db, "--format", "json"]);
    const second = await audit(["--fixture", writeFixture("ready.json", oneApp(true)), "--db", db, "--format", "json"]);
    expect(first.stderr).toMatch(/Saved as audit #1/);
    expect(second.stderr).toMatch(/Saved as audit #2/);
    const handle = await openDatabase(db);
    try {
      expect((await listAudits(handle)).map((a) => a.id)).toEqual([2, 1]);
      const diff = await compareAudits(handle, 1, 2);
      expect(diff.becameReady.map((c) => c.application.displayName)).toEqual(["acme-assistant"]);
      expect(diff.goneFindings.map((f) => f.checkId)).toContain("datasource-full-sync-missing");
      expect(diff.regressed).toEqual([]);
    } finally {
      await handle.close();
    }
  }, 30_000);
});

describe("runAudit on the demo fleet", () => {
  const demo = path.join(ROOT, "app/local-aws/fixtures/demo-fleet.json");
  const expected = JSON.parse(fs.readFileSync(path.join(ROOT, "app/local-aws/fixtures/demo-fleet.expected.json"), "utf8")) as {
    applications: Record<string, { readiness: string; failing: string[]; warnings: string[]; fixableBy: string[] }>;
    unreadableTargets: { accountId: string; region: string; errorCode: string }[];
  };

  it("concludes for every application what demo-fleet.expected.json says, and reads every readable target", async () => {
    const { report, inventory } = await runAudit({ fixture: demo });
    const unreadable = report.targets.filter((t) => t.status === "error").map((t) => [t.accountId, t.region, t.error?.code]);
    expect(unreadable).toEqual(expected.unreadableTargets.map((t) => [t.accountId, t.region, t.errorCode]));
    const conclusions = Object.fromEntries(
      report.applications.map((app) => {
        const open = report.findings.filter((f) => f.resource.applicationId === app.applicationId);
        const ids = (status: string) => [...new Set(open.filter((f) => f.status === status).map((f) => f.checkId))].sort();
        const fixes = [
          ...new Set(open.filter((f) => f.status === "fail" || f.status === "warn").flatMap((f) => (f.remediation.action ? [f.remediation.action] : []))),
        ].sort();
        return [app.applicationId, { readiness: app.readiness, failing: ids("fail"), warnings: ids("warn"), fixableBy: fixes }];
      }),
    );
    const want = Object.fromEntries(
      Object.entries(expected.applications).map(([id, a]) => [
        id,
        { readiness: a.readiness, failing: [...a.failing].sort(), warnings: [...a.warnings].sort(), fixableBy: [...a.fixableBy].sort() },
      ]),
    );
    expect(conclusions).toEqual(want);
    expect(inventory.applications).toHaveLength(Object.keys(want).length);
  }, 30_000);

  it("acts as the fixture account whose key is in AWS_ACCESS_KEY_ID, reading its own account first", async () => {
    const saved = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = "AKIALOCAL444455556666";
    try {
      const { report } = await runAudit({ fixture: demo, regions: ["us-east-1"] });
      expect(report.targets.map((t) => t.accountId)).toEqual(["444455556666", "111122223333"]);
      expect(report.targets.every((t) => t.status === "ok")).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved;
    }
  }, 30_000);

  it("reports progress up to every target done, with the calls made so far", async () => {
    const seen: { targetsDone: number; targetsTotal: number; apiCalls: number; applicationsRead: number; applicationsFound: number }[] = [];
    const { inventory } = await runAudit({ fixture: demo, onProgress: (p) => seen.push(p) });
    expect(seen[0]).toMatchObject({ targetsDone: 0, targetsTotal: 6, applicationsRead: 0 });
    expect(seen.at(-1)).toMatchObject({ targetsDone: 6, targetsTotal: 6 });
    // Applications are counted as each is read, not only as targets end.
    const read = seen.map((p) => p.applicationsRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(new Set(read).size).toBeGreaterThan(new Set(seen.map((p) => p.targetsDone)).size);
    expect(seen.at(-1)).toMatchObject({ applicationsRead: inventory.applications.length, applicationsFound: inventory.applications.length });
    expect(seen.at(-1)!.apiCalls).toBe(inventory.stats?.apiCalls);
    expect(seen.map((p) => p.targetsDone)).toEqual([...seen.map((p) => p.targetsDone)].sort((a, b) => a - b));
  }, 30_000);
});

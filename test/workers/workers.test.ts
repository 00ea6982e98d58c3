/**
 * Scan workers (issue 16.3, ADR 0016), all real processes: a PostgreSQL
 * server, a local AWS over HTTP (with latency, so a target takes a while),
 * two `npm run worker` processes and two built dashboards with
 * QBR_SCAN_WORKERS=true on one database. The dashboards' initial audit is
 * read by the workers and equals a single-process audit of the same fleet;
 * a worker killed (SIGKILL) while it reads a target has that target read by
 * the other worker, and the audit `npm run audit -- --workers` waited for is
 * complete with nothing in it twice.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingKey, getAuditReport, listAudits } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { targetsForFixture, type TargetSpec } from "~/audit/targets";
import type { AuditReport } from "~/audit/types";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials } from "~/local-aws/fixture-types";
import { generateFleet } from "~/local-aws/generate-fleet";
import type { WorkerEvent } from "~/workers/worker";
import { buildOnce, startDashboard, type RunningDashboard } from "../browser/harness";
import { runScript } from "../helpers/cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";

const REPO = path.resolve(__dirname, "../..");

interface Worker {
  child: ChildProcess;
  events: WorkerEvent[];
  output: () => string;
}

const signal = (w: Worker, name: NodeJS.Signals) => {
  try {
    process.kill(-w.child.pid!, name);
  } catch {
    // already gone
  }
};

function startWorkerProcess(env: NodeJS.ProcessEnv): Worker {
  const child = spawn(path.join(REPO, "node_modules/.bin/tsx"), ["scripts/worker.ts", "--json"], {
    cwd: REPO,
    env,
    // Its own process group: tsx runs the worker in a child node process, and a kill must reach both.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: WorkerEvent[] = [];
  let output = "";
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith("{")) events.push(JSON.parse(line) as WorkerEvent);
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  return { child, events, output: () => output };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a reader of the report sees: each target's status, each application's readiness, each finding's verdict. */
function verdicts(report: AuditReport) {
  return {
    targets: report.targets.map((t) => `${t.accountId}/${t.region}: ${t.status}`),
    applications: report.applications.map((a) => `${a.accountId}/${a.region}/${a.applicationId}: ${a.readiness}`),
    findings: report.findings.map((f) => `${findingKey(f)}: ${f.status}`),
    summary: report.summary,
  };
}

describe("scan workers on one PostgreSQL", () => {
  let target: TestDatabase;
  let db: Db;
  let t: TestAws;
  let workers: Worker[] = [];
  let dashboards: RunningDashboard[] = [];
  let specs: TargetSpec[];
  let single: AuditReport;
  let workerEnv: NodeJS.ProcessEnv;
  const dir = fs.mkdtempSync(path.join(tmpdir(), "qbr-workers-"));

  beforeAll(async () => {
    const fixture = generateFleet({ accounts: 2, regions: 2, apps: 3, dataSources: 2, syncJobs: 4, documents: 40, seed: 5 });
    fixture.faults = { latencyMs: 250 };
    const [build] = await Promise.all([buildOnce(), (async () => (t = await startTestAws(fixture)))()]);
    void build;
    target = await createPostgresDatabase();
    db = await openDatabase(target.url, { poolSize: 4 });
    // The targets as a deployment names them: the first account with the hub's own keys, the others through their audit role.
    specs = targetsForFixture(fixture).map(({ credentials: _credentials, ...spec }) => spec);
    const targetsFile = path.join(dir, "targets.json");
    fs.writeFileSync(targetsFile, JSON.stringify({ targets: specs }));
    const keys = accountCredentials(fixture.accounts[0]!.accountId);
    const aws = { AWS_ENDPOINT_URL: t.aws.endpoint, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_REGION: "us-east-1" };
    // The same fleet audited by one process (no database, no queue): what the workers' audit must equal.
    single = (await runAudit({ targets: specs, credentials: keys, endpoint: t.aws.endpoint, notify: false, securityHub: false })).report;
    workerEnv = { ...process.env, ...aws, QBR_DATABASE_URL: target.url, QBR_WORKER_CONCURRENCY: "2", QBR_LOCK_LEASE_SECONDS: "3" };
    workers = [startWorkerProcess(workerEnv), startWorkerProcess(workerEnv)];
    await waitFor("both workers ready", () => (workers.every((w) => w.events.some((e) => e.event === "started")) ? true : undefined), 60_000);
    const env = {
      ...aws,
      QBR_DATABASE_URL: target.url,
      QBR_SESSION_SECRET: "the-same-secret-on-every-replica",
      QBR_SCAN_WORKERS: "true",
      QBR_TARGETS_FILE: targetsFile,
    };
    dashboards = await Promise.all([startDashboard(env), startDashboard(env)]);
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) signal(w, "SIGTERM");
    await Promise.all(dashboards.map((d) => d.stop()));
    await db?.close();
    await target?.drop();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the dashboards' scan is read by both workers, saved once, and has the single-process audit's verdicts", async () => {
    const audits = await waitFor("the initial audit", async () => ((await listAudits(db)).length > 0 ? listAudits(db) : undefined), 90_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await listAudits(db)).length).toBe(1);
    const report = (await getAuditReport(db, audits[0]!.id))!;
    expect(single.targets).toHaveLength(4);
    expect(verdicts(report)).toEqual(verdicts(single));
    const readers = new Set(workers.flatMap((w) => w.events.filter((e) => e.event === "target-done").map((e) => e.worker)));
    expect(readers.size).toBe(2);
    expect(workers.flatMap((w) => w.events.filter((e) => e.event === "target-done"))).toHaveLength(4);
    for (const d of dashboards) {
      const health = await fetch(`${d.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.text()).toMatch(/\nqueue: pg-boss ok \(0 targets waiting, 0 in progress\); scans go to the workers\n$/);
    }
  }, 120_000);

  it("a worker killed mid-target has its target read by the other, and the audit holds every target once", async () => {
    const before = workers.map((w) => w.events.length);
    // The CLI enqueues this one: `npm run audit -- --workers`, the targets file as the dashboards read it.
    const audit = runScript(
      "scripts/audit.ts",
      ["--workers", "--database-url", target.url, "--targets", path.join(dir, "targets.json"), "--format", "json", "--fail-on", "none"],
      { ...workerEnv, QBR_DATABASE_URL: "" },
    );
    const victim = await waitFor("a worker reading a target", () =>
      workers.find((w, i) => w.events.slice(before[i]).some((e) => e.event === "target-started")),
    );
    signal(victim, "SIGKILL");
    const killedTarget = victim.events.slice(before[workers.indexOf(victim)]).find((e) => e.event === "target-started")!.target;
    expect(victim.events.slice(before[workers.indexOf(victim)]).some((e) => e.event === "target-done" && e.target === killedTarget)).toBe(false);
    const cli = await audit;
    expect(cli.code, cli.stderr).toBe(0);
    const run = { report: JSON.parse(cli.stdout) as AuditReport, auditId: Number(/Saved as audit #(\d+)/.exec(cli.stderr)?.[1]) };
    const survivor = workers.find((w) => w !== victim)!;
    expect(survivor.events.some((e) => e.event === "target-done" && e.target === killedTarget)).toBe(true);
    expect(verdicts(run.report)).toEqual(verdicts(single));
    const stored = (await getAuditReport(db, run.auditId!))!;
    expect(new Set(stored.applications.map((a) => `${a.accountId}/${a.region}/${a.applicationId}`)).size).toBe(stored.applications.length);
    expect(stored.applications).toHaveLength(single.applications.length);
    expect((await listAudits(db)).length).toBe(2);
  }, 120_000);
});

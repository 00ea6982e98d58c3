/**
 * Several replicas on one PostgreSQL (issue 16): each replica is its own
 * process (./replica.ts) running the product's fix, follow and scan code,
 * all reaching one local AWS over HTTP. Two replicas applying one fix at the
 * same instant apply it once; a replica killed while following a sync has it
 * followed to the end, and the mode restored, by another; a scheduled
 * interval on two replicas runs one scan.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetDataSourceCommand } from "@aws-sdk/client-qbusiness";
import { afterEach, describe, expect, it } from "vitest";
import { listAudits } from "~/audit/history";
import { openDatabase, type Db } from "~/db/database";
import { getActivity, listActivity } from "~/fixes/activity-log";
import { FULL_MODE, listTrackedSyncs } from "~/fixes/tracked-syncs";
import { accountCredentials } from "~/local-aws/fixture-types";
import { ACCOUNT, REGION, SOURCE_REF, fixFleet } from "../fixes/fleet";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/** SIGKILL the replica's whole process group (tsx and the node process it started): a crash, not a shutdown. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

interface Replica {
  child: ChildProcess;
  events: Record<string, unknown>[];
  output: () => string;
  exited: Promise<number | null>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every data source of the fixture runs its syncs for `seconds` (of the local AWS's clock). */
function withSyncDuration(value: unknown, seconds: number): void {
  if (!value || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  if (record.configuration && "syncJobs" in record) record.syncDurationSeconds = seconds;
  for (const child of Object.values(record)) withSyncDuration(child, seconds);
}

async function setUp(syncSeconds?: number): Promise<{ t: TestAws; target: TestDatabase; db: Db; fixtureFile: string }> {
  const fixture = fixFleet();
  if (syncSeconds !== undefined) withSyncDuration(fixture, syncSeconds);
  const t = await startTestAws(fixture);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-replicas-"));
  const fixtureFile = path.join(dir, "fleet.json");
  fs.writeFileSync(fixtureFile, JSON.stringify(fixture));
  const target = await createPostgresDatabase();
  const db = await openDatabase(target.url);
  cleanups.push(
    () => t.close(),
    () => target.drop(),
    () => db.close(),
    () => fs.rmSync(dir, { recursive: true, force: true }),
  );
  return { t, target, db, fixtureFile };
}

function startReplica(args: string[], env: Record<string, string>): Replica {
  const keys = accountCredentials(ACCOUNT);
  const child = spawn(TSX, ["test/replicas/replica.ts", ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      NODE_ENV: "test",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      QBR_LOCK_LEASE_SECONDS: "2",
      QBR_TEST_SOURCE: JSON.stringify(SOURCE_REF),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: tsx runs the script in a child node process, and a crash must take both.
    detached: true,
  });
  let text = "";
  const events: Record<string, unknown>[] = [];
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    text += chunk;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith("{")) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child);
      await exited;
    }
  });
  return { child, events, output: () => text, exited };
}

async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, output?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${output ? `\n${output()}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const syncStarts = (t: TestAws) => t.aws.requests.filter((r) => r.operation === "StartDataSourceSyncJob" && r.status === 200).length;

describe("replicas on one PostgreSQL", () => {
  it("two replicas applying the same full sync at the same instant apply it once", async () => {
    const { t, target, db, fixtureFile } = await setUp();
    const startAt = String(Date.now() + 8000);
    const replicas = [1, 2].map(() => startReplica(["apply", fixtureFile, startAt], { QBR_DATABASE_URL: target.url, AWS_ENDPOINT_URL: t.aws.endpoint }));
    const codes = await Promise.all(replicas.map((r) => r.exited));
    const outcomes = replicas.map((r) => r.events.find((e) => "outcome" in e || "error" in e));
    expect(codes, replicas.map((r) => r.output()).join("\n")).toEqual([0, 0]);
    expect(replicas.every((r) => r.events.some((e) => e.planned === "ready"))).toBe(true);
    expect(syncStarts(t)).toBe(1);
    const succeeded = outcomes.filter((o) => o?.outcome === "succeeded" || o?.outcome === "started");
    expect(succeeded, JSON.stringify(outcomes)).toHaveLength(1);
    const other = outcomes.find((o) => o !== succeeded[0]);
    expect(other?.outcome, JSON.stringify(other)).toMatch(/busy|stale|refused/);
    expect((await listTrackedSyncs(db)).length).toBe(1);
  }, 120_000);

  it("a replica killed while following a sync has it followed to the end and its mode restored by another", async () => {
    // A sync that outlives replica A: an hour of the local AWS's clock, which the test moves on after A is killed.
    const { t, target, db, fixtureFile } = await setUp(3600);
    const { qbusiness } = t.clients(ACCOUNT, REGION);
    const path = { applicationId: SOURCE_REF.applicationId, indexId: SOURCE_REF.indexId, dataSourceId: SOURCE_REF.dataSourceId };
    const modeBefore = ((await qbusiness.send(new GetDataSourceCommand(path))).configuration as { syncMode: string }).syncMode;
    const a = startReplica(["apply", fixtureFile, "0"], { QBR_DATABASE_URL: target.url, AWS_ENDPOINT_URL: t.aws.endpoint, QBR_TEST_WAIT: "1" });
    const tracked = await until(
      "replica A to follow its sync",
      async () => (await listTrackedSyncs(db)).find((s) => s.state === "following"),
      60_000,
      a.output,
    );
    const during = ((await qbusiness.send(new GetDataSourceCommand(path))).configuration as { syncMode: string }).syncMode;
    killGroup(a.child);
    await a.exited;

    const b = startReplica(["follow", fixtureFile], { QBR_DATABASE_URL: target.url, AWS_ENDPOINT_URL: t.aws.endpoint });
    await until("replica B to start", () => b.events.some((e) => e.ready) || undefined, 60_000, b.output);
    // The sync runs on in AWS after A died: move the local AWS's clock past its end.
    t.aws.clock.advance(60 * 60 * 1000);
    const finished = await until(
      "replica B to finish the sync",
      async () => (await listTrackedSyncs(db)).find((s) => s.id === tracked.id && s.state === "done"),
      60_000,
      b.output,
    );
    expect(finished.jobStatus).toBe("SUCCEEDED");
    await until(
      "replica B to say it took the sync over",
      () => /Took over 1 tracked sync/.test(b.output()) || undefined,
      30_000,
      () => `${b.output()}\n${a.output()}`,
    );
    const modeAfter = ((await qbusiness.send(new GetDataSourceCommand(path))).configuration as { syncMode: string }).syncMode;
    expect({ before: modeBefore, during, after: modeAfter }).toEqual({ before: modeBefore, during: FULL_MODE, after: modeBefore });
    expect(modeBefore).not.toBe(FULL_MODE);
    const entry = (await getActivity(db, tracked.activityId))!;
    expect(entry.status).toBe("succeeded");
    expect((await listActivity(db, {})).length).toBe(1);
  }, 150_000);

  it("a scheduled interval on two replicas runs one scan", async () => {
    const { t, target, db, fixtureFile } = await setUp();
    const env = { QBR_DATABASE_URL: target.url, AWS_ENDPOINT_URL: t.aws.endpoint };
    const replicas = [1, 2].map(() => startReplica(["schedule", fixtureFile, "0.1"], env));
    await until(
      "both replicas to start",
      () => replicas.every((r) => r.events.some((e) => e.ready)) || undefined,
      60_000,
      () => replicas.map((r) => r.output()).join("\n"),
    );
    // An empty database gets one initial audit; then one scan per 6-second interval.
    const first = await until("the first scheduled scan", async () => ((await listAudits(db)).length >= 2 ? await listAudits(db) : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await listAudits(db)).length).toBe(first.length);
  }, 120_000);
});

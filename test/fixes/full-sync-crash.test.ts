/**
 * A full sync whose process is killed (SIGKILL, a real separate process) at
 * the two moments where nothing used to be left to finish it:
 *  - after the data source was switched to FORCED_FULL_CRAWL, before
 *    StartDataSourceSyncJob: the restart finds no sync started and puts the
 *    original mode back, and the activity entry says so;
 *  - after StartDataSourceSyncJob, before the job was recorded: the restart
 *    finds the job and follows it (never a second sync);
 *  - after the sync ended and its mode was restored, before the outcome was
 *    written: the restart closes the entry from the tracked sync.
 * What the data source looks like is read from the local AWS over the SDK.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetDataSourceCommand, ListDataSourceSyncJobsCommand } from "@aws-sdk/client-qbusiness";
import { targetsForFixture } from "../../app/audit/targets";
import { getActivity, listActivity } from "../../app/fixes/activity-log";
import { listTrackedSyncs, resumeTrackedSyncs } from "../../app/fixes/tracked-syncs";
import { ACCOUNT, APP, INDEX, REGION, SOURCE, SOURCE_REF, fixFleet } from "./fleet";
import { auditInto, startFixHarness, type FixHarness } from "./harness";

const ROOT = path.resolve(__dirname, "../..");
const SOURCE_PATH = { applicationId: APP, indexId: INDEX, dataSourceId: SOURCE };

let h: FixHarness | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  child = undefined;
  await h?.close();
  h = undefined;
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The data source's sync mode and sync jobs, as the local AWS reports them. */
async function atAws(harness: FixHarness) {
  const { qbusiness } = harness.t.clients(ACCOUNT, REGION);
  const source = await qbusiness.send(new GetDataSourceCommand(SOURCE_PATH));
  const { history } = await qbusiness.send(new ListDataSourceSyncJobsCommand(SOURCE_PATH));
  return { syncMode: (source.configuration as { syncMode?: string }).syncMode, jobs: (history ?? []).map((j) => j.executionId) };
}

/** Apply a full sync in another process, held at `pause` (an environment variable the product reads only for tests). */
function applyInChild(harness: FixHarness, pause: string, wait: boolean): ChildProcess {
  const targets = JSON.stringify(targetsForFixture(harness.t.aws.fleet));
  // node itself with tsx's loader (not the tsx CLI, which would leave its node child running when killed).
  return spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(__dirname, "full-sync-crash-child.ts"),
      harness.dbPath,
      harness.t.aws.endpoint,
      targets,
      JSON.stringify(SOURCE_REF),
      wait ? "wait" : "no-wait",
    ],
    { cwd: ROOT, stdio: "ignore", env: { ...process.env, [pause]: "600000" } },
  );
}

async function kill(c: ChildProcess): Promise<void> {
  c.kill("SIGKILL");
  await new Promise((r) => c.once("exit", r));
  child = undefined;
}

describe("full sync killed half-way", () => {
  it("after the mode switch, before the sync started: the restart puts the original mode back and says so", async () => {
    h = await startFixHarness(fixFleet());
    const harness = h;
    await auditInto(harness);
    const before = await atAws(harness);
    expect(before.syncMode).toBe("FULL_CRAWL");

    child = applyInChild(harness, "QBR_TEST_PAUSE_AFTER_MODE_SWITCH_MS", false);
    await waitFor("the switch to FORCED_FULL_CRAWL", async () => (await atAws(harness)).syncMode === "FORCED_FULL_CRAWL");
    await kill(child);
    // Left behind: the mode switched, no sync started, one sync recorded as about to start.
    expect(await atAws(harness)).toEqual({ syncMode: "FORCED_FULL_CRAWL", jobs: before.jobs });
    const [left] = await listTrackedSyncs(harness.db, { unfinished: true });
    expect(left.state).toBe("starting");

    const ctx = await harness.restart();
    const results = await resumeTrackedSyncs(ctx);
    expect(results.map((r) => r.jobStatus)).toEqual(["NOT_STARTED"]);

    expect(await atAws(harness)).toEqual({ syncMode: "FULL_CRAWL", jobs: before.jobs });
    const entry = (await getActivity(harness.db, left.activityId))!;
    expect(entry.status).toBe("failed");
    expect(entry.message).toBe(
      "The process applying this stopped after switching syncMode to FORCED_FULL_CRAWL and before starting the sync: no sync was started; " +
        "syncMode restored to FULL_CRAWL. Apply again to run the full sync.",
    );
    expect(await listTrackedSyncs(harness.db, { unfinished: true })).toEqual([]);
    // A second resume finds nothing left to do.
    expect(await resumeTrackedSyncs(ctx)).toEqual([]);
  }, 90_000);

  it("after the sync started, before it was recorded: the restart finds the job, follows it and puts the mode back", async () => {
    h = await startFixHarness(fixFleet());
    const harness = h;
    await auditInto(harness);
    const before = await atAws(harness);
    child = applyInChild(harness, "QBR_TEST_PAUSE_AFTER_SYNC_START_MS", false);
    await waitFor("the sync to start", async () => (await atAws(harness)).jobs.length > before.jobs.length);
    await kill(child);
    const [left] = await listTrackedSyncs(harness.db, { unfinished: true });
    expect(left.state).toBe("starting");
    const started = (await atAws(harness)).jobs[0]!;

    const ctx = await harness.restart();
    const [followed] = await resumeTrackedSyncs(ctx);
    expect(followed.jobStatus).toBe("SUCCEEDED");
    expect(followed.tracked).toMatchObject({ state: "done", executionId: started });
    // One sync only (none started twice), and the mode is back.
    expect(await atAws(harness)).toEqual({ syncMode: "FULL_CRAWL", jobs: [started, ...before.jobs] });
    const entry = (await getActivity(harness.db, left.activityId))!;
    expect(entry.status).toBe("succeeded");
    expect(entry.events.map((e) => e.message)).toContain(
      `Full sync ${started} started (found after a restart: the process that started it stopped before recording it); following it.`,
    );
  }, 90_000);

  it("after the sync ended and the mode was back, before the outcome was written: the restart closes the entry", async () => {
    h = await startFixHarness(fixFleet());
    const harness = h;
    await auditInto(harness);
    child = applyInChild(harness, "QBR_TEST_PAUSE_AFTER_SYNC_DONE_MS", true);
    await waitFor("the sync to be followed", async () => (await listTrackedSyncs(harness.db)).some((t) => t.state === "following"));
    // The sync takes 20 s of the local AWS's clock: move it on; the child's next poll sees the end.
    harness.t.aws.clock.advance(60_000);
    await waitFor("the sync to be marked done", async () => (await listTrackedSyncs(harness.db)).some((t) => t.state === "done"));
    await kill(child);
    const [entryBefore] = await listActivity(harness.db, { action: "full-sync" });
    expect(entryBefore.status).toBe("running");
    expect((await atAws(harness)).syncMode).toBe("FULL_CRAWL");

    const ctx = await harness.restart();
    expect(await resumeTrackedSyncs(ctx)).toEqual([]);
    const entry = (await getActivity(harness.db, entryBefore.id))!;
    expect(entry.status).toBe("succeeded");
    expect(entry.message).toMatch(/^Sync \S+ ended SUCCEEDED \(.*syncMode restored to FULL_CRAWL\)\. Recorded after a restart: /);
  }, 90_000);
});

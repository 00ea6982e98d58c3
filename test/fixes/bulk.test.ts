/**
 * Bulk full sync over the real SDK and the local AWS (ADR 0015): data
 * sources in three accounts, a cap of 1 per account, one item AWS refuses,
 * one already fixed by the time its turn comes, and a real restart in the
 * middle (the process running the batch is killed with SIGKILL; a new one
 * resumes it, as the dashboard does at start). That no account ever ran two
 * syncs at once is read from the local AWS itself: every sync job's start
 * and end time, through ListDataSourceSyncJobs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ListDataSourceSyncJobsCommand } from "@aws-sdk/client-qbusiness";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import { applyBulkBatch, createBulkBatch, getBulkBatch, resumeBulkBatches } from "../../app/fixes/bulk";
import { groupBulkItems, countBulkStates } from "../../app/fixes/bulk-summary";
import { getActivity } from "../../app/fixes/activity-log";
import { applyFullSync, planFullSync } from "../../app/fixes/full-sync";
import { resumeTrackedSyncs } from "../../app/fixes/tracked-syncs";
import { bulkItemOfActivity } from "../../app/db/bulk-batches";
import type { Fixture } from "../../app/local-aws/fixture-types";
import { account, application, fleet, id36, index } from "../audit/fleet-builder";
import { staleSource, startFixHarness, type FixHarness } from "./harness";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const ROOT = path.resolve(__dirname, "../..");

let h: FixHarness;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  await h?.close();
});

/** Three accounts, three stale data sources each; account B's third is in eu-west-1, where AWS refuses StartDataSourceSyncJob. */
function bulkFleet(): Fixture {
  const appOf = (acct: string, labels: string[]) => application(`app-${acct}`, [index(`idx-${acct}`, labels.map(staleSource))]);
  return fleet([
    account(A, { "us-east-1": [appOf("a", ["a1", "a2", "a3"])] }),
    account(
      B,
      { "us-east-1": [appOf("b", ["b1", "b2"])], "eu-west-1": [appOf("b-eu", ["b3"])] },
      { denied: [{ service: "qbusiness", region: "eu-west-1", operation: "StartDataSourceSyncJob" }] },
    ),
    account(C, { "us-east-1": [appOf("c", ["c1", "c2", "c3"])] }),
  ]);
}

interface Job {
  accountId: string;
  dataSource: string;
  start: number;
  end: number;
}

/** Every sync job of the fleet as the local AWS reports it (ListDataSourceSyncJobs over the SDK), started after `since`. */
async function jobsSince(fixture: Fixture, since: number): Promise<Job[]> {
  const jobs: Job[] = [];
  for (const acct of fixture.accounts) {
    for (const [region, { applications }] of Object.entries(acct.regions)) {
      const { qbusiness } = h.t.clients(acct.accountId, region);
      for (const app of applications) {
        for (const idx of app.indices) {
          for (const ds of idx.dataSources) {
            const { history } = await qbusiness.send(
              new ListDataSourceSyncJobsCommand({ applicationId: app.applicationId, indexId: idx.indexId, dataSourceId: ds.dataSourceId }),
            );
            for (const j of history ?? []) {
              if (j.startTime!.getTime() < since) continue;
              jobs.push({ accountId: acct.accountId, dataSource: ds.displayName!, start: j.startTime!.getTime(), end: j.endTime?.getTime() ?? Infinity });
            }
          }
        }
      }
    }
  }
  return jobs;
}

/** The most syncs one account ran at once, from the jobs' own start and end times. */
function mostAtOnce(jobs: Job[], accountId: string): number {
  const mine = jobs.filter((j) => j.accountId === accountId);
  return Math.max(0, ...mine.map((j) => mine.filter((k) => k.start < j.end && j.start < k.end).length));
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("bulk full sync", () => {
  it("never runs two syncs at once in an account (cap 1), reports the failing and the already-fixed item, and resumes after a kill", async () => {
    const fixture = bulkFleet();
    h = await startFixHarness(fixture);
    await runAudit({ targets: targetsForFixture(h.t.aws.fleet), endpoint: h.t.aws.endpoint, db: h.db, maxAttempts: 1 });
    const actor = "user:alice@example.com";

    // Plan: every finding a full sync fixes (the findings page's filter), capped at 1 per account.
    const id = await createBulkBatch(h.ctx, {
      actor,
      selection: { filter: "check=datasource-full-sync-missing", choice: "full-sync" },
      filter: { status: null, check: "datasource-full-sync-missing" },
      perAccount: 1,
    });
    const planned = (await getBulkBatch(h.db, id))!;
    expect(planned.state).toBe("planned");
    expect(planned.items).toHaveLength(9);
    const groups = groupBulkItems(planned.items).map((g) => [g.accountId, g.region, g.counts.dataSources, g.counts.documents]);
    expect(groups).toEqual([
      [A, "us-east-1", 3, 6],
      [B, "eu-west-1", 1, 2],
      [B, "us-east-1", 2, 4],
      [C, "us-east-1", 3, 6],
    ]);

    // Someone fixes c1 on its own page before the batch reaches it.
    const c1 = planned.items.find((i) => i.name === "c1")!;
    if (c1.target.action !== "full-sync") throw new Error("c1 is a full sync");
    const single = await planFullSync(h.ctx, c1.target.dataSource);
    const alone = await applyFullSync(h.ctx, single, { actor: "user:bob@example.com", confirmPlanHash: single.planHash, wait: true });
    expect(alone.outcome).toBe("succeeded");
    const since = h.t.aws.clock.now().getTime();

    // Confirm the batch, and run it in another process.
    const started = await applyBulkBatch(h.ctx, id, { actor, confirmBatchHash: "not-the-hash" });
    expect(started.outcome).toBe("stale-plan");
    expect((await getBulkBatch(h.db, id))!.state).toBe("planned");
    expect((await applyBulkBatch(h.ctx, id, { actor, confirmBatchHash: planned.batchHash, run: false })).outcome).toBe("started");
    const targets = JSON.stringify(targetsForFixture(h.t.aws.fleet));
    // node itself with tsx's loader (not the tsx CLI, which would leave its node child running when killed).
    child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "bulk-child.ts"), h.dbPath, String(id), h.t.aws.endpoint, targets], {
      cwd: ROOT,
      stdio: "ignore",
    });

    // Kill it mid-batch: once a fourth sync of the batch is tracked (the first round of three plus one more), while
    // every running item's sync is tracked, i.e. the process is following syncs (a kill inside an apply's few
    // calls is reported as interrupted, a different story: see ADR 0015).
    const following = async () => {
      const tracked = await h.db.kysely.selectFrom("tracked_syncs").select("activity_id").where("activity_id", "!=", alone.activityId!).execute();
      const running = await h.db.kysely
        .selectFrom("bulk_batch_items")
        .select("activity_id")
        .where("batch_id", "=", id)
        .where("state", "=", "running")
        .execute();
      const ids = new Set(tracked.map((t) => t.activity_id));
      return tracked.length >= 4 && running.every((r) => r.activity_id !== null && ids.has(r.activity_id));
    };
    await waitFor("a fourth sync of the batch, followed", following);
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    child = undefined;
    const atKill = (await getBulkBatch(h.db, id))!;
    expect(atKill.state).toBe("running");
    const unfinished = atKill.items.filter((i) => i.state === "pending" || i.state === "running");
    expect(unfinished.length).toBeGreaterThan(0);

    // The restart: a new process (context and connection) resumes what the dashboard resumes at start.
    const ctx = await h.restart();
    const [, resumed] = await Promise.all([resumeTrackedSyncs(ctx), resumeBulkBatches(ctx)]);
    expect(resumed).toEqual([id]);

    const batch = (await getBulkBatch(h.db, id))!;
    expect(batch.state).toBe("done");
    expect(countBulkStates(batch.items)).toMatchObject({ succeeded: 7, failed: 1, skipped: 1, pending: 0, running: 0 });
    expect(batch.message).toBe("7 succeeded, 1 failed, 1 skipped (already fixed)");
    const failed = batch.items.find((i) => i.state === "failed")!;
    expect(failed.name).toBe("b3");
    expect(failed.message).toMatch(/AWS denied qbusiness:StartDataSourceSyncJob/);
    expect(batch.items.find((i) => i.state === "skipped")!.name).toBe("c1");
    expect(batch.items.find((i) => i.name === "c1")!.message).toMatch(/^Already fixed: /);

    // Each resource its own activity entry, linked to the batch.
    const applied = batch.items.filter((i) => i.state === "succeeded" || i.state === "failed");
    const activityIds = applied.map((i) => i.activityId);
    expect(new Set(activityIds).size).toBe(8);
    for (const item of applied) {
      const entry = (await getActivity(h.db, item.activityId!))!;
      expect(entry.status).toBe(item.state === "succeeded" ? "succeeded" : "partial");
      expect(entry.resources[0].dataSourceId).toBe(id36(item.name));
      expect(await bulkItemOfActivity(h.db, item.activityId!)).toEqual({ batchId: id, itemId: item.id });
    }

    // What the local AWS saw: one sync per fixed data source (none started twice across the restart), never two at once per account.
    const jobs = await jobsSince(fixture, since);
    expect(jobs.map((j) => j.dataSource).sort()).toEqual(["a1", "a2", "a3", "b1", "b2", "c2", "c3"]);
    expect(jobs.every((j) => Number.isFinite(j.end))).toBe(true);
    for (const acct of [A, B, C]) expect(mostAtOnce(jobs, acct)).toBe(1);
    // ...and the accounts did run side by side: the cap is per account, not for the whole batch.
    expect(Math.max(...jobs.map((j) => jobs.filter((k) => k.start < j.end && j.start < k.end).length))).toBeGreaterThan(1);
    // Every data source is back in its incremental mode, the failed one too.
    const modes = h.t.aws.fleet.accounts.flatMap((a) =>
      Object.values(a.regions).flatMap((r) => r.applications.flatMap((app) => app.indices.flatMap((i) => i.dataSources))),
    );
    expect(new Set(modes.map((d) => (d.configuration as { syncMode?: string }).syncMode))).toEqual(new Set(["FULL_CRAWL"]));
  }, 120_000);
});

/**
 * Issue 15 item 2: sync jobs are read newest first only as far back as a
 * verdict can still change, and the finding says how far back the audit read.
 * Through the SDK over HTTP to the local AWS; the verdicts are those of the
 * checks on what was read.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import { syncHistorySettled } from "../../app/audit/sync-evidence";
import type { AuditReport, DataSourceInventory } from "../../app/audit/types";
import { startLocalAws, type LocalAws } from "../../app/local-aws/index";
import type { FixtureDataSource, FixtureSyncJob } from "../../app/local-aws/fixture-types";
import { dataSourceFinding } from "./incremental-world";
import { AFTER, account, application, dataSource, documents, fleet, id36, index, syncJob } from "./fleet-builder";

const ACCOUNT = "111122223333";
const DAY = 86_400_000;

let aws: LocalAws | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/** `count` successful jobs a day apart, the newest on 2026-10-01, all after the cutoff. */
function dailyJobs(label: string, count: number, status: (i: number) => FixtureSyncJob["status"] = () => "SUCCEEDED"): FixtureSyncJob[] {
  return Array.from({ length: count }, (_, i) => syncJob(`${label}-${i}`, new Date(Date.parse("2026-10-01T00:00:00Z") - i * DAY).toISOString(), status(i)));
}

async function audit(sources: FixtureDataSource[]): Promise<{ report: AuditReport; jobCalls: number }> {
  const fixture = fleet([account(ACCOUNT, { "us-east-1": sources.map((s, i) => application(`app-${i}`, [index(`idx-${i}`, [s])])) })]);
  aws = await startLocalAws({ fixture, port: 0 });
  const { report } = await runAudit({ targets: targetsForFixture(aws.fleet), endpoint: aws.endpoint, maxAttempts: 1 });
  return { report, jobCalls: aws.stats.byOperation["qbusiness:ListDataSourceSyncJobs"] ?? 0 };
}

describe("reading sync jobs only as far as the verdict can change", () => {
  it("stops after the first page when its newest job is a confirmed full sync, and says how far back it read", async () => {
    const { report, jobCalls } = await audit([dataSource("forced", { syncJobs: dailyJobs("f", 30), documents: documents(2, AFTER) })]);
    const f = dataSourceFinding(report, "datasource-full-sync-missing", "forced");
    expect(f.status).toBe("pass");
    expect(f.evidence.syncJobsRead).toEqual({ pages: 1, jobs: 10, readBackTo: "2026-09-22T00:00:00.000Z", complete: false, stoppedBecause: "verdict-settled" });
    expect(jobCalls).toBe(1);
  });

  it("stops after the first page of an incremental source whose configuration predates the cutoff: older jobs are incremental too", async () => {
    const incremental = dataSource("incr", {
      configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
      syncJobs: dailyJobs("i", 30),
    });
    const { report, jobCalls } = await audit([incremental]);
    const f = dataSourceFinding(report, "datasource-full-sync-missing", "incr");
    expect(f.status).toBe("fail");
    expect(f.message).toContain("(incremental)");
    expect(f.evidence.syncJobsRead).toMatchObject({ pages: 1, stoppedBecause: "verdict-settled" });
    expect(jobCalls).toBe(1);
  });

  it("reads to the end of a source created after the cutoff: its first sync (the oldest job) is a full one", async () => {
    const created = "2026-08-01T00:00:00Z";
    const source = dataSource("young", {
      createdAt: created,
      updatedAt: created,
      configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
      syncJobs: dailyJobs("y", 25),
    });
    const { report, jobCalls } = await audit([source]);
    const f = dataSourceFinding(report, "datasource-full-sync-missing", "young");
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: id36("y-24"), basis: "first-sync" });
    expect(f.evidence.syncJobsRead).toMatchObject({ pages: 3, jobs: 25, complete: true, stoppedBecause: "history-exhausted" });
    expect(jobCalls).toBe(3);
  });

  it("reads past failed jobs until a successful one, and stops there when it is full", async () => {
    const source = dataSource("failing", { syncJobs: dailyJobs("x", 30, (i) => (i < 14 ? "FAILED" : "SUCCEEDED")), documents: documents(1, AFTER) });
    const { report, jobCalls } = await audit([source]);
    expect(dataSourceFinding(report, "datasource-full-sync-missing", "failing").status).toBe("pass");
    expect(dataSourceFinding(report, "datasource-full-sync-missing", "failing").evidence.decidingJob).toMatchObject({ executionId: id36("x-14") });
    expect(jobCalls).toBe(2);
    const failing = report.findings.find((x) => x.checkId === "datasource-sync-failing" && x.resource.dataSourceId === id36("failing"));
    expect(failing?.status).toBe("warn");
  });
});

describe("syncHistorySettled", () => {
  const base: DataSourceInventory = {
    dataSourceId: "ds",
    type: "S3",
    createdAt: "2024-05-01T10:00:00.000Z",
    updatedAt: "2024-05-01T10:00:00.000Z",
    configuration: { syncMode: "FULL_CRAWL" },
    syncJobs: [{ executionId: "new", startTime: "2026-10-01T00:00:00.000Z", endTime: "2026-10-01T00:01:00.000Z", status: "SUCCEEDED" }],
    documents: { scanned: 0, capped: false, staleCount: 0, staleExamples: [], freshCount: 0 },
  };
  const cutoff = new Date("2025-07-03T00:00:00Z");

  it("reads on while one of the product's own full syncs has not been read", () => {
    expect(syncHistorySettled(base, cutoff)).toBe("verdict-settled");
    expect(syncHistorySettled({ ...base, ownFullSyncExecutionIds: ["older-own"] }, cutoff)).toBeNull();
  });

  it("reads on when the configuration changed after the cutoff (older jobs are of unknown mode, better than incremental)", () => {
    expect(syncHistorySettled({ ...base, updatedAt: "2025-09-01T00:00:00.000Z" }, cutoff)).toBeNull();
  });

  it("reads on while no job has finished (the sync-failing verdict needs the latest finished one)", () => {
    expect(syncHistorySettled({ ...base, syncJobs: [{ ...base.syncJobs[0], status: "SYNCING", endTime: undefined }] }, cutoff)).toBeNull();
  });

  it("stops once a job before the cutoff is read, whatever the rest", () => {
    const jobs = [...base.syncJobs, { executionId: "old", startTime: "2025-01-01T00:00:00.000Z", status: "FAILED" }];
    expect(syncHistorySettled({ ...base, updatedAt: "2025-09-01T00:00:00.000Z", syncJobs: jobs }, cutoff)).toBe("reached-cutoff");
  });
});

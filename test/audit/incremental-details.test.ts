/**
 * Issue 15 item 1 (ADR 0010): an incremental re-audit does not ask
 * GetDataSource again for a data source whose stored evidence applies and
 * whose listing shows it not updated since (its configuration, where the sync
 * mode lives, is the one stored). Once UpdateDataSource moves `updatedAt`,
 * the configuration is read again and the verdict is the full audit's.
 * Over HTTP against the local AWS, into a real SQLite file.
 */
import { UpdateDataSourceCommand } from "@aws-sdk/client-qbusiness";
import { describe, expect, it } from "vitest";
import { dataSourceFinding, incrementalWorld, verdicts } from "./incremental-world";
import { AFTER, BEFORE, dataSource, documents, id36, servedApplication, singleAppFleet, syncJob } from "./fleet-builder";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const FULL_CRAWL = { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" };

function testFleet() {
  const labels = { app: "app", index: "idx", web: "web", role: "QBusinessWebRole" };
  const resources = [`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/*`];
  const sources = [
    // FORCED_FULL_CRAWL, unchanged since its job: the full sync rests on the configuration alone (one document failed).
    dataSource("forced", {
      syncJobs: [syncJob("forced-1", AFTER)],
      documents: [...documents(2, AFTER, "forced"), ...documents(1, AFTER, "forced-failed", "DOCUMENT_FAILED_TO_INDEX")],
    }),
    // Every document re-ingested, mode unknown: stored documents evidence (with its configuration).
    dataSource("fresh", {
      updatedAt: "2025-09-01T00:00:00Z",
      configuration: FULL_CRAWL,
      syncJobs: [syncJob("fresh-1", AFTER)],
      documents: documents(2, AFTER, "fresh"),
    }),
    // Incremental, stale documents, one on its way out (so the stale scan is not kept, rule 4): nothing stored, its details are read every audit.
    dataSource("incr", {
      configuration: FULL_CRAWL,
      syncJobs: [syncJob("incr-1", AFTER)],
      documents: [...documents(2, BEFORE, "incr"), ...documents(1, BEFORE, "incr-gone", "DELETING")],
    }),
  ];
  return singleAppFleet(ACCOUNT, REGION, servedApplication(ACCOUNT, REGION, labels, sources, { resources }));
}

const world = incrementalWorld(testFleet, "qbr-incremental-details-");

describe("incremental re-audit: a data source's details", () => {
  it("are not read again while the listing shows the source unchanged, and the verdicts and evidence are the full audit's", async () => {
    const first = await world.audit();
    expect(first.calls("qbusiness:GetDataSource")).toBe(3);
    const incremental = await world.audit();
    expect(incremental.scan).toEqual({ full: false, reason: "incremental" });
    // Only "incr" (nothing stored) is asked again.
    expect(incremental.calls("qbusiness:GetDataSource")).toBe(1);
    const full = await world.audit({ full: true });
    expect(full.calls("qbusiness:GetDataSource")).toBe(3);
    expect(verdicts(incremental.report)).toEqual(verdicts(full.report));
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "forced")).toMatchObject({
      status: "pass",
      evidence: { syncMode: "FORCED_FULL_CRAWL" },
    });
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "fresh").evidence.syncMode).toBe("FULL_CRAWL");
  });

  it("are read again once UpdateDataSource moved updatedAt: a source switched to FULL_CRAWL gets the full audit's warning", async () => {
    await world.audit();
    const qbusiness = world.t.clients(ACCOUNT, REGION).qbusiness;
    const path = { applicationId: id36("app"), indexId: id36("idx"), dataSourceId: id36("forced") };
    await qbusiness.send(new UpdateDataSourceCommand({ ...path, configuration: FULL_CRAWL as never }));
    const incremental = await world.audit();
    // "forced" (updated) and "incr" (nothing stored).
    expect(incremental.calls("qbusiness:GetDataSource")).toBe(2);
    const full = await world.audit({ full: true });
    expect(verdicts(incremental.report)).toEqual(verdicts(full.report));
    // With the stored FORCED_FULL_CRAWL it would have passed; today's configuration leaves the mode unknown.
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "forced")).toMatchObject({
      status: "warn",
      evidence: { syncMode: "FULL_CRAWL" },
    });
  });
});

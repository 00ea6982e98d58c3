/**
 * Issue 15 item 1 (ADR 0010 rule 4): an incremental re-audit keeps a data
 * source's "stale documents" scan while no sync job ran since it, so those
 * documents are not listed again; a sync (or documents put during one), a
 * changed data source or a changed cutoff makes it scan them again, with the
 * full audit's verdict. Over HTTP against the local AWS, into a real SQLite file.
 */
import { BatchPutDocumentCommand, StartDataSourceSyncJobCommand, UpdateDataSourceCommand } from "@aws-sdk/client-qbusiness";
import { describe, expect, it } from "vitest";
import { dataSourceFinding, incrementalThenFull, incrementalWorld } from "./incremental-world";
import { AFTER, BEFORE, dataSource, documents, id36, servedApplication, singleAppFleet, syncJob } from "./fleet-builder";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const FULL_CRAWL = { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" };
const FORCED = { type: "S3", version: "1.0.0", syncMode: "FORCED_FULL_CRAWL" };
const PATH = (label: string) => ({ applicationId: id36("app"), indexId: id36("idx"), dataSourceId: id36(label) });

function testFleet() {
  const labels = { app: "app", index: "idx", web: "web", role: "QBusinessWebRole" };
  const resources = [`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/*`];
  const sources = [
    // Full mode, last synced before the cutoff: every document stale until a sync runs.
    dataSource("old", { configuration: FORCED, syncJobs: [syncJob("old-1", BEFORE)], documents: documents(2, BEFORE, "old") }),
    // Incremental, synced after the cutoff, its documents not re-ingested.
    dataSource("incr", { configuration: FULL_CRAWL, syncJobs: [syncJob("incr-1", AFTER)], documents: documents(3, BEFORE, "incr") }),
  ];
  return singleAppFleet(ACCOUNT, REGION, servedApplication(ACCOUNT, REGION, labels, sources, { resources }));
}

const world = incrementalWorld(testFleet, "qbr-incremental-stale-");

/** Let the emulator's running syncs finish (3 s each). */
function syncsFinish() {
  world.t.aws.clock.advance(5_000);
}

describe("incremental re-audit: stale documents", () => {
  it("are not listed again while no sync ran since the scan: the same verdict, counts and examples, marked reused", async () => {
    const first = await world.audit();
    expect(dataSourceFinding(first.report, "datasource-documents-stale", "incr").status).toBe("fail");
    const { incremental, full } = await incrementalThenFull(world);
    // Both sources' documents are kept; only the index's uploads listing is read (every audit).
    expect(full.calls("qbusiness:ListDocuments")).toBe(3);
    expect(incremental.calls("qbusiness:ListDocuments")).toBe(1);
    const reused = { auditId: first.auditId, scannedAt: first.report.scannedAt };
    for (const label of ["old", "incr"]) {
      const f = dataSourceFinding(incremental.report, "datasource-documents-stale", label);
      const { reusedFrom, ...evidence } = f.evidence;
      expect(reusedFrom).toEqual(reused);
      expect(evidence).toEqual(dataSourceFinding(full.report, "datasource-documents-stale", label).evidence);
    }
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr").evidence).toMatchObject({ staleCount: 3, scanned: 3 });
    // Their details are kept too (rule 3): GetDataSource is not asked again.
    expect(incremental.calls("qbusiness:GetDataSource")).toBe(0);
  });

  it("are listed again after a sync re-ingested them: the full audit's pass", async () => {
    await world.audit();
    await world.t.clients(ACCOUNT, REGION).qbusiness.send(new StartDataSourceSyncJobCommand(PATH("old")));
    syncsFinish();
    const { incremental } = await incrementalThenFull(world);
    expect(incremental.calls("qbusiness:ListDocuments")).toBe(2);
    const docs = dataSourceFinding(incremental.report, "datasource-documents-stale", "old");
    expect(docs).toMatchObject({ status: "pass", evidence: { staleCount: 0, freshCount: 2 } });
    expect(docs.evidence.reusedFrom).toBeUndefined();
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "old").status).toBe("pass");
    // The other source, untouched, is still kept.
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr").evidence.reusedFrom).toBeDefined();
  });

  it("are listed again when the newest job is not the one the scan saw, even one dated before the scan (a fixture swapped under the audit)", async () => {
    await world.audit();
    const incr = world.t.aws.fleet.accounts[0]!.regions[REGION]!.applications[0]!.indices[0]!.dataSources.find((d) => d.dataSourceId === id36("incr"))!;
    incr.syncJobs = [syncJob("incr-2", "2025-08-02T10:00:00.000Z"), ...incr.syncJobs];
    incr.documents = documents(3, "2025-08-02T10:01:00.000Z", "incr");
    const { incremental } = await incrementalThenFull(world);
    const docs = dataSourceFinding(incremental.report, "datasource-documents-stale", "incr");
    expect(docs).toMatchObject({ status: "pass", evidence: { staleCount: 0, freshCount: 3 } });
    expect(docs.evidence.reusedFrom).toBeUndefined();
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "old").evidence.reusedFrom).toBeDefined();
  });

  it("are listed again after documents were put during a sync (BatchPutDocument with its sync id); one put without one goes to the uploads", async () => {
    await world.audit();
    const qbusiness = world.t.clients(ACCOUNT, REGION).qbusiness;
    const { executionId } = await qbusiness.send(new StartDataSourceSyncJobCommand(PATH("incr")));
    const doc = (id: string) => ({ id, content: { blob: new TextEncoder().encode("renewed") }, contentType: "PLAIN_TEXT" as const });
    const where = { applicationId: id36("app"), indexId: id36("idx") };
    await qbusiness.send(new BatchPutDocumentCommand({ ...where, dataSourceSyncId: executionId, documents: [doc("s3://bucket/incr-0.txt")] }));
    // Without a sync id the document is an upload: the S3 source's documents do not change.
    await qbusiness.send(new BatchPutDocumentCommand({ ...where, documents: [doc("s3://bucket/old-0.txt")] }));
    syncsFinish();
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr")).toMatchObject({
      status: "fail",
      evidence: { staleCount: 2, freshCount: 1 },
    });
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr").evidence.reusedFrom).toBeUndefined();
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "old").evidence.reusedFrom).toBeDefined();
  });

  it("are listed again once the data source was updated, or the cutoff changed", async () => {
    await world.audit();
    await world.t.clients(ACCOUNT, REGION).qbusiness.send(new UpdateDataSourceCommand({ ...PATH("incr"), configuration: FULL_CRAWL as never }));
    const { incremental } = await incrementalThenFull(world);
    expect(incremental.calls("qbusiness:ListDocuments")).toBe(2);
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr").evidence.reusedFrom).toBeUndefined();
    const otherCutoff = await world.audit({ cutoff: "2025-07-10T00:00:00.000Z" });
    expect(otherCutoff.calls("qbusiness:ListDocuments")).toBe(3);
    expect(otherCutoff.report.findings.some((f) => f.evidence.reusedFrom !== undefined)).toBe(false);
  });
});

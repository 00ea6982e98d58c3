import { describe, expect, it } from "vitest";
import { check } from "../../../app/audit/checks/datasource-full-sync-missing";
import { howToFixFor } from "../../../app/audit/checks";
import { dataSource, job, onlyFinding, runCheck, scan, withDataSource, inventory, application, index } from "./builders";

const AFTER = "2025-07-10T08:00:00.000Z";
const AFTER_END = "2025-07-10T08:20:00.000Z";
/** Documents that do not prove re-ingestion on their own (one is stale). */
const SOME_STALE = scan({ scanned: 3, freshCount: 2, staleCount: 1, staleExamples: [{ documentId: "s3://b/old.pdf" }] });

describe("datasource-full-sync-missing", () => {
  it("passes a successful job after the cutoff that ran while the source was set to FORCED_FULL_CRAWL and unchanged since", () => {
    const f = onlyFinding(check, withDataSource(dataSource({ syncJobs: [job({ executionId: "e1", startTime: AFTER, endTime: AFTER_END })] })));
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: "e1", mode: "full", basis: "forced-full-crawl" });
    expect(f.evidence.syncMode).toBe("FORCED_FULL_CRAWL");
    expect(f.remediation.action).toBeNull();
  });

  it("warns when the data source was updated after the job started (mode unknown)", () => {
    const ds = dataSource({ updatedAt: "2025-08-01T00:00:00.000Z", documents: SOME_STALE, syncJobs: [job({ executionId: "e1", startTime: AFTER })] });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("warn");
    expect(f.evidence.decidingJob).toMatchObject({ mode: "unknown", basis: "configuration-changed-since" });
    expect(f.message).toContain("Full sync not confirmed after 07/02/2025");
    expect(f.remediation.action).toBe("full-sync");
  });

  it("fails when every counting job ran in FULL_CRAWL (incremental) mode", () => {
    const ds = dataSource({
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      syncJobs: [job({ executionId: "e2", startTime: "2025-07-14T00:00:00.000Z" }), job({ executionId: "e1", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("fail");
    expect(f.message).toBe("No full sync after 07/02/2025: last successful sync 2025-07-14 (incremental).");
    expect(f.evidence.jobsCounted).toBe(2);
    expect(f.remediation.action).toBe("full-sync");
  });

  it("fails when the only successful sync predates the cutoff, naming its date", () => {
    const ds = dataSource({ syncJobs: [job({ executionId: "old", startTime: "2025-05-14T09:00:00.000Z" })] });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("fail");
    expect(f.message).toBe("No full sync after 07/02/2025: last successful sync 2025-05-14.");
  });

  it("fails when the only job after the cutoff FAILED", () => {
    const ds = dataSource({ syncJobs: [job({ executionId: "e1", startTime: AFTER, status: "FAILED" })] });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("fail");
    expect(f.evidence.jobsCounted).toBe(0);
    expect(f.message).toBe("No full sync after 07/02/2025: no sync since then succeeded (latest 2025-07-10 FAILED).");
  });

  it("counts a job that started exactly at the cutoff", () => {
    const ds = dataSource({ syncJobs: [job({ executionId: "e1", startTime: "2025-07-03T00:00:00.000Z" })] });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("pass");
  });

  it("passes the first sync of a data source created after the cutoff, even in FULL_CRAWL mode", () => {
    const ds = dataSource({
      createdAt: "2025-07-05T00:00:00.000Z",
      updatedAt: "2025-07-05T00:00:00.000Z",
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      syncJobs: [job({ executionId: "later", startTime: "2025-07-20T00:00:00.000Z" }), job({ executionId: "first", startTime: "2025-07-05T01:00:00.000Z" })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: "first", basis: "first-sync" });
  });

  it("does not call a failed first job's successor the first sync", () => {
    const ds = dataSource({
      createdAt: "2025-07-05T00:00:00.000Z",
      updatedAt: "2025-07-05T00:00:00.000Z",
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      syncJobs: [
        job({ executionId: "second", startTime: "2025-07-06T00:00:00.000Z" }),
        job({ executionId: "first", startTime: "2025-07-05T01:00:00.000Z", status: "FAILED" }),
      ],
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("fail");
  });

  it("does not take the earliest job read as the first sync when the collector found older jobs", () => {
    const ds = dataSource({
      createdAt: "2025-07-05T00:00:00.000Z",
      firstSyncKnown: false,
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      updatedAt: "2025-07-05T00:00:00.000Z",
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("fail");
  });

  it("passes a job the product itself started in full mode, whatever the configuration says now", () => {
    const ds = dataSource({
      type: "S3V2",
      configuration: { type: "S3V2" },
      updatedAt: "2025-09-01T00:00:00.000Z",
      ownFullSyncExecutionIds: ["mine"],
      syncJobs: [job({ executionId: "mine", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ basis: "own-record" });
  });

  it("fails an S3V2 source (no sync mode, whatever its configuration says) whose documents show the sync left some stale", () => {
    const ds = dataSource({
      type: "S3V2",
      configuration: { type: "S3V2", syncMode: "FORCED_FULL_CRAWL" },
      documents: SOME_STALE,
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("fail");
    expect(f.message).toBe(
      "No full re-ingestion after 07/02/2025: the S3V2 connector has no sync mode, and the documents show the sync of 2025-07-10 did not re-ingest them all: 1 document of 3 still from before the cutoff.",
    );
    expect(f.evidence).toMatchObject({ decidedBy: "documents", decidingJob: { mode: "unknown", basis: "mode-not-in-configuration" } });
    expect(f.evidence).not.toHaveProperty("syncMode");
    expect(howToFixFor(check.metadata, f.evidence)).not.toMatch(/syncMode|FORCED_FULL_CRAWL/);
    expect(howToFixFor(check.metadata, f.evidence)).toMatch(/no full-sync setting/);
  });

  it("warns on an S3V2 source whose capped scan shows nothing stale (not every document was read)", () => {
    const capped = scan({ scanned: 100, freshCount: 100, staleCount: 0, capped: true });
    const ds = dataSource({ type: "S3V2", configuration: { type: "S3V2" }, documents: capped, syncJobs: [job({ executionId: "e1", startTime: AFTER })] });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("warn");
  });

  it("prefers a full job over a later incremental one", () => {
    const ds = dataSource({
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      ownFullSyncExecutionIds: ["full"],
      syncJobs: [job({ executionId: "incr", startTime: "2025-08-01T00:00:00.000Z" }), job({ executionId: "full", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: "full" });
  });

  it("passes by documents when every document was re-ingested after the cutoff though the job's mode is unknown", () => {
    const ds = dataSource({
      updatedAt: "2025-08-01T00:00:00.000Z",
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
      documents: scan({ scanned: 12, freshCount: 12 }),
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.evidence.decidedBy).toBe("documents");
    expect(f.evidence.documents).toMatchObject({ scanned: 12, fresh: 12, stale: 0 });
    expect(f.message).toContain("All 12 documents re-ingested after 07/02/2025");
  });

  it("passes by documents when the only documents not re-ingested are being deleted", () => {
    const ds = dataSource({
      updatedAt: "2025-08-01T00:00:00.000Z",
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
      documents: scan({ scanned: 4, freshCount: 3 }),
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.message).toContain("All 3 documents re-ingested");
  });

  it("does not pass by documents when one failed to index", () => {
    const ds = dataSource({
      updatedAt: "2025-08-01T00:00:00.000Z",
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
      documents: scan({ scanned: 4, freshCount: 4, failedCount: 1 }),
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("warn");
  });

  it("does not pass by documents when the document scan was capped", () => {
    const ds = dataSource({
      updatedAt: "2025-08-01T00:00:00.000Z",
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
      documents: scan({ scanned: 1000, freshCount: 1000, capped: true }),
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("warn");
  });

  it("does not pass by documents when the source has none", () => {
    const ds = dataSource({ updatedAt: "2025-08-01T00:00:00.000Z", syncJobs: [job({ executionId: "e1", startTime: AFTER })], documents: scan() });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("warn");
  });

  it("does not let documents rescue a source whose jobs are all incremental", () => {
    const ds = dataSource({
      configuration: { type: "S3", syncMode: "FULL_CRAWL" },
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
      documents: scan({ scanned: 4, freshCount: 4 }),
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("fail");
  });

  it("is unknown with the AWS error when sync jobs could not be read", () => {
    const ds = dataSource({
      syncJobsError: { code: "AccessDeniedException", message: "not allowed", operation: "qbusiness:ListDataSourceSyncJobs" },
      documents: scan({ scanned: 2, freshCount: 1, staleCount: 1 }),
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("unknown");
    expect(f.evidence.syncJobsError).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:ListDataSourceSyncJobs" });
    expect(f.remediation.action).toBeNull();
  });

  it("is unknown, not warn, when the mode is unknown only because GetDataSource was refused", () => {
    const ds = dataSource({
      configuration: undefined,
      error: { code: "AccessDeniedException", message: "denied", operation: "qbusiness:GetDataSource" },
      documents: SOME_STALE,
      syncJobs: [job({ executionId: "e1", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("unknown");
    expect(f.evidence.dataSourceError).toMatchObject({ operation: "qbusiness:GetDataSource" });
    expect(f.evidence.decidingJob).toMatchObject({ basis: "configuration-unreadable" });
  });

  it("makes no finding for data sources that are not S3", () => {
    const inv = withDataSource(dataSource({ type: "WEBCRAWLERV2" }));
    expect(runCheck(check, inv)).toEqual([]);
  });

  it("is unknown for the data sources of an index that could not be listed", () => {
    const inv = inventory([
      application({ indices: [index({ error: { code: "ThrottlingException", message: "Rate exceeded", operation: "qbusiness:ListDataSources" } })] }),
    ]);
    const f = onlyFinding(check, inv);
    expect(f.status).toBe("unknown");
    expect(f.resource).toMatchObject({ type: "data-source", dataSourceId: null, indexId: index().indexId });
    expect(f.evidence.error).toMatchObject({ code: "ThrottlingException" });
  });

  it("lists the jobs considered with how each mode was established", () => {
    const ds = dataSource({
      updatedAt: "2025-07-12T00:00:00.000Z",
      syncJobs: [job({ executionId: "e2", startTime: "2025-07-14T00:00:00.000Z" }), job({ executionId: "e1", startTime: AFTER })],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("pass");
    expect(f.evidence.jobsConsidered).toEqual([
      expect.objectContaining({ executionId: "e2", mode: "full", basis: "forced-full-crawl" }),
      expect.objectContaining({ executionId: "e1", mode: "unknown", basis: "configuration-changed-since" }),
    ]);
    expect(f.evidence.dataSourceUpdatedAt).toBe("2025-07-12T00:00:00.000Z");
  });
});

describe("datasource-full-sync-missing messages", () => {
  it("says when a data source has never been synced", () => {
    expect(onlyFinding(check, withDataSource(dataSource({ syncJobs: [] }))).message).toBe("No full sync after 07/02/2025: the data source has no sync jobs.");
  });

  it("names a failing latest job after the last successful one", () => {
    const ds = dataSource({
      syncJobs: [
        job({ executionId: "bad", startTime: "2025-06-20T00:00:00.000Z", status: "ABORTED" }),
        job({ executionId: "old", startTime: "2025-05-14T00:00:00.000Z" }),
      ],
    });
    expect(onlyFinding(check, withDataSource(ds)).message).toBe(
      "No full sync after 07/02/2025: last successful sync 2025-05-14; latest sync 2025-06-20 ABORTED.",
    );
  });
});

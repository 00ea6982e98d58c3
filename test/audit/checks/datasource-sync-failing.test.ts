import { describe, expect, it } from "vitest";
import { check } from "../../../app/audit/checks/datasource-sync-failing";
import { dataSource, job, onlyFinding, withDataSource } from "./builders";

describe("datasource-sync-failing", () => {
  it("warns (never fails) when the latest finished job FAILED, quoting its error", () => {
    const ds = dataSource({
      syncJobs: [
        job({
          executionId: "new",
          startTime: "2025-08-02T00:00:00.000Z",
          status: "FAILED",
          error: { errorMessage: "Access denied to bucket", errorCode: "InternalError" },
        }),
        job({ executionId: "old", startTime: "2025-08-01T00:00:00.000Z" }),
      ],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("warn");
    expect(f.message).toBe("Latest sync 2025-08-02 FAILED: Access denied to bucket");
    expect(f.evidence.latestFinishedJob).toMatchObject({ executionId: "new", status: "FAILED" });
    expect(f.remediation.action).toBe("full-sync");
  });

  it("judges the latest finished job, not one still syncing", () => {
    const ds = dataSource({
      syncJobs: [
        job({ executionId: "running", startTime: "2025-08-03T00:00:00.000Z", status: "SYNCING" }),
        job({ executionId: "aborted", startTime: "2025-08-02T00:00:00.000Z", status: "ABORTED" }),
      ],
    });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("warn");
    expect(f.evidence.latestFinishedJob).toMatchObject({ executionId: "aborted" });
  });

  it("warns when the latest job succeeded but reported failed documents", () => {
    const ds = dataSource({ syncJobs: [job({ executionId: "e", startTime: "2025-08-02T00:00:00.000Z", metrics: { documentsFailed: 2 } })] });
    const f = onlyFinding(check, withDataSource(ds));
    expect(f.status).toBe("warn");
    expect(f.message).toBe("Latest sync 2025-08-02 succeeded but 2 documents failed.");
  });

  it("passes when the latest finished job succeeded without failed documents, even if an older one failed", () => {
    const ds = dataSource({
      type: "WEBCRAWLERV2",
      syncJobs: [
        job({ executionId: "old", startTime: "2025-08-01T00:00:00.000Z", status: "FAILED" }),
        job({ executionId: "new", startTime: "2025-08-02T00:00:00.000Z", metrics: { documentsFailed: 0 } }),
      ],
    });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("pass");
  });

  it("is unknown when sync jobs could not be read", () => {
    const ds = dataSource({ syncJobsError: { code: "ThrottlingException", message: "Rate exceeded" } });
    expect(onlyFinding(check, withDataSource(ds)).status).toBe("unknown");
  });
});

/**
 * The bench's lower bound: bucket drain times and the longest dependent chain.
 */
import { describe, expect, it } from "vitest";
import type { ApplicationInventory, DataSourceInventory, Inventory } from "../../app/audit/types";
import { bucketDrainMs, longestChain, lowerBound, pagesOf } from "../../app/bench/lower-bound";

const limits = { ratePerSecond: 25, burst: 50, latencyMs: 25 };

function source(documents: number, jobsSinceCutoff: number): DataSourceInventory {
  return {
    dataSourceId: `ds-${documents}-${jobsSinceCutoff}`,
    syncJobs: Array.from({ length: Math.max(1, jobsSinceCutoff) }, (_, i) => ({
      executionId: `job-${i}`,
      startTime: jobsSinceCutoff > 0 ? "2025-08-01T00:00:00.000Z" : "2025-01-01T00:00:00.000Z",
    })),
    documents: { scanned: documents, capped: false, staleCount: 0, staleExamples: [], freshCount: documents },
  };
}

function app(id: string, sources: DataSourceInventory[]): ApplicationInventory {
  return {
    accountId: "111122223333",
    region: "us-east-1",
    applicationId: id,
    applicationArn: `arn:aws:qbusiness:us-east-1:111122223333:application/${id}`,
    displayName: id,
    indices: [{ indexId: "i", indexArn: "arn", dataSources: sources }],
    webExperiences: [],
  };
}

function inventory(applications: ApplicationInventory[]): Inventory {
  return {
    scannedAt: "2026-11-26T12:00:00.000Z",
    cutoff: "2025-07-03T00:00:00.000Z",
    targets: [{ accountId: "111122223333", region: "us-east-1", status: "ok" }],
    applications,
    roles: {},
  };
}

describe("bucketDrainMs", () => {
  it("is free within the burst", () => {
    expect(bucketDrainMs(50, limits)).toBe(0);
    expect(bucketDrainMs(10, limits)).toBe(0);
  });

  it("takes (calls - burst) / rate seconds beyond the burst", () => {
    expect(bucketDrainMs(1025, limits)).toBe(39_000);
  });

  it("is zero when there is no rate limit", () => {
    expect(bucketDrainMs(10_000, { ratePerSecond: 0, burst: 0 })).toBe(0);
  });
});

describe("lowerBound", () => {
  it("takes the slowest bucket, counting only the calls the bucket accepted", () => {
    const bound = lowerBound(
      {
        "a|us-east-1|qbusiness:ListDocuments": { calls: 1100, throttled: 75 },
        "a|us-east-1|qbusiness:GetDataSource": { calls: 400, throttled: 0 },
        "b|us-east-1|qbusiness:ListDocuments": { calls: 900, throttled: 0 },
      },
      inventory([]),
      limits,
    );
    expect(bound.busiestBucket).toBe("a|us-east-1|qbusiness:ListDocuments");
    expect(bound.busiestBucketCalls).toBe(1025);
    expect(bound.bucketMs).toBe(39_000);
  });

  it("adds the longest chain of dependent round trips times the latency", () => {
    const bound = lowerBound({}, inventory([app("x", [source(450, 3)])]), limits);
    // ListApplications → ListIndices → ListDataSources → 5 pages of documents
    expect(bound.chainRoundTrips).toBe(8);
    expect(bound.lowerBoundMs).toBe(8 * 25);
  });
});

describe("longestChain", () => {
  it("follows the source with the most pages, documents or sync jobs", () => {
    // 25 jobs since the cutoff: 3 pages; 150 documents: 2 pages.
    expect(longestChain(inventory([app("x", [source(150, 25)])]))).toBe(1 + 1 + 1 + 3);
  });

  it("counts the extra request for the latest job when none is after the cutoff", () => {
    expect(longestChain(inventory([app("x", [source(0, 0)])]))).toBe(1 + 1 + 1 + 2);
  });

  it("counts the pages of ListDataSources (10 a page)", () => {
    const sources = Array.from({ length: 11 }, () => source(10, 1));
    expect(longestChain(inventory([app("x", sources)]))).toBe(1 + 1 + 2 + 1);
  });

  it("is zero for an audit that read no target", () => {
    expect(longestChain({ ...inventory([]), targets: [{ accountId: "1", region: "r", status: "error" }] })).toBe(0);
  });
});

describe("pagesOf", () => {
  it("is one request for an empty list and rounds up otherwise", () => {
    expect(pagesOf(0, 100)).toBe(1);
    expect(pagesOf(100, 100)).toBe(1);
    expect(pagesOf(101, 100)).toBe(2);
  });
});

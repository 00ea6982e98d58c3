/**
 * The workers' outcomes merged into one inventory (app/workers/merge.ts):
 * targets and applications in the scan's order whatever order they finished
 * in, one role per ARN, request counts added up, and a target reported twice refused.
 */
import { describe, expect, it } from "vitest";
import type { ApplicationInventory } from "~/audit/types";
import { mergeOutcomes } from "~/workers/merge";
import type { TargetOutcome } from "~/workers/target";

function outcome(index: number, region: string, apps: string[], calls: number): TargetOutcome {
  return {
    index,
    target: { accountId: "111111111111", region, status: "ok" },
    applications: apps.map((applicationId) => ({ accountId: "111111111111", region, applicationId }) as unknown as ApplicationInventory),
    roles: { "arn:aws:iam::111111111111:role/web": { roleArn: "arn:aws:iam::111111111111:role/web", readBy: region } as never },
    stats: {
      apiCalls: calls,
      throttled: 1,
      byOperation: { "qbusiness:ListApplications": 1 },
      byBucket: { [`111111111111|${region}|qbusiness:ListApplications`]: { calls: 1, throttled: 0 } },
    },
    worker: "w",
    startedAt: "",
    finishedAt: "",
  };
}

describe("mergeOutcomes", () => {
  it("keeps the scan's order, one role per ARN, and sums the counts", () => {
    const merged = mergeOutcomes([outcome(1, "us-west-2", ["c"], 5), outcome(0, "us-east-1", ["a", "b"], 7)], {
      scannedAt: "2026-01-01T00:00:00.000Z",
      cutoff: "2025-07-03T00:00:00.000Z",
    });
    expect(merged.targets.map((t) => t.region)).toEqual(["us-east-1", "us-west-2"]);
    expect(merged.applications.map((a) => a.applicationId)).toEqual(["a", "b", "c"]);
    expect(Object.keys(merged.roles)).toEqual(["arn:aws:iam::111111111111:role/web"]);
    expect(merged.stats).toMatchObject({ apiCalls: 12, throttled: 2, byOperation: { "qbusiness:ListApplications": 2 } });
    expect(Object.keys(merged.stats!.byBucket!)).toHaveLength(2);
  });

  it("refuses a target reported twice", () => {
    expect(() => mergeOutcomes([outcome(0, "us-east-1", [], 1), outcome(0, "us-east-1", [], 1)], { scannedAt: "x", cutoff: "y" })).toThrow(
      /target 0 was reported twice/,
    );
  });
});

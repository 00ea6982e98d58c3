/**
 * RatePacing: the audit's per-bucket pace, learnt from throttles reported
 * through the shared AwsCallStats (the same path the SDK clients' middleware uses).
 */
import { describe, expect, it } from "vitest";
import { AwsCallStats, RatePacing, bucketOf } from "../../app/aws/clients";

const BUCKET = "111122223333|us-east-1|qbusiness:ListDocuments";

describe("RatePacing", () => {
  it("lets every request of a bucket that never throttled through at once", async () => {
    const pacing = new RatePacing(new AwsCallStats());
    const started = performance.now();
    await Promise.all(Array.from({ length: 500 }, () => pacing.pace(BUCKET)));
    expect(performance.now() - started).toBeLessThan(50);
    expect(pacing.rateOf(BUCKET)).toBe(Infinity);
  });

  it("after a throttle, paces the bucket a little under the rate it was seen to accept", async () => {
    const stats = new AwsCallStats();
    const pacing = new RatePacing(stats);
    await pacing.pace(BUCKET);
    // 20 attempts accepted within the last second, then one throttled: the bucket takes about 20/s.
    for (let i = 0; i < 20; i++) stats.attemptEnded(BUCKET, false);
    stats.attemptEnded(BUCKET, true);
    const rate = pacing.rateOf(BUCKET);
    expect(rate).toBeGreaterThan(15);
    expect(rate).toBeLessThanOrEqual(20);
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => pacing.pace(BUCKET)));
    // The first goes at once; the other five one pace apart.
    expect(performance.now() - started).toBeGreaterThanOrEqual((4 / rate) * 1000);
  });

  it("keeps buckets apart: a throttled operation does not slow another", async () => {
    const stats = new AwsCallStats();
    const pacing = new RatePacing(stats);
    const other = "111122223333|us-east-1|qbusiness:GetDataSource";
    await Promise.all([pacing.pace(BUCKET), pacing.pace(other)]);
    stats.attemptEnded(BUCKET, true);
    expect(pacing.rateOf(BUCKET)).toBeLessThan(Infinity);
    expect(pacing.rateOf(other)).toBe(Infinity);
  });

  it("puts IAM and STS calls in the account's us-east-1 bucket whatever the target's region", () => {
    expect(bucketOf("111122223333", "eu-west-1", "iam:GetRole")).toBe("111122223333|us-east-1|iam:GetRole");
    expect(bucketOf("111122223333", "eu-west-1", "qbusiness:ListDocuments")).toBe("111122223333|eu-west-1|qbusiness:ListDocuments");
  });
});

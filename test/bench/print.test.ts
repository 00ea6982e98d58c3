/**
 * The bench's output: the JSON line carries the figures issue 6 names, and the
 * targets say by how much they are missed.
 */
import { describe, expect, it } from "vitest";
import type { AuditRunResult } from "../../app/bench/measure";
import { benchJson, checkTargets, formatBenchTables } from "../../app/bench/print";
import type { BenchResults } from "../../app/bench/run";

function run(label: string, wallMs: number, lowerBoundMs: number, peakRssMb: number): AuditRunResult {
  return {
    label,
    wallMs,
    cpuMs: wallMs / 2,
    cpuMsPerCall: wallMs / 2 / 1000,
    verdictDigest: "d",
    peakRssMb,
    sampledPeakRssMb: peakRssMb - 1,
    apiCalls: 1000,
    throttled: 10,
    serverErrors: 0,
    byOperation: { "qbusiness:ListDocuments": 600, "qbusiness:GetDataSource": 400 },
    byBucket: {},
    peakInFlight: 64,
    lowerBound: {
      busiestBucket: "1|us-east-1|qbusiness:ListDocuments",
      busiestBucketCalls: 600,
      bucketMs: lowerBoundMs - 200,
      chainRoundTrips: 8,
      chainMs: 200,
      lowerBoundMs,
    },
    efficiency: lowerBoundMs / wallMs,
    applications: 10,
    readiness: { ready: 4, "not-ready": 5, unsupported: 1, unknown: 0 },
    findings: { fail: 5, warn: 2, unknown: 0, pass: 40 },
    unreadableTargets: 0,
  };
}

const results: BenchResults = {
  medium: { fleet: "medium", parallel: run("medium", 4000, 3660, 180), sequential: run("sequential", 31_000, 3660, 150), speedup: 31_000 / 4000 },
  large: {
    ...run("large", 50_000, 39_200, 410),
    fleet: "large",
    emulatorStartMs: 12_000,
    dashboard: { runs: 50, overviewMedianMs: 4.5, findingsMedianMs: 5.3, applicationMedianMs: 1, findingsVariantsMs: {}, applications: 300, findings: 489 },
    repeat: {
      wallMs: 9_000,
      apiCalls: 300,
      throttled: 12,
      lowerBoundMs: 7_000,
      sameVerdicts: true,
      dbBytesPerAudit: 6 * 1024 * 1024,
      cpuMs: 900,
      cpuMsPerCall: 3,
      peakRssMb: 200,
      efficiency: 0.78,
      fullScan: false,
      byOperation: {},
    },
  },
  xl: { ...run("xl", 100_000, 70_000, 600), fleet: "xl", emulatorStartMs: 30_000 },
  peer: {
    fleet: "medium",
    wallMs: 10_000,
    cpuMs: 3000,
    apiCalls: 1500,
    errors: 2,
    documents: 1,
    syncJobs: 1,
    productWallMs: 4000,
    speedupOverPeer: 2.5,
    productLowerBoundMs: 3500,
  },
  totalMs: 120_000,
};

describe("benchJson", () => {
  it("carries the medium speed-up and the large run's efficiency, wall time, lower bound, calls and peak RSS", () => {
    const json = JSON.parse(JSON.stringify(benchJson(results)));
    expect(json.medium.speedup).toBe(7.75);
    expect(json.large).toMatchObject({ efficiency: 0.784, wallMs: 50_000, lowerBoundMs: 39_200, apiCalls: 1000, peakRssMb: 410 });
    expect(json.large.dashboard.overviewMedianMs).toBe(4.5);
  });

  it("carries issue 15's names: large.repeat, cpuMsPerCall on every run, dbBytesPerAudit, xl and peer", () => {
    const json = JSON.parse(JSON.stringify(benchJson(results)));
    expect(json.large.repeat).toMatchObject({
      wallMs: 9_000,
      apiCalls: 300,
      throttled: 12,
      lowerBoundMs: 7_000,
      sameVerdicts: true,
      dbBytesPerAudit: 6 * 1024 * 1024,
    });
    expect(json.large.cpuMsPerCall).toBe(25);
    expect(json.medium.cpuMsPerCall).toBe(2);
    expect(json.xl).toMatchObject({ wallMs: 100_000, lowerBoundMs: 70_000, efficiency: 0.7, peakRssMb: 600, cpuMs: 50_000, apiCalls: 1000 });
    expect(json.peer).toMatchObject({ wallMs: 10_000, productWallMs: 4000, speedupOverPeer: 2.5, speedupCeiling: 2.86 });
    expect(json.medium.speedupCeiling).toBe(8.47);
    expect(formatBenchTables(results)).toContain("the most the rate limits allow over this peer: 2.86× (peer wall time ÷ the product's lower bound)");
  });
});

describe("checkTargets", () => {
  it("marks a missed target with its actual value", () => {
    const checks = checkTargets(results);
    expect(checks.find((c) => c.name === "large: peak RSS (MB)")).toMatchObject({ met: false, actual: 410, target: 250 });
    expect(checks.find((c) => c.name === "large: efficiency")).toMatchObject({ met: false, actual: 0.78, target: 0.9 });
    // Issue 15: the repeat's shares of the first audit, its database growth, xl against large, the peer.
    expect(checks.find((c) => c.name === "large.repeat: wall (ms)")).toMatchObject({ met: true, actual: 9_000, target: 15_000 });
    expect(checks.find((c) => c.name === "large.repeat: API calls")).toMatchObject({ met: true, actual: 300, target: 350 });
    expect(checks.find((c) => c.name === "large.repeat: database growth (MB)")).toMatchObject({ met: false, actual: 6, target: 5 });
    expect(checks.find((c) => c.name === "xl: peak RSS (MB)")).toMatchObject({ met: false, actual: 600, target: 533 });
    expect(checks.find((c) => c.name === "peer: product speed-up on the medium fleet")).toMatchObject({ met: false, actual: 2.5, target: 3 });
  });
});

describe("formatBenchTables", () => {
  it("says by how much a target is missed", () => {
    const text = formatBenchTables(results);
    // 0.85 of the 8.5× the limits allow is 7.2×: 7.8× meets it.
    expect(text).toContain("met    medium: speed-up over concurrency 1 (≥ 0.85 × ceiling 8.5×): 7.8 (target ≥ 7.2)");
    expect(text).toContain("MISSED large: peak RSS (MB): 410 (target ≤ 250, over by 160)");
    expect(text).toContain("MISSED xl: efficiency: 0.7 (target ≥ 0.8, missed by 0.1");
  });

  it("shows the repeat audit's throttled attempts in the runs table", () => {
    const row = formatBenchTables(results)
      .split("\n")
      .find((line) => line.startsWith("large, repeat"));
    expect(row?.split(/\s{2,}/)).toEqual(expect.arrayContaining(["300", "12"]));
  });
});

describe("the load phase's output", () => {
  const page = (path: string, p99Ms: number, errors = 0) => ({
    path,
    connections: 200,
    durationS: 10,
    stoppedEarly: false,
    p50Ms: 300,
    p99Ms,
    maxMs: p99Ms + 400,
    requests: 4200,
    errors,
    timeouts: errors,
    non2xx: 0,
  });
  const withLoad: BenchResults = { load: { overview: page("/", 1800), findings: page("/findings", 12_400, 3) }, totalMs: 30_000 };

  it("carries load.overview and load.findings with p50/p99/max, requests, errors and timeouts in the JSON", () => {
    const json = JSON.parse(JSON.stringify(benchJson(withLoad)));
    expect(json.load.overview).toEqual(page("/", 1800));
    expect(json.load.findings).toMatchObject({ path: "/findings", p50Ms: 300, p99Ms: 12_400, maxMs: 12_800, requests: 4200, errors: 3, timeouts: 3 });
  });

  it("judges each page's p99 against 2000 ms and its errors against 0, in the table too", () => {
    const checks = checkTargets(withLoad);
    expect(checks.find((c) => c.name === "load: overview p99 (ms)")).toMatchObject({ met: true, actual: 1800, target: 2000 });
    expect(checks.find((c) => c.name === "load: findings p99 (ms)")).toMatchObject({ met: false, actual: 12_400, target: 2000 });
    expect(checks.find((c) => c.name === "load: findings errors and timeouts")).toMatchObject({ met: false, actual: 3 });
    const text = formatBenchTables(withLoad);
    expect(text).toContain("MISSED load: findings p99 (ms): 12400 (target ≤ 2000, over by 10400)");
    expect(text).toMatch(/findings \(\/findings\)\s+200\s+10 s\s+300 ms\s+12400 ms\s+12800 ms\s+4200\s+3\s+3\s+0/);
  });
});

describe("a load-only run", () => {
  it("prints the load table without empty audit tables", () => {
    const text = formatBenchTables({
      load: {
        overview: {
          path: "/",
          connections: 200,
          durationS: 5,
          stoppedEarly: false,
          p50Ms: 100,
          p99Ms: 900,
          maxMs: 950,
          requests: 1000,
          errors: 0,
          timeouts: 0,
          non2xx: 0,
        },
        findings: {
          path: "/findings",
          connections: 200,
          durationS: 5,
          stoppedEarly: false,
          p50Ms: 100,
          p99Ms: 900,
          maxMs: 950,
          requests: 1000,
          errors: 0,
          timeouts: 0,
          non2xx: 0,
        },
      },
      totalMs: 10_000,
    });
    expect(text).not.toContain("API calls by operation");
    expect(text).toContain("met    load: findings p99 (ms): 900 (target ≤ 2000)");
  });
});

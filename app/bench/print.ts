/**
 * The bench's output: tables for people, then one JSON object with every
 * figure (the last line, for machines), and the targets of issue 6 with how
 * far each is met or missed.
 */
import { formatWorkersTable, workersJson } from "./workers";
import type { AuditRunResult } from "./measure";
import type { BenchResults } from "./run";

export const TARGETS = {
  /** Issue 15 (was 0.7). */
  largeEfficiency: 0.9,
  /** Issue 15: the medium speed-up over concurrency 1 is judged against what the limits allow (the 20× first asked is above that ceiling). */
  mediumSpeedupOfCeiling: 0.85,
  /** Issue 15 (was 400). */
  largePeakRssMb: 250,
  /** Issue 15: a repeat audit of the unchanged large fleet, as shares of the first. */
  repeatWallShare: 0.3,
  repeatCallsShare: 0.35,
  repeatDbBytes: 5 * 1024 * 1024,
  xlPeakRssOfLarge: 1.3,
  xlEfficiency: 0.8,
  largeCpuMsPerCall: 0.45,
  peerSpeedup: 3,
  dashboardMedianMs: 50,
  /** Issue 11: the findings page's HTML at any filter on the large audit. */
  findingsHtmlKb: 150,
  /** Issue 10, item 8: p99 under 200 concurrent connections on the overview and findings pages. */
  loadP99Ms: 2000,
  totalMs: 10 * 60_000,
} as const;

export interface TargetCheck {
  name: string;
  met: boolean;
  actual: number;
  target: number;
  /** "≥" or "≤". */
  relation: string;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Every issue-6 target the results cover, met or not. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const atLeast = (name: string, actual: number, target: number) => checks.push({ name, met: actual >= target, actual, target, relation: "≥" });
  const atMost = (name: string, actual: number, target: number) => checks.push({ name, met: actual <= target, actual, target, relation: "≤" });
  if (results.large) {
    atLeast("large: efficiency", round(results.large.efficiency), TARGETS.largeEfficiency);
    atMost("large: peak RSS (MB)", round(results.large.peakRssMb, 0), TARGETS.largePeakRssMb);
    atMost(
      "large: CPU ms per API call",
      round(results.large.cpuMsPerCall ?? results.large.cpuMs / Math.max(1, results.large.apiCalls), 3),
      TARGETS.largeCpuMsPerCall,
    );
  }
  checks.push(...issue15Checks(results));
  const d = results.large?.dashboard ?? results.dashboard;
  if (d) {
    atMost("dashboard: overview median (ms)", round(d.overviewMedianMs, 1), TARGETS.dashboardMedianMs);
    atMost("dashboard: findings median (ms)", round(d.findingsMedianMs, 1), TARGETS.dashboardMedianMs);
    atMost("dashboard: application page median (ms)", round(d.applicationMedianMs, 1), TARGETS.dashboardMedianMs);
  }
  for (const page of results.html ?? []) {
    if (page.path.startsWith("/findings")) atMost(`html: ${page.path} (KB)`, round(page.bytes / 1024, 1), TARGETS.findingsHtmlKb);
  }
  for (const [page, r] of Object.entries(results.load ?? {})) {
    atMost(`load: ${page} p99 (ms)`, round(r.p99Ms, 0), TARGETS.loadP99Ms);
    checks.push({ name: `load: ${page} errors and timeouts`, met: r.errors + r.non2xx === 0, actual: r.errors + r.non2xx, target: 0, relation: "=" });
  }
  if (results.medium?.speedup !== undefined) {
    const ceiling = speedupCeiling(results)!;
    atLeast(
      `medium: speed-up over concurrency 1 (≥ ${TARGETS.mediumSpeedupOfCeiling} × ceiling ${round(ceiling, 1)}×)`,
      round(results.medium.speedup, 1),
      round(TARGETS.mediumSpeedupOfCeiling * ceiling, 1),
    );
  }
  if (results.resilience) {
    checks.push({
      name: "resilience: problems",
      met: results.resilience.verdict.problems.length === 0,
      actual: results.resilience.verdict.problems.length,
      target: 0,
      relation: "=",
    });
  }
  atMost("whole bench (s)", round(results.totalMs / 1000, 0), TARGETS.totalMs / 1000);
  return checks;
}

/** The most the medium fleet's limits allow over concurrency 1: its wall time ÷ the parallel run's lower bound. */
function speedupCeiling(results: BenchResults): number | undefined {
  const m = results.medium;
  return m?.sequential ? m.sequential.wallMs / m.parallel.lowerBound.lowerBoundMs : undefined;
}

/** The most any auditor held to the fleet's rate limits could beat the peer by: its wall time over the product's lower bound. */
function peerCeiling(peer: NonNullable<BenchResults["peer"]>): number | undefined {
  return peer.productLowerBoundMs ? peer.wallMs / peer.productLowerBoundMs : undefined;
}

/** Issue 15's targets: the repeat audit, the xl run's memory and efficiency, the peer. */
function issue15Checks(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (name: string, actual: number, relation: "≤" | "≥", target: number) =>
    checks.push({ name, actual, target, relation, met: relation === "≤" ? actual <= target : actual >= target });
  const large = results.large;
  const repeat = large?.repeat;
  if (large && repeat) {
    check("large.repeat: wall (ms)", round(repeat.wallMs, 0), "≤", round(TARGETS.repeatWallShare * large.wallMs, 0));
    check("large.repeat: API calls", repeat.apiCalls, "≤", Math.floor(TARGETS.repeatCallsShare * large.apiCalls));
    checks.push({ name: "large.repeat: same verdicts", met: repeat.sameVerdicts, actual: repeat.sameVerdicts ? 1 : 0, target: 1, relation: "=" });
    check("large.repeat: database growth (MB)", round(repeat.dbBytesPerAudit / 1024 / 1024, 2), "≤", TARGETS.repeatDbBytes / 1024 / 1024);
  }
  if (results.xl) {
    check("xl: efficiency", round(results.xl.efficiency), "≥", TARGETS.xlEfficiency);
    if (large) check("xl: peak RSS (MB)", round(results.xl.peakRssMb, 0), "≤", round(TARGETS.xlPeakRssOfLarge * large.peakRssMb, 0));
  }
  if (results.peer) check("peer: product speed-up on the medium fleet", round(results.peer.speedupOverPeer, 2), "≥", TARGETS.peerSpeedup);
  return checks;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The repeat's figures in a run's shape, for the tables. */
function repeatAsRun(r: NonNullable<NonNullable<BenchResults["large"]>["repeat"]>): AuditRunResult {
  return {
    label: "large, repeat",
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    cpuMsPerCall: r.cpuMsPerCall,
    verdictDigest: "",
    peakRssMb: r.peakRssMb,
    sampledPeakRssMb: r.peakRssMb,
    apiCalls: r.apiCalls,
    throttled: r.throttled,
    serverErrors: 0,
    byOperation: r.byOperation,
    byBucket: {},
    peakInFlight: 0,
    lowerBound: { busiestBucket: null, busiestBucketCalls: 0, bucketMs: 0, chainRoundTrips: 0, chainMs: 0, lowerBoundMs: r.lowerBoundMs },
    efficiency: r.efficiency,
    applications: 0,
    readiness: { ready: 0, "not-ready": 0, unsupported: 0, unknown: 0 },
    findings: { total: 0, fail: 0, warn: 0, pass: 0, unknown: 0 } as AuditRunResult["findings"],
    unreadableTargets: 0,
  };
}

function runs(results: BenchResults): [string, AuditRunResult][] {
  const list: [string, AuditRunResult][] = [];
  if (results.medium) list.push(["medium", results.medium.parallel]);
  if (results.medium?.sequential) list.push(["medium, concurrency 1", results.medium.sequential]);
  if (results.large) list.push(["large", results.large]);
  if (results.large?.repeat) list.push(["large, repeat", repeatAsRun(results.large.repeat)]);
  if (results.xl) list.push(["xl", results.xl]);
  if (results.resilience) {
    list.push(["resilience, no faults", results.resilience.baseline]);
    list.push(["resilience, faults", results.resilience.faulted]);
  }
  return list;
}

/** The human part of the output. */
export function formatBenchTables(results: BenchResults): string {
  const all = runs(results);
  const out: string[] = [];
  // A load-only run on a stored database (QBR_BENCH_LOAD_DB) has no audit runs: no empty tables.
  if (all.length > 0)
    out.push(
      table(
        [
          "run",
          "wall",
          "lower bound",
          "efficiency",
          "API calls",
          "throttled",
          "5xx",
          "peak RSS",
          "audit CPU",
          "local AWS CPU",
          "busiest bucket (accepted calls)",
        ],
        all.map(([name, r]) => [
          name,
          seconds(r.wallMs),
          seconds(r.lowerBound.lowerBoundMs),
          r.efficiency.toFixed(2),
          r.apiCalls,
          r.throttled,
          r.serverErrors,
          `${r.peakRssMb.toFixed(0)} MB`,
          seconds(r.cpuMs),
          r.emulatorCpuMs !== undefined ? seconds(r.emulatorCpuMs) : "-",
          r.lowerBound.busiestBucket ? `${r.lowerBound.busiestBucket.split("|").slice(2).join("|")} (${r.lowerBound.busiestBucketCalls})` : "-",
        ]),
      ),
    );
  const operations = [...new Set(all.flatMap(([, r]) => Object.keys(r.byOperation)))].sort();
  if (all.length > 0) out.push("", "API calls by operation (attempts, retries included):");
  if (all.length > 0)
    out.push(
      table(
        ["operation", ...all.map(([name]) => name)],
        operations.map((op) => [op, ...all.map(([, r]) => r.byOperation[op] ?? 0)]),
      ),
    );
  if (results.medium?.speedup !== undefined) {
    out.push(
      "",
      `Medium fleet speed-up over concurrency 1: ${results.medium.speedup.toFixed(1)}× (${seconds(results.medium.sequential!.wallMs)} → ${seconds(results.medium.parallel.wallMs)}).`,
    );
    const ceiling = results.medium.sequential!.wallMs / results.medium.parallel.lowerBound.lowerBoundMs;
    out.push(`The most the medium fleet's rate limits allow: ${ceiling.toFixed(1)}× (concurrency-1 wall time ÷ parallel lower bound).`);
  }
  const peer = results.peer;
  if (peer) {
    const ceiling = peerCeiling(peer);
    out.push(
      "",
      `Peer auditor on the ${peer.fleet} fleet: ${seconds(peer.wallMs)}, ${peer.apiCalls} calls; the product ${seconds(peer.productWallMs)}, ${peer.speedupOverPeer.toFixed(2)}× faster` +
        (ceiling !== undefined ? `; the most the rate limits allow over this peer: ${ceiling.toFixed(2)}× (peer wall time ÷ the product's lower bound).` : "."),
    );
  }
  const d = results.large?.dashboard ?? results.dashboard;
  if (d) {
    out.push(
      "",
      `Dashboard on the stored large audit (${d.applications} applications, ${d.findings} open findings), median of ${d.runs} calls: ` +
        `overview ${d.overviewMedianMs.toFixed(1)} ms, findings ${d.findingsMedianMs.toFixed(1)} ms, application page ${d.applicationMedianMs.toFixed(1)} ms.`,
    );
  }
  if (d?.findingsVariantsMs) {
    out.push(
      `Findings loader at other filters: ${Object.entries(d.findingsVariantsMs)
        .map(([q, ms]) => `?${q} ${ms.toFixed(1)} ms`)
        .join(", ")}.`,
    );
  }
  if (results.html) out.push("", `HTML served (bytes): ${results.html.map((p) => `${p.path} ${p.bytes}`).join(", ")}.`);
  if (results.load) out.push("", loadTable(results.load));
  // Issue 16.3 (workers helper): the scan workers' table.
  if (results.workers) out.push("", formatWorkersTable(results.workers));
  if (results.resilience) {
    const v = results.resilience.verdict;
    const f = results.resilience.faults;
    out.push(
      "",
      `Resilience (${Math.round(f.errorRate * 100)}% InternalServerException, ${f.ratePerSecond}/s burst ${f.burst}, ` +
        `${f.deniedRegion.accountId} ${f.deniedRegion.region} denied, AssumeRole into ${f.brokenAssumeRoleAccount} refused): ` +
        `${v.applicationsCompared} applications and ${v.findingsCompared} findings as without faults; ` +
        `${v.unreadableTargets.map((t) => `${t.accountId} ${t.region} unreadable (${t.code})`).join(", ")}; ` +
        `applications ${v.fixtureApplications} = ${v.reportedApplications} reported + ${v.applicationsInUnreadableTargets} in unreadable targets.`,
    );
    for (const problem of v.problems) out.push(`  PROBLEM: ${problem}`);
  }
  out.push("", "Targets (issue 6; load: issue 10):");
  for (const c of checkTargets(results)) {
    const gap = c.met
      ? ""
      : c.relation === "≥"
        ? `, missed by ${round(c.target - c.actual)} (${round((c.actual / c.target) * 100, 0)}% of it)`
        : `, over by ${round(c.actual - c.target)}`;
    out.push(`  ${c.met ? "met   " : "MISSED"} ${c.name}: ${c.actual} (target ${c.relation} ${c.target}${gap})`);
  }
  out.push(`Whole bench: ${seconds(results.totalMs)}. Audits ran in child processes: peak RSS is the audit process's own (the local AWS ran in another).`);
  return out.join("\n");
}

function loadTable(load: NonNullable<BenchResults["load"]>): string {
  const rows = Object.entries(load).map(([page, r]) => [
    `${page} (${r.path})`,
    r.connections,
    `${r.durationS} s`,
    `${r.p50Ms} ms`,
    `${r.p99Ms} ms`,
    `${r.maxMs} ms`,
    r.requests,
    r.errors,
    r.timeouts,
    r.non2xx,
    r.scansCompleted ?? "-",
  ]);
  const header = ["page", "connections", "duration", "p50", "p99", "max", "requests", "errors", "timeouts", "non-2xx", "scans run meanwhile"];
  return `Dashboard under load (served build, loopback, signed in, scans running):\n${table(header, rows)}`;
}

function runFigures(r: AuditRunResult) {
  return {
    wallMs: round(r.wallMs, 0),
    lowerBoundMs: round(r.lowerBound.lowerBoundMs, 0),
    efficiency: round(r.efficiency, 3),
    apiCalls: r.apiCalls,
    throttled: r.throttled,
    serverErrors: r.serverErrors,
    peakRssMb: round(r.peakRssMb, 1),
    cpuMs: round(r.cpuMs, 0),
    cpuMsPerCall: round(r.cpuMsPerCall ?? r.cpuMs / Math.max(1, r.apiCalls), 3),
    ...(r.emulatorCpuMs !== undefined ? { emulatorCpuMs: round(r.emulatorCpuMs, 0) } : {}),
    busiestBucket: r.lowerBound.busiestBucket,
    busiestBucketCalls: r.lowerBound.busiestBucketCalls,
    bucketMs: round(r.lowerBound.bucketMs, 0),
    chainRoundTrips: r.lowerBound.chainRoundTrips,
    peakInFlight: r.peakInFlight,
    applications: r.applications,
    readiness: r.readiness,
    byOperation: r.byOperation,
  };
}

function repeatJson(r: NonNullable<NonNullable<BenchResults["large"]>["repeat"]>) {
  return {
    wallMs: round(r.wallMs, 0),
    apiCalls: r.apiCalls,
    throttled: r.throttled,
    lowerBoundMs: round(r.lowerBoundMs, 0),
    sameVerdicts: r.sameVerdicts,
    dbBytesPerAudit: r.dbBytesPerAudit,
    cpuMs: round(r.cpuMs, 0),
    cpuMsPerCall: round(r.cpuMsPerCall, 3),
    peakRssMb: round(r.peakRssMb, 1),
    fullScan: r.fullScan,
    byOperation: r.byOperation,
  };
}

/** Every figure as one JSON-able object (the bench's last line). */
export function benchJson(results: BenchResults): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (results.medium) {
    json.medium = {
      ...runFigures(results.medium.parallel),
      ...(results.medium.sequential
        ? {
            sequential: runFigures(results.medium.sequential),
            speedup: round(results.medium.speedup ?? 0, 2),
            speedupCeiling: round(results.medium.sequential.wallMs / results.medium.parallel.lowerBound.lowerBoundMs, 2),
          }
        : {}),
    };
  }
  if (results.large) {
    const d = results.large.dashboard;
    json.large = {
      ...runFigures(results.large),
      emulatorStartMs: round(results.large.emulatorStartMs, 0),
      ...(results.large.repeat ? { repeat: repeatJson(results.large.repeat) } : {}),
      ...(d
        ? {
            dashboard: {
              overviewMedianMs: round(d.overviewMedianMs, 2),
              findingsMedianMs: round(d.findingsMedianMs, 2),
              applicationMedianMs: round(d.applicationMedianMs, 2),
              runs: d.runs,
            },
          }
        : {}),
    };
  }
  if (results.xl) json.xl = { ...runFigures(results.xl), emulatorStartMs: round(results.xl.emulatorStartMs, 0) };
  if (results.peer) {
    const p = results.peer;
    const ceiling = peerCeiling(p);
    json.peer = {
      fleet: p.fleet,
      wallMs: round(p.wallMs, 0),
      apiCalls: p.apiCalls,
      errors: p.errors,
      cpuMs: round(p.cpuMs, 0),
      cpuMsPerCall: round(p.cpuMs / Math.max(1, p.apiCalls), 3),
      productWallMs: round(p.productWallMs, 0),
      speedupOverPeer: round(p.speedupOverPeer, 2),
      ...(ceiling !== undefined ? { speedupCeiling: round(ceiling, 2) } : {}),
    };
  }
  if (results.load) json.load = results.load;
  if (results.html) json.html = results.html;
  if (results.dashboard) json.dashboard = results.dashboard;
  if (results.resilience) {
    const { verdict, faults, baseline, faulted } = results.resilience;
    json.resilience = { ok: verdict.problems.length === 0, faults, verdict, baseline: runFigures(baseline), faulted: runFigures(faulted) };
  }
  json.targets = Object.fromEntries(checkTargets(results).map((c) => [c.name, { met: c.met, actual: c.actual, target: c.target }]));
  json.totalMs = round(results.totalMs, 0);
  if (results.workers) json.workers = workersJson(results.workers);
  return json;
}

/**
 * `npm run bench`: the audit engine at fleet scale against the local AWS's
 * latency and rate limits (issue 6). Each fleet is generated and served by a
 * child process; each audit runs in a child process of its own, so the RSS
 * measured is the audit's alone.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "../db/database";
import { latestAuditId } from "../audit/history";
import { getApplicationPage } from "../dashboard/application.server";
import { parseApplicationFilters, parseFindingFilters } from "../dashboard/filters";
import { getFindingsPage } from "../dashboard/findings.server";
import { getOverview } from "../dashboard/overview.server";
import type { AuditReport } from "../audit/types";
import { LARGE_FLEET, MEDIUM_FLEET, XL_FLEET, RESILIENCE_FLEET, resilienceFaultsFor, type BenchFleetSpec, type ResilienceFaults } from "./fleets";
import type { AuditRequest, AuditRunResult } from "./measure";
import { auditInChildProcess, peerInChildProcess, startEmulatorProcess } from "./processes";
import type { PeerResult } from "./peer";
import { repeatAudit, type RepeatResult } from "./repeat";
import { judgeResilience, type ResilienceVerdict } from "./resilience";
import { generateFleet } from "../local-aws/generate-fleet";
import { runLoad, type LoadResults, type PageSize } from "./load";
import { benchWorkers, type WorkersBench } from "./workers";

export type BenchPart = "medium" | "sequential" | "peer" | "large" | "xl" | "dashboard" | "load" | "resilience" | "workers";
export const BENCH_PARTS: readonly BenchPart[] = ["medium", "sequential", "peer", "large", "xl", "dashboard", "load", "resilience", "workers"];

export interface BenchOptions {
  parts?: readonly BenchPart[];
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface DashboardTimings {
  runs: number;
  overviewMedianMs: number;
  findingsMedianMs: number;
  applicationMedianMs: number;
  /** The findings loader at other filters (every status, sorted by first seen, a search, a deep page): median ms each. */
  findingsVariantsMs: Record<string, number>;
  applications: number;
  findings: number;
}

export interface ResilienceResult {
  fleet: string;
  faults: ResilienceFaults;
  baseline: AuditRunResult;
  faulted: AuditRunResult;
  verdict: ResilienceVerdict;
}

export interface BenchResults {
  medium?: { fleet: string; parallel: AuditRunResult; sequential?: AuditRunResult; speedup?: number };
  large?: AuditRunResult & { fleet: string; emulatorStartMs: number; dashboard?: DashboardTimings; repeat?: RepeatResult };
  /** 12 accounts at the large fleet's limits (issue 15): memory and efficiency as the fleet grows. */
  xl?: AuditRunResult & { fleet: string; emulatorStartMs: number };
  /** The straightforward auditor on the medium fleet, and the product's speed-up over it (issue 15). */
  /** `speedupCeiling`: the peer's wall time over the product's lower bound, the most any auditor held to the same limits could beat it by. */
  peer?: PeerResult & { fleet: string; productWallMs: number; speedupOverPeer: number; productLowerBoundMs?: number };
  /** The served dashboard under 200 concurrent connections (issue 10, item 8). */
  load?: LoadResults;
  /** The served pages' HTML sizes on the large audit (issue 11: the findings page under 150 KB at any filter). */
  html?: PageSize[];
  /** The loaders timed on a stored database (QBR_BENCH_LOAD_DB), when no large audit ran. */
  dashboard?: DashboardTimings;
  resilience?: ResilienceResult;
  /** The large fleet through the scan queue by 1, 2 and 4 workers (issue 16.3, ./workers.ts). */
  workers?: WorkersBench;
  totalMs: number;
}

/** Start the fleet's emulator, run one audit against it in a child, stop the emulator. */
export async function benchRun(
  spec: BenchFleetSpec,
  request: Omit<AuditRequest, "endpoint" | "targets" | "limits"> & { repeat?: boolean; peer?: boolean },
  log: (line: string) => void,
  resilience?: ResilienceFaults,
): Promise<AuditRunResult & { emulatorStartMs: number; applicationsByTarget: Record<string, number>; repeat?: RepeatResult; peer?: PeerResult }> {
  log(`${request.label}: generating and serving the ${spec.name} fleet…`);
  const emulator = await startEmulatorProcess(spec, resilience);
  try {
    log(`${request.label}: local AWS up in ${(emulator.startMs / 1000).toFixed(1)} s; auditing…`);
    const { repeat, peer: withPeer, ...audit } = request;
    const full = { ...audit, endpoint: emulator.endpoint, targets: emulator.targets, limits: spec.limits };
    const result: AuditRunResult & { repeat?: RepeatResult; peer?: PeerResult } = await auditInChildProcess(full);
    // The same fleet again right after, into the same database (issue 15): what a scheduled audit of an unchanged fleet costs.
    if (repeat && full.db) {
      const again = await repeatAudit({ ...full, db: full.db }, result);
      result.repeat = again;
      log(
        `${request.label}, repeat: ${(again.wallMs / 1000).toFixed(1)} s, ${again.apiCalls} calls, same verdicts ${again.sameVerdicts}, +${again.dbBytesPerAudit} database bytes`,
      );
    }
    if (withPeer) {
      log(`${request.label}: the peer auditor on the same fleet…`);
      result.peer = await peerInChildProcess({ endpoint: emulator.endpoint, targets: emulator.targets });
      log(`${request.label}, peer: ${(result.peer.wallMs / 1000).toFixed(1)} s, ${result.peer.apiCalls} calls, ${result.peer.errors} errors`);
    }
    const { stats, cpuMs } = await emulator.stats();
    result.emulatorCpuMs = cpuMs - emulator.startCpuMs;
    result.emulatorCalls = stats.calls;
    log(
      `${request.label}: ${(result.wallMs / 1000).toFixed(1)} s, ${result.apiCalls} calls, ${result.throttled} throttled, efficiency ${result.efficiency.toFixed(2)}`,
    );
    return { ...result, emulatorStartMs: emulator.startMs, applicationsByTarget: emulator.applicationsByTarget };
  } finally {
    await emulator.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Call the overview, findings and application page loaders' domain functions `runs` times each on the stored audit. */
export async function timeDashboard(dbPath: string, runs = 50): Promise<DashboardTimings> {
  const db = await openDatabase(dbPath);
  try {
    const auditId = await latestAuditId(db);
    if (auditId === undefined) throw new Error(`no audit stored in ${dbPath}`);
    const time = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await fn();
        times.push(performance.now() - started);
      }
      return median(times);
    };
    // The application with the most failing findings (the table sorted by them) has the heaviest application page.
    const overview = await getOverview(db, parseApplicationFilters(new URLSearchParams("sort=failing&dir=desc")));
    const findings = await getFindingsPage(db, parseFindingFilters(new URLSearchParams()));
    const app = overview.applications[0];
    if (!app) throw new Error("the stored audit has no application");
    const key = { accountId: app.accountId, region: app.region, applicationId: app.applicationId };
    return {
      runs,
      overviewMedianMs: await time(() => getOverview(db, parseApplicationFilters(new URLSearchParams()))),
      findingsMedianMs: await time(() => getFindingsPage(db, parseFindingFilters(new URLSearchParams()))),
      applicationMedianMs: await time(() => getApplicationPage(db, key)),
      findingsVariantsMs: await timeFindingsVariants(db, time),
      applications: overview.applicationsTotal,
      findings: findings.paging.matching,
    };
  } finally {
    await db.close();
  }
}

/** The findings loader at the heavier filters: every status, sorted by first seen (a lookup per finding), a search, the last page. */
async function timeFindingsVariants(db: Db, time: (fn: () => Promise<unknown>) => Promise<number>): Promise<Record<string, number>> {
  const variants = ["status=all", "status=all&sort=first-seen&dir=desc", "status=all&q=arn%3Aaws%3Aiam", "status=all&sort=application&page=9999"];
  const out: Record<string, number> = {};
  for (const query of variants) out[query] = await time(() => getFindingsPage(db, parseFindingFilters(new URLSearchParams(query))));
  return out;
}

/** Run the bench's parts (default: all) and return every figure. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const parts = new Set(options.parts ?? BENCH_PARTS);
  const log = options.log ?? (() => {});
  const started = performance.now();
  const results: BenchResults = { totalMs: 0 };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-bench-"));
  try {
    if (parts.has("medium") || parts.has("sequential") || parts.has("peer")) {
      const { peer, ...parallel } = await benchRun(MEDIUM_FLEET, { label: "medium", peer: parts.has("peer") }, log);
      results.medium = { fleet: MEDIUM_FLEET.name, parallel };
      if (peer)
        results.peer = {
          ...peer,
          fleet: MEDIUM_FLEET.name,
          productWallMs: parallel.wallMs,
          speedupOverPeer: peer.wallMs / parallel.wallMs,
          productLowerBoundMs: parallel.lowerBound.lowerBoundMs,
        };
      if (parts.has("sequential")) {
        const sequential = await benchRun(MEDIUM_FLEET, { label: "medium, concurrency 1", concurrency: 1, concurrencyPerTarget: 1 }, log);
        results.medium.sequential = sequential;
        results.medium.speedup = sequential.wallMs / parallel.wallMs;
      }
    }
    // QBR_BENCH_LOAD_DB=file: the load phase on a database already holding the large audit (no audit run).
    const storedDb = process.env.QBR_BENCH_LOAD_DB;
    if (parts.has("large") || ((parts.has("dashboard") || parts.has("load")) && !storedDb)) {
      const db = path.join(workDir, "large.sqlite");
      const large = await benchRun(LARGE_FLEET, { label: "large", db, repeat: true }, log);
      const { applicationsByTarget: _counts, ...rest } = large;
      results.large = { ...rest, fleet: LARGE_FLEET.name };
      if (parts.has("dashboard")) {
        log("dashboard: timing the loaders on the stored large audit…");
        results.large.dashboard = await timeDashboard(db);
      }
      if (parts.has("load") && !storedDb) ({ pages: results.load, html: results.html } = await runLoad(db, log));
    }
    if (storedDb && (parts.has("load") || parts.has("dashboard"))) {
      log(`dashboard: timing the loaders on the stored audit in ${storedDb}…`);
      results.dashboard = await timeDashboard(storedDb);
    }
    if (parts.has("load") && storedDb) ({ pages: results.load, html: results.html } = await runLoad(storedDb, log));
    if (parts.has("xl")) {
      const { applicationsByTarget: _counts, ...xl } = await benchRun(XL_FLEET, { label: "xl" }, log);
      results.xl = { ...xl, fleet: XL_FLEET.name };
    }
    if (parts.has("resilience")) results.resilience = await resilienceRun(log);
    // Issue 16.3 (workers helper): needs PostgreSQL (QBR_BENCH_DATABASE_URL, else one started for the run).
    if (parts.has("workers")) results.workers = await benchWorkers(log);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  results.totalMs = performance.now() - started;
  return results;
}

/** The resilience fleet audited without faults, then with the fault set; the second judged against the first. */
async function resilienceRun(log: (line: string) => void): Promise<ResilienceResult> {
  const faults = resilienceFaultsFor(generateFleet(RESILIENCE_FLEET.fleet), RESILIENCE_FLEET.limits);
  const fleetWithoutLimits: BenchFleetSpec = { ...RESILIENCE_FLEET, limits: { latencyMs: RESILIENCE_FLEET.limits.latencyMs, ratePerSecond: 0, burst: 0 } };
  const baseline = await benchRun(fleetWithoutLimits, { label: "resilience baseline", keepReport: true }, log);
  const faulted = await benchRun(RESILIENCE_FLEET, { label: "resilience under faults", keepReport: true }, log, faults);
  const verdict = judgeResilience(baseline.report as AuditReport, faulted.report as AuditReport, faulted.applicationsByTarget, [
    faults.deniedRegion,
    ...Object.keys(faulted.applicationsByTarget)
      .filter((k) => k.startsWith(`${faults.brokenAssumeRoleAccount}|`))
      .map((k) => ({ accountId: faults.brokenAssumeRoleAccount, region: k.split("|")[1] })),
  ]);
  const strip = ({ report: _report, applicationsByTarget: _counts, ...rest }: typeof baseline) => rest;
  return { fleet: RESILIENCE_FLEET.name, faults, baseline: strip(baseline), faulted: strip(faulted), verdict };
}

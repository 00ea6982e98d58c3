/**
 * One measured audit: wall time, peak RSS, API calls by operation and by
 * rate-limit bucket, and the lower bound those calls allow.
 */
import { createHash } from "node:crypto";
import type { RunAuditOptions } from "../audit/run";
import { runAudit } from "../audit/run";
import type { TargetSpec } from "../audit/targets";
import type { AuditReport, Readiness } from "../audit/types";
import type { FleetLimits } from "./fleets";
import { lowerBound, type BucketCalls, type LowerBound } from "./lower-bound";

export interface AuditRequest {
  label: string;
  endpoint: string;
  targets: TargetSpec[];
  limits: FleetLimits;
  /** Requests in flight overall / per target (default: the engine's). */
  concurrency?: number;
  concurrencyPerTarget?: number;
  /** Keep the audit in this SQLite file. */
  db?: string;
  /** Return the whole report (small fleets: the resilience comparison needs it). */
  keepReport?: boolean;
}

export interface AuditRunResult {
  label: string;
  wallMs: number;
  /** CPU time of the audit's process during the audit (user + system), ms. */
  cpuMs: number;
  /** cpuMs ÷ apiCalls (issue 15 item 5). */
  cpuMsPerCall?: number;
  /** sha256 of every finding's check, resource and status, sorted: equal digests, same verdicts. */
  verdictDigest?: string;
  /** Whether the audit read everything or reused stored evidence (ADR 0010). */
  fullScan?: boolean;
  /** CPU time of the local AWS's process while it served the audit, ms (set by the bench). */
  emulatorCpuMs?: number;
  /** Calls the local AWS answered (set by the bench): equals apiCalls when every attempt reached it. */
  emulatorCalls?: number;
  /** Peak resident memory of the process that ran the audit (the kernel's high-water mark), MB. */
  peakRssMb: number;
  /** Peak of process.memoryUsage().rss sampled every 50 ms during the audit, MB. */
  sampledPeakRssMb: number;
  apiCalls: number;
  throttled: number;
  /** Attempts answered with a 5xx error (retried). */
  serverErrors: number;
  byOperation: Record<string, number>;
  byBucket: Record<string, BucketCalls>;
  peakInFlight: number;
  lowerBound: LowerBound;
  /** lowerBound / wall time. */
  efficiency: number;
  applications: number;
  readiness: Record<Readiness, number>;
  findings: AuditReport["summary"]["findings"];
  unreadableTargets: number;
  auditId?: number;
  report?: AuditReport;
}

const MB = 1024 * 1024;

/** A digest of the verdicts: each finding's check, resource and status (not messages or evidence), sorted. */
export function verdictDigest(report: AuditReport): string {
  const lines = report.findings.map((f) => {
    const r = f.resource;
    return [f.checkId, r.type, r.accountId, r.region, r.applicationId, r.indexId, r.dataSourceId, r.webExperienceId, r.roleArn, f.status].join("|");
  });
  return createHash("sha256").update(lines.sort().join("\n")).digest("hex");
}

/** Run one audit as the CLI does (runAudit with the fleet's targets) and measure it. */
export async function measureAudit(request: AuditRequest): Promise<AuditRunResult> {
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage.rss());
  }, 50);
  const options: RunAuditOptions = {
    targets: request.targets,
    endpoint: request.endpoint,
    concurrency: request.concurrency,
    concurrencyPerTarget: request.concurrencyPerTarget,
    db: request.db,
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let outcome;
  try {
    outcome = await runAudit(options);
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  sampled = Math.max(sampled, process.memoryUsage.rss());
  const { report, inventory, auditId } = outcome;
  const byBucket = inventory.stats?.byBucket ?? {};
  const bound = lowerBound(byBucket, inventory, request.limits);
  return {
    label: request.label,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / Math.max(1, inventory.stats?.apiCalls ?? 0),
    verdictDigest: verdictDigest(report),
    ...(outcome.scan ? { fullScan: outcome.scan.full } : {}),
    peakRssMb: Math.max(process.resourceUsage().maxRSS * 1024, sampled) / MB,
    sampledPeakRssMb: sampled / MB,
    apiCalls: inventory.stats?.apiCalls ?? 0,
    throttled: inventory.stats?.throttled ?? 0,
    serverErrors: inventory.stats?.serverErrors ?? 0,
    byOperation: inventory.stats?.byOperation ?? {},
    byBucket,
    peakInFlight: inventory.stats?.peakInFlight ?? 0,
    lowerBound: bound,
    efficiency: bound.lowerBoundMs / wallMs,
    applications: report.applications.length,
    readiness: {
      ready: report.summary.applications.ready,
      "not-ready": report.summary.applications.notReady,
      unsupported: report.summary.applications.unsupported,
      unknown: report.summary.applications.unknown,
    },
    findings: report.summary.findings,
    unreadableTargets: report.targets.filter((t) => t.status === "error").length,
    ...(auditId !== undefined ? { auditId } : {}),
    ...(request.keepReport ? { report } : {}),
  };
}

/**
 * The scan workers' queue (issue 16.3, ADR 0016): pg-boss 10 on the product's
 * PostgreSQL database (its own `pgboss` schema, made and migrated by pg-boss
 * under its own advisory lock). One queue, one job per scan target (an
 * account × region); a job's output is that target's result, so a target is
 * counted once whoever read it. SQLite has no queue: scans stay in one process.
 */
import PgBoss from "pg-boss";
import type { TargetSpec } from "../audit/targets";
import type { AuditTarget } from "../audit/types";
import { isPostgresUrl, redactUrl } from "../db/database";
import { poolConfig, postgresOptionsFromEnv } from "../db/postgres";
import { WorkersUnavailableError } from "./setting";

export { scanWorkersFromEnv, WorkersUnavailableError } from "./setting";

export const TARGET_QUEUE = "qbr_scan_targets";

/** What one job asks: one target of one scan, and how the scan reads. */
export interface TargetJob {
  scanId: string;
  /** Position of the target in the scan (the report keeps the single-process order). */
  index: number;
  /** `credentials`: fixture keys only (the local AWS's public AKIALOCAL… keys); never set from a targets file or Organizations. */
  target: AuditTarget & Pick<TargetSpec, "credentials">;
  scope: ScanScope;
}

/** How every target of one scan is read: the same for each worker, as one process reads them. */
export interface ScanScope {
  cutoff: string;
  documentCap?: number;
  concurrencyPerTarget?: number;
  /** Read everything (the scan's mode, decided once by the process that enqueued it). */
  full: boolean;
  /** The enqueuer's clock minus real time (ADR 0008: a local AWS's advanced clock). */
  clockOffsetMs: number;
  /** An AWS-compatible endpoint the enqueuer was given (tests, a separate local AWS); else each worker's SDK configuration. */
  endpoint?: string;
  maxAttempts?: number;
}

/** Scan workers need PostgreSQL: the message names what to set. */
export function assertWorkersDatabase(target: string): void {
  if (!isPostgresUrl(target)) {
    throw new WorkersUnavailableError(
      `Scan workers need PostgreSQL (QBR_DATABASE_URL or --database-url postgres://…); ${target === ":memory:" ? "an in-memory database" : "the SQLite database"} ${target} runs scans in one process.`,
    );
  }
}

/** How long a worker may hold a target before pg-boss itself gives it up (QBR_WORKER_TARGET_TIMEOUT_SECONDS, default 1800). */
export function targetTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.QBR_WORKER_TARGET_TIMEOUT_SECONDS);
  return Number.isInteger(n) && n >= 5 ? n : 1800;
}

/** Attempts per target beyond the first (a dead worker's target, a worker error). */
export const TARGET_RETRIES = 3;

export interface QueueOptions {
  /** Run pg-boss's maintenance (expiry of abandoned jobs, archiving) in this process. */
  supervise?: boolean;
  /** Connections of pg-boss's own pool (default 4). */
  poolSize?: number;
}

/**
 * A started pg-boss on the database URL, with the target queue created. TLS
 * and the CA bundle as the product's own pool has them (QBR_DATABASE_SSL*).
 */
export async function startQueue(url: string, options: QueueOptions = {}): Promise<PgBoss> {
  assertWorkersDatabase(url);
  const config = poolConfig(url, postgresOptionsFromEnv());
  const boss = new PgBoss({
    connectionString: config.connectionString,
    ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    max: options.poolSize ?? 4,
    application_name: "qbiz-readiness",
    supervise: options.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: 30,
    // A job's output is a target's inventory: archived an hour after it completes (the enqueuer still reads it), gone a day later.
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 1,
  });
  boss.on("error", (error) => console.error(`qbiz-readiness: queue on ${redactUrl(url)}: ${error.message}`));
  try {
    await boss.start();
    await boss.createQueue(TARGET_QUEUE, { name: TARGET_QUEUE, retryLimit: TARGET_RETRIES, expireInSeconds: targetTimeoutSeconds() });
  } catch (error) {
    await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
    throw new WorkersUnavailableError(`The scan queue on ${redactUrl(url)} cannot be used: ${(error as Error).message}`);
  }
  return boss;
}

/** What /healthz says about the queue: targets waiting and in progress. */
export async function queueHealth(boss: PgBoss): Promise<string> {
  const waiting = await boss.getQueueSize(TARGET_QUEUE);
  const upToActive = await boss.getQueueSize(TARGET_QUEUE, { before: "completed" });
  return `pg-boss ok (${waiting} targets waiting, ${upToActive - waiting} in progress)`;
}

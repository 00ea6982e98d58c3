/**
 * /healthz's queue line (ADR 0016): on PostgreSQL, the scan queue's targets
 * waiting and in progress, read through one pg-boss handle per process
 * (started on first use, no maintenance of its own); on SQLite, that scans
 * run in the dashboard's process. Bounded in time like the database check.
 */
import type PgBoss from "pg-boss";
import { resolveDbPath } from "../db/database";
import { singleton } from "../util/singleton.server";
import { queueHealth, scanWorkersFromEnv, startQueue } from "./queue";

export interface QueueHealth {
  ok: boolean;
  /** "pg-boss ok (…)", "none (…)" or the reason the queue cannot be read. */
  detail: string;
}

const handle = () => singleton("scan-queue-health", (): { boss?: Promise<PgBoss> } => ({}));

export async function scanQueueHealth(dialect: string, timeoutMs = 2000): Promise<QueueHealth> {
  if (dialect !== "postgres") return { ok: true, detail: "none (SQLite: scans run in this process)" };
  const held = handle();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    held.boss ??= startQueue(resolveDbPath(), { supervise: false, poolSize: 1 });
    const line = await Promise.race([held.boss.then(queueHealth), timeout]);
    const mode = scanWorkersFromEnv() ? "scans go to the workers" : "scans run in this process (QBR_SCAN_WORKERS unset)";
    return { ok: true, detail: `${line}; ${mode}` };
  } catch (error) {
    held.boss = undefined;
    return { ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

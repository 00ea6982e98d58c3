/**
 * Notifications after an audit and after a fix (issue 14.3): only changes
 * are sent (the first audit of a database sends a summary; an unchanged
 * fleet sends nothing), to the sinks the environment configures. A delivery
 * that fails is recorded and never fails the audit or the fix.
 */
import { getAuditReport, listAudits } from "../audit/history";
import type { AuditReport } from "../audit/types";
import type { Db } from "../db/database";
import { dashboardBaseUrl } from "../export/common";
import { auditChanges } from "./changes";
import { deliver, hasSinks, sinksFromEnv, type DeliveryOutcome, type NotifySinks } from "./deliver";
import { auditNotification, fixNotification, type Notification } from "./message";

export interface NotifyResult {
  sent?: Notification;
  deliveries: DeliveryOutcome[];
}

/** After audit `auditId` was stored in `db`: tell what changed since the audit before it. */
export async function notifyAfterAudit(
  db: Db,
  audit: { id: number; report: AuditReport },
  options: { sinks?: NotifySinks; now?: Date } = {},
): Promise<NotifyResult> {
  const sinks = options.sinks ?? sinksFromEnv();
  if (!hasSinks(sinks)) return { deliveries: [] };
  try {
    const previousHead = (await listAudits(db, 50)).find((a) => a.id < audit.id);
    const previousReport = previousHead ? await getAuditReport(db, previousHead.id) : undefined;
    const changes = auditChanges(previousHead && previousReport ? { id: previousHead.id, report: previousReport } : undefined, audit);
    if (!changes) return { deliveries: [] };
    const message = auditNotification(audit, changes, dashboardBaseUrl());
    return { sent: message, deliveries: await deliver(db, message, sinks, options.now ?? new Date()) };
  } catch (error) {
    console.error("qbiz-readiness: the audit's notification could not be prepared:", error);
    return { deliveries: [] };
  }
}

/** After a fix ran: what it did (every fix is a change worth telling). */
export async function notifyAfterFix(
  db: Db | undefined,
  fix: { activityId?: number; action: string; status: string; message: string; actor: string; resources: string[] },
  options: { sinks?: NotifySinks; now?: Date } = {},
): Promise<NotifyResult> {
  const sinks = options.sinks ?? sinksFromEnv();
  if (!hasSinks(sinks)) return { deliveries: [] };
  const message = fixNotification(fix, dashboardBaseUrl());
  return { sent: message, deliveries: await deliver(db, message, sinks, options.now ?? new Date()) };
}

/** notifyAfterAudit on an open database or the file at a path (opened for this step only). */
export async function notifyStoredAudit(
  db: Db | string,
  audit: { id: number; report: AuditReport },
  options: { sinks?: NotifySinks; now?: Date } = {},
): Promise<NotifyResult> {
  const sinks = options.sinks ?? sinksFromEnv();
  if (!hasSinks(sinks)) return { deliveries: [] };
  if (typeof db !== "string") return notifyAfterAudit(db, audit, { ...options, sinks });
  const { openDatabase } = await import("../db/database");
  const opened = await openDatabase(db);
  try {
    return await notifyAfterAudit(opened, audit, { ...options, sinks });
  } finally {
    await opened.close();
  }
}

/**
 * Stores a ready-made report the way the product does (reportAndStore in
 * app/audit/pipeline.ts): its findings' lifecycle prepared, the audit saved,
 * the lifecycle committed with the audit's id. For fixtures that build their
 * reports by hand instead of auditing an inventory.
 */
import { saveAudit } from "~/audit/history";
import type { AuditedInventory } from "~/audit/settled";
import type { AuditReport, Inventory } from "~/audit/types";
import type { Db } from "~/db/database";
import { prepareLifecycle } from "~/db/finding-lifecycle";

/** The stored audit's id and its report as stored (with each finding's lifecycle). */
export async function storeAudit(db: Db, report: AuditReport, inventory: Inventory | AuditedInventory): Promise<{ auditId: number; report: AuditReport }> {
  const lifecycle = await prepareLifecycle(db, report);
  const auditId = await saveAudit(db, lifecycle.report, inventory);
  await lifecycle.commit(auditId);
  return { auditId, report: lifecycle.report };
}

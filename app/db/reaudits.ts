/**
 * reaudits: which audits were made by re-auditing applications after a fix
 * (a full audit row that carries every other application over).
 */
import type { Db } from "./database";

export async function insertReaudit(
  db: Db,
  row: { auditId: number; basedOnAudit: number | null; activityId: number | null; applications: unknown[] },
): Promise<void> {
  await db.kysely
    .insertInto("reaudits")
    .values({
      audit_id: row.auditId,
      based_on_audit: row.basedOnAudit,
      activity_id: row.activityId,
      applications: JSON.stringify(row.applications),
    })
    .execute();
}

export async function reauditOf(
  db: Db,
  auditId: number,
): Promise<{ basedOnAudit: number | null; activityId: number | null; applications: string } | undefined> {
  return db.kysely
    .selectFrom("reaudits")
    .select(["based_on_audit as basedOnAudit", "activity_id as activityId", "applications"])
    .where("audit_id", "=", auditId)
    .executeTakeFirst();
}

/** The audits made by re-auditing after these activities (a fix page's proof that its run was audited). */
export async function reauditsOfActivities(db: Db, activityIds: number[]): Promise<{ activityId: number; auditId: number }[]> {
  if (activityIds.length === 0) return [];
  const rows = await db.kysely
    .selectFrom("reaudits")
    .select(["activity_id as activityId", "audit_id as auditId"])
    .where("activity_id", "in", activityIds)
    .orderBy("audit_id")
    .execute();
  return rows.flatMap((r) => (r.activityId === null ? [] : [{ activityId: Number(r.activityId), auditId: Number(r.auditId) }]));
}

/**
 * Retention (QBR_RETENTION_DAYS, ADR 0014): audits older than the retention
 * go, except what the readiness history and incremental audits still need.
 * Of the audits scanned before `before` (never the newest audit):
 *
 * - the last audit of each UTC day keeps its audits row (scan time, cutoff,
 *   status, summary, targets: the overview trend's daily point) with
 *   pruned_at set; its findings, applications and report go;
 * - an audit whose evidence an incremental audit still reuses
 *   (data_source_evidence) is kept the same way, so the evidence stays;
 * - every other one is deleted with all it holds (ON DELETE CASCADE).
 *
 * Finding and inventory contents no audit refers to any more are deleted.
 */
import { sql, type Transaction } from "kysely";
import type { Db } from "./database";
import type { Schema } from "./schema";

export interface PruneResult {
  /** Audits deleted whole. */
  deleted: number;
  /** Audits kept as a daily point (or for their evidence) without their findings. */
  pruned: number;
  /** Distinct finding contents and inventories no audit held any more, deleted. */
  contents: number;
}

const CHUNK = 500;

const chunks = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** Prune the audits scanned before `before` (ISO instant); `now` is what pruned_at records. */
export async function pruneAudits(db: Db, before: string, now: string): Promise<PruneResult> {
  return db.kysely.transaction().execute(async (trx) => {
    const newest = await trx
      .selectFrom("audits")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirst();
    const old = await trx
      .selectFrom("audits")
      .select(["id", "scanned_at", "pruned_at"])
      .where("scanned_at", "<", before)
      .where("id", "<", Number(newest?.id ?? 0))
      .orderBy("id")
      .execute();
    if (old.length === 0) return { deleted: 0, pruned: 0, contents: 0 };
    const lastOfDay = new Map<string, number>();
    for (const audit of old) lastOfDay.set(audit.scanned_at.slice(0, 10), audit.id);
    const keep = new Set(lastOfDay.values());
    for (const ids of chunks(old.map((a) => a.id))) {
      const used = await trx.selectFrom("data_source_evidence").select("audit_id").distinct().where("audit_id", "in", ids).execute();
      for (const u of used) keep.add(u.audit_id);
    }
    const remove = old.filter((a) => !keep.has(a.id)).map((a) => a.id);
    const prune = old.filter((a) => keep.has(a.id) && a.pruned_at === null).map((a) => a.id);
    for (const ids of chunks(remove)) await trx.deleteFrom("audits").where("id", "in", ids).execute();
    for (const ids of chunks(prune)) {
      await trx.deleteFrom("audit_findings").where("audit_id", "in", ids).execute();
      await trx.deleteFrom("audit_applications").where("audit_id", "in", ids).execute();
      await trx.updateTable("audits").set({ report: "", findings_at: null, pruned_at: now }).where("id", "in", ids).execute();
    }
    const contents = remove.length + prune.length > 0 ? await deleteUnreferenced(trx) : 0;
    return { deleted: remove.length, pruned: prune.length, contents };
  });
}

/** Delete the finding contents and inventories no audit refers to; returns how many. */
async function deleteUnreferenced(trx: Transaction<Schema>): Promise<number> {
  const findings = await sql`DELETE FROM finding_contents WHERE NOT EXISTS
    (SELECT 1 FROM audit_findings af WHERE af.content_id = finding_contents.id)`.execute(trx);
  const inventories = await sql`DELETE FROM application_inventories WHERE NOT EXISTS
    (SELECT 1 FROM audit_applications a WHERE a.inventory_id = application_inventories.id)`.execute(trx);
  return Number(findings.numAffectedRows ?? 0) + Number(inventories.numAffectedRows ?? 0);
}

/**
 * tracked_syncs: full syncs the product started and follows, kept so
 * following them and restoring the data source's sync mode survive a restart.
 */
import type { Insertable } from "kysely";
import type { Db } from "./database";
import type { TrackedSyncRow, TrackedSyncsTable } from "./schema";

export async function insertTrackedSyncRow(db: Db, row: Omit<Insertable<TrackedSyncsTable>, "id">): Promise<number> {
  const { id } = await db.kysely.insertInto("tracked_syncs").values(row).returning("id").executeTakeFirstOrThrow();
  return id;
}

/** Move a sync to `state`; execution id, job status and message change only when given. */
export async function updateTrackedSyncRow(
  db: Db,
  id: number,
  change: { state: string; executionId?: string; jobStatus?: string; message?: string; updatedAt: string },
): Promise<void> {
  await db.kysely
    .updateTable("tracked_syncs")
    .set({
      state: change.state,
      updated_at: change.updatedAt,
      ...(change.executionId !== undefined ? { execution_id: change.executionId } : {}),
      ...(change.jobStatus !== undefined ? { job_status: change.jobStatus } : {}),
      ...(change.message !== undefined ? { message: change.message } : {}),
    })
    .where("id", "=", id)
    .execute();
}

export async function trackedSyncRow(db: Db, id: number): Promise<TrackedSyncRow | undefined> {
  return db.kysely.selectFrom("tracked_syncs").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function queryTrackedSyncs(db: Db, filter: { activityId?: number; unfinished?: boolean }): Promise<TrackedSyncRow[]> {
  let query = db.kysely.selectFrom("tracked_syncs").selectAll();
  if (filter.activityId !== undefined) query = query.where("activity_id", "=", filter.activityId);
  if (filter.unfinished) query = query.where("state", "in", ["starting", "following", "restoring"]);
  return query.orderBy("id").execute();
}

/**
 * Activities whose tracked syncs include a finished one while the entry's
 * latest event still says running/started: its follower stopped between
 * finishing the sync and writing the outcome.
 */
export async function activitiesLeftOpen(db: Db): Promise<number[]> {
  const rows = await db.kysely
    .selectFrom("tracked_syncs as t")
    .select("t.activity_id")
    .distinct()
    .where("t.state", "in", ["done", "failed"])
    .where((eb) =>
      eb(eb.selectFrom("activity_events as e").select("e.status").whereRef("e.activity_id", "=", "t.activity_id").orderBy("e.id", "desc").limit(1), "in", [
        "running",
        "started",
      ]),
    )
    .orderBy("t.activity_id")
    .execute();
  return rows.map((r) => r.activity_id);
}

export interface FullSyncExecution {
  accountId: string;
  region: string;
  applicationId: string;
  indexId: string;
  dataSourceId: string;
  executionId: string;
}

/** Every sync the product itself started in full mode. */
export async function fullModeExecutions(db: Db): Promise<FullSyncExecution[]> {
  return (
    db.kysely
      .selectFrom("tracked_syncs")
      .select([
        "account_id as accountId",
        "region",
        "application_id as applicationId",
        "index_id as indexId",
        "data_source_id as dataSourceId",
        "execution_id as executionId",
      ])
      .where("full_mode", "=", 1)
      // A sync about to start (state "starting") has no execution id yet.
      .where("execution_id", "!=", "")
      .execute()
  );
}

/** The latest full-mode sync the product started on a data source. */
export async function latestFullModeExecution(db: Db, source: { accountId: string; region: string; dataSourceId: string }): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom("tracked_syncs")
    .select("execution_id")
    .where("account_id", "=", source.accountId)
    .where("region", "=", source.region)
    .where("data_source_id", "=", source.dataSourceId)
    .where("full_mode", "=", 1)
    .where("execution_id", "!=", "")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.execution_id;
}

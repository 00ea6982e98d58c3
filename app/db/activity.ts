/**
 * The activity log's tables: activity (one row per fix action, with the plan
 * as confirmed and its rollback data), activity_events (what then happened,
 * in order) and activity_resources (the log's filters). Insert-only: the
 * database's triggers refuse UPDATE, DELETE and REPLACE on the first two.
 */
import type { Insertable } from "kysely";
import type { Db } from "./database";
import type { ActivityEventRow, ActivityEventsTable, ActivityResourcesTable, ActivityRow, ActivityTable } from "./schema";

export type NewActivityEvent = Omit<Insertable<ActivityEventsTable>, "id" | "activity_id">;

/** An entry, its resources and its first event, all or nothing; returns the entry's id. */
export async function insertActivity(
  db: Db,
  entry: {
    activity: Omit<Insertable<ActivityTable>, "id">;
    resources: Omit<Insertable<ActivityResourcesTable>, "activity_id">[];
    firstEvent: NewActivityEvent;
  },
): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("activity").values(entry.activity).returning("id").executeTakeFirstOrThrow();
    if (entry.resources.length > 0) {
      await trx
        .insertInto("activity_resources")
        .values(entry.resources.map((r) => ({ ...r, activity_id: id })))
        .execute();
    }
    await trx
      .insertInto("activity_events")
      .values({ ...entry.firstEvent, activity_id: id })
      .execute();
    return id;
  });
}

export async function insertActivityEvent(db: Db, activityId: number, event: NewActivityEvent): Promise<void> {
  await db.kysely
    .insertInto("activity_events")
    .values({ ...event, activity_id: activityId })
    .execute();
}

export async function activityById(db: Db, id: number): Promise<ActivityRow | undefined> {
  return db.kysely.selectFrom("activity").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface ActivityQuery {
  action?: string;
  actor?: string;
  accountId?: string;
  applicationId?: string;
}

/** Entries matching the filters, newest first. */
export async function queryActivity(db: Db, filter: ActivityQuery): Promise<ActivityRow[]> {
  let query = db.kysely.selectFrom("activity as a").selectAll("a");
  if (filter.action) query = query.where("a.action", "=", filter.action);
  if (filter.actor) query = query.where("a.actor", "=", filter.actor);
  if (filter.accountId) {
    const accountId = filter.accountId;
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom("activity_resources as r").select("r.activity_id").whereRef("r.activity_id", "=", "a.id").where("r.account_id", "=", accountId)),
    );
  }
  if (filter.applicationId) {
    const applicationId = filter.applicationId;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom("activity_resources as r").select("r.activity_id").whereRef("r.activity_id", "=", "a.id").where("r.application_id", "=", applicationId),
      ),
    );
  }
  return query.orderBy("a.id", "desc").execute();
}

/** SQLite's default bound-parameter limit is far above this; chunks keep PostgreSQL's plans small too. */
const IDS_PER_QUERY = 500;

async function inChunks<T>(ids: number[], read: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) out.push(...(await read(ids.slice(i, i + IDS_PER_QUERY))));
  return out;
}

/** The events of these entries, in the order they happened. */
export async function eventsOf(db: Db, activityIds: number[]): Promise<ActivityEventRow[]> {
  const rows = await inChunks(activityIds, (chunk) =>
    db.kysely.selectFrom("activity_events").selectAll().where("activity_id", "in", chunk).orderBy("id").execute(),
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** For each of these entries rolled back by a rollback whose latest event succeeded: original id -> rollback id. */
export async function succeededRollbacksOf(db: Db, activityIds: number[]): Promise<{ original: number; id: number }[]> {
  return inChunks(activityIds, async (chunk) => {
    const rows = await db.kysely
      .selectFrom("activity as a")
      .select(["a.rollback_of as original", "a.id"])
      .where("a.rollback_of", "in", chunk)
      .where(
        (eb) => eb.selectFrom("activity_events as e").select("e.status").whereRef("e.activity_id", "=", "a.id").orderBy("e.id", "desc").limit(1),
        "=",
        "succeeded",
      )
      .execute();
    return rows.map((r) => ({ original: r.original!, id: r.id }));
  });
}

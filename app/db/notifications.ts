/** Notification deliveries (table `notifications`, migration 0007): one row per sink per message, how it ended. */
import type { Insertable, Selectable } from "kysely";
import type { Db } from "./database";
import type { NotificationsTable } from "./schema";

export type NotificationRow = Selectable<NotificationsTable>;

export async function insertNotificationRow(db: Db, row: Omit<Insertable<NotificationsTable>, "id">): Promise<number> {
  const { id } = await db.kysely.insertInto("notifications").values(row).returning("id").executeTakeFirstOrThrow();
  return id;
}

/** The latest deliveries, newest first. */
export async function listNotificationRows(db: Db, limit = 100): Promise<NotificationRow[]> {
  return db.kysely.selectFrom("notifications").selectAll().orderBy("id", "desc").limit(limit).execute();
}

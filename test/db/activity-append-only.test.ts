/**
 * The activity log cannot be rewritten through SQL (issue 10.6): UPDATE,
 * DELETE and INSERT OR REPLACE (which in SQLite deletes the conflicting row
 * without firing DELETE triggers) are all refused, and the row stays as written.
 */
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/database";
import { appendActivityEvent, getActivity, recordActivity } from "~/fixes/activity-log";
import type { FixPlan } from "~/fixes/types";
import { ENGINES, openTestDatabase } from "../helpers/postgres";

const plan = {
  action: "patch-role-policy",
  resource: { type: "role", accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/R" },
  applications: [],
  status: "ready",
  summary: "",
  reasons: [],
  missingPermissions: [],
  planHash: "h",
  plannedAt: "2026-12-01T00:00:00.000Z",
  details: {},
} as unknown as FixPlan;

describe.each(ENGINES)("activity log tables (%s)", (engine) => {
  let db: Db;
  let id: number;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
    id = await recordActivity(db, {
      action: "patch-role-policy",
      actor: "user:olivia",
      at: new Date("2026-12-01T00:00:00Z"),
      resources: [plan.resource],
      plan,
      rollbackData: { previousText: null },
    });
    await appendActivityEvent(db, id, { at: new Date("2026-12-01T00:01:00Z"), status: "succeeded", message: "patched" });
  });
  afterEach(async () => {
    await db.close();
  });

  const rows = async () => ({
    activity: (await sql`SELECT * FROM activity ORDER BY id`.execute(db.kysely)).rows,
    events: (await sql`SELECT * FROM activity_events ORDER BY id`.execute(db.kysely)).rows,
  });

  // Each engine's own ways of replacing a row: registered only where they exist, not skipped elsewhere.
  if (engine === "sqlite")
    it("refuses INSERT OR REPLACE of an entry and of an event, keeping both as written", async () => {
      const before = await rows();
      await expect(
        sql`INSERT OR REPLACE INTO activity (id, action, actor, started_at, resources, plan, rollback_data, rollback_of)
          VALUES (${id}, 'patch-role-policy', 'mallory', '2026-12-01T00:00:00.000Z', '[]', '{}', NULL, NULL)`.execute(db.kysely),
      ).rejects.toThrow(/append-only/);
      const eventId = (before.events[1] as { id: number }).id;
      await expect(
        sql`INSERT OR REPLACE INTO activity_events (id, activity_id, at, status, message, request_ids, data)
          VALUES (${eventId}, ${id}, '2026-12-01T00:01:00.000Z', 'failed', 'rewritten', '[]', NULL)`.execute(db.kysely),
      ).rejects.toThrow(/append-only/);
      await expect(
        sql`REPLACE INTO activity_events (id, activity_id, at, status, message, request_ids) VALUES (${eventId}, ${id}, 'x', 'failed', 'x', '[]')`.execute(
          db.kysely,
        ),
      ).rejects.toThrow(/append-only/);
      expect(await rows()).toEqual(before);
      expect((await getActivity(db, id))?.status).toBe("succeeded");
      expect((await getActivity(db, id))?.rollbackData).toEqual({ previousText: null });
    });

  if (engine === "postgres")
    it("refuses an insert over an existing id, and TRUNCATE (which skips row triggers)", async () => {
      const before = await rows();
      const eventId = (before.events[1] as { id: number }).id;
      await expect(
        sql`INSERT INTO activity (id, action, actor, started_at, resources, plan) VALUES (${id}, 'x', 'mallory', 'x', '[]', '{}')`.execute(db.kysely),
      ).rejects.toThrow(/append-only: an entry cannot be replaced/);
      await expect(
        sql`INSERT INTO activity_events (id, activity_id, at, status, message, request_ids) VALUES (${eventId}, ${id}, 'x', 'failed', 'x', '[]')`.execute(
          db.kysely,
        ),
      ).rejects.toThrow(/append-only: an entry cannot be replaced/);
      await expect(sql`TRUNCATE activity_events`.execute(db.kysely)).rejects.toThrow(/append-only/);
      await expect(sql`TRUNCATE activity, activity_events, activity_resources, tracked_syncs`.execute(db.kysely)).rejects.toThrow(/append-only/);
      expect(await rows()).toEqual(before);
    });

  it("refuses UPDATE and DELETE, and an upsert through ON CONFLICT", async () => {
    const before = await rows();
    await expect(sql`UPDATE activity SET actor = 'mallory' WHERE id = ${id}`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE activity_events SET status = 'failed' WHERE activity_id = ${id}`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM activity WHERE id = ${id}`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM activity_events`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(
      sql`INSERT INTO activity (id, action, actor, started_at, resources, plan) VALUES (${id}, 'x', 'mallory', 'x', '[]', '{}')
          ON CONFLICT (id) DO UPDATE SET actor = excluded.actor`.execute(db.kysely),
    ).rejects.toThrow(/append-only/);
    expect(await rows()).toEqual(before);
  });

  it("still appends: new entries and events go in", async () => {
    await appendActivityEvent(db, id, { at: new Date(), status: "rolled-back", message: "later" });
    expect((await getActivity(db, id))?.events).toHaveLength(3);
  });
});

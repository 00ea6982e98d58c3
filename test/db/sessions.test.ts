import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/database";
import { ENGINES, openTestDatabase } from "../helpers/postgres";
import { createSession, findSession, pruneSessions, revokeAllSessions, revokeSession, revokeSessionsOf, touchSession } from "~/db/sessions";

const session = (idHash: string, username: string, expiresAt = "2026-12-02T00:00:00.000Z") => ({
  idHash,
  username,
  role: "operator",
  credentialFingerprint: `fp-${username}`,
  createdAt: "2026-12-01T00:00:00.000Z",
  lastSeenAt: "2026-12-01T00:00:00.000Z",
  expiresAt,
});

describe.each(ENGINES)("sessions repository (%s)", (engine) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
  });
  afterEach(async () => {
    await db.close();
  });

  it("stores a session and finds it by its id hash; an unknown hash finds nothing", async () => {
    await createSession(db, session("h1", "olivia"));
    expect(await findSession(db, "h1")).toEqual(session("h1", "olivia"));
    expect(await findSession(db, "nope")).toBeUndefined();
  });

  it("refuses a second session with the same id hash", async () => {
    await createSession(db, session("h1", "olivia"));
    await expect(createSession(db, session("h1", "victor"))).rejects.toThrow(/UNIQUE|PRIMARY|duplicate key/i);
  });

  it("touch moves last_seen_at; revoking keeps the first reason and stops touches", async () => {
    await createSession(db, session("h1", "olivia"));
    await touchSession(db, "h1", new Date("2026-12-01T01:00:00.000Z"));
    expect((await findSession(db, "h1"))?.lastSeenAt).toBe("2026-12-01T01:00:00.000Z");
    expect(await revokeSession(db, "h1", "signed out", "2026-12-01T02:00:00.000Z")).toBe(1);
    expect(await revokeSession(db, "h1", "again")).toBe(0);
    await touchSession(db, "h1", "2026-12-01T03:00:00.000Z");
    expect(await findSession(db, "h1")).toMatchObject({
      lastSeenAt: "2026-12-01T01:00:00.000Z",
      revokedAt: "2026-12-01T02:00:00.000Z",
      revokedReason: "signed out",
    });
  });

  it("revokes one user's sessions, then everyone's", async () => {
    await createSession(db, session("o1", "olivia"));
    await createSession(db, session("o2", "olivia"));
    await createSession(db, session("v1", "victor"));
    expect(await revokeSessionsOf(db, "olivia", "password changed")).toBe(2);
    expect((await findSession(db, "v1"))?.revokedAt).toBeUndefined();
    expect(await revokeAllSessions(db, "sign out everyone")).toBe(1);
    expect((await findSession(db, "v1"))?.revokedReason).toBe("sign out everyone");
    expect((await findSession(db, "o1"))?.revokedReason).toBe("password changed");
  });

  it("prunes expired and long-revoked sessions, keeps live ones", async () => {
    await createSession(db, session("old", "olivia", "2026-12-01T00:30:00.000Z"));
    await createSession(db, session("live", "olivia"));
    await createSession(db, session("gone", "victor"));
    await revokeSession(db, "gone", "signed out", "2026-12-01T00:10:00.000Z");
    expect(await pruneSessions(db, "2026-12-01T01:00:00.000Z")).toBe(2);
    expect(await findSession(db, "live")).toBeDefined();
    expect(await findSession(db, "old")).toBeUndefined();
    expect(await findSession(db, "gone")).toBeUndefined();
  });
});

/**
 * Server-side sign-in sessions (issue 10.1): the session cookie carries a
 * random id, this table holds its sha256 (idHash) with who signed in and
 * until when. A session is valid while it is neither revoked nor expired;
 * revoking is a write every process sees at once.
 */
import type { Db } from "./database";
import type { SessionRow } from "./schema";

export interface StoredSession {
  idHash: string;
  username: string;
  role: string;
  credentialFingerprint: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt?: string;
  revokedReason?: string;
}

export type NewStoredSession = Omit<StoredSession, "revokedAt" | "revokedReason">;

function toSession(row: SessionRow): StoredSession {
  return {
    idHash: row.id_hash,
    username: row.username,
    role: row.role,
    credentialFingerprint: row.credential_fingerprint,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at } : {}),
    ...(row.revoked_reason !== null ? { revokedReason: row.revoked_reason } : {}),
  };
}

const iso = (at: Date | string) => (typeof at === "string" ? at : at.toISOString());

export async function createSession(db: Db, session: NewStoredSession): Promise<void> {
  await db.kysely
    .insertInto("sessions")
    .values({
      id_hash: session.idHash,
      username: session.username,
      role: session.role,
      credential_fingerprint: session.credentialFingerprint,
      created_at: session.createdAt,
      last_seen_at: session.lastSeenAt,
      expires_at: session.expiresAt,
      revoked_at: null,
      revoked_reason: null,
    })
    .execute();
}

/** The session row, revoked or expired ones included: the caller decides (and can say why). */
export async function findSession(db: Db, idHash: string): Promise<StoredSession | undefined> {
  const row = await db.kysely.selectFrom("sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst();
  return row ? toSession(row) : undefined;
}

/** Record activity (the idle timeout counts from here); a revoked session stays revoked. */
export async function touchSession(db: Db, idHash: string, at: Date | string): Promise<void> {
  await db.kysely
    .updateTable("sessions")
    .set({ last_seen_at: iso(at) })
    .where("id_hash", "=", idHash)
    .where("revoked_at", "is", null)
    .execute();
}

/** Returns how many sessions were revoked by this call (already revoked ones keep their first reason). */
export async function revokeSession(db: Db, idHash: string, reason: string, at: Date | string = new Date()): Promise<number> {
  const result = await db.kysely
    .updateTable("sessions")
    .set({ revoked_at: iso(at), revoked_reason: reason })
    .where("id_hash", "=", idHash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Every live session of one user (password or role change, admin action). */
export async function revokeSessionsOf(db: Db, username: string, reason: string, at: Date | string = new Date()): Promise<number> {
  const result = await db.kysely
    .updateTable("sessions")
    .set({ revoked_at: iso(at), revoked_reason: reason })
    .where("username", "=", username)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** "Sign out everyone". */
export async function revokeAllSessions(db: Db, reason: string, at: Date | string = new Date()): Promise<number> {
  const result = await db.kysely
    .updateTable("sessions")
    .set({ revoked_at: iso(at), revoked_reason: reason })
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Delete sessions that expired, or were revoked, before `before`; returns how many. */
export async function pruneSessions(db: Db, before: Date | string): Promise<number> {
  const cutoff = iso(before);
  const result = await db.kysely
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<", cutoff), eb("revoked_at", "<", cutoff)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

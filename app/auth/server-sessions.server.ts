/**
 * Server-side sessions for built-in sign-in: the signed cookie carries only a
 * random session id; the database row (app/db/sessions.ts, keyed by the id's
 * sha256) says who, with which role, since and until when. So a session ends
 * for every copy of its cookie at once: on sign-out, at its absolute expiry
 * (12 h) or idle timeout (QBR_SESSION_IDLE_MINUTES, 60), when the user's
 * password or role changes in the configuration, and when an operator signs
 * everyone out.
 */
import { createHash, randomBytes } from "node:crypto";
import { getConfig, type Config, type Role } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import { createSession, findSession, pruneSessions, revokeAllSessions, revokeSession, touchSession, type StoredSession } from "~/db/sessions";

export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
const DEFAULT_IDLE_MINUTES = 60;
/** Last-seen is written at most this often per session (every page load would be a write otherwise). */
const TOUCH_EVERY_MS = 60 * 1000;
/** Ended sessions are kept this long (their reason can be looked up), then deleted at a sign-in. */
const KEEP_ENDED_MS = 7 * 24 * 60 * 60 * 1000;

export type SessionKind = "password" | "one-time-link";

export interface LiveSession {
  username: string;
  role: Role;
  via: SessionKind;
  idHash: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
export const sessionIdHash = (sessionId: string) => sha256(sessionId);

/**
 * What the session was granted on: the user's password hash and role (a
 * changed password or role no longer matches), or the one-time link (valid
 * only while no users are configured). Stored as "kind:sha256".
 */
function fingerprint(config: Config, kind: SessionKind, username: string): string | undefined {
  if (config.auth.mode !== "builtin") return undefined;
  if (kind === "one-time-link") return config.auth.users.length === 0 ? `one-time-link:${sha256("one-time-link\noperator")}` : undefined;
  const user = config.auth.users.find((u) => u.username === username);
  if (!user) return undefined;
  const { N, r, p, salt, hash } = user.passwordHash;
  return `password:${sha256([username, user.role, N, r, p, salt.toString("base64"), hash.toString("base64")].join("\n"))}`;
}

function roleOf(config: Config, kind: SessionKind, username: string): Role | undefined {
  if (kind === "one-time-link") return "operator";
  return config.auth.mode === "builtin" ? config.auth.users.find((u) => u.username === username)?.role : undefined;
}

/** Starts a session for a user who just proved who they are; returns the id for the cookie. */
export async function startServerSession(username: string, kind: SessionKind, now = new Date()): Promise<string> {
  const config = getConfig();
  const role = roleOf(config, kind, username);
  const credentialFingerprint = fingerprint(config, kind, username);
  if (!role || !credentialFingerprint) throw new Error(`${username} is not a configured user`);
  const sessionId = randomBytes(32).toString("base64url");
  const db = await dashboardDb();
  await pruneSessions(db, new Date(now.getTime() - KEEP_ENDED_MS));
  await createSession(db, {
    idHash: sessionIdHash(sessionId),
    username,
    role,
    credentialFingerprint,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(),
  });
  return sessionId;
}

/** Why a stored session no longer counts, or undefined while it does. */
function endedBecause(config: Config, row: StoredSession, now: number): string | undefined {
  if (row.revokedAt) return row.revokedReason ?? "signed out";
  if (Date.parse(row.expiresAt) <= now) return "expired (12 hours after sign-in)";
  const idleMinutes = config.session.idleMinutes ?? DEFAULT_IDLE_MINUTES;
  if (Date.parse(row.lastSeenAt) + idleMinutes * 60_000 <= now) return `idle for ${idleMinutes} minutes`;
  const kind: SessionKind = row.credentialFingerprint.startsWith("one-time-link:") ? "one-time-link" : "password";
  if (fingerprint(config, kind, row.username) !== row.credentialFingerprint) return "the user's password or role changed";
  return undefined;
}

/**
 * The live session `sessionId` names, or null. A session found ended for a
 * reason only noticed now (idle, credentials changed) is revoked with it, so
 * it stays ended even if the configuration changes back.
 */
export async function liveSession(sessionId: string, now = new Date()): Promise<LiveSession | null> {
  const config = getConfig();
  const db = await dashboardDb();
  const idHash = sessionIdHash(sessionId);
  const row = await findSession(db, idHash);
  if (!row) return null;
  const ended = endedBecause(config, row, now.getTime());
  if (ended) {
    if (!row.revokedAt) await revokeSession(db, idHash, ended, now);
    return null;
  }
  if (now.getTime() - Date.parse(row.lastSeenAt) >= TOUCH_EVERY_MS) await touchSession(db, idHash, now);
  const via: SessionKind = row.credentialFingerprint.startsWith("one-time-link:") ? "one-time-link" : "password";
  return { username: row.username, role: roleOf(config, via, row.username)!, via, idHash };
}

/** Sign-out: the session ends for every copy of its cookie. */
export async function endServerSession(sessionId: string, reason = "signed out"): Promise<void> {
  await revokeSession(await dashboardDb(), sessionIdHash(sessionId), reason);
}

/** An operator's "sign out everyone" (themselves included); returns how many sessions ended. */
export async function endEverySession(actor: string, now = new Date()): Promise<number> {
  const count = await revokeAllSessions(await dashboardDb(), `everyone signed out by ${actor} at ${now.toISOString()}`, now);
  // The server log keeps who did it, next to the rows' reason.
  console.log(`${now.toISOString()} sessions: ${actor} signed out everyone (${count} session${count === 1 ? "" : "s"} ended)`);
  return count;
}

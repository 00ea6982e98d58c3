/**
 * The signed session cookie. It holds only the random id of a server-side
 * session (server-sessions.server.ts: who, role, expiry live in the database,
 * so sign-out ends every copy of the cookie) and the CSRF token.
 */
import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import { getConfig, type Config } from "~/config.server";

export interface SessionData {
  /** The server-side session's random id; absent: signed out (the cookie then only carries the CSRF token). */
  sessionId: string;
  csrfToken: string;
}

export type AppSession = Session<SessionData>;

const TWELVE_HOURS_SECONDS = 12 * 60 * 60;
const storages = new WeakMap<Config, SessionStorage<SessionData>>();

function storageFor(config: Config): SessionStorage<SessionData> {
  let storage = storages.get(config);
  if (!storage) {
    storage = createCookieSessionStorage<SessionData>({
      cookie: {
        name: "qbr_session",
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        maxAge: TWELVE_HOURS_SECONDS,
        secrets: [config.session.secret],
      },
    });
    storages.set(config, storage);
  }
  return storage;
}

export function getSession(request: Request): Promise<AppSession> {
  return storageFor(getConfig()).getSession(request.headers.get("cookie"));
}

/**
 * Set-Cookie value; `secure` as QBR_COOKIE_SECURE says, else when the request
 * came over https (directly or via a trusted proxy).
 */
export function commitSession(session: AppSession, request: Request): Promise<string> {
  const config = getConfig();
  return storageFor(config).commitSession(session, { secure: secureCookie(config, request) });
}

export function destroySession(session: AppSession, request: Request): Promise<string> {
  const config = getConfig();
  return storageFor(config).destroySession(session, { secure: secureCookie(config, request) });
}

/** A fresh session (never reuse the signed-out one: session fixation). */
export function newSession(): Promise<AppSession> {
  return storageFor(getConfig()).getSession(null);
}

function secureCookie(config: Config, request: Request): boolean {
  return config.session.cookieSecure ?? new URL(request.url).protocol === "https:";
}

/**
 * The one-time sign-in link printed at start when built-in auth has no users
 * (like a notebook server): whoever opens it first is signed in as an operator,
 * then it is spent. Only a hash is kept, on globalThis so serve.ts and the
 * Remix build share it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const KEY = Symbol.for("qbiz-readiness.one-time-token");
type Holder = { [KEY]?: Buffer };

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Makes a new token (replacing any unspent one) and returns it for the sign-in URL. */
export function issueOneTimeToken(): string {
  const token = randomBytes(32).toString("base64url");
  (globalThis as Holder)[KEY] = digest(token);
  return token;
}

/** True exactly once for the issued token; false for anything else and afterwards. */
export function redeemOneTimeToken(token: string): boolean {
  const holder = globalThis as Holder;
  const expected = holder[KEY];
  if (!expected || !timingSafeEqual(digest(token), expected)) return false;
  delete holder[KEY];
  return true;
}

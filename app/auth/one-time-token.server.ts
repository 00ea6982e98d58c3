/**
 * The one-time sign-in link printed at start when built-in auth has no users
 * (like a notebook server): whoever opens it first is signed in as an operator,
 * then it is spent. Only a hash is kept, in a process singleton so serve.ts
 * and the Remix build share it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { singleton } from "~/util/singleton.server";

const held = () => singleton("one-time-token", (): { digest?: Buffer } => ({}));

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Makes a new token (replacing any unspent one) and returns it for the sign-in URL. */
export function issueOneTimeToken(): string {
  const token = randomBytes(32).toString("base64url");
  held().digest = digest(token);
  return token;
}

/** True exactly once for the issued token; false for anything else and afterwards. */
export function redeemOneTimeToken(token: string): boolean {
  const holder = held();
  const expected = holder.digest;
  if (!expected || !timingSafeEqual(digest(token), expected)) return false;
  delete holder.digest;
  return true;
}

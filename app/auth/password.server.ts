/**
 * Password hashes for built-in sign-in: `scrypt$N$r$p$salt$hash`, salt and
 * hash in base64. scrypt because Node ships it (no native add-on to build) and
 * its cost parameters travel inside the hash, so they can be raised later
 * without invalidating existing users.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";

const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

export interface PasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Parses `scrypt$N$r$p$salt$hash`; throws an Error saying what is wrong (no secret in the message). */
export function parsePasswordHash(text: string): PasswordHash {
  const parts = text.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") {
    throw new Error('must look like "scrypt$N$r$p$salt$hash" (make one with: npx tsx scripts/hash-password.ts PASSWORD)');
  }
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || (N & (N - 1)) !== 0 || N < 2) {
    throw new Error("scrypt cost N must be a power of two above 1, r and p positive integers");
  }
  const salt = Buffer.from(parts[4], "base64");
  const hash = Buffer.from(parts[5], "base64");
  if (salt.length < 8 || hash.length < 16) throw new Error("salt or hash too short");
  return { N, r, p, salt, hash };
}

function scrypt(password: string, salt: Buffer, length: number, cost: { N: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem must cover 128*N*r bytes, or Node refuses costs above its 32 MiB default.
    const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
    scryptCallback(password, salt, length, { ...cost, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, DEFAULT_COST);
  const { N, r, p } = DEFAULT_COST;
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await scrypt(password, stored.salt, stored.hash.length, stored);
  return timingSafeEqual(candidate, stored.hash);
}

/**
 * A hash no password matches, checked when the username is unknown so that a
 * wrong username costs as long as a wrong password (no user enumeration by timing).
 */
export const UNMATCHABLE_HASH: PasswordHash = {
  ...DEFAULT_COST,
  salt: randomBytes(16),
  hash: randomBytes(KEY_LENGTH),
};

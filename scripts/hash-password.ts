/**
 * Prints a password hash for QBR_USERS_FILE / QBR_OPERATORS / QBR_VIEWERS.
 * Usage: npx tsx scripts/hash-password.ts 'PASSWORD'   (or pipe the password on stdin)
 */
import { hashPassword } from "../app/auth/password.server";

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, "");
}

const password = process.argv[2] ?? (process.stdin.isTTY ? "" : await readStdin());
if (!password) {
  console.error("Usage: npx tsx scripts/hash-password.ts PASSWORD   (or: echo PASSWORD | npx tsx scripts/hash-password.ts)");
  process.exit(2);
}
console.log(await hashPassword(password));

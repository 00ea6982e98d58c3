/**
 * 3: server-side sign-in sessions (issue 10.1). The cookie carries a random
 * id; the row is keyed by its sha256, so a copy of the database cannot be
 * replayed as cookies. Revoking sets revoked_at: sign-out, a password or role
 * change and "sign out everyone" end sessions at once, on every process.
 */
import type { Kysely, Migration } from "kysely";
import type { DialectName } from "./dialect";

export function sessions(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("credential_fingerprint", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("revoked_reason", "text")
        .execute();
      await db.schema.createIndex("sessions_username").on("sessions").column("username").execute();
      await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
    },
  };
}

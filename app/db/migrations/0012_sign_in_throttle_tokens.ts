/**
 * 12: the sign-in throttle's counts and the one-time sign-in tokens move from
 * process memory into the database (issue 16), so every dashboard replica
 * counts the same attempts and a link printed by one replica works once on
 * any. sign_in_throttle: one row per counted key ("user:NAME",
 * "address:IP"), its window's start and the attempts in it.
 * one_time_tokens: the sha256 of each unspent token, until it expires.
 */
import type { Kysely, Migration } from "kysely";
import type { DialectName } from "./dialect";

export function signInThrottleAndTokens(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("sign_in_throttle")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("failures", "integer", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sign_in_throttle_started_at").on("sign_in_throttle").column("started_at").execute();
      await db.schema
        .createTable("one_time_tokens")
        .addColumn("digest", "text", (c) => c.primaryKey())
        .addColumn("issued_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("one_time_tokens_expires_at").on("one_time_tokens").column("expires_at").execute();
    },
  };
}

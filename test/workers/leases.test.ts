/**
 * The workers' leases on a real PostgreSQL (ADR 0016): an account's slots
 * cap how many of its targets are read at once (a taker waits until one is
 * let go), and a target whose worker is gone (its process no longer exists
 * on this host, or its lease ran out) reads as abandoned while a live one does not.
 */
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db/database";
import { insertLockRow } from "~/db/fix-locks";
import { takeAccountSlot, targetAbandoned, targetLeaseKey, tryLease } from "~/workers/leases";
import { openTestDatabase } from "../helpers/postgres";

describe("worker leases on PostgreSQL", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("gives an account no more slots than its cap: the third taker waits for a release", async () => {
    const first = await takeAccountSlot(db, "111111111111", 2, 20);
    const second = await takeAccountSlot(db, "111111111111", 2, 20);
    let third: (() => Promise<void>) | undefined;
    const waiting = takeAccountSlot(db, "111111111111", 2, 20).then((release) => (third = release));
    // Another account is not held up by this one's cap.
    const other = await takeAccountSlot(db, "222222222222", 2, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(third).toBeUndefined();
    await first();
    await waiting;
    expect(third).toBeDefined();
    await Promise.all([second(), third!(), other()]);
  });

  it("reads a target as abandoned when its holder's process is gone or its lease ran out, not while its worker holds it", async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const now = new Date().toISOString();
    await insertLockRow(db, { lockKey: targetLeaseKey("dead-pid"), holder: `${os.hostname()}:2147483646:x`, acquiredAt: now, expiresAt: soon });
    await insertLockRow(db, {
      lockKey: targetLeaseKey("expired"),
      holder: "another-host:1:x",
      acquiredAt: now,
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await insertLockRow(db, { lockKey: targetLeaseKey("remote-live"), holder: "another-host:1:x", acquiredAt: now, expiresAt: soon });
    const mine = await tryLease(db, targetLeaseKey("held-here"));
    expect(await targetAbandoned(db, "dead-pid")).toBe(true);
    expect(await targetAbandoned(db, "expired")).toBe(true);
    expect(await targetAbandoned(db, "remote-live")).toBe(false);
    expect(await targetAbandoned(db, "held-here")).toBe(false);
    await mine!();
  });
});

/**
 * The sign-in throttle's counts in the database, on both engines, through two
 * handles on one database (as two replicas hold it): attempts racing on both
 * count against one budget, windows end after 15 minutes and are pruned.
 */
import { describe, expect, it } from "vitest";
import { attemptWindow, pruneAttempts } from "~/db/sign-in-throttle";
import { claimSignInAttempt, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, recordSuccess, WINDOW_MS } from "~/auth/sign-in-throttle.server";
import { ENGINES, twoHandles } from "../helpers/postgres";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");

describe.each(ENGINES)("sign-in throttle in the database (%s)", (engine) => {
  const db = twoHandles(engine);

  it("lets exactly five of twenty simultaneous attempts on one username through, across both handles, the rest told when to retry", async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimSignInAttempt(i % 2 ? db.a : db.b, { username: "olivia", address: undefined }, T0)),
    );
    const through = claims.filter((c) => c.waitMs === 0);
    expect(through).toHaveLength(MAX_FAILURES);
    for (const refused of claims.filter((c) => c.waitMs > 0)) {
      expect(refused.waitMs).toBe(WINDOW_MS);
      expect(refused.counted).toEqual([]);
    }
    // Refused attempts were taken back: the window holds the five that reached the password check.
    expect(await attemptWindow(db.b, "user:olivia")).toMatchObject({ failures: MAX_FAILURES });
  });

  it("counts an address on one handle and refuses it on the other after twenty", async () => {
    for (let i = 1; i <= MAX_FAILURES_PER_ADDRESS; i++) {
      expect((await claimSignInAttempt(db.a, { username: `user${i}`, address: "::ffff:203.0.113.9" }, T0)).waitMs).toBe(0);
    }
    const refused = await claimSignInAttempt(db.b, { username: "victor", address: "203.0.113.9" }, T0 + 60_000);
    expect(refused.waitMs).toBe(WINDOW_MS - 60_000);
    // The refused attempt counted against neither key.
    expect(await attemptWindow(db.a, "user:victor")).toMatchObject({ failures: 0 });
    expect((await claimSignInAttempt(db.b, { username: "victor", address: "203.0.113.10" }, T0 + 60_000)).waitMs).toBe(0);
  });

  it("starts a window again once 15 minutes since its first attempt are over", async () => {
    for (let i = 0; i < MAX_FAILURES; i++) await claimSignInAttempt(db.a, { username: "olivia", address: undefined }, T0);
    expect((await claimSignInAttempt(db.b, { username: "olivia", address: undefined }, T0 + WINDOW_MS - 1)).waitMs).toBe(1);
    const later = await claimSignInAttempt(db.b, { username: "olivia", address: undefined }, T0 + WINDOW_MS);
    expect(later.waitMs).toBe(0);
    expect(await attemptWindow(db.a, "user:olivia")).toEqual({ startedAt: new Date(T0 + WINDOW_MS).toISOString(), failures: 1 });
  });

  it("a right password clears the username's count and takes its attempt back from the address, keeping the address's earlier failures", async () => {
    const address = "198.51.100.7";
    await claimSignInAttempt(db.a, { username: "mallory", address }, T0);
    await claimSignInAttempt(db.a, { username: "olivia", address }, T0);
    const right = await claimSignInAttempt(db.b, { username: "olivia", address }, T0 + 1);
    await recordSuccess(db.b, right);
    expect(await attemptWindow(db.a, "user:olivia")).toBeUndefined();
    expect(await attemptWindow(db.a, `address:${address}`)).toMatchObject({ failures: 2 });
  });

  it("prunes only the windows that ended", async () => {
    await claimSignInAttempt(db.a, { username: "old", address: undefined }, T0);
    await claimSignInAttempt(db.a, { username: "new", address: undefined }, T0 + 60_000);
    expect(await pruneAttempts(db.b, new Date(T0 + 30_000).toISOString())).toBe(1);
    expect(await attemptWindow(db.a, "user:old")).toBeUndefined();
    expect(await attemptWindow(db.a, "user:new")).toMatchObject({ failures: 1 });
  });
});

/**
 * One-time sign-in tokens in the database, on both engines, through two
 * handles on one database (as two replicas hold it): a token issued on one
 * signs in once on the other, once even when both redeem it at the same moment.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "~/db/database";
import { countOneTimeTokens } from "~/db/one-time-tokens";
import { issueOneTimeToken, ONE_TIME_TOKEN_LIFETIME_MS, redeemOneTimeToken } from "~/auth/one-time-token.server";
import { ENGINES, testDatabaseTarget, type TestDatabase } from "../helpers/postgres";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");

describe.each(ENGINES)("one-time sign-in tokens in the database (%s)", (engine) => {
  let target: TestDatabase;
  let a: Db;
  let b: Db;
  beforeEach(async () => {
    target = await testDatabaseTarget(engine);
    a = await openDatabase(target.url);
    b = await openDatabase(target.url);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await target.drop();
  });

  it("redeems a token issued on one handle on the other, once", async () => {
    const token = await issueOneTimeToken(a, T0);
    expect(await redeemOneTimeToken(b, token, T0 + 1000)).toBe(true);
    expect(await redeemOneTimeToken(a, token, T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(b, token, T0 + 2000)).toBe(false);
    expect(await countOneTimeTokens(a)).toBe(0);
  });

  it("of twelve simultaneous redemptions of one token on both handles, exactly one succeeds", async () => {
    const token = await issueOneTimeToken(a, T0);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => redeemOneTimeToken(i % 2 ? a : b, token, T0 + 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("keeps every start's token good (each replica prints its own) and refuses a made-up or empty one", async () => {
    const first = await issueOneTimeToken(a, T0);
    const second = await issueOneTimeToken(b, T0 + 1000);
    expect(await redeemOneTimeToken(a, "guess", T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(a, "", T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(a, second, T0 + 2000)).toBe(true);
    expect(await redeemOneTimeToken(b, first, T0 + 2000)).toBe(true);
  });

  it("refuses a token once its lifetime is over, and the next issue prunes it", async () => {
    const stale = await issueOneTimeToken(a, T0);
    expect(await redeemOneTimeToken(b, stale, T0 + ONE_TIME_TOKEN_LIFETIME_MS)).toBe(false);
    expect(await countOneTimeTokens(a)).toBe(1);
    await issueOneTimeToken(b, T0 + ONE_TIME_TOKEN_LIFETIME_MS);
    expect(await countOneTimeTokens(a)).toBe(1);
    expect(await redeemOneTimeToken(a, stale, T0)).toBe(false);
  });
});

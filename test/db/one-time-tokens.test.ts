/**
 * One-time sign-in tokens in the database, on both engines, through two
 * handles on one database (as two replicas hold it): a token issued on one
 * signs in once on the other, once even when both redeem it at the same moment.
 */
import { describe, expect, it } from "vitest";
import { countOneTimeTokens } from "~/db/one-time-tokens";
import { issueOneTimeToken, ONE_TIME_TOKEN_LIFETIME_MS, redeemOneTimeToken } from "~/auth/one-time-token.server";
import { ENGINES, twoHandles } from "../helpers/postgres";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");

describe.each(ENGINES)("one-time sign-in tokens in the database (%s)", (engine) => {
  const db = twoHandles(engine);

  it("redeems a token issued on one handle on the other, once", async () => {
    const token = await issueOneTimeToken(db.a, T0);
    expect(await redeemOneTimeToken(db.b, token, T0 + 1000)).toBe(true);
    expect(await redeemOneTimeToken(db.a, token, T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(db.b, token, T0 + 2000)).toBe(false);
    expect(await countOneTimeTokens(db.a)).toBe(0);
  });

  it("of twelve simultaneous redemptions of one token on both handles, exactly one succeeds", async () => {
    const token = await issueOneTimeToken(db.a, T0);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => redeemOneTimeToken(i % 2 ? db.a : db.b, token, T0 + 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("keeps every start's token good (each replica prints its own) and refuses a made-up or empty one", async () => {
    const first = await issueOneTimeToken(db.a, T0);
    const second = await issueOneTimeToken(db.b, T0 + 1000);
    expect(await redeemOneTimeToken(db.a, "guess", T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(db.a, "", T0 + 2000)).toBe(false);
    expect(await redeemOneTimeToken(db.a, second, T0 + 2000)).toBe(true);
    expect(await redeemOneTimeToken(db.b, first, T0 + 2000)).toBe(true);
  });

  it("refuses a token once its lifetime is over, and the next issue prunes it", async () => {
    const stale = await issueOneTimeToken(db.a, T0);
    expect(await redeemOneTimeToken(db.b, stale, T0 + ONE_TIME_TOKEN_LIFETIME_MS)).toBe(false);
    expect(await countOneTimeTokens(db.a)).toBe(1);
    await issueOneTimeToken(db.b, T0 + ONE_TIME_TOKEN_LIFETIME_MS);
    expect(await countOneTimeTokens(db.a)).toBe(1);
    expect(await redeemOneTimeToken(db.a, stale, T0)).toBe(false);
  });
});

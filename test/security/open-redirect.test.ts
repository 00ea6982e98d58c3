/**
 * After a genuine sign-in the browser goes only to a path on this dashboard:
 * every off-site form of redirectTo (as typed in the query, and as it arrives
 * decoded in the form) lands on "/", and none of them is a 500.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AppLoadContext } from "@remix-run/node";
import * as signInRoute from "~/routes/sign-in";
import { configureUsers, get, respond, signedIn, signInWithPassword } from "./sign-in-harness";

/** redirectTo values as the route sees them (already decoded once from the query or form). */
const OFF_SITE = [
  "//evil.example/steal",
  "/\\evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/\u0000/evil.example",
  "https:evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "/%09/evil.example",
  "/%0a/evil.example",
  "%2F%2Fevil.example",
  "/%2F%2Fevil.example",
  "/%2Fevil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/a/..//evil.example",
  "/%2e%2e//evil.example",
  "/%E0%A4%A",
  " /evil.example",
  "/sign-in?redirectTo=//evil.example",
  "/sign-out",
  "/" + "a".repeat(5000),
];

/** The same attacks as a link carries them in the query, percent-encoded once (or not at all). */
const RAW_QUERIES = ["/%09/evil.example", "%2F%2Fevil.example", "/%5Cevil.example", "%2F%09%2Fevil.example", "/%0d%0a/evil.example", "https:evil.example"];

const noContext = {} as AppLoadContext;

beforeAll(() => configureUsers());

describe("redirectTo after a password sign-in", () => {
  it.each(OFF_SITE)("sends %j to /", async (redirectTo) => {
    const response = await signInWithPassword("olivia", "correct horse", redirectTo);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it("keeps a same-origin page with its query and fragment", async () => {
    const response = await signInWithPassword("olivia", "correct horse", "/findings?severity=high&q=a%2Fb#top");
    expect(response.headers.get("location")).toBe("/findings?severity=high&q=a%2Fb#top");
  });

  it("percent-encodes what a browser would (spaces, non-ASCII) instead of failing", async () => {
    const response = await signInWithPassword("olivia", "correct horse", "/findings?q=café au lait");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/findings?q=caf%C3%A9%20au%20lait");
  });
});

describe("redirectTo in the sign-in page's link", () => {
  it.each(RAW_QUERIES)("sends an already signed-in visitor of ?redirectTo=%s to /", async (raw) => {
    const { cookie } = await signedIn("victor", "viewer pass");
    const response = await respond(() => signInRoute.loader({ request: get(`/sign-in?redirectTo=${raw}`, cookie), context: noContext, params: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it.each(RAW_QUERIES)("puts / in the sign-in form for ?redirectTo=%s (never a 500)", async (raw) => {
    const response = await respond(() => signInRoute.loader({ request: get(`/sign-in?redirectTo=${raw}`), context: noContext, params: {} }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ redirectTo: "/" });
  });
});

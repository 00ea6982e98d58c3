/**
 * What built dashboards (`tsx scripts/serve.ts`, as deployed) on one
 * PostgreSQL share beyond fixes and scans (issue 16 item 2): the sign-in
 * throttle counts attempts made on either replica against one budget; a
 * one-time link printed by one replica signs in once on any, once even when
 * both are asked at the same moment; "Scan now" on one replica shows its
 * progress, as it moves, on the other's scan status and overview.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ONE_TIME_LINK_USERNAME } from "~/auth/user.server";
import type { ScanStatus } from "~/dashboard/types";
import { buildOnce, REPO_ROOT, startDashboard, twoUsersEnv, type RunningDashboard } from "../browser/harness";
import { createPostgresDatabase, type TestDatabase } from "../helpers/postgres";
import { cookieIn, csrfOf, postForm, send, tryPassword } from "../helpers/http";

const SECRET = { QBR_SESSION_SECRET: "the-same-secret-on-every-replica" };

/** Two replicas on one new PostgreSQL database, started at once; stopped and dropped by the returned function. */
async function twoReplicas(env: Record<string, string>): Promise<{ a: RunningDashboard; b: RunningDashboard; stop: () => Promise<void> }> {
  await buildOnce();
  const target: TestDatabase = await createPostgresDatabase();
  const shared = { ...SECRET, ...env, QBR_DATABASE_URL: target.url };
  const [a, b] = await Promise.all([startDashboard(shared), startDashboard(shared)]);
  return {
    a,
    b,
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
      await target.drop();
    },
  };
}

describe("two replicas with configured users", () => {
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;
  beforeAll(async () => {
    replicas = await twoReplicas(await twoUsersEnv());
  }, 240_000);
  afterAll(() => replicas?.stop());

  it("count wrong passwords on either replica against one budget: the sixth attempt is refused on both, with Retry-After", async () => {
    const { a, b } = replicas;
    for (const [replica, guess] of [
      [a, 1],
      [b, 2],
      [a, 3],
      [b, 4],
      [a, 5],
    ] as const) {
      expect((await tryPassword(replica.url, "olivia", `guess ${guess}`)).status).toBe(401);
    }
    for (const replica of [b, a]) {
      const refused = await tryPassword(replica.url, "olivia", "correct horse");
      expect(refused.status).toBe(429);
      expect(refused.body).toContain("Too many failed sign-in attempts; try again in 15 minutes");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(14 * 60);
    }
    // Another user behind the same address is not locked out.
    expect((await tryPassword(b.url, "victor", "viewer pass")).status).toBe(302);
  }, 60_000);
});

describe("two replicas without users, on a slowed local AWS", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-replica-scan-"));
  const slowFleet = path.join(dir, "slow-demo-fleet.json");
  let replicas: Awaited<ReturnType<typeof twoReplicas>>;
  const tokenOf = (r: RunningDashboard) => new URL(r.signInUrl!).searchParams.get("token")!;
  /** The session the first test signed in on B (both printed links are spent after the second). */
  let session = "";

  beforeAll(async () => {
    const demo = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "app/local-aws/fixtures/demo-fleet.json"), "utf8")) as Record<string, unknown>;
    // 800 ms a call: a scan of the demo fleet takes long enough (about 20 s) for the other replica's 2-second poll to see it move.
    fs.writeFileSync(slowFleet, JSON.stringify({ ...demo, faults: { latencyMs: 800 } }));
    replicas = await twoReplicas({ QBR_FIXTURE: slowFleet });
  }, 240_000);
  afterAll(async () => {
    await replicas?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sign in with the link replica A printed on replica B, once: A then refuses it", async () => {
    const { a, b } = replicas;
    const onB = await send(`${b.url}/sign-in?token=${tokenOf(a)}`);
    expect(onB.status).toBe(302);
    session = cookieIn(onB.headers);
    // Signed in: the session works on A as well (sessions are shared).
    expect(await csrfOf(a.url, session)).not.toBe("");
    const again = await send(`${a.url}/sign-in?token=${tokenOf(a)}`);
    expect(again.status).toBe(403);
    // Whatever cookie the refusal carries (the sign-in page's anonymous session) signs nobody in.
    const page = await send(`${a.url}/activity`, { headers: { cookie: cookieIn(again.headers) } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/^\/sign-in/);
    expect(again.body).toContain("This sign-in link has already been used or is not valid.");
  });

  it("sign in once with replica B's link asked of both replicas at the same moment", async () => {
    const { a, b } = replicas;
    const answers = await Promise.all([a, b].map((r) => send(`${r.url}/sign-in?token=${tokenOf(b)}`)));
    expect(answers.map((x) => x.status).sort()).toEqual([302, 403]);
  });

  it("show replica A's 'Scan now' on replica B's scan status and overview while it runs, then its end", async () => {
    const { a, b } = replicas;
    const cookie = session;
    expect(cookie, "the first test signed in").not.toBe("");
    await waitUntil(async () => (await scanOn(a, cookie)).state !== "running" && (await scanOn(b, cookie)).state !== "running", 150_000);
    const started = await postForm(a.url, "/scan", { csrfToken: await csrfOf(a.url, cookie) }, cookie);
    expect(started.status).toBe(202);
    const startedAt = (JSON.parse(started.body) as { scan: ScanStatus }).scan.startedAt;

    const seen: ScanStatus[] = [];
    let overview = "";
    await waitUntil(async () => {
      const status = await scanOn(b, cookie);
      if (status.startedAt !== startedAt) return false;
      seen.push(status);
      if (status.state === "running" && !overview) overview = (await send(`${b.url}/`, { headers: { cookie } })).body;
      return status.state !== "running";
    }, 120_000);
    const running = seen.filter((s) => s.state === "running");
    // It moves: B shows more and more of A's API calls as the scan goes.
    expect(new Set(running.map((s) => s.apiCalls)).size).toBeGreaterThanOrEqual(2);
    expect(running.at(-1)!.apiCalls).toBeGreaterThan(running[0]!.apiCalls);
    expect(overview).toContain('data-testid="scan-counters"');
    const end = seen.at(-1)!;
    expect(end).toMatchObject({ state: "finished", startedBy: ONE_TIME_LINK_USERNAME });
    expect(end.auditId).not.toBeNull();
  }, 300_000);
});

async function scanOn(replica: RunningDashboard, cookie: string): Promise<ScanStatus> {
  const answer = await send(`${replica.url}/scan`, { headers: { cookie } });
  if (answer.status !== 200) throw new Error(`GET /scan on ${replica.url}: ${answer.status}`);
  return JSON.parse(answer.body) as ScanStatus;
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

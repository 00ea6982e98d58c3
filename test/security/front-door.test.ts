/**
 * The dashboard's front door, on the server as `npm start` runs it, over real
 * HTTP: request bodies bounded per route before sign-in and before parsing
 * (four 150 MB posts to /sign-in refused with 413 while the server's memory
 * barely moves), cross-site posts refused with 403 and the reason (scheme,
 * host and port compared), and Retry-After on a throttled sign-in.
 */
import http from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, startDashboard, twoUsersEnv, type RunningDashboard } from "../browser/harness";
import { cookieIn, send, signInPage } from "../helpers/http";

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(MB, "a");

/** Resident memory of every process in the group (tsx and the node process it runs), in bytes. */
function groupRss(group: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) continue; // field 5 of stat: process group
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      total += rss ? Number(rss[1]) * 1024 : 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

interface Answer {
  status: number;
  body: string;
}

/**
 * POSTs `megabytes` of "a" to `url` (declaring its length, or chunked), and
 * resolves with the answer the server sent, even when it then cuts the
 * connection on the rest of the upload.
 */
function postLarge(url: string, megabytes: number, options: { declareLength: boolean; path?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (options.declareLength) headers["content-length"] = String(megabytes * MB);
    const req = http.request(url, { method: "POST", headers });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
      res.on("error", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const write = () => {
      while (sent < megabytes) {
        sent += 1;
        if (req.destroyed) return;
        if (!req.write(CHUNK)) {
          req.once("drain", write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const post = (url: string, body: string, headers: Record<string, string>) => send(url, { method: "POST", body, headers });

/** Signs in over HTTP as a browser without JavaScript does; the session's cookie and CSRF token. */
async function signInOverHttp(base: string, username: string, password: string) {
  const page = await signInPage(base);
  const body = new URLSearchParams({ csrfToken: page.csrf, username, password, redirectTo: "/" }).toString();
  const answer = await post(`${base}/sign-in`, body, { ...FORM, cookie: page.cookie, origin: base });
  if (answer.status !== 302) throw new Error(`sign-in answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  const cookie = cookieIn(answer.headers);
  const home = await send(`${base}/sign-in`, { headers: { cookie } });
  // Signed in: /sign-in sends the browser on; the token is on every page's forms (the sign-out form).
  const page2 = await send(`${base}/activity`, { headers: { cookie } });
  const csrf = /name="csrfToken" value="([^"]+)"/.exec(page2.body)?.[1];
  if (home.status !== 302 || !csrf) throw new Error("not signed in after sign-in");
  return { cookie, csrf };
}

describe("the dashboard server's front door", () => {
  let dashboard: RunningDashboard;
  beforeAll(async () => {
    await buildOnce();
    dashboard = await startDashboard(await twoUsersEnv());
  });
  afterAll(() => dashboard?.stop());

  it("refuses four concurrent 150 MB sign-in posts with 413 while the server grows by less than 100 MB", async () => {
    // Warm up the sign-in route first, so what is measured is the posts, not the first render.
    await post(`${dashboard.url}/sign-in`, "username=a&password=b", FORM);
    const before = groupRss(dashboard.processGroup);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, groupRss(dashboard.processGroup))), 25);
    try {
      const answers = await Promise.all([
        postLarge(`${dashboard.url}/sign-in`, 150, { declareLength: true }),
        postLarge(`${dashboard.url}/sign-in`, 150, { declareLength: true }),
        postLarge(`${dashboard.url}/sign-in`, 150, { declareLength: false }),
        postLarge(`${dashboard.url}/sign-in`, 150, { declareLength: false }),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(413);
        expect(answer.body).toBe("Request body too large: /sign-in accepts at most 64 KB. Nothing was read or changed.");
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, groupRss(dashboard.processGroup));
    console.log(`server RSS ${Math.round(before / MB)} MB before, ${Math.round(peak / MB)} MB at most during the posts`);
    expect(peak - before).toBeLessThan(100 * MB);
  }, 120_000);

  it("refuses a chunked body on a form route once it passes 64 KB, and the server still answers afterwards", async () => {
    const answer = await postLarge(`${dashboard.url}/sign-out`, 1, { declareLength: false });
    expect(answer.status).toBe(413);
    const res = await new Promise<number>((resolve, reject) => http.get(`${dashboard.url}/healthz`, (r) => resolve(r.statusCode!)).on("error", reject));
    expect(res).toBe(200);
  });

  it("lets a small sign-in post through to the route (wrong token: 403, not 413)", async () => {
    const answer = await post(`${dashboard.url}/sign-in`, "username=olivia&password=x", FORM);
    expect(answer.status).toBe(403);
  });

  it("lets the re-upload route take more than a form's 64 KB (signed out: sent to sign-in, not refused as too large)", async () => {
    const answer = await postLarge(`${dashboard.url}/fix/reupload-files?accountId=1&region=r&applicationId=a&indexId=i`, 2, { declareLength: true });
    expect(answer.status).toBe(302);
  });

  describe("cross-site posts", () => {
    const rolePage = "/fix/patch-role-policy?accountId=111122223333&roleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FQBusinessWebRole";

    it.each([
      ["another site", "https://evil.example"],
      ["an https page on this host and port (the site is http)", "HTTPS_SELF"],
      ["another port on this host", "OTHER_PORT"],
      ["a sandboxed page", "null"],
    ])("answers a fix apply from %s with 403 and the reason, not an empty 500", async (_what, originKind) => {
      const olivia = await signInOverHttp(dashboard.url, "olivia", "correct horse");
      const self = new URL(dashboard.url);
      const origin =
        originKind === "HTTPS_SELF" ? `https://${self.host}` : originKind === "OTHER_PORT" ? `http://${self.hostname}:${Number(self.port) + 1}` : originKind;
      const body = new URLSearchParams({ csrfToken: olivia.csrf, intent: "apply", planHash: "0".repeat(64) }).toString();
      for (const target of [rolePage, rolePage.replace("?", ".data?")]) {
        const answer = await post(`${dashboard.url}${target}`, body, { ...FORM, cookie: olivia.cookie, origin });
        expect(answer.status, target).toBe(403);
        expect(answer.body, target).toContain(
          `Cross-site request refused: its Origin "${origin}" is not this dashboard (${dashboard.url}). Nothing was changed.`,
        );
      }
    });

    it("lets the same origin through to the route (which then reads the form)", async () => {
      const olivia = await signInOverHttp(dashboard.url, "olivia", "correct horse");
      const body = new URLSearchParams({ csrfToken: olivia.csrf, intent: "apply" }).toString();
      const answer = await post(`${dashboard.url}${rolePage}`, body, { ...FORM, cookie: olivia.cookie, origin: dashboard.url });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("planHash");
    });
  });

  it("says when to try again (Retry-After) on a throttled sign-in, with and without JavaScript", async () => {
    for (let i = 1; i <= 5; i++) {
      const page = await signInPage(dashboard.url);
      const body = new URLSearchParams({ csrfToken: page.csrf, username: "victor", password: `guess ${i}` }).toString();
      expect((await post(`${dashboard.url}/sign-in`, body, { ...FORM, cookie: page.cookie })).status).toBe(401);
    }
    for (const target of ["/sign-in", "/sign-in.data"]) {
      const page = await signInPage(dashboard.url);
      const body = new URLSearchParams({ csrfToken: page.csrf, username: "victor", password: "viewer pass" }).toString();
      const answer = await post(`${dashboard.url}${target}`, body, { ...FORM, cookie: page.cookie });
      expect(answer.status, target).toBe(429);
      expect(Number(answer.headers["retry-after"]), target).toBeGreaterThan(14 * 60);
      expect(answer.body, target).toContain("Too many failed sign-in attempts; try again in 15 minutes");
    }
  });
});

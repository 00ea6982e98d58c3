/**
 * The bench's load phase (issue 10, item 8): the built dashboard served on a
 * loopback port against a database holding the large audit, signed in as an
 * operator, and 1000 requests over 200 concurrent connections on the
 * overview and on the findings page (autocannon), each run bounded in time,
 * while scans run (a demo-fleet audit at a time in a child process, as the
 * dashboard's "Scan now" allows one, into a database of its own so the large
 * audit stays the latest). Reports p50/p99/max latency, requests, errors and
 * timeouts per page, and the HTML size of the findings page at several
 * filters (issue 11: under 150 KB at any filter).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { AUDIT_NODE_FLAGS } from "../audit/node-flags";
import { hashPassword } from "../auth/password.server";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const LOAD_PAGES = { overview: "/", findings: "/findings" } as const;
export type LoadPage = keyof typeof LOAD_PAGES;

export interface LoadOptions {
  connections: number;
  /** Requests per page: every one is answered or times out, so slow answers count (a duration would drop them). */
  requests: number;
  /** Seconds per page at most: the run is stopped then (durationS in the results says how long it took). */
  maxDurationS: number;
  /** A request unanswered after this many seconds counts as a timeout. */
  timeoutS: number;
  /** Audits run one after another in a child process while each page is loaded. */
  scans: boolean;
}

export const DEFAULT_LOAD: LoadOptions = { connections: 200, requests: 1000, maxDurationS: 120, timeoutS: 20, scans: true };

export interface PageLoad {
  path: string;
  connections: number;
  /** How long the run took, s. */
  durationS: number;
  /** Stopped at maxDurationS before every request was answered. */
  stoppedEarly: boolean;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** Connection errors and timeouts (autocannon's errors, which include timeouts). */
  errors: number;
  timeouts: number;
  /** Answers that were not 2xx (a redirect to sign-in would show here). */
  non2xx: number;
  /** Scans that ran to the end while this page was loaded (0 when scans were off). */
  scansCompleted?: number;
}

export type LoadResults = Record<LoadPage, PageLoad>;

/** One page's HTML as served (bytes of the body, uncompressed). */
export interface PageSize {
  path: string;
  bytes: number;
}

export interface LoadRun {
  pages: LoadResults;
  html: PageSize[];
}

interface Server {
  base: string;
  stop(): Promise<void>;
}

/** `npm run build` (the load measures the production build of the current code), unless QBR_BENCH_SKIP_BUILD=1. */
function build(log: (line: string) => void): void {
  if (process.env.QBR_BENCH_SKIP_BUILD === "1") return;
  log("load: npm run build…");
  const result = spawnSync("npm", ["run", "build"], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
}

function stopGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 5000);
  return exited.then(() => clearTimeout(timer));
}

/** `tsx scripts/serve.ts` on 127.0.0.1 with one operator, in its own process group; resolves once it listens. */
export async function startServer(db: string, operator: string): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  // Never real AWS or someone's configured users: the bench's own settings only.
  for (const name of Object.keys(env)) if (/^(AWS_|QBR_)|^(PORT|HOST)$/.test(name)) delete env[name];
  Object.assign(env, { PORT: "0", HOST: "127.0.0.1", QBR_DB: db, QBR_OPERATORS: operator, QBR_SESSION_SECRET: randomBytes(24).toString("hex") });
  // QBR_BENCH_CPU_PROFILE=dir: the server's CPU profile, written there when it stops (where does a request's time go?).
  const profileDir = process.env.QBR_BENCH_CPU_PROFILE;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, ["--import", "tsx", ...profile, "scripts/serve.ts"], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const started = Date.now();
  for (;;) {
    const base = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (base) return { base, stop: () => stopGroup(child, exited) };
    if (child.exitCode !== null || Date.now() - started > 120_000) {
      await stopGroup(child, exited);
      throw new Error(`the dashboard did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0];

/** Signs in as a browser without JavaScript does (sign-in page's CSRF token, then the form); the session cookie. */
export async function signIn(base: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${base}/sign-in`);
  const csrf = /name="csrfToken" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error("no CSRF token on the sign-in page");
  const answer = await fetch(`${base}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieOf(page), origin: base },
    body: new URLSearchParams({ csrfToken: csrf, username, password, redirectTo: "/" }).toString(),
  });
  if (answer.status !== 302) throw new Error(`sign-in answered ${answer.status}: ${(await answer.text()).slice(0, 200)}`);
  return cookieOf(answer);
}

/** `options.requests` requests of one page over `options.connections` concurrent connections, for at most `options.maxDurationS`. */
export async function loadPage(url: string, cookie: string, options: LoadOptions): Promise<PageLoad> {
  let stoppedEarly = false;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: options.connections, amount: options.requests, timeout: options.timeoutS, headers: { cookie } },
      (error, done) => {
        clearTimeout(watchdog);
        if (error) reject(error);
        else resolve(done);
      },
    );
    const watchdog = setTimeout(() => {
      stoppedEarly = true;
      instance.stop();
    }, options.maxDurationS * 1000);
  });
  return {
    path: new URL(url).pathname,
    connections: options.connections,
    durationS: Math.round(result.duration * 10) / 10,
    stoppedEarly,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Scans one after another (the demo fleet, embedded local AWS, a child process) until stopped; how many finished. */
function startScans(dir: string): { stop(): Promise<number> } {
  let stopped = false;
  let finished = 0;
  let current: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  const loop = async () => {
    while (!stopped) {
      const child = spawn(
        process.execPath,
        [
          // As `npm run audit` runs it: from the build (ADR 0017), which `npm run bench` makes first.
          ...AUDIT_NODE_FLAGS,
          "build/cli/scripts/audit.js",
          "--fixture",
          "app/local-aws/fixtures/demo-fleet.json",
          "--db",
          `${dir}/scans.sqlite`,
          "--out",
          `${dir}/scan.json`,
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, NODE_ENV: "production" }, detached: true, stdio: "ignore" },
      );
      const exited = new Promise((resolve) => child.once("exit", resolve));
      current = { child, exited };
      const code = await exited;
      if (!stopped && (code === 0 || code === 1)) finished++;
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      if (current) await stopGroup(current.child, current.exited);
      await running;
      return finished;
    },
  };
}

/** The findings page at the filters an admin reaches on a large fleet, and the overview: their HTML sizes. */
export async function pageSizes(base: string, cookie: string): Promise<PageSize[]> {
  const paths = [
    "/",
    "/?sort=name&page=3",
    "/findings",
    "/findings?status=all",
    "/findings?status=all&sort=first-seen&dir=desc",
    "/findings?status=all&sort=application&page=100",
    "/findings?status=all&page=9999",
    "/findings?status=pass",
    "/findings?q=arn%3Aaws%3Aiam",
  ];
  const sizes: PageSize[] = [];
  for (const page of paths) {
    const response = await fetch(`${base}${page}`, { headers: { cookie } });
    if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
    sizes.push({ path: page, bytes: (await response.arrayBuffer()).byteLength });
  }
  return sizes;
}

/** The load phase on `db` (a database holding the large audit). */
export async function runLoad(db: string, log: (line: string) => void, options: LoadOptions = DEFAULT_LOAD): Promise<LoadRun> {
  build(log);
  const password = randomBytes(12).toString("hex");
  const server = await startServer(db, `bench:${await hashPassword(password)}`);
  const scanDir = mkdtempSync(path.join(tmpdir(), "qbr-bench-scans-"));
  try {
    const cookie = await signIn(server.base, "bench", password);
    const html = await pageSizes(server.base, cookie);
    for (const p of html) log(`load: ${p.path}: ${(p.bytes / 1024).toFixed(1)} KB of HTML`);
    const results = {} as LoadResults;
    for (const [page, pagePath] of Object.entries(LOAD_PAGES) as [LoadPage, string][]) {
      // One warm-up request, so the first render (module loading) is not what is measured.
      await fetch(`${server.base}${pagePath}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
      log(`load: ${options.requests} requests over ${options.connections} connections on ${pagePath}${options.scans ? " while scans run" : ""}…`);
      const scans = options.scans ? startScans(scanDir) : undefined;
      results[page] = await loadPage(`${server.base}${pagePath}`, cookie, options);
      const r = results[page];
      if (scans) r.scansCompleted = await scans.stop();
      log(
        `load: ${pagePath}: ${r.durationS} s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms, ${r.requests} requests, ${r.errors} errors, ${r.timeouts} timeouts` +
          (scans ? `, ${r.scansCompleted} scans finished meanwhile` : ""),
      );
    }
    return { pages: results, html };
  } finally {
    await server.stop();
    rmSync(scanDir, { recursive: true, force: true });
  }
}

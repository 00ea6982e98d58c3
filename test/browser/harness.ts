/**
 * Runs the dashboard as `npm start` does (Remix build, then tsx scripts/serve.ts)
 * on a free port with a temporary database, reads the URLs it prints, and
 * drives Debian's Chromium through playwright-core. Never downloads a browser.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { hashPassword } from "~/auth/password.server";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ARTIFACTS_DIR = path.join(REPO_ROOT, "test-artifacts");

const BUILD_LOCK = path.join(REPO_ROOT, ".cache", "qbr-build.lock");
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsFresh(): boolean {
  try {
    const built = statSync(path.join(REPO_ROOT, "build/index.js")).mtimeMs;
    const sources = Math.max(newestMtime(path.join(REPO_ROOT, "app")), statSync(path.join(REPO_ROOT, "remix.config.js")).mtimeMs);
    return built > sources;
  } catch {
    return false;
  }
}

/**
 * `npm run build`, unless the build is newer than every file under app/. Test
 * files run in parallel: a lock directory makes them build one at a time, so a
 * running server never sees its assets rewritten under it by a twin build.
 */
export async function buildOnce(): Promise<void> {
  mkdirSync(path.dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + 3 * 60_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      } catch {
        // the holder just released it
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the build lock ${BUILD_LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (buildIsFresh()) return;
    const result = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface RunningDashboard {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The one-time sign-in link it printed (built-in auth without users), if any. */
  signInUrl?: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Its process group (tsx and the node process serving), for measuring it. */
  processGroup: number;
  stop(): Promise<void>;
}

/** Environment variables that would select real AWS or configured users: removed unless the test sets them. */
const INHERITED_CONFIG = /^(AWS_|QBR_)|^(PORT|HOST)$/;

/** This process's environment without AWS/QBR settings, on a free port of 127.0.0.1, plus `env`. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  for (const name of Object.keys(childEnv)) {
    if (INHERITED_CONFIG.test(name)) delete childEnv[name];
  }
  return { ...childEnv, PORT: "0", HOST: "127.0.0.1", ...env };
}

/**
 * Starts `tsx scripts/serve.ts` (call buildOnce first) and resolves once it
 * printed its URL (and, without users, its one-time sign-in link).
 */
export async function startDashboard(env: Record<string, string> = {}, timeoutMs = 90_000): Promise<RunningDashboard> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "qbr-dashboard-"));
  const childEnv = childEnvironment({ QBR_DB: path.join(dataDir, "history.sqlite"), ...env });

  // Own process group, so stop() ends tsx and the node process it starts, and nothing else.
  const child: ChildProcess = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/serve.ts"], {
    cwd: REPO_ROOT,
    env: childEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const wantsLink = !env.QBR_AUTH && !env.QBR_USERS_FILE && !env.QBR_OPERATORS && !env.QBR_VIEWERS;
  const started = Date.now();
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    const signInUrl = /sign in as an operator, once, with: (\S+)/.exec(output)?.[1];
    if (url && (signInUrl || !wantsLink)) return { url, signInUrl, output: () => output, processGroup: child.pid!, stop };
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`The dashboard exited before it was ready:\n${output}`);
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`The dashboard did not print its URL within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `tsx scripts/serve.ts` expecting it to refuse to start; resolves with its exit code and output. */
export function runDashboardToExit(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const childEnv = childEnvironment(env);
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/serve.ts"], { cwd: REPO_ROOT, env: childEnv, detached: true });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL");
      reject(new Error(`still running after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium (or QBR_CHROMIUM), headless, with a throwaway profile and no background traffic. */
export async function launchChromium(): Promise<Chromium> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), "qbr-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.QBR_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot to test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Reports what a page should never show: script errors, console errors, and
 * answers of HTTP 400 or more (failed loads are reported by URL through the
 * response, not by the console's "Failed to load resource").
 */
export function reportProblems(page: Page, report: (problem: string) => void): void {
  page.on("pageerror", (error) => report(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) report(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) report(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
  });
}

/** The environment of a dashboard with configured users: olivia, operator ("correct horse"), and victor, viewer ("viewer pass"). */
export async function twoUsersEnv(): Promise<Record<string, string>> {
  return {
    QBR_OPERATORS: `olivia:${await hashPassword("correct horse")}`,
    QBR_VIEWERS: `victor:${await hashPassword("viewer pass")}`,
    QBR_SESSION_SECRET: "a-test-secret-that-is-long-enough",
  };
}

/** The demo fleet's applications the fix tests open, by their pages' paths. */
export const DEMO_ACCOUNT = "111122223333";
export const DEMO_APPS = {
  hrBenefits: `/applications/${DEMO_ACCOUNT}/us-east-1/dba944ec-6bc0-4ae9-a0b3-b898a2572643`,
  engineering: `/applications/${DEMO_ACCOUNT}/us-west-2/81991b78-fc23-4ac8-95c8-e2d56acc491f`,
  travelDesk: `/applications/${DEMO_ACCOUNT}/us-west-2/2692c40a-7c9f-41be-a90f-8a6c9b1abf13`,
};
/** The travel desk's uploaded files that are older than the cutoff (re-upload fixes them). */
export const DEMO_STALE_UPLOADS = ["national_park_services_infograph.pdf", "Offsite agenda Yosemite 2025.docx"];

export interface SignedInDemo {
  dashboard: RunningDashboard;
  browser: Chromium;
  /** Signed in as an operator with the one-time link. */
  page: Page;
  /** A new folder for the files a test writes (re-uploads), removed at the end. */
  filesDir: string;
  /** What the page reported wrong (reportProblems) since the current test began: emptied before each test. */
  problems: string[];
}

/**
 * For a describe block: the built dashboard on the demo fleet and Chromium,
 * signed in with the one-time link (an operator) once the initial audit of
 * the empty database has filled the overview; stopped after the block. The
 * returned object's fields are set once its beforeAll has run.
 */
export function signedInOnDemoFleet(filesPrefix: string): SignedInDemo {
  const demo = { problems: [] as string[] } as SignedInDemo;
  beforeAll(async () => {
    demo.filesDir = mkdtempSync(path.join(tmpdir(), filesPrefix));
    await buildOnce();
    [demo.dashboard, demo.browser] = await Promise.all([startDashboard(), launchChromium()]);
    demo.page = await demo.browser.context.newPage();
    reportProblems(demo.page, (problem) => demo.problems.push(problem));
    await demo.page.goto(demo.dashboard.signInUrl!);
    // The server audits the demo fleet at start (empty database): fixes start from its findings.
    await demo.page.getByTestId("fleet-totals").waitFor({ timeout: 60_000 });
  }, 180_000);
  beforeEach(() => {
    demo.problems.length = 0;
  });
  afterAll(async () => {
    await demo.browser?.close();
    await demo.dashboard?.stop();
    if (demo.filesDir) rmSync(demo.filesDir, { recursive: true, force: true });
  });
  return demo;
}

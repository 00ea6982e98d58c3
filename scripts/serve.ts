/**
 * The dashboard server (`npm start` builds, then runs this).
 *
 * Decides once, at start, what the dashboard runs against: with no AWS
 * configuration in the environment (or with QBR_FIXTURE set) it starts the
 * local AWS in this process and points the SDK's default chain at it, so the
 * demo works out of the box; otherwise the SDK's own configuration applies.
 *
 * Env: PORT (3000), HOST (127.0.0.1), QBR_DB or QBR_DATABASE_URL (PostgreSQL,
 * also `--database-url URL`; docs/deploy/), QBR_FIXTURE, QBR_AUTH and the
 * QBR_* auth variables (app/config.server.ts), QBR_SESSION_SECRET.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AddressInfo } from "node:net";
import express from "express";
import type { ServerBuild } from "@remix-run/node";
import { ConfigError, loadConfig, setConfig, type Config } from "../app/config.server";
import { setRuntimeClock, setRuntimeInfo } from "../app/runtime.server";
import { FixtureError, startLocalAws, type LocalAws } from "../app/local-aws/index";
import { accountCredentials } from "../app/local-aws/fixture-types";
import { issueOneTimeToken } from "../app/auth/one-time-token.server";
import { requireSignInOnEveryRoute } from "../app/auth/guard.server";
import { BASE_SECURITY_HEADERS } from "../app/auth/security-headers.server";
import { createBodyLimitedRequestHandler } from "../app/auth/body-limit.server";
import { refuseCrossSiteRequests } from "../app/auth/origin.server";
import { startScanScheduler } from "../app/dashboard/scans.server";
import { dashboardDb } from "../app/dashboard/db.server";
import { describeDbTarget, isPostgresUrl, resolveDbPath } from "../app/db/database";
import { assertDatabaseWritable } from "../app/db/health";
import { startDashboardFixes } from "../app/dashboard/fixes.server";
import { checkConnection } from "../app/dashboard/connection.server";
import { targetsForFixture } from "../app/audit/targets";
import { admitRequests } from "../app/util/admission.server";

const root = fileURLToPath(new URL("..", import.meta.url));
const DEMO_FIXTURE = path.join(root, "app/local-aws/fixtures/demo-fleet.json");

/** Any of these means someone configured AWS for this process: use it rather than the demo. */
const AWS_CONFIGURATION_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
  "QBR_REGIONS",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
];

/** Starts the embedded local AWS and points the SDK default chain (app/aws/clients.ts) at it. */
async function startEmbeddedLocalAws(fixturePath: string): Promise<LocalAws> {
  const aws = await startLocalAws({ fixture: fixturePath, port: 0 });
  const accounts = aws.fleet.accounts;
  const regions = [...new Set(accounts.flatMap((account) => Object.keys(account.regions)))].sort();
  const first = accounts[0];
  if (!first) throw new Error(`${fixturePath}: the fixture has no accounts`);
  const credentials = accountCredentials(first.accountId);

  // Real AWS settings that would mix with the local keys (a session token, a profile) are dropped.
  for (const name of [
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
  ]) {
    delete process.env[name];
  }
  process.env.AWS_ENDPOINT_URL = aws.endpoint;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  process.env.AWS_REGION = regions[0] ?? "us-east-1";
  process.env.QBR_REGIONS = regions.join(",");
  // One clock (ADR 0008): scans, plans and activity are dated on the local AWS's clock, which its sync jobs carry too.
  setRuntimeClock(() => aws.clock.now());

  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  setRuntimeInfo({
    mode: "local",
    // No application count: what the dashboard counts is what the audit read (app/dashboard/counts.ts), not what the fixture holds.
    description: `${path.basename(fixturePath)}, ${plural(accounts.length, "account")} in ${regions.join(", ")}`,
  });
  return aws;
}

/** Every response carries the security headers; documents add their CSP in entry.server.tsx. */
function securityHeaders(_req: express.Request, res: express.Response, next: express.NextFunction) {
  const writeHead = res.writeHead;
  res.writeHead = function (this: express.Response, ...args: Parameters<typeof writeHead>) {
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) {
      if (!res.hasHeader(name)) res.setHeader(name, value);
    }
    // Not a page (static file, resource route, redirect): nothing may run or frame it.
    if (!res.hasHeader("Content-Security-Policy")) {
      res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
}

function printableHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * The database holds the sessions, the audits and the activity log: without
 * it the dashboard cannot sign anyone in, so a file that cannot be opened and
 * written stops the start with one line naming it (before any sign-in link is printed).
 */
async function openDatabaseOrExit(config: Config): Promise<void> {
  try {
    const db = await dashboardDb();
    assertDatabaseWritable(db);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const target = resolveDbPath(config.db);
    const where = describeDbTarget(target);
    const variable = isPostgresUrl(target) ? "QBR_DATABASE_URL" : "QBR_DB";
    console.error(`${variable}: ${message.includes(where) ? message : `the database ${where} cannot be used: ${message}`}`);
    process.exit(2);
  }
}

/** `--database-url URL` (or `--database-url=URL`) is QBR_DATABASE_URL for this process. */
function databaseUrlArgument(argv: string[]): void {
  const at = argv.findIndex((a) => a === "--database-url" || a.startsWith("--database-url="));
  if (at < 0) return;
  const value = argv[at]!.includes("=") ? argv[at]!.slice("--database-url=".length) : argv[at + 1];
  if (!value) {
    console.error("--database-url needs a postgres:// URL");
    process.exit(2);
  }
  process.env.QBR_DATABASE_URL = value;
}

/** Why the server could not listen, in one line naming the setting to change (PORT or HOST). */
function listenErrorLine(error: NodeJS.ErrnoException, config: Config): string {
  const where = `${config.host}:${config.port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return `PORT: port ${config.port} on ${config.host} is already in use (by another server): stop it, or set PORT to a free port (PORT=0 picks any).`;
    case "EACCES":
      return `PORT: this user may not listen on port ${config.port} (ports below 1024 need privileges): set PORT to 1024 or above.`;
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return `HOST: ${config.host} is not an address of this machine: set HOST to one of its addresses (127.0.0.1, 0.0.0.0 for all).`;
    default:
      return `PORT/HOST: cannot listen on ${where}: ${error.code ?? "error"}: ${error.message}`;
  }
}

async function main() {
  let config: Config;
  databaseUrlArgument(process.argv.slice(2));
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line per problem, each starting with the setting it is about.
      console.error(error.problems.join("\n"));
      process.exit(2);
    }
    throw error;
  }
  setConfig(config);
  await openDatabaseOrExit(config);

  const awsConfigured = AWS_CONFIGURATION_VARIABLES.some((name) => process.env[name]);
  let localAws: LocalAws | undefined;
  if (config.fixture || !awsConfigured) {
    localAws = await startEmbeddedLocalAws(path.resolve(config.fixture ?? DEMO_FIXTURE));
  } else {
    const where = process.env.AWS_ENDPOINT_URL ? ` at ${process.env.AWS_ENDPOINT_URL}` : "";
    const regions = process.env.QBR_REGIONS ?? process.env.AWS_REGION ?? "the SDK's default region";
    setRuntimeInfo({ mode: "aws", description: `AWS${where}, regions ${regions}` });
  }

  const buildPath = path.join(root, "build/index.js");
  const build = requireSignInOnEveryRoute((await import(pathToFileURL(buildPath).href)) as ServerBuild);

  const app = express();
  app.disable("x-powered-by");
  if (config.auth.mode === "proxy") {
    // Lets req.protocol (hence the secure cookie flag) follow X-Forwarded-Proto, but only from the proxy.
    app.set("trust proxy", config.auth.proxyAddresses);
  }
  app.use(securityHeaders);
  // Fingerprinted by the Remix build: cache for a year.
  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.use(refuseCrossSiteRequests(config));
  // Pages are rendered a few at a time, the others wait in arrival order (app/util/admission.server.ts).
  app.use(admitRequests());
  // Request bodies are bounded per route (64 KB for forms), before sign-in and before parsing.
  app.all(
    "*",
    createBodyLimitedRequestHandler({
      build,
      mode: process.env.NODE_ENV ?? "production",
      getLoadContext: (req) => ({ peerAddress: req.socket.remoteAddress }),
    }),
  );

  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) => {
      console.error(listenErrorLine(error, config));
      process.exit(2);
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${printableHost(config.host)}:${port}`;
  console.log(`qbiz-readiness dashboard listening on ${base}`);
  console.log(
    localAws
      ? `Running against the local AWS at ${localAws.endpoint} (demo data, no real AWS account).`
      : "Running against AWS (the SDK's default configuration).",
  );
  if (config.auth.mode === "builtin" && config.auth.users.length === 0) {
    const token = await issueOneTimeToken(await dashboardDb());
    console.log(`No users are configured; sign in as an operator, once, with: ${base}/sign-in?token=${token}`);
  }
  if (config.session.secretIsRandom) {
    console.log("QBR_SESSION_SECRET is not set: using a random one, so sessions end when the server restarts.");
  }

  // ── Scans: initial audit when the database has none, then every QBR_SCAN_INTERVAL_MINUTES (owned by app/dashboard). ──
  // The local fleet's other accounts are reached as the fixture lays out (AssumeRole or their own keys).
  void startScanScheduler(localAws ? { targets: targetsForFixture(localAws.fleet) } : {});
  // Fixes act where the scans read; full syncs a previous run started are followed again (modes restored).
  void startDashboardFixes(localAws ? { localAws } : {});
  // Who the credentials are, for the banner and /connection; a failure is shown there, in words, and logged in one line.
  void checkConnection().then((status) => {
    if (status.error) console.error(`AWS connection: ${status.error.code}: ${status.error.message.split("\n")[0]} (see /connection)`);
  });

  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void localAws?.close().finally(() => process.exit(0));
    if (!localAws) process.exit(0);
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error) => {
  // A fixture that does not load is a configuration problem: say which file and where, without a stack.
  if (error instanceof FixtureError) console.error(`QBR_FIXTURE: ${error.message}`);
  else console.error(error);
  process.exit(error instanceof FixtureError ? 2 : 1);
});

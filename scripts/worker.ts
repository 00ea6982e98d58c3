/**
 * npm run worker -- [--database-url postgres://…] [--concurrency N] [--json]
 *
 * A scan worker (docs/deploy/workers.md, ADR 0016): takes targets of the
 * scans that dashboards and CLIs put in the queue on the PostgreSQL database
 * (QBR_DATABASE_URL or --database-url), reads each with this machine's AWS
 * credentials (the SDK's default chain: the hub identity that may assume the
 * audit roles) and hands the result back. Runs until SIGTERM / SIGINT, then
 * finishes the targets it holds. --json: one JSON line per event on stdout.
 * Exit 2: it cannot start (no PostgreSQL, bad settings).
 */
import { parseArgs } from "node:util";
import { isPostgresUrl, resolveDbPath } from "../app/db/database";
import { WorkersUnavailableError, assertWorkersDatabase } from "../app/workers/queue";
import { startWorker, type WorkerEvent } from "../app/workers/worker";

const USAGE = "Usage: npm run worker -- [--database-url postgres://...] [--concurrency N] [--json]";

function describe(e: WorkerEvent): string {
  const what = { started: "ready for targets", "target-started": "reading", "target-done": "done", "target-failed": "failed", stopped: "stopped" }[e.event];
  return `worker ${e.worker}: ${what}${e.target ? ` ${e.target}` : ""}${e.message ? `: ${e.message}` : ""}`;
}

async function main(argv: string[]): Promise<number> {
  let values: { "database-url"?: string; concurrency?: string; json?: boolean; help?: boolean };
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { "database-url": { type: "string" }, concurrency: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (error) {
    process.stderr.write(`worker: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = values["database-url"] ?? resolveDbPath();
  if (values["database-url"] !== undefined && !isPostgresUrl(url))
    throw new WorkersUnavailableError("--database-url must be a postgres:// or postgresql:// URL");
  assertWorkersDatabase(url);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    throw new WorkersUnavailableError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}"`);
  }
  const onEvent = (e: WorkerEvent) => {
    if (values.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else process.stderr.write(`${describe(e)}\n`);
  };
  const worker = await startWorker({ databaseUrl: url, concurrency, onEvent });
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await worker.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`worker: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);

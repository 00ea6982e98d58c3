/**
 * `npm run bench -- --only workers` (issue 16.3, ADR 0016): the large fleet
 * audited by one process, then through the queue by 1, 2 and 4 worker
 * processes (`scripts/worker.ts`, each taking targets/N at a time, so the
 * fleet's targets are all in flight in every run) on one PostgreSQL
 * (QBR_BENCH_DATABASE_URL, else a throw-away server started like the
 * tests'). Every run is a full scan. The local AWS limits each account ×
 * region × operation bucket, whoever calls, so more workers cannot beat the
 * lower bound of the calls: the speed-up is at most single wall ÷ lower bound.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUDIT_NODE_FLAGS } from "../audit/node-flags";
import { runAudit } from "../audit/run";
import { startPostgres } from "../../test/helpers/postgres-server";
import { LARGE_FLEET } from "./fleets";
import { verdictDigest, type AuditRunResult } from "./measure";
import { auditInChildProcess, startEmulatorProcess, type EmulatorHandle } from "./processes";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WORKER_COUNTS = [1, 2, 4] as const;

export interface WorkersRun {
  workers: number;
  wallMs: number;
  apiCalls: number;
  throttled: number;
  /** single-process wall ÷ this run's wall. */
  speedup: number;
  sameVerdicts: boolean;
  /** Targets each worker read. */
  targetsPerWorker: number[];
}

export interface WorkersBench {
  fleet: string;
  targets: number;
  single: Pick<AuditRunResult, "wallMs" | "apiCalls" | "throttled"> & { lowerBoundMs: number };
  /** single wall ÷ the lower bound of its calls: what no number of workers can beat. */
  maxSpeedup: number;
  runs: WorkersRun[];
}

interface WorkerProcess {
  child: ChildProcess;
  done: () => number;
  ready: Promise<void>;
  exited: Promise<void>;
}

function startWorkerProcess(url: string, concurrency: number): WorkerProcess {
  // As `npm run worker` runs it: from the build (ADR 0017), which `npm run bench` makes first.
  const child = spawn(process.execPath, [...AUDIT_NODE_FLAGS, "build/cli/scripts/worker.js", "--json"], {
    cwd: ROOT,
    env: { ...process.env, QBR_DATABASE_URL: url, QBR_WORKER_CONCURRENCY: String(concurrency) },
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let done = 0;
  let readyNow: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyNow = resolve));
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    if (chunk.includes('"event":"started"')) readyNow();
    done += chunk.split('"event":"target-done"').length - 1;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, done: () => done, ready, exited };
}

async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) {
    try {
      process.kill(-w.child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await Promise.all(workers.map((w) => w.exited));
}

/** One run through the queue with `n` workers. */
async function workersRun(n: number, o: { url: string; emulator: EmulatorHandle; singleWallMs: number; digest: string }): Promise<WorkersRun> {
  const targets = o.emulator.targets.reduce((sum, t) => sum + t.regions.length, 0);
  const workers = Array.from({ length: n }, () => startWorkerProcess(o.url, Math.ceil(targets / n)));
  try {
    await Promise.all(workers.map((w) => w.ready));
    // Let the emulator's buckets refill after the previous run.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const started = performance.now();
    const run = await runAudit({
      targets: o.emulator.targets,
      endpoint: o.emulator.endpoint,
      db: o.url,
      workers: true,
      full: true,
      notify: false,
      securityHub: false,
    });
    const wallMs = performance.now() - started;
    return {
      workers: n,
      wallMs,
      apiCalls: run.inventory.stats?.apiCalls ?? 0,
      throttled: run.inventory.stats?.throttled ?? 0,
      speedup: o.singleWallMs / wallMs,
      sameVerdicts: verdictDigest(run.report) === o.digest,
      targetsPerWorker: workers.map((w) => w.done()),
    };
  } finally {
    await stopWorkers(workers);
  }
}

export async function benchWorkers(log: (line: string) => void): Promise<WorkersBench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-bench-workers-"));
  const server = process.env.QBR_BENCH_DATABASE_URL ? undefined : await startPostgres(dir);
  const url = process.env.QBR_BENCH_DATABASE_URL ?? server!.url;
  log(`workers: generating and serving the ${LARGE_FLEET.name} fleet…`);
  const emulator = await startEmulatorProcess(LARGE_FLEET);
  try {
    const single = await auditInChildProcess({
      label: "workers: one process",
      endpoint: emulator.endpoint,
      targets: emulator.targets,
      limits: LARGE_FLEET.limits,
    });
    log(
      `workers: one process ${(single.wallMs / 1000).toFixed(1)} s, ${single.apiCalls} calls, lower bound ${(single.lowerBound.lowerBoundMs / 1000).toFixed(1)} s`,
    );
    const runs: WorkersRun[] = [];
    for (const n of WORKER_COUNTS) {
      const run = await workersRun(n, { url, emulator, singleWallMs: single.wallMs, digest: single.verdictDigest ?? "" });
      log(
        `workers: ${n} worker(s) ${(run.wallMs / 1000).toFixed(1)} s, ${run.apiCalls} calls, ${run.throttled} throttled, ×${run.speedup.toFixed(2)}, targets ${run.targetsPerWorker.join("+")}`,
      );
      runs.push(run);
    }
    return {
      fleet: LARGE_FLEET.name,
      targets: emulator.targets.reduce((sum, t) => sum + t.regions.length, 0),
      single: { wallMs: single.wallMs, apiCalls: single.apiCalls, throttled: single.throttled, lowerBoundMs: single.lowerBound.lowerBoundMs },
      maxSpeedup: single.wallMs / single.lowerBound.lowerBoundMs,
      runs,
    };
  } finally {
    await emulator.close();
    server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's table for the workers part. */
export function formatWorkersTable(w: WorkersBench): string {
  const lines = [
    `Scan workers, ${w.fleet} fleet (${w.targets} targets; limits per account × region × operation): one process ${(w.single.wallMs / 1000).toFixed(1)} s, ${w.single.apiCalls} calls; lower bound ${(w.single.lowerBoundMs / 1000).toFixed(1)} s, so at most ×${w.maxSpeedup.toFixed(2)}`,
    "workers | wall s | API calls | throttled | speed-up | of the most | same verdicts | targets per worker",
    ...w.runs.map(
      (r) =>
        `${r.workers} | ${(r.wallMs / 1000).toFixed(1)} | ${r.apiCalls} | ${r.throttled} | ×${r.speedup.toFixed(2)} | ${Math.round((100 * r.speedup) / w.maxSpeedup)}% | ${r.sameVerdicts ? "yes" : "NO"} | ${r.targetsPerWorker.join(" + ")}`,
    ),
  ];
  return lines.join("\n");
}

/** The workers part in the bench's JSON line (times rounded to ms). */
export function workersJson(w: WorkersBench): Record<string, unknown> {
  return {
    fleet: w.fleet,
    targets: w.targets,
    single: {
      wallMs: Math.round(w.single.wallMs),
      apiCalls: w.single.apiCalls,
      throttled: w.single.throttled,
      lowerBoundMs: Math.round(w.single.lowerBoundMs),
    },
    maxSpeedup: Number(w.maxSpeedup.toFixed(2)),
    runs: w.runs.map((r) => ({ ...r, wallMs: Math.round(r.wallMs), speedup: Number(r.speedup.toFixed(2)) })),
  };
}

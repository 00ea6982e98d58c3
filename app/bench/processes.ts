/**
 * The bench's child processes: the local AWS (fleet generation and serving)
 * and each measured audit run in a process of its own, so that the peak RSS
 * measured is the audit's alone and one run's heap never inflates the next.
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUDIT_NODE_FLAGS } from "../audit/node-flags";
import type { TargetSpec } from "../audit/targets";
import type { LocalAwsStats } from "../local-aws/index";
import type { BenchFleetSpec, ResilienceFaults } from "./fleets";
import type { AuditRequest, AuditRunResult } from "./measure";
import type { PeerResult } from "./peer";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
/** The project root: `--import tsx` resolves from the child's working directory. */
const PROJECT_ROOT = here("../..");
/** The audit child as the CLI runs (ADR 0017): from the build `npm run bench` makes first (`npm run build:cli`), under plain Node. */
const BUILT_AUDIT_PROCESS = path.join(PROJECT_ROOT, "build/cli/app/bench/audit-process.js");

/** A child from source (tsx), or from a built file under plain Node. */
function spawnChild(file: string, heapMb: number, extra: string[] = [], built = false): ChildProcess {
  if (built && !fs.existsSync(file)) throw new Error(`${path.relative(PROJECT_ROOT, file)} is not built: run \`npm run build:cli\` (npm run bench does).`);
  return fork(built ? file : here(file), [], {
    // QBR_BENCH_CPU_PROFILE=dir writes each child's CPU profile there (where does the time go?).
    execArgv: [
      ...(built ? [] : ["--import", "tsx"]),
      `--max-old-space-size=${heapMb}`,
      ...extra,
      ...(process.env.QBR_BENCH_CPU_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.QBR_BENCH_CPU_PROFILE}`] : []),
    ],
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The next message of `type` from a child, or its error / early exit as a rejection. */
function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === type) {
        cleanup();
        resolve(message as T);
      } else if (message.type === "error") {
        cleanup();
        reject(new Error(message.message));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) before answering ${type}`));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

export interface EmulatorHandle {
  endpoint: string;
  targets: TargetSpec[];
  applicationsByTarget: Record<string, number>;
  /** Generation, validation and start-up time of the child, ms. */
  startMs: number;
  /** CPU time the child had used when it was ready, ms. */
  startCpuMs: number;
  /** The emulator's counters and the CPU time its process has used so far (ms). */
  stats(): Promise<{ stats: LocalAwsStats; cpuMs: number }>;
  close(): Promise<void>;
}

/** Generate `spec`'s fleet in a child process and serve it there (a big fleet wants a big heap). */
export async function startEmulatorProcess(spec: BenchFleetSpec, resilience?: ResilienceFaults | "default"): Promise<EmulatorHandle> {
  // A big young generation: the fleet's huge, long-lived heap makes every promotion (and the major GCs it brings) costly.
  const child = spawnChild("./emulator-process.ts", 6144, ["--max-semi-space-size=64"]);
  const ready = nextMessage<{ endpoint: string; targets: TargetSpec[]; applicationsByTarget: Record<string, number>; startMs: number; startCpuMs: number }>(
    child,
    "ready",
  );
  child.send({ type: "start", spec, resilience });
  try {
    const { endpoint, targets, applicationsByTarget, startMs, startCpuMs } = await ready;
    return {
      endpoint,
      targets,
      applicationsByTarget,
      startMs,
      startCpuMs,
      async stats() {
        const answer = nextMessage<{ stats: LocalAwsStats; cpuMs: number }>(child, "stats");
        child.send({ type: "stats" });
        const { stats, cpuMs } = await answer;
        return { stats, cpuMs };
      },
      close: () => closeChild(child),
    };
  } catch (error) {
    await closeChild(child);
    throw error;
  }
}

function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill("SIGTERM");
  });
}

/** One audit in a fresh child process; its result carries that process's peak RSS. */
export function auditInChildProcess(request: AuditRequest): Promise<AuditRunResult> {
  return inChild<AuditRunResult>("audit", request);
}

/** The bench's straightforward auditor (./peer.ts) in a fresh child process. */
export function peerInChildProcess(request: Pick<AuditRequest, "endpoint" | "targets">): Promise<PeerResult> {
  return inChild<PeerResult>("peer", request);
}

async function inChild<T>(type: "audit" | "peer", request: unknown): Promise<T> {
  // The audit runs with the CLI's Node flags; the peer, a script of its own, with Node's defaults.
  const flags = [...(type === "audit" ? AUDIT_NODE_FLAGS : []), ...(process.env.QBR_BENCH_AUDIT_FLAGS ?? "").split(" ").filter(Boolean)];
  const child = spawnChild(BUILT_AUDIT_PROCESS, 2048, flags, true);
  try {
    const done = nextMessage<{ result: T }>(child, "done");
    child.send({ type, request });
    return (await done).result;
  } finally {
    await closeChild(child);
  }
}

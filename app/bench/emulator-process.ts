/**
 * Child process of the bench: generates a fleet and serves it on the local
 * AWS, so the audit's process holds neither the fleet nor the emulator (its
 * RSS is the audit's own). Talks to the parent over IPC:
 *   parent → { type: "start", spec, resilience? }   child → { type: "ready", endpoint, targets, applicationsByTarget }
 *   parent → { type: "stats" }                      child → { type: "stats", stats, cpuMs }
 * Exits when the parent disconnects.
 */
import { startLocalAws, type LocalAws } from "../local-aws/index";
import { prepareFleet, type BenchFleetSpec, type ResilienceFaults } from "./fleets";

export type EmulatorRequest = { type: "start"; spec: BenchFleetSpec; resilience?: ResilienceFaults | "default" } | { type: "stats" };

let aws: LocalAws | undefined;

process.on("message", (message: EmulatorRequest) => {
  void handle(message).catch((error: unknown) => {
    process.send?.({ type: "error", message: (error as Error).stack ?? String(error) });
  });
});
process.on("disconnect", () => {
  void (aws?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});

async function handle(message: EmulatorRequest): Promise<void> {
  if (message.type === "start") {
    const started = Date.now();
    const { fixture, targets, applicationsByTarget } = prepareFleet(message.spec, message.resilience);
    aws = await startLocalAws({ fixture });
    const cpu = process.cpuUsage();
    process.send?.({
      type: "ready",
      endpoint: aws.endpoint,
      targets,
      applicationsByTarget,
      startMs: Date.now() - started,
      startCpuMs: (cpu.user + cpu.system) / 1000,
    });
  } else if (message.type === "stats") {
    const cpu = process.cpuUsage();
    process.send?.({ type: "stats", stats: aws?.stats, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
}

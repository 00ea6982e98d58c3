/**
 * What the dashboard runs against, decided once at server start by
 * scripts/serve.ts. A process singleton because the Remix server build carries
 * its own copy of app modules: a module-level variable set by serve.ts would
 * not be the one the routes read.
 */
import { singleton } from "./util/singleton.server";

export interface RuntimeInfo {
  /** "local": the embedded local AWS (demo fleet or QBR_FIXTURE); "aws": the SDK's default configuration. */
  mode: "local" | "aws";
  /** In words: which fixture, or which regions/endpoint. */
  description: string;
}

const held = () => singleton("runtime", (): { info?: RuntimeInfo } => ({}));

export function setRuntimeInfo(info: RuntimeInfo) {
  held().info = info;
}

export function getRuntimeInfo(): RuntimeInfo {
  return held().info ?? { mode: "aws", description: "AWS (default SDK configuration)" };
}

const clock = () => singleton("runtime-clock", (): { now: () => Date } => ({ now: () => new Date() }));

/**
 * The product's one clock (ADR 0008): what every audit, scan, plan and
 * activity entry is dated with. serve.ts sets it to the embedded local AWS's
 * clock (real time, plus any advance a demo makes); otherwise real time.
 */
export function setRuntimeClock(now: () => Date): void {
  clock().now = now;
}

export function runtimeNow(): Date {
  return clock().now();
}

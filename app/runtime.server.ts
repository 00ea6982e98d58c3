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

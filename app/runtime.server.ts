/**
 * What the dashboard runs against, decided once at server start by
 * scripts/serve.ts. Kept on globalThis because the Remix server build carries
 * its own copy of app modules: a module-level variable set by serve.ts would
 * not be the one the routes read.
 */
export interface RuntimeInfo {
  /** "local": the embedded local AWS (demo fleet or QBR_FIXTURE); "aws": the SDK's default configuration. */
  mode: "local" | "aws";
  /** In words: which fixture, or which regions/endpoint. */
  description: string;
}

const KEY = Symbol.for("qbiz-readiness.runtime");
type Holder = { [KEY]?: RuntimeInfo };

export function setRuntimeInfo(info: RuntimeInfo) {
  (globalThis as Holder)[KEY] = info;
}

export function getRuntimeInfo(): RuntimeInfo {
  return (globalThis as Holder)[KEY] ?? { mode: "aws", description: "AWS (default SDK configuration)" };
}

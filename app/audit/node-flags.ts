/**
 * The Node flags an audit process runs with (`npm run audit`, `npm run worker`,
 * and the bench's audit children, which run as the CLI does). ADR 0017,
 * "Heap growth":
 *
 * an audit allocates fast (every SDK response) and keeps little, but what is
 * in flight while 64 requests wait survives young collections and is promoted;
 * V8 then lets the old space grow up to about 4× what a full collection left
 * alive before collecting again. On the xl fleet the live heap stays near
 * 120 MB while the process peaks at 455–540 MB. A growing factor of 2 lets the
 * heap grow to about twice what is alive: xl peaks at ~362 MB. A factor of 1.5
 * (~320 MB) cost the CPU-bound xl audit 26–45% more CPU; 2 cost
 * none in two runs of three (ADR 0017).
 */
export const AUDIT_NODE_FLAGS: readonly string[] = ["--heap-growing-percent=100"];

/**
 * Child process of the bench: one audit run through `runAudit`, as the CLI
 * runs it, against an already running local AWS, with its own peak RSS
 * (or, for `peer`, the bench's straightforward auditor).
 *   parent → { type: "audit", request }   child → { type: "done", result } | { type: "error", message }
 */
import { measureAudit, type AuditRequest } from "./measure";
import { peerAudit } from "./peer";

process.on("message", (message: { type: string; request: AuditRequest }) => {
  if (message.type !== "audit" && message.type !== "peer") return;
  // "peer": the straightforward auditor (./peer.ts) on the same targets, in a process of its own too.
  const run = message.type === "peer" ? peerAudit(message.request) : measureAudit(message.request);
  run.then(
    (result) => process.send?.({ type: "done", result }),
    (error: unknown) => process.send?.({ type: "error", message: (error as Error).stack ?? String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));

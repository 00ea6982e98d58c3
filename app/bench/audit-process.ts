/**
 * Child process of the bench: one audit run through `runAudit`, as the CLI
 * runs it, against an already running local AWS, with its own peak RSS.
 *   parent → { type: "audit", request }   child → { type: "done", result } | { type: "error", message }
 */
import { measureAudit, type AuditRequest } from "./measure";

process.on("message", (message: { type: string; request: AuditRequest }) => {
  if (message.type !== "audit") return;
  measureAudit(message.request).then(
    (result) => process.send?.({ type: "done", result }),
    (error: unknown) => process.send?.({ type: "error", message: (error as Error).stack ?? String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));

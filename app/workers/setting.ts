/**
 * Whether scans go through the scan workers' queue, as configured (no queue
 * code here: a scan in one process never loads pg-boss).
 */
export class WorkersUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkersUnavailableError";
  }
}

/** QBR_SCAN_WORKERS=true: every scan (dashboard, scheduler, CLI) goes through the workers' queue. */
export function scanWorkersFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = (env.QBR_SCAN_WORKERS ?? "").trim().toLowerCase();
  if (raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new WorkersUnavailableError(`QBR_SCAN_WORKERS must be true or false, not "${env.QBR_SCAN_WORKERS}".`);
}

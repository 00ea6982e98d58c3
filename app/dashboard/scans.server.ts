/**
 * Placeholder created by H7 (serve.ts needs the call site); owned and filled by
 * the dashboard pages engineer (H8): initial audit when the DB has none, then a
 * scan every QBR_SCAN_INTERVAL_MINUTES. Called once by scripts/serve.ts after listening.
 */
export function startScanScheduler(): void {}

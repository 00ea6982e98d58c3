/**
 * Every migration, in order, imported statically so the Remix server build
 * bundles them (Kysely's FileMigrationProvider reads a folder at run time,
 * which a bundle does not have). Migrations are never edited once shipped,
 * only appended. Each gets the dialect it runs on.
 *
 * Names 0001 to 0003 are the pre-Kysely schema's versions 1 to 3
 * (PRAGMA user_version): a file written by that schema adopts them as
 * applied (../legacy.ts) and continues from 0003.
 */
import type { Migration, MigrationProvider } from "kysely";
import { auditHistory } from "./0001_audit_history";
import { fixActions } from "./0002_fix_actions";
import { sessions } from "./0003_sessions";
import { activityNoReplace } from "./0004_activity_no_replace";
import { findingIdentity } from "./0005_finding_identity";
import { dataSourceEvidence } from "./0006_data_source_evidence";
import { suppressionsAndNotifications } from "./0007_suppressions_notifications";
import { sharedState } from "./0008_shared_state";
import { flatStorage } from "./0009_flat_storage";
import { bulkBatches } from "./0010_bulk_batches";
import { findingLifecycle } from "./0011_finding_lifecycle";
import { signInThrottleAndTokens } from "./0012_sign_in_throttle_tokens";
import type { DialectName } from "./dialect";

export type { DialectName } from "./dialect";

const MIGRATIONS: readonly [string, (dialect: DialectName) => Migration][] = [
  ["0001_audit_history", auditHistory],
  ["0002_fix_actions", fixActions],
  ["0003_sessions", sessions],
  ["0004_activity_no_replace", activityNoReplace],
  ["0005_finding_identity", findingIdentity],
  ["0006_data_source_evidence", dataSourceEvidence],
  ["0007_suppressions_notifications", suppressionsAndNotifications],
  ["0008_shared_state", sharedState],
  ["0009_flat_storage", flatStorage],
  ["0010_bulk_batches", bulkBatches],
  ["0011_finding_lifecycle", findingLifecycle],
  ["0012_sign_in_throttle_tokens", signInThrottleAndTokens],
];

/** The migrations' names, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

/** The migrations the pre-Kysely schema's user_version N had applied: the first N. */
export const LEGACY_VERSIONS = 3;

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(dialect)]));
    },
  };
}

/**
 * The fix actions (server-side: they call AWS and write SQLite). Routes and
 * the CLI import from here; components import shapes from ./types only.
 */
export * from "./types";
export { createFixContext, type FixContextOptions } from "./context";
export { FIX_PERMISSIONS, isAccessDenied } from "./permissions";
export { getActivity, listActivity } from "./activity-log";
export { ResourceBusyError } from "./locks";
export { applyFullSync, applyFullSyncBulk, planFullSync, verifyFullSync } from "./full-sync";
export { listTrackedSyncs, ownFullSyncExecutionIds, resumeTrackedSyncs, type FollowResult } from "./tracked-syncs";
export { applyRolePolicyPatch, applicationsUsingRole, planRolePolicyPatch, verifyRolePolicyPatch, DEFAULT_POLICY_NAME } from "./patch-role-policy";
export { applyReupload, contentTypeOf, planReupload, verifyReupload, MAX_DOCUMENT_BYTES } from "./reupload-files";
export { applyRollback, planRollback } from "./rollback";
export { reauditApplication, reauditApplications } from "./reaudit";

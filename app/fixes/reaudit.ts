/**
 * Verify closes the loop: after a fix, read the affected applications again
 * (their account and region through the SDK, only those applications kept),
 * run the checks, and save a new audit that is the latest audit with those
 * applications replaced. The dashboard, which reads the latest audit, then
 * shows them "verified fixed" or what is still wrong, without a full rescan.
 */
import { getAuditReport, latestAuditId, type StoredApplicationInventory } from "../audit/history";
import { collectAndCheck, reportAndStore } from "../audit/pipeline";
import type { ApplicationInventory, Finding, Inventory, RoleInventory } from "../audit/types";
import { inventoriesOfAudit } from "../db/audit-applications";
import { insertReaudit } from "../db/reaudits";
import { ownFullSyncExecutionIds } from "./tracked-syncs";
import type { ApplicationRef, FixContext, ReauditResult } from "./types";

const appKey = (a: { accountId: string; region: string; applicationId: string | null }) => `${a.accountId}/${a.region}/${a.applicationId}`;

/** Re-audit one application (see reauditApplications). */
export function reauditApplication(ctx: FixContext, app: ApplicationRef, options: { activityId?: number } = {}): Promise<ReauditResult> {
  return reauditApplications(ctx, [app], options);
}

/**
 * Re-audit these applications and save the result as a new audit superseding
 * the latest one for them (every other application carried over as it was).
 */
export async function reauditApplications(ctx: FixContext, apps: ApplicationRef[], options: { activityId?: number } = {}): Promise<ReauditResult> {
  const wanted = new Set(apps.map(appKey));
  const targets = [...new Map(apps.map((a) => [`${a.accountId}/${a.region}`, a])).values()];
  const prepared = await Promise.all(
    // A re-audit reads as the audit does: through the audit role, never the fix role.
    targets.map(async (a) => ({
      target: { accountId: a.accountId, region: a.region },
      clients: await (ctx.auditClients ?? ctx.clients)(a.accountId, a.region),
    })),
  );
  // The audit pipeline's collect and check steps, on these applications only.
  const { inventory: fresh, findings } = await collectAndCheck(prepared, {
    cutoff: ctx.cutoff,
    now: () => ctx.now(),
    ownFullSyncExecutionIds: await ownFullSyncExecutionIds(ctx.db),
    only: apps,
  });
  const freshApps = fresh.applications;
  const freshRoles = fresh.roles;
  const freshFindings = findings.filter((f) => f.resource.applicationId !== null && wanted.has(appKey(f.resource)));

  // Carry over everything else from the latest audit.
  const baseId = await latestAuditId(ctx.db);
  const base = baseId !== undefined ? await getAuditReport(ctx.db, baseId) : undefined;
  const carried: ApplicationInventory[] = [];
  const roles: Record<string, RoleInventory> = {};
  if (baseId !== undefined) {
    for (const inventory of await inventoriesOfAudit(ctx.db, baseId)) {
      const stored = JSON.parse(inventory) as StoredApplicationInventory;
      if (wanted.has(appKey(stored))) continue;
      const { roles: appRoles, ...app } = stored;
      Object.assign(roles, appRoles);
      carried.push(app);
    }
  }
  Object.assign(roles, freshRoles);
  const carriedFindings: Finding[] = (base?.findings ?? []).filter((f) => !(f.resource.applicationId !== null && wanted.has(appKey(f.resource))));
  const freshTargets = new Map(fresh.targets.map((t) => [`${t.accountId}/${t.region}`, t]));
  const baseTargets = (base?.targets ?? []).filter((t) => !freshTargets.has(`${t.accountId}/${t.region}`));
  const merged: Inventory = {
    scannedAt: ctx.now().toISOString(),
    cutoff: ctx.cutoff.toISOString(),
    targets: [...baseTargets, ...freshTargets.values()],
    applications: [...carried, ...freshApps],
    roles,
    stats: fresh.stats,
  };
  // ... and its report and store steps, on the latest audit with these applications replaced.
  const { report, auditId } = await reportAndStore(merged, [...carriedFindings, ...freshFindings], ctx.db);
  await insertReaudit(ctx.db, { auditId, basedOnAudit: baseId ?? null, activityId: options.activityId ?? null, applications: apps });

  const readiness: Record<string, string> = {};
  for (const a of report.applications) if (wanted.has(appKey(a))) readiness[a.applicationId] = a.readiness;
  return {
    auditId,
    readiness,
    stillWrong: freshFindings.filter((f) => f.status !== "pass").map((f) => ({ checkId: f.checkId, status: f.status, message: f.message })),
  };
}

/**
 * patch-role-policy: let a web experience role call GetDocumentContent on
 * each application that uses it, through ONE inline policy (default
 * QBusinessGetDocumentContent) holding one statement (Sid
 * QBusinessGetDocumentContentPermission). Whatever else that policy holds,
 * and every other policy of the role, is kept as it is.
 *
 * Refused, changing nothing, when the patch could not help or IAM would
 * refuse it: an explicit deny that would still win, a permissions boundary
 * that blocks, a service-linked role, the 10,240-character inline quota.
 */
import { GetRolePolicyCommand, PutRolePolicyCommand, type IAMClient } from "@aws-sdk/client-iam";
import type { AwsErrorInfo, RoleInventory } from "../audit/types";
import { accountOfArn, roleArnOf, roleNameOf } from "../aws/arns";
import { IamRoleReader, roleReadError, type IamPrincipal } from "../aws/iam-role-reader";
import { evaluatePolicies, policySourcesOf, simulateRoleAccess } from "../aws/role-access";
import { GET_DOCUMENT_CONTENT, isAccessDeniedCode } from "../aws/vocabulary";
import { latestAuditId, type StoredApplicationInventory } from "../audit/history";
import { inventoriesOfAudit } from "../db/audit-applications";
import { statementsOf, type PolicySource } from "../policy/evaluate";
import { policySize, ROLE_INLINE_POLICIES_QUOTA } from "../policy/limits";
import type { PolicyDocument, PolicyStatement } from "../policy/types";
import { applySafely, AwsCallError, AwsCalls, errorCode, jsonLineDiff, PermissionDenied, sealPlan, stableJson } from "./common";
import type { ApplicationRef, ApplyOptions, ApplyResult, FixContext, RolePolicyPatchPlan, RoleRef, Verification } from "./types";

export const DEFAULT_POLICY_NAME = "QBusinessGetDocumentContent";
export const STATEMENT_SID = "QBusinessGetDocumentContentPermission";
/** Verification retries for IAM's propagation delay: attempts and first wait (doubling). */
const VERIFY_ATTEMPTS = 6;
const VERIFY_FIRST_WAIT_MS = 1_000;

export { roleNameOf };

interface UsingApplication extends ApplicationRef {
  applicationArn: string;
  indexIds: string[];
}

/** Applications whose web experience uses the role, as the latest audit saw them. */
export async function applicationsUsingRole(ctx: FixContext, accountId: string, roleArn: string, roleName: string): Promise<UsingApplication[]> {
  const auditId = await latestAuditId(ctx.db);
  if (auditId === undefined) return [];
  const inventories = await inventoriesOfAudit(ctx.db, auditId, accountId);
  return inventories
    .map((json) => JSON.parse(json) as StoredApplicationInventory)
    .filter((app) => app.webExperiences.some((w) => w.roleArn === roleArn || (w.roleArn && roleNameOf(w.roleArn) === roleName)))
    .map((app) => ({
      accountId: app.accountId,
      region: app.region,
      applicationId: app.applicationId,
      applicationArn: app.applicationArn,
      indexIds: app.indices.map((i) => i.indexId),
    }))
    .sort((a, b) => a.applicationArn.localeCompare(b.applicationArn));
}

/** The resources the statement must allow: each application's ARN and `{arn}/index/*`. */
export function requiredResources(apps: { applicationArn: string }[]): string[] {
  return apps.flatMap((a) => [a.applicationArn, `${a.applicationArn}/index/*`]);
}

/** The concrete ARNs a request would name (simulation): the application and each of its indices. */
function requestResources(apps: UsingApplication[]): string[] {
  return apps.flatMap((a) => [
    a.applicationArn,
    ...(a.indexIds.length ? a.indexIds.map((i) => `${a.applicationArn}/index/${i}`) : [`${a.applicationArn}/index/*`]),
  ]);
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The inline policy after the patch: the existing document (or a new one)
 * whose QBusinessGetDocumentContentPermission statement allows
 * GetDocumentContent on the required resources (plus any it already listed,
 * so nothing granted before is taken away); other statements untouched.
 */
export function patchedPolicy(existing: PolicyDocument | null, resources: string[]): PolicyDocument {
  const statement = (previous?: PolicyStatement): PolicyStatement => ({
    Sid: STATEMENT_SID,
    Effect: "Allow",
    Action: [GET_DOCUMENT_CONTENT],
    Resource: [...new Set([...asArray(previous?.Resource as string | string[] | undefined), ...resources])],
  });
  if (!existing) return { Version: "2012-10-17", Statement: [statement()] };
  const statements = statementsOf(existing);
  const at = statements.findIndex((s) => s.Sid === STATEMENT_SID);
  const next = at >= 0 ? statements.map((s, i) => (i === at ? statement(s) : s)) : [...statements, statement()];
  return { ...existing, Statement: next };
}

/** The fix's IAM requests: each request id kept, errors as AWS sent them (the role reader records them on the role). */
function fixPrincipal(iam: IAMClient, accountId: string, calls: AwsCalls): IamPrincipal {
  return { accountId, call: (_action, request) => calls.track(() => request(iam)) };
}

/** The same, where a refusal must stop the fix: AccessDenied throws PermissionDenied naming the permission. */
function strictPrincipal(iam: IAMClient, accountId: string, calls: AwsCalls): IamPrincipal {
  return { accountId, call: (action, request) => calls.run(action, () => request(iam)) };
}

/** An error the role reader recorded, as the fix throws it. */
function readFailure(error: AwsErrorInfo): Error {
  const permission = error.operation ?? "iam:GetRole";
  return isAccessDeniedCode(error.code) ? new PermissionDenied(permission, error.message) : new AwsCallError(permission, error.code, error.message);
}

/**
 * Read the role and all its policies with the audit's role reader (so plan and
 * audit see the same role). Undefined when the role does not exist; throws
 * (PermissionDenied naming the permission) when any of it could not be read.
 */
export async function readRole(iam: IAMClient, ref: { accountId: string; roleArn: string }, calls: AwsCalls): Promise<RoleInventory | undefined> {
  const role = await new IamRoleReader().readRole(fixPrincipal(iam, ref.accountId, calls), roleArnOf(ref.accountId, ref.roleArn));
  const error = roleReadError(role);
  if (error) throw readFailure(error);
  return role.exists ? role : undefined;
}

/**
 * Why the patch must not be applied (empty: it may): a service-linked role,
 * an explicit deny or a boundary that would still block once the patch is in
 * (the patched policies judged as the simulator would), the inline quota.
 */
function refusalReasons(
  role: RoleInventory,
  patch: { policyName: string; newDocument: PolicyDocument; inlineSizeAfter: number; resources: string[] },
): string[] {
  const reasons: string[] = [];
  if (role.serviceLinked) reasons.push(`${role.roleName} is a service-linked role: IAM refuses changes to it (UnmodifiableEntity).`);
  const sources = policySourcesOf(role);
  const identityAfter: PolicySource[] = [
    ...sources.inline.filter((p) => p.id !== patch.policyName),
    { id: patch.policyName, type: "inline", document: patch.newDocument },
    ...sources.managed,
  ];
  for (const arn of patch.resources) {
    const after = evaluatePolicies({ identity: identityAfter, boundary: sources.boundary }, arn, { mode: "simulate" });
    if (after.decision === "explicitDeny") {
      const by = after.matchedStatements.map((m) => `${m.policy}${m.sid ? ` (${m.sid})` : ""}`).join(", ");
      reasons.push(`An explicit deny would still win on ${arn}: ${by}. A patch cannot override a Deny; remove or narrow that statement first.`);
      break;
    }
    if (after.allowedByPermissionsBoundary === false) {
      reasons.push(
        `The permissions boundary ${sources.boundary?.id} does not allow ${GET_DOCUMENT_CONTENT} on ${arn}: a patch of the role's policies cannot help.`,
      );
      break;
    }
  }
  if (patch.inlineSizeAfter > ROLE_INLINE_POLICIES_QUOTA) {
    reasons.push(
      `The role's inline policies would total ${patch.inlineSizeAfter} characters (whitespace not counted), over IAM's ${ROLE_INLINE_POLICIES_QUOTA}; move some statements to a managed policy first.`,
    );
  }
  return reasons;
}

/** What the plan shows: the inline policy before and after, its diff and the statement, and the inline policies' size after. */
function patchDetails(
  role: RoleInventory,
  policyName: string,
  required: string[],
): RolePolicyPatchPlan["details"] & { previousDocument: PolicyDocument | null; newDocument: PolicyDocument; inlineSizeAfter: number } {
  const previousDocument = role.inlinePolicies.find((p) => p.name === policyName)?.document ?? null;
  const newDocument = patchedPolicy(previousDocument, required);
  const others = role.inlinePolicies.filter((p) => p.name !== policyName).reduce((sum, p) => sum + policySize(p.document), 0);
  return {
    roleArn: role.iamArn ?? role.roleArn,
    roleName: role.roleName,
    policyName,
    previousDocument,
    newDocument,
    diff: jsonLineDiff(previousDocument, newDocument),
    statement: statementsOf(newDocument).find((s) => s.Sid === STATEMENT_SID),
    requiredResources: required,
    inlineSizeAfter: others + policySize(JSON.stringify(newDocument)),
    inlineQuota: ROLE_INLINE_POLICIES_QUOTA,
  };
}

/** The applications the patch is for: those named, or those the latest audit saw using the role. */
async function usingApplications(ctx: FixContext, ref: RoleRef, roleArn: string): Promise<UsingApplication[]> {
  if (!ref.applications) return applicationsUsingRole(ctx, ref.accountId, roleArn, roleNameOf(roleArn));
  return ref.applications.map((a) => ({
    ...a,
    applicationArn: a.applicationArn ?? `arn:aws:qbusiness:${a.region}:${a.accountId}:application/${a.applicationId}`,
    indexIds: a.indexIds ?? [],
  }));
}

/** Read-only: the exact change to the role's inline policy, or why there will be none. */
export async function planRolePolicyPatch(ctx: FixContext, ref: RoleRef): Promise<RolePolicyPatchPlan> {
  const calls = new AwsCalls();
  const roleName = roleNameOf(ref.roleArn);
  const policyName = ref.policyName ?? DEFAULT_POLICY_NAME;
  const givenArn = roleArnOf(ref.accountId, ref.roleArn);
  const resource = { type: "role" as const, accountId: ref.accountId, roleArn: givenArn, name: roleName };
  const emptyDetails = {
    roleArn: givenArn,
    roleName,
    policyName,
    previousDocument: null,
    diff: [],
    requiredResources: [],
    inlineQuota: ROLE_INLINE_POLICIES_QUOTA,
  };
  const apps = await usingApplications(ctx, ref, givenArn);
  const applications = apps.map(({ accountId, region, applicationId }) => ({ accountId, region, applicationId }));
  const base = { action: "patch-role-policy" as const, resource, applications, missingPermissions: [] as string[] };
  const refuse = (reasons: string[], details: Partial<RolePolicyPatchPlan["details"]> = {}, status: RolePolicyPatchPlan["status"] = "refused") =>
    sealPlan<RolePolicyPatchPlan>(ctx, {
      ...base,
      status,
      summary: `${status === "nothing-to-do" ? "Nothing to do for" : "Will not patch"} role ${roleName}: ${reasons[0]}`,
      reasons,
      details: { ...emptyDetails, ...details },
    });

  if (apps.length === 0) {
    return refuse([`No audited application's web experience uses role ${roleName} in account ${ref.accountId}: run an audit first, or name the applications.`]);
  }
  try {
    const { iam } = await ctx.clients(ref.accountId, apps[0].region);
    if (accountOfArn(givenArn) !== ref.accountId) {
      return refuse([`The role is in account ${accountOfArn(givenArn)}, not ${ref.accountId}: it cannot be read or patched with this account's credentials.`]);
    }
    const state = await readRole(iam, { accountId: ref.accountId, roleArn: givenArn }, calls);
    if (!state) return refuse([`The role ${roleName} does not exist.`]);
    const details = patchDetails(state, policyName, requiredResources(apps));
    const { previousDocument, newDocument, inlineSizeAfter } = details;
    const sealed = { ...base, resource: { ...resource, roleArn: details.roleArn } };
    const reasons = refusalReasons(state, { policyName, newDocument, inlineSizeAfter, resources: requestResources(apps) });
    if (reasons.length) {
      return sealPlan<RolePolicyPatchPlan>(ctx, { ...sealed, status: "refused", summary: `Will not patch role ${roleName}: ${reasons[0]}`, reasons, details });
    }
    if (previousDocument && stableJson(previousDocument) === stableJson(newDocument)) {
      return sealPlan<RolePolicyPatchPlan>(ctx, {
        ...sealed,
        status: "nothing-to-do",
        summary: `Role ${roleName}'s ${policyName} already grants ${GET_DOCUMENT_CONTENT} on every required resource.`,
        reasons: ["The inline policy already holds the statement."],
        details: { ...details, diff: [] },
      });
    }
    return sealPlan<RolePolicyPatchPlan>(ctx, {
      ...sealed,
      status: "ready",
      summary: `${previousDocument ? "Update" : "Create"} inline policy ${policyName} of role ${roleName} so it allows ${GET_DOCUMENT_CONTENT} on ${apps.length} application${apps.length === 1 ? "" : "s"}.`,
      reasons: [],
      details,
    });
  } catch (error) {
    if (!(error instanceof PermissionDenied)) throw error;
    return sealPlan<RolePolicyPatchPlan>(ctx, {
      ...base,
      status: "unavailable",
      summary: `Role patch unavailable: AWS denied ${error.permission}.`,
      reasons: [error.message],
      missingPermissions: [error.permission],
      details: emptyDetails,
    });
  }
}

/** A role known by its ARN only (verification asks IAM, not the role's documents). */
function unreadRole(roleArn: string): RoleInventory {
  return { roleArn, roleName: roleNameOf(roleArn), accountId: accountOfArn(roleArn), exists: true, inlinePolicies: [], attachedPolicies: [] };
}

/**
 * Is the role allowed GetDocumentContent on every resource? SimulatePrincipalPolicy,
 * retried with doubling waits (IAM changes take a while to propagate), bounded.
 */
export async function verifyRolePolicyPatch(ctx: FixContext, ref: RoleRef, calls: AwsCalls = new AwsCalls(), apps?: UsingApplication[]): Promise<Verification> {
  const roleName = roleNameOf(ref.roleArn);
  const roleArn = ref.roleArn.startsWith("arn:") ? ref.roleArn : `arn:aws:iam::${ref.accountId}:role/${roleName}`;
  const using = apps ?? (await applicationsUsingRole(ctx, ref.accountId, roleArn, roleName));
  if (using.length === 0) return { ok: false, message: `No application is known to use role ${roleName}.` };
  const { iam } = await ctx.clients(ref.accountId, using[0].region);
  const resources = requestResources(using);
  let wait = VERIFY_FIRST_WAIT_MS;
  let notAllowed: string[] = [];
  for (let attempt = 1; attempt <= VERIFY_ATTEMPTS; attempt++) {
    try {
      const access = await simulateRoleAccess(strictPrincipal(iam, ref.accountId, calls), unreadRole(roleArn), resources);
      notAllowed = access.resources
        .filter((d) => d.decision !== "allowed")
        .map((d) => `${d.resourceArn}: ${d.reason === "not in the simulator's answer" ? "not evaluated" : d.decision}`);
    } catch (error) {
      if (error instanceof PermissionDenied) {
        return { ok: false, message: `Cannot verify: AWS denied ${error.permission}.`, details: { missingPermission: error.permission } };
      }
      throw error;
    }
    if (notAllowed.length === 0) {
      return {
        ok: true,
        message: `SimulatePrincipalPolicy allows ${GET_DOCUMENT_CONTENT} on all ${resources.length} resources.`,
        details: { attempts: attempt, resources },
      };
    }
    if (attempt < VERIFY_ATTEMPTS) {
      await ctx.sleep(wait);
      wait *= 2;
    }
  }
  return {
    ok: false,
    message: `After ${VERIFY_ATTEMPTS} tries SimulatePrincipalPolicy still does not allow: ${notAllowed.join("; ")}.`,
    details: { notAllowed },
  };
}

/** Apply the patch (PutRolePolicy), then verify it. Keeps the previous document for rollback. */
export async function applyRolePolicyPatch(
  ctx: FixContext,
  planOrRef: RolePolicyPatchPlan | RoleRef,
  options: ApplyOptions,
): Promise<ApplyResult<RolePolicyPatchPlan>> {
  const ref: RoleRef =
    "action" in planOrRef
      ? {
          accountId: planOrRef.resource.accountId,
          roleArn: planOrRef.details.roleArn,
          policyName: planOrRef.details.policyName,
          applications: planOrRef.applications,
        }
      : planOrRef;
  const roleName = roleNameOf(ref.roleArn);
  const resource = {
    type: "role" as const,
    accountId: ref.accountId,
    roleArn: ref.roleArn.startsWith("arn:") ? ref.roleArn : `arn:aws:iam::${ref.accountId}:role/${roleName}`,
    name: roleName,
  };
  // The previous state, exactly as IAM held it, read when the apply starts (rollback puts this text back).
  let previousText: string | null = null;
  return applySafely<RolePolicyPatchPlan>(ctx, {
    options,
    resource,
    action: "patch-role-policy",
    replan: async () => {
      const plan = await planRolePolicyPatch(ctx, ref);
      previousText = plan.details.previousDocument === null ? null : await currentPolicyText(ctx, plan);
      return plan;
    },
    run: async (plan, _activityId, calls) => {
      const { iam } = await ctx.clients(ref.accountId, plan.applications[0].region);
      const d = plan.details;
      try {
        await calls.send(
          iam,
          new PutRolePolicyCommand({ RoleName: d.roleName, PolicyName: d.policyName, PolicyDocument: JSON.stringify(d.newDocument) }),
          "iam:PutRolePolicy",
        );
      } catch (error) {
        return {
          outcome: "failed",
          message: `PutRolePolicy failed: ${error instanceof Error ? error.message : String(error)}`,
          done: [],
          notDone: [`put inline policy ${d.policyName} on role ${d.roleName}`],
        };
      }
      const done = [`${d.previousDocument === null ? "created" : "updated"} inline policy ${d.policyName} on role ${d.roleName}`];
      const usingRole = await applicationsUsingRole(ctx, ref.accountId, d.roleArn, d.roleName);
      const apps = plan.applications.map((a) => {
        const given = ref.applications?.find((g) => g.applicationId === a.applicationId);
        const known = usingRole.find((k) => k.applicationId === a.applicationId);
        return {
          ...a,
          applicationArn: given?.applicationArn ?? known?.applicationArn ?? `arn:aws:qbusiness:${a.region}:${a.accountId}:application/${a.applicationId}`,
          indexIds: given?.indexIds ?? known?.indexIds ?? [],
        };
      });
      const verification = await verifyRolePolicyPatch(ctx, ref, calls, apps);
      return {
        outcome: verification.ok ? "succeeded" : "partial",
        message: verification.ok
          ? `Role ${d.roleName} patched and verified: ${verification.message}`
          : `Role ${d.roleName} patched, not verified: ${verification.message}`,
        done: verification.ok ? [...done, "verified with SimulatePrincipalPolicy"] : done,
        notDone: verification.ok ? [] : [`verification: ${verification.message}`],
        verification,
        reaudit: true,
      };
    },
    rollbackData: (plan) => ({
      roleName: plan.details.roleName,
      roleArn: plan.details.roleArn,
      policyName: plan.details.policyName,
      region: plan.applications[0]?.region,
      // null: the inline policy did not exist (rollback deletes it).
      previousText,
      appliedDocument: plan.details.newDocument,
    }),
  });
}

async function currentPolicyText(ctx: FixContext, plan: RolePolicyPatchPlan): Promise<string | null> {
  const { iam } = await ctx.clients(plan.resource.accountId, plan.applications[0].region);
  try {
    const got = await new AwsCalls().send<{ PolicyDocument?: string }>(
      iam,
      new GetRolePolicyCommand({ RoleName: plan.details.roleName, PolicyName: plan.details.policyName }),
      "iam:GetRolePolicy",
    );
    return decodeURIComponent(got.PolicyDocument ?? "");
  } catch (error) {
    if (errorCode(error) === "NoSuchEntity") return null;
    throw error;
  }
}

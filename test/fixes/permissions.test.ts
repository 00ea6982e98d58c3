/**
 * Each fix action declares the AWS permissions it needs (FIX_PERMISSIONS, the
 * fixer role's least privilege): every call an action's plan and apply make
 * on the demo fleet must be one of them. The fix's own calls are counted on
 * its SDK clients (AwsCallStats, per operation, mapped to IAM action names);
 * the re-audit after a fix reads through the audit's clients, as the audit
 * does, and is held to the audit's policy by test/audit/permissions.test.ts.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuditReport, latestAuditId } from "../../app/audit/history";
import type { Finding } from "../../app/audit/types";
import { AwsCallStats, createAwsClients, destroyAwsClients, type AwsClients } from "../../app/aws/clients";
import { applyFullSync, planFullSync } from "../../app/fixes/full-sync";
import { applyRolePolicyPatch, planRolePolicyPatch } from "../../app/fixes/patch-role-policy";
import { FIX_PERMISSIONS } from "../../app/fixes/permissions";
import { applyReupload, planReupload } from "../../app/fixes/reupload-files";
import { applyRollback, planRollback } from "../../app/fixes/rollback";
import type { FixAction, FixContext } from "../../app/fixes/types";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { loadFixtureFile } from "../../app/local-aws/index";
import { auditInto, startFixHarness, type FixHarness } from "./harness";

const DEMO = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const ACTOR = { actor: "user:operator@example.com" };

/** The IAM action of an SDK operation where it has another name (S3's ListObjectsV2 needs s3:ListBucket). */
const IAM_ACTION_OF: Record<string, string> = { "s3:ListObjectsV2": "s3:ListBucket", "s3:HeadObject": "s3:GetObject", "s3:HeadBucket": "s3:ListBucket" };

let h: FixHarness;
let findings: Finding[];
const made: AwsClients[] = [];

/** A context whose fix clients count their calls in `stats` (the audit's clients, for re-audits, are not counted). */
function countingContext(stats: AwsCallStats): FixContext {
  const clients = async (accountId: string, region: string) => {
    const c = createAwsClients({ region, endpoint: h.t.aws.endpoint, credentials: accountCredentials(accountId), stats, maxAttempts: 1, accountId });
    made.push(c);
    return c;
  };
  return { ...h.ctx, clients, auditClients: (accountId, region) => (h.ctx.auditClients ?? h.ctx.clients)(accountId, region) };
}

function actionsOf(stats: AwsCallStats): string[] {
  return Object.keys(stats.byOperation)
    .map((op) => IAM_ACTION_OF[op] ?? op)
    .sort();
}

function failing(action: FixAction): Finding {
  const f = findings.find((x) => x.status !== "pass" && x.remediation.action === action);
  if (!f) throw new Error(`the demo fleet has no finding fixed by ${action}`);
  return f;
}

beforeAll(async () => {
  h = await startFixHarness(loadFixtureFile(DEMO));
  await auditInto(h);
  findings = (await getAuditReport(h.db, (await latestAuditId(h.db))!))!.findings;
}, 60_000);

afterAll(async () => {
  for (const c of made) destroyAwsClients(c);
  await h?.close();
});

describe("each fix action's AWS calls stay within FIX_PERMISSIONS", () => {
  let patchActivity: number | undefined;

  it("full-sync (plan, apply, follow the sync to its end, restore the mode)", async () => {
    const stats = new AwsCallStats();
    const ctx = countingContext(stats);
    const r = failing("full-sync").resource;
    const ref = { accountId: r.accountId, region: r.region, applicationId: r.applicationId!, indexId: r.indexId!, dataSourceId: r.dataSourceId! };
    const plan = await planFullSync(ctx, ref);
    expect(plan.status).toBe("ready");
    const result = await applyFullSync(ctx, ref, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    expect(result.outcome).toBe("succeeded");
    expect(actionsOf(stats)).toContain("qbusiness:StartDataSourceSyncJob");
    expect(actionsOf(stats).filter((a) => !FIX_PERMISSIONS["full-sync"].includes(a as never))).toEqual([]);
  }, 60_000);

  it("patch-role-policy (plan, apply, verify with the simulator)", async () => {
    const stats = new AwsCallStats();
    const ctx = countingContext(stats);
    const r = failing("patch-role-policy").resource;
    const ref = { accountId: r.accountId, roleArn: r.roleArn! };
    const plan = await planRolePolicyPatch(ctx, ref);
    expect(plan.status).toBe("ready");
    const result = await applyRolePolicyPatch(ctx, ref, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("succeeded");
    patchActivity = result.activityId;
    expect(actionsOf(stats)).toContain("iam:PutRolePolicy");
    expect(actionsOf(stats).filter((a) => !FIX_PERMISSIONS["patch-role-policy"].includes(a as never))).toEqual([]);
  }, 60_000);

  it("rollback (of that role patch)", async () => {
    const stats = new AwsCallStats();
    const ctx = countingContext(stats);
    const plan = await planRollback(ctx, patchActivity!);
    expect(plan.status).toBe("ready");
    const result = await applyRollback(ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("succeeded");
    expect(actionsOf(stats).length).toBeGreaterThan(0);
    expect(actionsOf(stats).filter((a) => !FIX_PERMISSIONS.rollback.includes(a as never))).toEqual([]);
  }, 60_000);

  it("reupload-files (plan with the admin's files, apply)", async () => {
    const stats = new AwsCallStats();
    const ctx = countingContext(stats);
    const r = failing("reupload-files").resource;
    const ref = { accountId: r.accountId, region: r.region, applicationId: r.applicationId!, indexId: r.indexId! };
    const probe = await planReupload(ctx, { ...ref, files: { kind: "buffers", files: [] } });
    const files = {
      kind: "buffers" as const,
      files: probe.details.missingFiles.map((name) => ({ name, data: new TextEncoder().encode(`original of ${name}`) })),
    };
    const plan = await planReupload(ctx, { ...ref, files });
    expect(plan.status).toBe("ready");
    const result = await applyReupload(ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, files });
    expect(result.outcome).toBe("succeeded");
    expect(actionsOf(stats)).toContain("qbusiness:BatchPutDocument");
    expect(actionsOf(stats).filter((a) => !FIX_PERMISSIONS["reupload-files"].includes(a as never))).toEqual([]);
  }, 60_000);
});

/**
 * The roles as code: the committed files under docs/deploy/roles are what
 * `npm run docs` generates from the declared permissions, those are exactly
 * the checks', discovery's and the fix actions' permissions, and the AWS
 * calls an organisation audit and a fix make (the local AWS's request log)
 * stay within them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkMetadata } from "~/audit/checks";
import { discoverOrganization, ORGANIZATION_DISCOVERY_PERMISSIONS } from "~/audit/organization";
import { runAudit } from "~/audit/run";
import { openDatabase } from "~/db/database";
import { auditActions, auditPolicy, deployFileIsCurrent, deployRoleFiles, fixActions, fixPolicy } from "~/docs/roles";
import { createFixContext } from "~/fixes/context";
import { applyFullSync, planFullSync } from "~/fixes/full-sync";
import { FIX_PERMISSIONS } from "~/fixes/permissions";
import { accountCredentials } from "~/local-aws/fixture-types";
import { id36 } from "../audit/fleet-builder";
import { ROOT } from "../helpers/cli";
import { startTestAws } from "../helpers/local-aws";
import { EXTERNAL_ID, MANAGEMENT, REGION, WITH_ROLE, auditRole, auditedOrganization } from "./org-fleet";

describe("docs/deploy/roles", () => {
  it("are what npm run docs generates (run it after changing a check's or a fix's permissions)", () => {
    for (const [name, text] of Object.entries(deployRoleFiles())) {
      const committed = fs.readFileSync(path.join(ROOT, "docs/deploy/roles", name), "utf8");
      expect(deployFileIsCurrent(name, committed, text), `docs/deploy/roles/${name} differs from what npm run docs writes`).toBe(true);
    }
  });

  it("a committed file is judged by what it says: a formatter's layout passes, a changed permission does not", () => {
    const file = "policies/QbizReadinessAudit.json";
    const generated = deployRoleFiles()[file];
    expect(deployFileIsCurrent(file, JSON.stringify(JSON.parse(generated)), generated)).toBe(true);
    expect(deployFileIsCurrent(file, generated.replace("qbusiness:ListIndices", "qbusiness:*"), generated)).toBe(false);
    expect(deployFileIsCurrent("terraform/main.tf", `${deployRoleFiles()["terraform/main.tf"]} `, deployRoleFiles()["terraform/main.tf"])).toBe(false);
  });

  it("allow exactly the declared permissions: the audit role the checks' and discovery's, the fix role the fix actions'", () => {
    const allowed = (policy: ReturnType<typeof auditPolicy>) =>
      [...new Set(policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action))].sort();
    expect(allowed(auditPolicy())).toEqual(auditActions());
    expect(auditActions()).toEqual([...new Set([...checkMetadata.flatMap((c) => c.permissions), ...ORGANIZATION_DISCOVERY_PERMISSIONS])].sort());
    expect(allowed(fixPolicy())).toEqual(fixActions());
    expect(fixActions()).toEqual([...new Set(Object.values(FIX_PERMISSIONS).flat())].sort());
    // Read-only: no write in the audit role.
    expect(auditActions().filter((a) => /:(Put|Delete|Update|Start|Stop|Batch|Create)/.test(a))).toEqual([]);
    // The templates carry the same policies, with the hub principal and the external id in their trust.
    const cfn = JSON.parse(deployRoleFiles()["cloudformation/qbiz-readiness-roles.json"]);
    expect(cfn.Resources.AuditRole.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { AWS: { Ref: "HubPrincipalArn" } },
      Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
    });
    expect(
      JSON.parse(JSON.parse(deployRoleFiles()["cloudformation/qbiz-readiness-roles-stackset.json"]).Resources.QbizReadinessRoles.Properties.TemplateBody),
    ).toEqual(cfn);
  });

  it("cover every call an organisation audit and a fix through the fix role make", async () => {
    const fixture = auditedOrganization();
    fixture.accounts.find((a) => a.accountId === WITH_ROLE)!.iam!.roles.push(auditRole(MANAGEMENT, undefined, "QbizReadinessFix"));
    const t = await startTestAws(fixture);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-roles-"));
    const db = await openDatabase(path.join(dir, "a.sqlite"));
    const credentials = accountCredentials(MANAGEMENT);
    try {
      await runAudit({ endpoint: t.aws.endpoint, credentials, regions: [REGION], organization: { externalId: EXTERNAL_ID }, db });
      const audited = t.aws.requests.map((r) => r.action);
      expect(audited).toContain("organizations:ListAccountsForParent");
      expect(audited).toContain("qbusiness:ListDataSourceSyncJobs");
      expect([...new Set(audited)].filter((a) => !auditActions().includes(a))).toEqual([]);

      t.aws.clearRequests();
      const { specs } = await discoverOrganization({ endpoint: t.aws.endpoint, credentials, regions: [REGION], fixRoleName: "QbizReadinessFix" });
      const ctx = createFixContext({ db, targets: specs, endpoint: t.aws.endpoint, credentials, maxAttempts: 1, sleep: async (ms) => t.aws.clock.advance(ms) });
      t.aws.clearRequests();
      const plan = await planFullSync(ctx, {
        accountId: WITH_ROLE,
        region: REGION,
        applicationId: id36("prod-app"),
        indexId: id36("prod-idx"),
        dataSourceId: id36("prod-ds"),
      });
      await applyFullSync(ctx, plan, { actor: "user:olivia", confirmPlanHash: plan.planHash, wait: true });
      await ctx.close();
      // The hub assumes the roles; everything in the member account runs as the fix role (or, re-auditing, the audit role).
      const inMember = t.aws.requests.filter((r) => r.accountId === WITH_ROLE).map((r) => r.action);
      expect(inMember).toContain("qbusiness:StartDataSourceSyncJob");
      expect([...new Set(inMember)].filter((a) => !fixActions().includes(a) && !auditActions().includes(a))).toEqual([]);
      const hub = t.aws.requests.filter((r) => r.accountId === MANAGEMENT).map((r) => r.action);
      expect([...new Set(hub)].filter((a) => !auditActions().includes(a))).toEqual([]);
    } finally {
      await db.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Fixes go through the fix role, never the audit role: with a fixRoleArn (or
 * a fix role name) the fix actions assume it and the re-audit still reads
 * through the audit role; with only the audit role, the fix is shown as
 * unavailable, naming the role to deploy, and no AWS call is made.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { discoverOrganization } from "~/audit/organization";
import { openDatabase, type Db } from "~/db/database";
import { createFixContext } from "~/fixes/context";
import { applyFullSync, planFullSync } from "~/fixes/full-sync";
import { accountCredentials } from "~/local-aws/fixture-types";
import { id36 } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { MANAGEMENT, REGION, WITH_ROLE, auditRole, auditedOrganization } from "./org-fleet";

const ACTOR = { actor: "user:olivia" };
let t: TestAws;
let db: Db;
let dir: string;

beforeAll(async () => {
  const fixture = auditedOrganization();
  // The prod account also has the fix role, trusting the management account.
  fixture.accounts.find((a) => a.accountId === WITH_ROLE)!.iam!.roles.push(auditRole(MANAGEMENT, undefined, "QbizReadinessFix"));
  t = await startTestAws(fixture);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fix-role-"));
  db = await openDatabase(path.join(dir, "fixes.sqlite"));
});
afterAll(async () => {
  await db.close();
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const source = { accountId: WITH_ROLE, region: REGION, applicationId: id36("prod-app"), indexId: id36("prod-idx"), dataSourceId: id36("prod-ds") };

async function contextFor(fixRoleName?: string) {
  const credentials = accountCredentials(MANAGEMENT);
  const { specs } = await discoverOrganization({ endpoint: t.aws.endpoint, credentials, regions: [REGION], fixRoleName });
  return createFixContext({ db, targets: specs, endpoint: t.aws.endpoint, credentials, maxAttempts: 1, sleep: async (ms) => t.aws.clock.advance(ms) });
}

describe("the fix role", () => {
  it("fix actions assume it; the re-audit reads through the audit role", async () => {
    const ctx = await contextFor("QbizReadinessFix");
    try {
      const fixer = await (await ctx.clients(WITH_ROLE, REGION)).sts.send(new GetCallerIdentityCommand({}));
      expect(fixer.Arn).toMatch(new RegExp(`^arn:aws:sts::${WITH_ROLE}:assumed-role/QbizReadinessFix/`));
      const auditor = await (await ctx.auditClients!(WITH_ROLE, REGION)).sts.send(new GetCallerIdentityCommand({}));
      expect(auditor.Arn).toMatch(new RegExp(`^arn:aws:sts::${WITH_ROLE}:assumed-role/QbizReadinessAudit/`));

      const plan = await planFullSync(ctx, source);
      expect(plan.status).toBe("ready");
      const result = await applyFullSync(ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
      expect(result.outcome).toBe("succeeded");
    } finally {
      await ctx.close();
    }
  });

  it("with only the audit role, the fix is unavailable, names the role to deploy, and calls nothing", async () => {
    const ctx = await contextFor(undefined);
    try {
      t.aws.clearRequests();
      const plan = await planFullSync(ctx, source);
      expect(plan.status).toBe("unavailable");
      expect(plan.reasons.join(" ")).toContain(
        `Fixes in account ${WITH_ROLE} need a fix role: arn:aws:iam::${WITH_ROLE}:role/QbizReadinessAudit is the read-only audit role. ` +
          "Deploy the QbizReadinessFix role in that account (docs/deploy/roles), then name it: fixRoleArn in the targets file, --fix-role-name or QBR_FIX_ROLE_NAME.",
      );
      expect(t.aws.requests.filter((r) => r.accountId === WITH_ROLE)).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it("a fix role that is not deployed makes the fix unavailable with what to deploy", async () => {
    const ctx = await contextFor("QbizReadinessFixMissing");
    try {
      const other = { ...source, accountId: MANAGEMENT, applicationId: id36("mgmt-app"), indexId: id36("mgmt-idx"), dataSourceId: id36("mgmt-ds") };
      const plan = await planFullSync(ctx, other);
      expect(plan.status).toBe("unavailable");
      expect(plan.reasons.join(" ")).toMatch(
        /Cannot assume the fix role arn:aws:iam::111100000000:role\/QbizReadinessFixMissing \(AccessDenied: .*\)\. Deploy the QbizReadinessFix role in account 111100000000/,
      );
    } finally {
      await ctx.close();
    }
  });

  it("an organisation context (QBR_ORGANIZATION) discovers the targets itself: fix role for fixes, audit role for re-audits", async () => {
    const credentials = accountCredentials(MANAGEMENT);
    const base = { db, endpoint: t.aws.endpoint, credentials, maxAttempts: 1 };
    const withFixRole = createFixContext({ ...base, organization: { fixRoleName: "QbizReadinessFix" } });
    const auditOnly = createFixContext({ ...base, organization: {} });
    try {
      const fixer = await (await withFixRole.clients(WITH_ROLE, REGION)).sts.send(new GetCallerIdentityCommand({}));
      expect(fixer.Arn).toMatch(/:assumed-role\/QbizReadinessFix\//);
      const auditor = await (await auditOnly.auditClients!(WITH_ROLE, REGION)).sts.send(new GetCallerIdentityCommand({}));
      expect(auditor.Arn).toMatch(/:assumed-role\/QbizReadinessAudit\//);
      const plan = await planFullSync(auditOnly, source);
      expect(plan.status).toBe("unavailable");
      expect(plan.reasons.join(" ")).toContain(`Fixes in account ${WITH_ROLE} need a fix role`);
    } finally {
      await withFixRole.close();
      await auditOnly.close();
    }
  });
});

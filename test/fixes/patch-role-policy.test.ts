/**
 * patch-role-policy and its rollback through the real SDK against the local
 * AWS: the role simulation denying before, allowing after; the exact diff;
 * refusals that change nothing; rollback restoring the policies exactly.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { applyRolePolicyPatch, planRolePolicyPatch } from "../../app/fixes/patch-role-policy";
import { applyRollback, planRollback } from "../../app/fixes/rollback";
import { getActivity, listActivity } from "../../app/fixes/activity-log";
import type { FixtureRole } from "../../app/local-aws/fixture-types";
import { ACCOUNT, APP, APP2, INDEX, REGION, ROLE_ARN, ROLE_NAME, appArn, chatOnlyRole, fixFleet } from "./fleet";
import { auditInto, startFixHarness, type FixHarness } from "./harness";

let h: FixHarness;
afterEach(async () => h?.close());

const ACTOR = { actor: "user:alice@example.com" };
const ROLE = { accountId: ACCOUNT, roleArn: ROLE_ARN };

async function start(role?: FixtureRole, webRoleArn?: string): Promise<FixHarness> {
  h = await startFixHarness(fixFleet({ ...(role ? { role } : {}), webRoleArn }));
  await auditInto(h);
  return h;
}

async function decision(resource: string): Promise<string | undefined> {
  const { iam } = h.t.clients(ACCOUNT, REGION);
  const answer = await iam.send(
    new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["qbusiness:GetDocumentContent"], ResourceArns: [resource] }),
  );
  return answer.EvaluationResults?.[0]?.EvalDecision;
}

/** Every inline policy of the role, name → exact text as IAM returns it. */
async function inlinePolicies(): Promise<Record<string, string>> {
  const { iam } = h.t.clients(ACCOUNT, REGION);
  const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))).PolicyNames ?? [];
  const out: Record<string, string> = {};
  for (const name of names) out[name] = (await iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: name }))).PolicyDocument ?? "";
  return out;
}

const NEEDED_STATEMENT = {
  Sid: "QBusinessGetDocumentContentPermission",
  Effect: "Allow",
  Action: ["qbusiness:GetDocumentContent"],
  Resource: [appArn(APP), `${appArn(APP)}/index/*`, appArn(APP2), `${appArn(APP2)}/index/*`],
};

describe("patch-role-policy", () => {
  it("turns the role simulation's implicit deny into allowed for the application and its index", async () => {
    await start();
    const indexArn = `${appArn(APP)}/index/${INDEX}`;
    expect(await decision(appArn(APP))).toBe("implicitDeny");
    expect(await decision(indexArn)).toBe("implicitDeny");

    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.status).toBe("ready");
    const result = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("succeeded");
    expect(result.verification?.ok).toBe(true);
    expect(await decision(appArn(APP))).toBe("allowed");
    expect(await decision(indexArn)).toBe("allowed");
    expect(result.reaudit?.stillWrong.map((f) => f.checkId)).not.toContain("webexperience-role-getdocumentcontent");
    expect((await getActivity(h.db, result.activityId!))!.rollbackData).toMatchObject({ previousText: null, policyName: "QBusinessGetDocumentContent" });
  });

  it("plans exactly the needed statement as a new inline policy, every line an addition", async () => {
    await start();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.details.previousDocument).toBeNull();
    expect(plan.details.newDocument).toEqual({ Version: "2012-10-17", Statement: [NEEDED_STATEMENT] });
    expect(plan.details.diff.every((line) => line.startsWith("+ "))).toBe(true);
    expect(plan.details.diff.join("\n")).toContain('"Sid": "QBusinessGetDocumentContentPermission"');
  });

  it("grants both applications that share the role", async () => {
    await start();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.applications.map((a) => a.applicationId).sort()).toEqual([APP, APP2].sort());
    await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(await decision(appArn(APP2))).toBe("allowed");
    expect(await decision(`${appArn(APP2)}/index/anything`)).toBe("allowed");
  });

  it("keeps the other statements of an existing inline policy of the same name, and other policies untouched", async () => {
    const other = { Sid: "ReadBucket", Effect: "Allow" as const, Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-hr/*" };
    await start(
      chatOnlyRole({ inlinePolicies: { ...chatOnlyRole().inlinePolicies, QBusinessGetDocumentContent: { Version: "2012-10-17", Statement: [other] } } }),
    );
    const before = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.details.newDocument).toEqual({ Version: "2012-10-17", Statement: [other, NEEDED_STATEMENT] });
    expect(plan.details.diff.filter((l) => l.startsWith("- "))).toEqual([]);

    await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    const after = await inlinePolicies();
    expect(after.QBusinessWebPolicy).toBe(before.QBusinessWebPolicy);
    expect(JSON.parse(decodeURIComponent(after.QBusinessGetDocumentContent)).Statement[0]).toEqual(other);
  });

  it("refuses, naming the quota and changing nothing, when the inline policies would pass 10,240 characters", async () => {
    // ~9,900 characters of inline policies: under the quota now, over it with the patch's statement.
    const filler = Array.from({ length: 212 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${String(i).padStart(4, "0")}/*`);
    await start(
      chatOnlyRole({
        inlinePolicies: {
          ...chatOnlyRole().inlinePolicies,
          Big: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: filler }] },
        },
      }),
    );
    const before = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.status).toBe("refused");
    expect(plan.reasons.join(" ")).toMatch(/over IAM's 10240/);
    const result = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("refused");
    expect(await inlinePolicies()).toEqual(before);
  });

  it("refuses, naming the statement and changing nothing, when an explicit deny would still win", async () => {
    const deny = { Sid: "NoDownloads", Effect: "Deny" as const, Action: "qbusiness:GetDocumentContent", Resource: "*" };
    await start(chatOnlyRole({ inlinePolicies: { ...chatOnlyRole().inlinePolicies, Guardrail: { Version: "2012-10-17", Statement: [deny] } } }));
    const before = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    expect(plan.status).toBe("refused");
    expect(plan.reasons[0]).toMatch(/explicit deny would still win.*Guardrail \(NoDownloads\)/);
    const result = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("refused");
    expect(await inlinePolicies()).toEqual(before);
  });

  it("refuses a service-linked role as unmodifiable and changes nothing", async () => {
    const path = "/aws-service-role/qbusiness.amazonaws.com/";
    const serviceLinkedArn = `arn:aws:iam::${ACCOUNT}:role${path}${ROLE_NAME}`;
    await start(chatOnlyRole({ path }), serviceLinkedArn);
    const before = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, { accountId: ACCOUNT, roleArn: serviceLinkedArn });
    expect(plan.status).toBe("refused");
    expect(plan.reasons.join(" ")).toMatch(/service-linked.*UnmodifiableEntity/);
    expect(await inlinePolicies()).toEqual(before);
  });

  it("does not apply a plan that changed since it was shown", async () => {
    await start();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    const { iam } = h.t.clients(ACCOUNT, REGION);
    const someoneElses = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "QBusinessGetDocumentContent", PolicyDocument: someoneElses }));
    const result = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(result.outcome).toBe("stale-plan");
    expect(result.plan.details.previousDocument).toEqual(JSON.parse(someoneElses));
    expect(decodeURIComponent((await inlinePolicies()).QBusinessGetDocumentContent)).toBe(someoneElses);
    expect(await listActivity(h.db)).toHaveLength(0);
  });

  it("runs two concurrent applies on one role once", async () => {
    await start();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    const options = { ...ACTOR, confirmPlanHash: plan.planHash };
    const results = await Promise.all([applyRolePolicyPatch(h.ctx, plan, options), applyRolePolicyPatch(h.ctx, plan, options)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["busy", "succeeded"]);
    expect(await listActivity(h.db, { action: "patch-role-policy" })).toHaveLength(1);
  });
});

describe("rollback of a role patch", () => {
  it("deletes the inline policy the patch created, restoring the role's policies exactly", async () => {
    await start();
    const original = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    const patched = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });

    const rollbackPlan = await planRollback(h.ctx, patched.activityId!);
    expect(rollbackPlan.status).toBe("ready");
    expect(rollbackPlan.details.operation).toBe("DeleteRolePolicy");
    const rolledBack = await applyRollback(h.ctx, rollbackPlan, { actor: "user:bob@example.com", confirmPlanHash: rollbackPlan.planHash });
    expect(rolledBack.outcome).toBe("succeeded");
    expect(await inlinePolicies()).toEqual(original);
    expect(await decision(appArn(APP))).toBe("implicitDeny");

    const entry = (await getActivity(h.db, rolledBack.activityId!))!;
    expect(entry.rollbackOf).toBe(patched.activityId);
    expect((await getActivity(h.db, patched.activityId!))!.status).toBe("rolled-back");
    expect((await planRollback(h.ctx, patched.activityId!)).status).toBe("refused");
  });

  it("puts back the exact previous text of an inline policy the patch updated", async () => {
    await start();
    const { iam } = h.t.clients(ACCOUNT, REGION);
    // Written with its own spacing and key order: rollback must give back this very text.
    const previous = '{"Statement": [ {"Resource":"*", "Effect":"Allow","Action":"s3:ListBucket"} ],"Version":"2012-10-17"}';
    await iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "QBusinessGetDocumentContent", PolicyDocument: previous }));
    const original = await inlinePolicies();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    const patched = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    expect(await inlinePolicies()).not.toEqual(original);

    const rollbackPlan = await planRollback(h.ctx, patched.activityId!);
    expect(rollbackPlan.details.operation).toBe("PutRolePolicy");
    await applyRollback(h.ctx, rollbackPlan, { ...ACTOR, confirmPlanHash: rollbackPlan.planHash });
    expect(await inlinePolicies()).toEqual(original);
  });

  it("refuses to roll back a patch whose policy someone changed since", async () => {
    await start();
    const plan = await planRolePolicyPatch(h.ctx, ROLE);
    const patched = await applyRolePolicyPatch(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash });
    const { iam } = h.t.clients(ACCOUNT, REGION);
    await iam.send(
      new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "QBusinessGetDocumentContent", PolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }),
    );
    const rollbackPlan = await planRollback(h.ctx, patched.activityId!);
    expect(rollbackPlan.status).toBe("refused");
    expect(rollbackPlan.reasons[0]).toMatch(/no longer what the patch put/);
  });
});

/**
 * The notification after a fix: a role policy patch applied through the fix
 * actions (SDK over HTTP to the local AWS, a real SQLite file) sends one
 * message to the webhook configured in QBR_NOTIFY_WEBHOOK_URL, with what it
 * did and a dashboard link to its activity entry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { settleFixNotifications } from "~/fixes/activity-log";
import { applyRolePolicyPatch, planRolePolicyPatch } from "~/fixes/patch-role-policy";
import { accountCredentials } from "~/local-aws/fixture-types";
import type { Notification } from "~/notify/message";
import { startFixHarness, type FixHarness } from "../fixes/harness";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook";
import { PROD, suppressionFleet } from "../suppressions/fleet";

let h: FixHarness;
let receiver: WebhookReceiver;
const received: Notification[] = [];
const saved = { url: process.env.QBR_NOTIFY_WEBHOOK_URL, dashboard: process.env.QBR_DASHBOARD_URL };

beforeAll(async () => {
  const fleet = suppressionFleet();
  fleet.accounts.find((a) => a.accountId === PROD)!.iam!.roles![0]!.inlinePolicies = {};
  h = await startFixHarness(fleet);
  receiver = await startWebhookReceiver(received, { status: 204 });
  const targets = targetsForFixture(h.t.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  await runAudit({ targets, endpoint: h.t.aws.endpoint, db: h.db, notify: false, securityHub: false });
  process.env.QBR_NOTIFY_WEBHOOK_URL = receiver.url;
  process.env.QBR_DASHBOARD_URL = "https://qbr.example.com";
});
afterAll(async () => {
  for (const [key, value] of [
    ["QBR_NOTIFY_WEBHOOK_URL", saved.url],
    ["QBR_DASHBOARD_URL", saved.dashboard],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await receiver.close();
  await h.close();
});

describe("notifications after a fix", () => {
  it("a role patch sends one message saying what it did, linked to its activity entry", async () => {
    const plan = await planRolePolicyPatch(h.ctx, { accountId: PROD, roleArn: `arn:aws:iam::${PROD}:role/prod-app-role` });
    expect(plan.status).toBe("ready");
    const result = await applyRolePolicyPatch(h.ctx, plan, { actor: "user:olivia", confirmPlanHash: plan.planHash });
    await settleFixNotifications();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      event: "fix",
      activityId: result.activityId,
      fix: { action: "patch-role-policy", status: result.outcome, actor: "user:olivia" },
    });
    expect(received[0]!.links).toEqual([{ label: `Activity #${result.activityId}`, url: `https://qbr.example.com/activity/${result.activityId}` }]);
    expect(received[0]!.text).toContain("prod-app-role");
  });
});

/**
 * The notification after a fix: a role policy patch applied through the fix
 * actions (SDK over HTTP to the local AWS, a real SQLite file) sends one
 * message to the webhook configured in QBR_NOTIFY_WEBHOOK_URL, with what it
 * did and a dashboard link to its activity entry.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { settleFixNotifications } from "~/fixes/activity-log";
import { applyRolePolicyPatch, planRolePolicyPatch } from "~/fixes/patch-role-policy";
import { accountCredentials } from "~/local-aws/fixture-types";
import type { Notification } from "~/notify/message";
import { startFixHarness, type FixHarness } from "../fixes/harness";
import { PROD, suppressionFleet } from "../suppressions/fleet";

let h: FixHarness;
let receiver: http.Server;
const received: Notification[] = [];
const saved = { url: process.env.QBR_NOTIFY_WEBHOOK_URL, dashboard: process.env.QBR_DASHBOARD_URL };

beforeAll(async () => {
  const fleet = suppressionFleet();
  fleet.accounts.find((a) => a.accountId === PROD)!.iam!.roles![0]!.inlinePolicies = {};
  h = await startFixHarness(fleet);
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(JSON.parse(body) as Notification);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const targets = targetsForFixture(h.t.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  await runAudit({ targets, endpoint: h.t.aws.endpoint, db: h.db, notify: false, securityHub: false });
  process.env.QBR_NOTIFY_WEBHOOK_URL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
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
  await new Promise((resolve) => receiver.close(resolve));
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

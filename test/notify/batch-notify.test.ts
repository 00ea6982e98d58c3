/**
 * A bulk batch's notification (issue 14.3): a bulk full sync over several
 * data sources (SDK over HTTP to the local AWS, a real SQLite file), one of
 * them refused by AWS, sends exactly ONE message to the webhook receiver of
 * this test when it ends, with its counts per action and account, the failure
 * and its reason, and a link to /fix/bulk/<id>; its items send none of their
 * own, while a single fix still sends its own. A batch resumed after a
 * restart sends one message too; the same message published to an SNS topic
 * of the local AWS is read back from its local-only path.
 */
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { listNotificationRows } from "~/db/notifications";
import { settleFixNotifications } from "~/fixes/activity-log";
import { applyBulkBatch, createBulkBatch, getBulkBatch, resumeBulkBatches, runBulkBatch } from "~/fixes/bulk";
import { applyFullSync, planFullSync } from "~/fixes/full-sync";
import { accountCredentials, type Fixture } from "~/local-aws/fixture-types";
import { notifyBatchEnd } from "~/notify/batch-notify";
import type { Notification } from "~/notify/message";
import { account, application, fleet, index } from "../audit/fleet-builder";
import { staleSource, startFixHarness, type FixHarness } from "../fixes/harness";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook";

const A = "111111111111";
const B = "222222222222";
const actor = "user:alice@example.com";

let h: FixHarness | undefined;
let receiver: WebhookReceiver;
const received: Notification[] = [];
const saved = { url: process.env.QBR_NOTIFY_WEBHOOK_URL, dashboard: process.env.QBR_DASHBOARD_URL };

/** Account A: three stale data sources; account B: one in us-east-1 and one in eu-west-1, where AWS refuses StartDataSourceSyncJob. */
function batchFleet(): Fixture {
  const appOf = (label: string, sources: string[]) => application(`app-${label}`, [index(`idx-${label}`, sources.map(staleSource))]);
  return fleet([
    account(A, { "us-east-1": [appOf("a", ["a1", "a2", "a3"])] }),
    account(
      B,
      { "us-east-1": [appOf("b", ["b1"])], "eu-west-1": [appOf("b-eu", ["b2"])] },
      { denied: [{ service: "qbusiness", region: "eu-west-1", operation: "StartDataSourceSyncJob" }] },
    ),
  ]);
}

async function startWithAudit(): Promise<FixHarness> {
  h = await startFixHarness(batchFleet());
  await runAudit({ targets: targetsForFixture(h.t.aws.fleet), endpoint: h.t.aws.endpoint, db: h.db, maxAttempts: 1, notify: false, securityHub: false });
  return h;
}

const planBatch = (harness: FixHarness) =>
  createBulkBatch(harness.ctx, {
    actor,
    selection: { filter: "check=datasource-full-sync-missing", choice: "full-sync" },
    filter: { status: null, check: "datasource-full-sync-missing" },
    perAccount: 1,
  });

beforeAll(async () => {
  receiver = await startWebhookReceiver(received, { status: 204 });
  process.env.QBR_NOTIFY_WEBHOOK_URL = receiver.url;
  process.env.QBR_DASHBOARD_URL = "https://qbr.example.com";
});
afterEach(async () => {
  await settleFixNotifications();
  await h?.close();
  h = undefined;
  received.length = 0;
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
});

describe("a bulk batch's notification", () => {
  it("a single fix sends its own message; a bulk full sync over five data sources sends exactly one, with its counts", async () => {
    const harness = await startWithAudit();
    const id = await planBatch(harness);
    const planned = (await getBulkBatch(harness.db, id))!;
    expect(planned.items.map((i) => i.name).sort()).toEqual(["a1", "a2", "a3", "b1", "b2"]);

    // a1 is fixed on its own page first: that single fix tells it (and the batch later skips it as already fixed).
    const a1 = planned.items.find((i) => i.name === "a1")!;
    if (a1.target.action !== "full-sync") throw new Error("a1 is a full sync");
    const single = await planFullSync(harness.ctx, a1.target.dataSource);
    const alone = await applyFullSync(harness.ctx, single, { actor: "user:bob@example.com", confirmPlanHash: single.planHash, wait: true });
    expect(alone.outcome).toBe("succeeded");
    await settleFixNotifications();
    expect(received.map((n) => n.event)).toEqual(["fix"]);
    expect(received[0]).toMatchObject({ activityId: alone.activityId, fix: { action: "full-sync", status: "succeeded" } });

    const started = await applyBulkBatch(harness.ctx, id, { actor, confirmBatchHash: planned.batchHash });
    expect(started.outcome).toBe("started");
    const done = (await started.run)!;
    await settleFixNotifications();
    expect(done.state).toBe("done");
    expect(done.message).toBe("3 succeeded, 1 failed, 1 skipped (already fixed)");

    // Exactly one message more: the batch's, none for its four applied items.
    expect(received.map((n) => n.event)).toEqual(["fix", "batch"]);
    const message = received[1]!;
    expect(message.batchId).toBe(id);
    expect(message.batch!.counts).toMatchObject({ succeeded: 3, failed: 1, skipped: 1, refused: 0, pending: 0, running: 0 });
    expect(message.batch!.groups).toEqual([
      { action: "full-sync", accountId: A, items: 3, succeeded: 2, failed: 0, skipped: 1, refused: 0, notFinished: 0 },
      { action: "full-sync", accountId: B, items: 2, succeeded: 1, failed: 1, skipped: 0, refused: 0, notFinished: 0 },
    ]);
    expect(message.batch!.failed).toHaveLength(1);
    expect(message.batch!.failed[0]).toMatchObject({ name: "b2", accountId: B, region: "eu-west-1" });
    expect(message.batch!.failed[0]!.message).toMatch(/AWS denied qbusiness:StartDataSourceSyncJob/);
    expect(message.links).toEqual([{ label: `Batch #${id}`, url: `https://qbr.example.com/fix/bulk/${id}` }]);
    expect(message.text).toMatch(new RegExp(`^\\*qbiz-readiness: bulk batch #${id} ended: 3 succeeded, 1 failed, 1 skipped\\*`));
    expect(message.text).toContain(`Full sync in ${A}: 2 succeeded, 0 failed, 1 skipped (already fixed)`);
    expect(message.text).toContain(`Full sync in ${B}: 1 succeeded, 1 failed, 0 skipped (already fixed)`);
    expect(message.text).toMatch(/Failed \(1\):\n {2}• Full sync b2 \(222222222222\/eu-west-1\): .*AWS denied/);
    expect(message.text).toContain(`Batch #${id}: https://qbr.example.com/fix/bulk/${id}`);
    // Recorded like every delivery: one webhook row for the batch.
    const rows = await listNotificationRows(harness.db);
    expect(rows.filter((r) => r.event === "batch").map((r) => [r.sink, r.status])).toEqual([["webhook", "delivered"]]);

    // The same message to an SNS topic of the local AWS, published with the SDK and read back.
    const sns = new SNSClient({ endpoint: harness.t.aws.endpoint, region: "us-east-1", credentials: accountCredentials(A) });
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "qbr-batches" }))).TopicArn!;
    sns.destroy();
    const sent = await notifyBatchEnd(harness.db, done, {
      sinks: { snsTopicArn: topicArn, sns: { endpoint: harness.t.aws.endpoint, credentials: accountCredentials(A) }, backoffMs: [10] },
    });
    expect(sent.deliveries).toEqual([{ sink: "sns", status: "delivered", attempts: 1 }]);
    const response = await fetch(`${harness.t.aws.endpoint}/_local/sns/messages?${new URLSearchParams({ topicArn })}`);
    const published = ((await response.json()) as { messages: { subject?: string; message: string }[] }).messages;
    expect(published).toHaveLength(1);
    expect(published[0]!.subject).toBe(message.title);
    expect(JSON.parse(published[0]!.message)).toMatchObject({ event: "batch", batchId: id, batch: { counts: { succeeded: 3, failed: 1, skipped: 1 } } });
  }, 120_000);

  it("a batch resumed after a restart sends one message when it ends, and never a second", async () => {
    const harness = await startWithAudit();
    const id = await planBatch(harness);
    const planned = (await getBulkBatch(harness.db, id))!;
    // Confirmed, but the process stops before running it: a restart resumes it, as the dashboard does at start.
    expect((await applyBulkBatch(harness.ctx, id, { actor, confirmBatchHash: planned.batchHash, run: false })).outcome).toBe("started");
    const ctx = await harness.restart();
    expect(await resumeBulkBatches(ctx)).toEqual([id]);
    await settleFixNotifications();
    expect(received.map((n) => n.event)).toEqual(["batch"]);
    expect(received[0]!.batch!.counts).toMatchObject({ succeeded: 4, failed: 1, skipped: 0 });
    // Resuming or running it again finds it done: nothing more is sent.
    expect(await resumeBulkBatches(ctx)).toEqual([]);
    expect((await runBulkBatch(ctx, id))!.state).toBe("done");
    await settleFixNotifications();
    expect(received).toHaveLength(1);
  }, 120_000);
});

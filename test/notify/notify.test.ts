/**
 * Notifications after audits, end to end: audits of a fleet on a local AWS
 * into a real SQLite file, a webhook receiver in this test (a real HTTP
 * server) and an SNS topic on the local AWS, published with the SDK and read
 * back from the local-only path. Only changes are sent.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { openDatabase, type Db } from "~/db/database";
import { listNotificationRows } from "~/db/notifications";
import { accountCredentials, type FixtureRole } from "~/local-aws/fixture-types";
import type { NotifySinks } from "~/notify/deliver";
import type { Notification } from "~/notify/message";
import { AFTER, documents, syncJob } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook";
import { PROD, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

let aws: TestAws;
let db: Db;
let dir: string;
let receiver: WebhookReceiver;
let receiverUrl: string;
const received: Notification[] = [];
let failNext = 0;
let topicArn: string;
let savedPolicies: FixtureRole["inlinePolicies"];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-notify-"));
  db = await openDatabase(path.join(dir, "audits.sqlite"));
  aws = await startTestAws(suppressionFleet());
  receiver = await startWebhookReceiver(received, {
    path: "/hooks/T000/B000",
    // The next `failNext` messages are refused, as a sink that is down would.
    refuse: () => {
      if (failNext === 0) return false;
      failNext--;
      return true;
    },
  });
  receiverUrl = receiver.url;
  const sns = new SNSClient({ endpoint: aws.aws.endpoint, region: "us-east-1", credentials: accountCredentials(SANDBOX) });
  topicArn = (await sns.send(new CreateTopicCommand({ Name: "qbr-alerts" }))).TopicArn!;
  sns.destroy();
});
afterAll(async () => {
  await receiver.close();
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sinks(): NotifySinks {
  return {
    webhookUrl: receiverUrl,
    snsTopicArn: topicArn,
    sns: { endpoint: aws.aws.endpoint, credentials: accountCredentials(SANDBOX) },
    backoffMs: [10, 20, 40],
  };
}

async function audit(notify: NotifySinks = sinks()) {
  const targets = targetsForFixture(aws.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  aws.aws.clock.advance(60_000);
  return runAudit({ targets, endpoint: aws.aws.endpoint, db, notify, securityHub: false, now: () => aws.aws.clock.now() });
}

async function snsMessages(): Promise<{ subject?: string; message: string }[]> {
  const response = await fetch(`${aws.aws.endpoint}/_local/sns/messages?${new URLSearchParams({ topicArn })}`);
  return ((await response.json()) as { messages: { subject?: string; message: string }[] }).messages;
}

const prodFleet = () => aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!;

describe("notifications after audits", () => {
  it("the first audit sends a summary; an unchanged re-audit sends nothing", async () => {
    await audit();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ event: "audit", regressed: [], becameReady: [] });
    expect(received[0]!.text).toMatch(/^\*qbiz-readiness: first audit: 0 of 3 applications ready/);
    const unchanged = await audit();
    expect(unchanged.notification?.sent).toBeUndefined();
    expect(received).toHaveLength(1);
    expect(await snsMessages()).toHaveLength(1);
  });

  it("a fix the fleet got and a regression each send exactly one message, to the webhook and to SNS", async () => {
    const ds = prodFleet().regions[WEST]!.applications[0]!.indices[0]!.dataSources[0]!;
    ds.syncJobs = [syncJob("prod-full", AFTER)];
    ds.documents = documents(2, "2025-08-01T10:01:00.000Z");
    await audit();
    expect(received).toHaveLength(2);
    expect(received[1]!.becameReady?.map((a) => [a.displayName, a.from, a.to])).toEqual([["prod-app", "not-ready", "ready"]]);

    savedPolicies = prodFleet().iam!.roles![0]!.inlinePolicies;
    prodFleet().iam!.roles![0]!.inlinePolicies = {};
    await audit();
    expect(received).toHaveLength(3);
    const regression = received[2]!;
    expect(regression.regressed?.map((a) => [a.displayName, a.from, a.to])).toEqual([["prod-app", "ready", "not-ready"]]);
    expect(regression.newlyFailing?.map((f) => f.checkId)).toContain("webexperience-role-getdocumentcontent");
    expect(regression.text).toContain("Regressed (1):\n  • prod-app (222200000002/us-west-2): ready → not-ready");
    await audit();
    expect(received).toHaveLength(3);

    const published = await snsMessages();
    expect(published).toHaveLength(3);
    expect(published[2]!.subject).toBe("qbiz-readiness: 1 regressed, 0 became ready, 1 newly failing");
    expect((JSON.parse(published[2]!.message) as Notification).regressed?.[0]?.displayName).toBe("prod-app");
  });

  it("a failing webhook is retried with backoff, then recorded as failed; the audit is stored regardless", async () => {
    prodFleet().iam!.roles![0]!.inlinePolicies = savedPolicies; // ready again: a change to tell
    failNext = 10;
    const run = await audit({ webhookUrl: receiverUrl, backoffMs: [10, 20, 40] });
    failNext = 0;
    expect(run.auditId).toBeDefined();
    expect(run.notification?.deliveries).toEqual([{ sink: "webhook", status: "failed", attempts: 4, error: expect.stringContaining("answered HTTP 503") }]);
    const [row] = await listNotificationRows(db, 1);
    expect(row).toMatchObject({ sink: "webhook", status: "failed", attempts: 4, audit_id: run.auditId });
    expect(received).toHaveLength(3);
  });
});

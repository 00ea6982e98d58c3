/**
 * Delivering a notification to its sinks: a webhook (QBR_NOTIFY_WEBHOOK_URL,
 * a JSON POST) and an SNS topic (QBR_NOTIFY_SNS_TOPIC_ARN, Publish with the
 * SDK). Each is tried up to 4 times with exponential backoff (0.5, 1, 2 s);
 * a webhook's 4xx other than 408/429 is not retried (it will not change).
 * Every delivery is recorded; none throws.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { Db } from "../db/database";
import { insertNotificationRow } from "../db/notifications";
import type { Notification } from "./message";
import type { NotifySinks } from "./sinks";

export { hasSinks, sinksFromEnv, type NotifySinks } from "./sinks";

export const DEFAULT_BACKOFF_MS = [500, 1000, 2000];
const WEBHOOK_TIMEOUT_MS = 10_000;

class Permanent extends Error {}

async function postWebhook(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
  if (response.ok) return;
  const detail = `${url.replace(/\?.*$/, "")} answered HTTP ${response.status}`;
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new Permanent(detail);
  throw new Error(detail);
}

async function publishSns(arn: string, n: Notification, sinks: NotifySinks): Promise<void> {
  const region = arn.split(":")[3] || process.env.AWS_REGION || "us-east-1";
  const client = new SNSClient({
    region,
    maxAttempts: 1,
    ...(sinks.sns?.endpoint ? { endpoint: sinks.sns.endpoint } : {}),
    ...(sinks.sns?.credentials ? { credentials: sinks.sns.credentials } : {}),
  });
  try {
    // Subject: one line of printable ASCII, at most 100 characters (SNS refuses anything else).
    const subject = n.title.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
    await client.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: subject,
        Message: JSON.stringify(n),
        MessageAttributes: { event: { DataType: "String", StringValue: n.event } },
      }),
    );
  } finally {
    client.destroy();
  }
}

async function withRetries(attempt: () => Promise<void>, backoff: number[]): Promise<{ attempts: number; error?: string }> {
  for (let i = 0; ; i++) {
    try {
      await attempt();
      return { attempts: i + 1 };
    } catch (error) {
      const message = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
      if (error instanceof Permanent || i >= backoff.length) return { attempts: i + 1, error: message };
      await new Promise((resolve) => setTimeout(resolve, backoff[i]));
    }
  }
}

export interface DeliveryOutcome {
  sink: "webhook" | "sns";
  status: "delivered" | "failed";
  attempts: number;
  error?: string;
}

/** Send to every configured sink, record each outcome; never throws. */
export async function deliver(db: Db | undefined, n: Notification, sinks: NotifySinks, now: Date): Promise<DeliveryOutcome[]> {
  const backoff = sinks.backoffMs ?? DEFAULT_BACKOFF_MS;
  const jobs: [DeliveryOutcome["sink"], () => Promise<void>][] = [];
  if (sinks.webhookUrl) jobs.push(["webhook", () => postWebhook(sinks.webhookUrl!, JSON.stringify(n))]);
  if (sinks.snsTopicArn) jobs.push(["sns", () => publishSns(sinks.snsTopicArn!, n, sinks)]);
  const outcomes = await Promise.all(
    jobs.map(async ([sink, send]): Promise<DeliveryOutcome> => {
      const result = await withRetries(send, backoff);
      return { sink, status: result.error ? "failed" : "delivered", attempts: result.attempts, ...(result.error ? { error: result.error } : {}) };
    }),
  );
  for (const o of outcomes) {
    try {
      if (db)
        await insertNotificationRow(db, {
          at: now.toISOString(),
          event: n.event,
          sink: o.sink,
          status: o.status,
          attempts: o.attempts,
          error: o.error ?? null,
          audit_id: n.auditId ?? null,
          activity_id: n.activityId ?? null,
          payload: JSON.stringify(n),
        });
    } catch (error) {
      console.error("qbiz-readiness: could not record a notification delivery:", error);
    }
  }
  return outcomes;
}

/**
 * Where notifications go, as configured (no delivery code here: an audit
 * that has nowhere to notify never loads the SNS client).
 */
export interface NotifySinks {
  webhookUrl?: string;
  snsTopicArn?: string;
  /** SNS client settings (the endpoint of a local AWS; credentials from the default chain otherwise). */
  sns?: { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
  /** Waits between attempts (tests shorten them). */
  backoffMs?: number[];
}

/** The sinks the environment configures; undefined members are not configured. */
export function sinksFromEnv(env: NodeJS.ProcessEnv = process.env): NotifySinks {
  const webhookUrl = env.QBR_NOTIFY_WEBHOOK_URL?.trim() || undefined;
  const snsTopicArn = env.QBR_NOTIFY_SNS_TOPIC_ARN?.trim() || undefined;
  return { ...(webhookUrl ? { webhookUrl } : {}), ...(snsTopicArn ? { snsTopicArn } : {}) };
}

export const hasSinks = (s: NotifySinks) => Boolean(s.webhookUrl || s.snsTopicArn);

/**
 * Whether and where an audit sends its findings to Security Hub, as
 * configured (no Security Hub client here: an audit that sends nothing never
 * loads it).
 */
import type { SecurityHubDestination } from "./security-hub";

export interface SecurityHubSetting {
  /** One account and region for every finding; default each finding's own. */
  aggregation?: SecurityHubDestination;
}

/** The setting from the environment: undefined unless QBR_SECURITY_HUB is true. */
export function securityHubFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityHubSetting | undefined {
  if (!/^(true|1|yes)$/i.test(env.QBR_SECURITY_HUB ?? "")) return undefined;
  return aggregationFromEnv(env);
}

/** QBR_SECURITY_HUB_ACCOUNT (+ QBR_SECURITY_HUB_REGION, default AWS_REGION) names an aggregation account. */
export function aggregationFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityHubSetting {
  const accountId = env.QBR_SECURITY_HUB_ACCOUNT?.trim();
  if (!accountId) return {};
  if (!/^\d{12}$/.test(accountId)) throw new Error(`QBR_SECURITY_HUB_ACCOUNT must be a 12-digit account id, got "${accountId}"`);
  const region = env.QBR_SECURITY_HUB_REGION?.trim() || env.AWS_REGION?.trim();
  if (!region) throw new Error("QBR_SECURITY_HUB_ACCOUNT needs QBR_SECURITY_HUB_REGION (or AWS_REGION): the aggregation region");
  return { aggregation: { accountId, region } };
}

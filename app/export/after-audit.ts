/**
 * What an audit does once its report is built and stored, when asked to:
 * send its findings to Security Hub (--security-hub, QBR_SECURITY_HUB=true),
 * with the credentials the audit reached each account with (or the default
 * credentials for an aggregation account, QBR_SECURITY_HUB_ACCOUNT and
 * QBR_SECURITY_HUB_REGION). Never throws: what failed is in the result.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { PreparedTarget } from "../audit/targets";
import type { AuditReport } from "../audit/types";
import type { SecurityHubSetting } from "./security-hub-setting";
import { securityHubClient, sendToSecurityHub, type SecurityHubResult } from "./security-hub";

export { aggregationFromEnv, securityHubFromEnv, type SecurityHubSetting } from "./security-hub-setting";

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;

/** The credentials the audit used in an account (its prepared targets' clients), else the default ones. */
function credentialsIn(prepared: PreparedTarget[], accountId: string, fallback: Credentials): Credentials {
  const target = prepared.find((p) => p.target.accountId === accountId && p.clients);
  return (target?.clients?.sts.config.credentials as Credentials) ?? fallback;
}

export async function exportToSecurityHub(
  report: AuditReport,
  options: { setting: SecurityHubSetting; prepared: PreparedTarget[]; credentials?: Credentials; endpoint?: string },
): Promise<SecurityHubResult> {
  const clients = new Map<string, ReturnType<typeof securityHubClient>>();
  try {
    return await sendToSecurityHub(report, {
      aggregation: options.setting.aggregation,
      clientFor: (d) => {
        const key = `${d.accountId}|${d.region}`;
        let client = clients.get(key);
        if (!client) {
          const credentials = options.setting.aggregation ? options.credentials : credentialsIn(options.prepared, d.accountId, options.credentials);
          clients.set(key, (client = securityHubClient({ region: d.region, credentials, endpoint: options.endpoint })));
        }
        return client;
      },
    });
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}

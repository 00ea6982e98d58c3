/**
 * The fleet the accepted-exception tests audit: a sandbox account with an
 * anonymous FAQ bot and a never-fully-synced application, and a production
 * account whose application is stale too.
 */
import type { Fixture } from "../../app/local-aws/fixture-types";
import { BEFORE, account, application, documents, fleet, index, dataSource, servedApplication, syncJob } from "../audit/fleet-builder";

export const SANDBOX = "111100000001";
export const PROD = "222200000002";
export const REGION = "us-east-1";
export const WEST = "us-west-2";

function staleApp(accountId: string, region: string, label: string) {
  const ds = dataSource(`${label}-ds`, { syncJobs: [syncJob(`${label}-job`, BEFORE)], documents: documents(2, BEFORE) });
  return servedApplication(accountId, region, { app: label, index: `${label}-ix`, web: `${label}-web`, role: `${label}-role` }, [ds]);
}

export function suppressionFleet(): Fixture {
  const faq = application("faq-bot", [index("faq-ix", [])], [], { identityType: "ANONYMOUS" });
  const sandbox = staleApp(SANDBOX, REGION, "sandbox-app");
  const prod = staleApp(PROD, WEST, "prod-app");
  return fleet([
    account(SANDBOX, { [REGION]: [faq, sandbox.app] }, { iam: { roles: [sandbox.role] } }),
    account(PROD, { [WEST]: [prod.app] }, { iam: { roles: [prod.role] } }),
  ]);
}

/**
 * Organisation fleets for the Organizations tests (fixture shapes from
 * fleet-fixture.md, top-level `organization`).
 *
 * bigOrganization(): discovery only. Root > Workloads > Prod (25 accounts,
 * more than one page of 20) and Workloads > Sandbox (2 accounts, one
 * suspended), Root > Closing (one account pending closure); only the
 * management account, one member and one outsider are emulated.
 *
 * auditedOrganization(): a whole audit. The management account (read
 * directly) and four members: one with an audit role trusting the management
 * account, one whose trust requires an external id, one without an audit
 * role, and one suspended (not emulated).
 */
import type { Fixture, FixtureAccount, FixtureOrganization, FixtureRole } from "../../app/local-aws/fixture-types";
import { AFTER, BEFORE, account, auditRole, documents, fleet, dataSource, servedApplication, syncJob } from "../audit/fleet-builder";

export const MANAGEMENT = "111100000000";
export const MEMBER = "222200000000";
export const OUTSIDER = "999900000000";
export const ORG_ID = "o-a1b2c3d4e5";
export const ROOT = "r-a1b2";
export const WORKLOADS = "ou-a1b2-11111111";
export const PROD = "ou-a1b2-22222222";
export const SANDBOX = "ou-a1b2-33333333";
export const CLOSING = "ou-a1b2-44444444";

export const prodAccountId = (n: number) => `3333${String(n).padStart(8, "0")}`;
export const SANDBOX_ACTIVE = "444400000001";
export const SANDBOX_SUSPENDED = "444400000002";
export const CLOSING_ACCOUNT = "555500000001";

export { auditRole };

function orgAccount(accountId: string, name: string, parentId: string, status: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" = "ACTIVE") {
  return { accountId, name, email: `aws+${accountId}@example.com`, status, parentId };
}

export function bigOrganization(): Fixture {
  const organization: FixtureOrganization = {
    organizationId: ORG_ID,
    managementAccountId: MANAGEMENT,
    rootId: ROOT,
    organizationalUnits: [
      { id: WORKLOADS, name: "Workloads", parentId: ROOT },
      { id: PROD, name: "Prod", parentId: WORKLOADS },
      { id: SANDBOX, name: "Sandbox", parentId: WORKLOADS },
      { id: CLOSING, name: "Closing", parentId: ROOT },
    ],
    accounts: [
      orgAccount(MANAGEMENT, "Management", ROOT),
      orgAccount(MEMBER, "Shared Services", WORKLOADS),
      ...Array.from({ length: 25 }, (_, i) => orgAccount(prodAccountId(i + 1), `Prod ${i + 1}`, PROD)),
      orgAccount(SANDBOX_ACTIVE, "Sandbox Data", SANDBOX),
      orgAccount(SANDBOX_SUSPENDED, "Sandbox Old", SANDBOX, "SUSPENDED"),
      orgAccount(CLOSING_ACCOUNT, "Leaving", CLOSING, "PENDING_CLOSURE"),
    ],
  };
  return fleet([account(MANAGEMENT, {}), account(MEMBER, {}), account(OUTSIDER, {})], { organization });
}

// ---------------------------------------------------------------- a whole audit

export const WITH_ROLE = "600000000001";
export const WITH_EXTERNAL_ID = "600000000002";
export const WITHOUT_ROLE = "600000000003";
export const SUSPENDED = "600000000004";
export const EXTERNAL_ID = "qbr-ext-7f3a";
export const REGION = "us-east-1";

/** One application per account: `fresh` ready, else not ready (no full sync after the cutoff, stale documents). */
function accountWithApp(accountId: string, label: string, fresh: boolean, extraRoles: FixtureRole[] = []): FixtureAccount {
  const ds = dataSource(`${label}-ds`, {
    syncJobs: [syncJob(`${label}-job`, fresh ? AFTER : BEFORE)],
    documents: documents(3, fresh ? AFTER : BEFORE, label),
  });
  // The web role may call GetDocumentContent on the app and its index (resources are named by the ids the builders give).
  const labels = { app: `${label}-app`, index: `${label}-idx`, web: `${label}-web`, role: `${label}WebRole` };
  const { app, role } = servedApplication(accountId, REGION, labels, [ds], { policyName: "WebPolicy" });
  return account(accountId, { [REGION]: [app] }, { iam: { roles: [role, ...extraRoles] } });
}

export function auditedOrganization(): Fixture {
  const organization: FixtureOrganization = {
    organizationId: ORG_ID,
    managementAccountId: MANAGEMENT,
    rootId: ROOT,
    organizationalUnits: [
      { id: WORKLOADS, name: "Workloads", parentId: ROOT },
      { id: PROD, name: "Prod", parentId: WORKLOADS },
    ],
    accounts: [
      orgAccount(MANAGEMENT, "Management", ROOT),
      orgAccount(WITH_ROLE, "Prod Assistant", PROD),
      orgAccount(WITH_EXTERNAL_ID, "Prod Partner", PROD),
      orgAccount(WITHOUT_ROLE, "Workloads New", WORKLOADS),
      orgAccount(SUSPENDED, "Old Workload", WORKLOADS, "SUSPENDED"),
    ],
  };
  return fleet(
    [
      accountWithApp(MANAGEMENT, "mgmt", true),
      accountWithApp(WITH_ROLE, "prod", false, [auditRole(MANAGEMENT)]),
      accountWithApp(WITH_EXTERNAL_ID, "partner", true, [auditRole(MANAGEMENT, EXTERNAL_ID)]),
      accountWithApp(WITHOUT_ROLE, "newbie", false),
    ],
    { organization },
  );
}

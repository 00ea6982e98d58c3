/**
 * The context every fix runs in: the database and the SDK clients of each
 * account and region. Fix actions act through the target's fix role
 * (fixRoleArn, or QBR_FIX_ROLE_NAME / --fix-role-name in every account), never
 * through its read-only audit role: a target reached only through an audit
 * role has its fixes refused before any call, naming the role to deploy.
 * Targets read with their own credentials (the caller's account, a fixture's
 * fixed keys) are fixed with them. Re-audits read as the audit does.
 */
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { destroyAwsClients, type AwsClients } from "../aws/clients";
import { prepareTargets, targetsForFixture, type TargetSpec } from "../audit/targets";
import { DEFAULT_CUTOFF } from "../audit/types";
import { discoverOrganization, type OrganizationScope } from "../audit/organization";
import { DEFAULT_FIX_ROLE_NAME } from "../audit/targets";
import { PermissionDenied } from "./common";
import type { Db } from "../db/database";
import type { LocalAws } from "../local-aws/index";
import type { FixContext } from "./types";

export interface FixContextOptions {
  db: Db;
  /** How to reach each account (as the audit's targets file says); default: the default credentials. */
  targets?: TargetSpec[];
  /** Act on this local AWS (endpoint, fleet accounts' keys, its clock). */
  localAws?: LocalAws;
  /** A running AWS-compatible endpoint; default: the SDK's configuration (AWS_ENDPOINT_URL). */
  endpoint?: string;
  credentials?: AwsCredentialIdentity;
  /** The fix role's name in every account without a fixRoleArn of its own (QBR_FIX_ROLE_NAME, --fix-role-name). */
  fixRoleName?: string;
  /**
   * Reach accounts as an organisation audit does (QBR_ORGANIZATION): the
   * targets are discovered once, on the first action that needs them.
   */
  organization?: Omit<OrganizationScope, "regions">;
  maxAttempts?: number;
  cutoff?: string | Date;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFixContext(options: FixContextOptions): FixContext {
  const endpoint = options.endpoint ?? options.localAws?.endpoint;
  const made = new Map<string, Promise<AwsClients>>();
  let discovered: Promise<TargetSpec[]> | undefined;
  const specFor = async (accountId: string, region: string): Promise<TargetSpec | undefined> => {
    const given = options.targets?.find((t) => t.accountId === accountId);
    if (given) return given;
    if (options.organization) {
      discovered ??= discoverOrganization({
        ...options.organization,
        regions: [region],
        credentials: options.credentials,
        endpoint,
        maxAttempts: options.maxAttempts,
      }).then((d) => d.specs);
      // A failed discovery is not kept: the next action tries again.
      discovered.catch(() => (discovered = undefined));
      return (await discovered).find((t) => t.accountId === accountId);
    }
    if (options.localAws) return targetsForFixture(options.localAws.fleet).find((t) => t.accountId === accountId);
    return undefined;
  };
  const clients = (accountId: string, region: string, purpose: "fix" | "audit" = "fix"): Promise<AwsClients> => {
    const key = `${purpose}/${accountId}/${region}`;
    let pending = made.get(key);
    if (!pending) {
      pending = (async () => {
        const read = (await specFor(accountId, region)) ?? { accountId, regions: [region] };
        const spec = purpose === "audit" ? read : fixSpec(read, options.fixRoleName);
        const [prepared] = await prepareTargets([{ ...spec, regions: [region] }], {
          credentials: options.credentials,
          endpoint,
          maxAttempts: options.maxAttempts,
        });
        if (!prepared?.clients && purpose === "fix" && prepared?.error?.operation === "sts:AssumeRole" && spec.roleArn) {
          throw new PermissionDenied(
            "sts:AssumeRole",
            `Cannot assume the fix role ${spec.roleArn} (${prepared.error.code}: ${prepared.error.message}). ` +
              `Deploy the ${DEFAULT_FIX_ROLE_NAME} role in account ${accountId} (docs/deploy/roles), trusting the account that runs the fixes.`,
          );
        }
        if (!prepared?.clients) {
          throw new Error(`Cannot reach account ${accountId} in ${region}: ${prepared?.error?.code}: ${prepared?.error?.message}`);
        }
        return prepared.clients;
      })();
      // A failed attempt is not cached: the next action tries again.
      pending.catch(() => made.delete(key));
      made.set(key, pending);
    }
    return pending;
  };
  return {
    db: options.db,
    clients: (accountId, region) => clients(accountId, region, "fix"),
    auditClients: (accountId, region) => clients(accountId, region, "audit"),
    now: options.now ?? (options.localAws ? () => options.localAws!.clock.now() : () => new Date()),
    sleep: options.sleep ?? realSleep,
    cutoff: new Date(options.cutoff ?? DEFAULT_CUTOFF),
    async close() {
      for (const pending of made.values()) {
        try {
          destroyAwsClients(await pending);
        } catch {
          // never made: nothing to release
        }
      }
      made.clear();
    },
  };
}

/**
 * How fixes reach a target: its fix role when it names one (or a fix role
 * name is configured), its own credentials when it is read with them;
 * refused, before any call, when its only role is the read-only audit role.
 */
export function fixSpec(spec: TargetSpec, fixRoleName?: string): TargetSpec {
  const fixRoleArn = spec.fixRoleArn ?? (fixRoleName ? `arn:aws:iam::${spec.accountId}:role/${fixRoleName}` : undefined);
  if (fixRoleArn) return { ...spec, roleArn: fixRoleArn };
  if (!spec.roleArn) return spec;
  throw new PermissionDenied(
    "sts:AssumeRole",
    `Fixes in account ${spec.accountId} need a fix role: ${spec.roleArn} is the read-only audit role. ` +
      `Deploy the ${DEFAULT_FIX_ROLE_NAME} role in that account (docs/deploy/roles), then name it: fixRoleArn in the targets file, ` +
      `--fix-role-name or QBR_FIX_ROLE_NAME.`,
  );
}

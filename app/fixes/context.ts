/**
 * The context every fix runs in: the database and the SDK clients of each
 * account and region, reached the way the audit reaches them (the same
 * targets: own keys, AssumeRole, or a fixture's fixed keys).
 */
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { destroyAwsClients, type AwsClients } from "../aws/clients";
import { prepareTargets, targetsForFixture, type TargetSpec } from "../audit/targets";
import { DEFAULT_CUTOFF } from "../audit/types";
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
  maxAttempts?: number;
  cutoff?: string | Date;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFixContext(options: FixContextOptions): FixContext {
  const endpoint = options.endpoint ?? options.localAws?.endpoint;
  const made = new Map<string, Promise<AwsClients>>();
  const specFor = (accountId: string): TargetSpec | undefined => {
    const given = options.targets?.find((t) => t.accountId === accountId);
    if (given) return given;
    if (options.localAws) return targetsForFixture(options.localAws.fleet).find((t) => t.accountId === accountId);
    return undefined;
  };
  const clients = (accountId: string, region: string): Promise<AwsClients> => {
    const key = `${accountId}/${region}`;
    let pending = made.get(key);
    if (!pending) {
      pending = (async () => {
        const spec = specFor(accountId) ?? { accountId, regions: [region] };
        const [prepared] = await prepareTargets([{ ...spec, regions: [region] }], {
          credentials: options.credentials,
          endpoint,
          maxAttempts: options.maxAttempts,
        });
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
    clients,
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

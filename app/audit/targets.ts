/**
 * What one audit reads: (account, region) pairs, and the credentials for each.
 *
 * Sources: the caller's own account × QBR_REGIONS / AWS_REGION (default), a
 * targets file (audit-report.md, "The targets file"), or a fleet fixture.
 */
import fs from "node:fs";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { z } from "zod";
import { AwsCallStats, awsErrorInfo, createAwsClients, destroyAwsClients, type AwsClients } from "../aws/clients";
import { accountCredentials, type Fixture } from "../local-aws/fixture-types";
import type { PolicyStatement } from "../policy/types";
import type { AuditTarget, AwsErrorInfo } from "./types";

/** One account and the regions to read in it, as the targets file says it. */
export interface TargetSpec {
  accountId: string;
  regions: string[];
  /** Read through STS AssumeRole into this role. */
  roleArn?: string;
  externalId?: string;
  /** The role the fix actions assume in this account (the audit never does). */
  fixRoleArn?: string;
  /** From Organizations discovery: the account's name and OU path ("Root/Workloads"). */
  accountName?: string;
  ouPath?: string;
  /** Programmatic only (fixtures): this account's own keys instead of the default credentials. */
  credentials?: AwsCredentialIdentity;
}

/** A target ready to read: its SDK clients, or why it cannot be read. */
export interface PreparedTarget {
  target: AuditTarget;
  clients?: AwsClients;
  error?: AwsErrorInfo;
}

/** The audit cannot start: no usable credentials or no region. The CLI exits 2 on it. */
export class AuditSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditSetupError";
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

const targetSchema = z
  .object({
    accountId: z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account id"),
    regions: z.array(z.string().regex(REGION, "must be an AWS region name such as us-east-1")).min(1, "must list at least one region"),
    roleArn: z.string().regex(ROLE_ARN, "must be an IAM role ARN (arn:aws:iam::{account}:role/{name})").optional(),
    externalId: z.string().min(2).max(1224).optional(),
    fixRoleArn: z.string().regex(ROLE_ARN, "must be an IAM role ARN (arn:aws:iam::{account}:role/{name})").optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const roleAccount = t.roleArn ? ROLE_ARN.exec(t.roleArn)?.[1] : undefined;
    if (roleAccount && roleAccount !== t.accountId) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["roleArn"], message: `is in account ${roleAccount}, not ${t.accountId}` });
    }
    const fixRoleAccount = t.fixRoleArn ? ROLE_ARN.exec(t.fixRoleArn)?.[1] : undefined;
    if (fixRoleAccount && fixRoleAccount !== t.accountId) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["fixRoleArn"], message: `is in account ${fixRoleAccount}, not ${t.accountId}` });
    }
    if (t.externalId && !t.roleArn && !t.fixRoleArn) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["externalId"], message: "only applies with a roleArn" });
    }
  });

const targetsFileSchema = z.object({ targets: z.array(targetSchema).min(1, "must list at least one target") }).strict();

function formatZodPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

/** Validate a parsed targets file; the error names the JSON path of the first problem. */
export function parseTargetsFile(json: unknown, source = "targets file"): TargetSpec[] {
  const result = targetsFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = formatZodPath(issue.path) || "(root)";
    throw new AuditSetupError(`${source}: ${where}: ${issue.message}`);
  }
  return result.data.targets;
}

/** Read and validate a targets file. */
export function loadTargetsFile(file: string): TargetSpec[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AuditSetupError(`Cannot read targets file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuditSetupError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseTargetsFile(json, file);
}

/** Regions from QBR_REGIONS (comma list), else AWS_REGION / AWS_DEFAULT_REGION. */
export function regionsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  const list = env.QBR_REGIONS ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "";
  return list
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
}

export interface CredentialOptions {
  /** Default credentials (else the SDK's provider chain). */
  credentials?: AwsCredentialIdentity;
  endpoint?: string;
  maxAttempts?: number;
  stats?: AwsCallStats;
}

/** The account the credentials belong to (STS GetCallerIdentity). Throws AuditSetupError when there are none usable. */
export async function callerAccountId(options: CredentialOptions, region: string): Promise<string> {
  const clients = createAwsClients({ region, ...options });
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error("GetCallerIdentity returned no account");
    return identity.Account;
  } catch (error) {
    const info = awsErrorInfo(error);
    throw new AuditSetupError(`No usable AWS credentials (sts:GetCallerIdentity failed: ${info.code}: ${info.message})`);
  } finally {
    destroyAwsClients(clients);
  }
}

/** Default targets: the caller's account in each region given (or from the environment). */
export async function defaultTargets(options: CredentialOptions & { regions?: string[] }): Promise<TargetSpec[]> {
  const regions = options.regions?.length ? options.regions : regionsFromEnv();
  if (regions.length === 0) throw new AuditSetupError("No region to audit: set QBR_REGIONS or AWS_REGION, or pass --regions.");
  const accountId = await callerAccountId(options, regions[0]);
  return [{ accountId, regions }];
}

/**
 * Credentials and clients for every (account, region) of the specs. AssumeRole
 * runs once per account (its keys serve every region; an audit is far shorter
 * than their hour). A target that cannot be reached carries the reason instead
 * of clients; only "no credentials at all" throws.
 */
export async function prepareTargets(specs: TargetSpec[], options: CredentialOptions): Promise<PreparedTarget[]> {
  const stats = options.stats ?? new AwsCallStats();
  const firstRegion = specs[0]?.regions[0] ?? "us-east-1";
  // Any target on the default credentials: check once that there are some (else the audit cannot run at all).
  const needsCaller = specs.some((s) => !s.credentials);
  const caller = needsCaller ? await callerAccountId({ ...options, stats }, firstRegion) : undefined;

  const prepared: PreparedTarget[][] = await Promise.all(
    specs.map(async (spec) => {
      const targetsOf = (extra: Partial<PreparedTarget>) =>
        spec.regions.map((region): PreparedTarget => ({
          target: {
            accountId: spec.accountId,
            region,
            roleArn: spec.roleArn,
            externalId: spec.externalId,
            ...(spec.accountName !== undefined ? { accountName: spec.accountName } : {}),
            ...(spec.ouPath !== undefined ? { ouPath: spec.ouPath } : {}),
          },
          ...extra,
        }));
      const clientsFor = (credentials: AwsCredentialIdentity | undefined) =>
        targetsOf({}).map((t) => ({
          ...t,
          clients: createAwsClients({
            region: t.target.region,
            credentials,
            endpoint: options.endpoint,
            maxAttempts: options.maxAttempts,
            stats,
            accountId: t.target.accountId,
          }),
        }));

      if (spec.roleArn) {
        try {
          const credentials = await assumeRole(spec, { ...options, stats }, spec.regions[0]);
          return clientsFor(credentials);
        } catch (error) {
          return targetsOf({ error: awsErrorInfo(error, "sts:AssumeRole") });
        }
      }
      if (spec.credentials) return clientsFor(spec.credentials);
      if (caller !== spec.accountId) {
        return targetsOf({
          error: {
            code: "TargetAccountMismatch",
            message: `The default credentials are for account ${caller}, not ${spec.accountId}: give this target a roleArn to assume.`,
          },
        });
      }
      return clientsFor(options.credentials);
    }),
  );
  return prepared.flat();
}

async function assumeRole(spec: TargetSpec, options: CredentialOptions, region: string): Promise<AwsCredentialIdentity> {
  const clients = createAwsClients({ region, ...options, credentials: spec.credentials ?? options.credentials });
  try {
    const answer = await clients.sts.send(
      new AssumeRoleCommand({ RoleArn: spec.roleArn, RoleSessionName: "qbiz-readiness-audit", ExternalId: spec.externalId }),
    );
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole returned no credentials");
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } finally {
    destroyAwsClients(clients);
  }
}

/** The fix role's default name (docs/deploy/roles): a fixture account's role of that name is for fixes only. */
export const DEFAULT_FIX_ROLE_NAME = "QbizReadinessFix";

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Does this trust policy let principals of `callerAccountId` call sts:AssumeRole? (a plain reading: Allow, no Condition) */
function trustsAccount(statements: PolicyStatement[], callerAccountId: string): boolean {
  return statements.some((s) => {
    if (s.Effect !== "Allow" || s.Condition) return false;
    const actions = asArray(s.Action).map((a) => a.toLowerCase());
    if (!actions.some((a) => a === "sts:assumerole" || a === "sts:*" || a === "*")) return false;
    const principal = s.Principal as { AWS?: string | string[] } | string | undefined;
    const aws = principal === "*" ? ["*"] : asArray(typeof principal === "object" ? principal?.AWS : undefined);
    return aws.some((p) => p === "*" || p === callerAccountId || p === `arn:aws:iam::${callerAccountId}:root`);
  });
}

/**
 * Targets for a fleet fixture, read as `callerAccountId` (default: the
 * fixture's first account) would read them in real life: its own account with
 * its own keys, every other account through AssumeRole into a role of that
 * account whose trust policy lets the caller's account assume it. Where no
 * role fits, that account is read with its own fixed keys (the fixture's
 * AKIALOCAL{accountId}), as an operator with per-account keys would.
 */
export function targetsForFixture(fixture: Fixture, callerAccountId?: string): TargetSpec[] {
  const caller = fixture.accounts.find((a) => a.accountId === callerAccountId) ?? fixture.accounts[0];
  if (!caller) return [];
  const specs: TargetSpec[] = [];
  for (const account of [caller, ...fixture.accounts.filter((a) => a !== caller)]) {
    const regions = Object.keys(account.regions);
    if (regions.length === 0) continue;
    if (account === caller) {
      specs.push({ accountId: account.accountId, regions, credentials: accountCredentials(account.accountId) });
      continue;
    }
    const trusting = (account.iam?.roles ?? []).filter((r) => trustsAccount(asArray(r.assumeRolePolicyDocument.Statement), caller.accountId));
    // The audit never reads through the fix role; fixes go through it when the account has one.
    const role = trusting.find((r) => r.roleName !== DEFAULT_FIX_ROLE_NAME);
    const fixRole = trusting.find((r) => r.roleName === DEFAULT_FIX_ROLE_NAME);
    const arnOf = (r: { roleName: string; path?: string }) => `arn:aws:iam::${account.accountId}:role${r.path ?? "/"}${r.roleName}`;
    if (role) {
      specs.push({
        accountId: account.accountId,
        regions,
        roleArn: arnOf(role),
        ...(fixRole ? { fixRoleArn: arnOf(fixRole) } : {}),
        credentials: accountCredentials(caller.accountId),
      });
    } else {
      specs.push({ accountId: account.accountId, regions, credentials: accountCredentials(account.accountId) });
    }
  }
  return specs;
}

/**
 * The one IAM role reader: a role, its inline and attached policies and its
 * permissions boundary, each document URL-decoded. The audit's collector and
 * the role-patch fix both read roles through it, so they can never see a role
 * differently. Simulation and the local evaluation are in ./role-access.ts.
 *
 * Never throws for AWS's answers: every failure lands on the role it concerns
 * (`error`, `policiesError`, a policy's `error`), with the operation that failed.
 * How each request is sent (paced, counted, its request id kept) is the caller's
 * IamCall.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from "@aws-sdk/client-iam";
import type { AwsErrorInfo, RoleInventory } from "../audit/types";
import type { PolicyDocument } from "../policy/types";
import { accountOfArn, roleNameOf } from "./arns";
import { awsErrorInfo } from "./clients";
import { NO_SUCH_ENTITY_CODES, type IamAction } from "./vocabulary";

/** Send one IAM request, labelled with the IAM action it needs; errors come back as AWS sent them. */
export type IamCall = <T>(action: IamAction, request: (iam: IAMClient) => Promise<T>) => Promise<T>;

/** Whose credentials read the role: the account they act in, and how their requests go. */
export interface IamPrincipal {
  accountId: string;
  call: IamCall;
}

/** A managed policy (attached or boundary) as read. */
export interface ManagedPolicyRead {
  name?: string;
  document?: PolicyDocument;
  error?: AwsErrorInfo;
}

/** IAM returns policy documents URL-encoded (RFC 3986); the SDK does not decode them. */
export function decodePolicyDocument(doc: string): PolicyDocument {
  return JSON.parse(decodeURIComponent(doc)) as PolicyDocument;
}

const EMPTY_POLICY = "%7B%22Statement%22%3A%5B%5D%7D";

/** Every page of a Marker-paged IAM list. */
async function iamPages<P extends { Marker?: string; IsTruncated?: boolean }, T>(
  principal: IamPrincipal,
  action: IamAction,
  fetch: (iam: IAMClient, marker: string | undefined) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await principal.call(action, (iam) => fetch(iam, marker));
    all.push(...items(page));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return all;
}

/** An error AWS answered `action` with, as the role records it. */
class ReadFailure extends Error {
  constructor(readonly info: AwsErrorInfo) {
    super(info.message);
  }
}

/** Run one step of a read; its failure is recorded with the operation it happened on. */
async function step<T>(action: IamAction, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof ReadFailure ? error : new ReadFailure(awsErrorInfo(error, action));
  }
}

/**
 * Reads roles and the managed policies they use, each once per reader
 * (an audit shares one reader across its targets; a fix makes its own).
 */
export class IamRoleReader {
  private readonly roles = new Map<string, Promise<RoleInventory>>();
  private readonly managedPolicies = new Map<string, Promise<ManagedPolicyRead>>();

  /** The role, read once whichever callers share it. */
  readRole(principal: IamPrincipal, roleArn: string): Promise<RoleInventory> {
    let role = this.roles.get(roleArn);
    if (!role) {
      role = this.fetchRole(principal, roleArn);
      this.roles.set(roleArn, role);
    }
    return role;
  }

  /** Every role read so far, by the ARN it was asked for. */
  async rolesRead(): Promise<Record<string, RoleInventory>> {
    const roles: Record<string, RoleInventory> = {};
    for (const [arn, role] of this.roles) roles[arn] = await role;
    return roles;
  }

  private async fetchRole(principal: IamPrincipal, roleArn: string): Promise<RoleInventory> {
    const roleName = roleNameOf(roleArn);
    const role: RoleInventory = { roleArn, roleName, accountId: accountOfArn(roleArn), exists: false, inlinePolicies: [], attachedPolicies: [] };
    // GetRole takes a name, not an ARN: asked of another account, it would read a namesake, not the role.
    if (role.accountId !== principal.accountId) {
      role.error = {
        code: "CrossAccountRole",
        message: `The role is in account ${role.accountId}, the application in ${principal.accountId}: it cannot be read with this target's credentials.`,
        operation: "iam:GetRole",
      };
      return role;
    }
    if (!(await this.readRoleItself(principal, role))) return role;
    await Promise.all([this.readInlinePolicies(principal, role), this.readAttachedPolicies(principal, role), this.readBoundary(principal, role)]);
    return role;
  }

  /** GetRole: false when the role does not exist or could not be read (then `error` says why). */
  private async readRoleItself(principal: IamPrincipal, role: RoleInventory): Promise<boolean> {
    try {
      const { Role } = await principal.call("iam:GetRole", (iam) => iam.send(new GetRoleCommand({ RoleName: role.roleName })));
      role.exists = true;
      role.path = Role?.Path;
      role.serviceLinked = (Role?.Path ?? "").startsWith("/aws-service-role/");
      // The ARN as IAM knows it, when the caller's differs (a bare name, or a path left out).
      if (Role?.Arn && Role.Arn !== role.roleArn) role.iamArn = Role.Arn;
      if (Role?.AssumeRolePolicyDocument) role.trustPolicy = decodePolicyDocument(Role.AssumeRolePolicyDocument);
      const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      if (boundaryArn) role.permissionsBoundary = { arn: boundaryArn };
      return true;
    } catch (e) {
      if (!NO_SUCH_ENTITY_CODES.has((e as Error).name)) role.error = awsErrorInfo(e, "iam:GetRole");
      return false;
    }
  }

  private async readInlinePolicies(principal: IamPrincipal, role: RoleInventory): Promise<void> {
    const RoleName = role.roleName;
    try {
      const names = await step("iam:ListRolePolicies", () =>
        iamPages(
          principal,
          "iam:ListRolePolicies",
          (iam, Marker) => iam.send(new ListRolePoliciesCommand({ RoleName, Marker })),
          (p) => p.PolicyNames ?? [],
        ),
      );
      role.inlinePolicies = await Promise.all(
        names.map(async (name) => {
          const p = await step("iam:GetRolePolicy", () =>
            principal.call("iam:GetRolePolicy", (iam) => iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: name }))),
          );
          return { name, document: decodePolicyDocument(p.PolicyDocument ?? EMPTY_POLICY) };
        }),
      );
    } catch (e) {
      role.policiesError ??= (e as ReadFailure).info;
    }
  }

  private async readAttachedPolicies(principal: IamPrincipal, role: RoleInventory): Promise<void> {
    try {
      const policies = await iamPages(
        principal,
        "iam:ListAttachedRolePolicies",
        (iam, Marker) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.roleName, Marker })),
        (p) => p.AttachedPolicies ?? [],
      );
      role.attachedPolicies = await Promise.all(
        policies.map(async (p) => ({ arn: p.PolicyArn ?? "", ...(await this.readManagedPolicy(principal, p.PolicyArn ?? "")), name: p.PolicyName })),
      );
    } catch (e) {
      role.policiesError ??= awsErrorInfo(e, "iam:ListAttachedRolePolicies");
    }
  }

  private async readBoundary(principal: IamPrincipal, role: RoleInventory): Promise<void> {
    const arn = role.permissionsBoundary?.arn;
    if (!arn) return;
    const p = await this.readManagedPolicy(principal, arn);
    role.permissionsBoundary = { arn, document: p.document, ...(p.error ? { error: p.error } : {}) };
  }

  /** Managed policies (attached or boundary) are shared across roles: read once each. */
  readManagedPolicy(principal: IamPrincipal, arn: string): Promise<ManagedPolicyRead> {
    let policy = this.managedPolicies.get(arn);
    if (!policy) {
      policy = fetchManagedPolicy(principal, arn);
      this.managedPolicies.set(arn, policy);
    }
    return policy;
  }
}

async function fetchManagedPolicy(principal: IamPrincipal, arn: string): Promise<ManagedPolicyRead> {
  try {
    const { Policy } = await step("iam:GetPolicy", () => principal.call("iam:GetPolicy", (iam) => iam.send(new GetPolicyCommand({ PolicyArn: arn }))));
    const version = await step("iam:GetPolicyVersion", () =>
      principal.call("iam:GetPolicyVersion", (iam) => iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId ?? "v1" }))),
    );
    const doc = version.PolicyVersion?.Document;
    return { name: Policy?.PolicyName, document: doc ? decodePolicyDocument(doc) : undefined };
  } catch (e) {
    return { error: (e as ReadFailure).info };
  }
}

/** The first reason the role or one of its policies could not be read completely, if any. */
export function roleReadError(role: RoleInventory): AwsErrorInfo | undefined {
  return role.error ?? role.policiesError ?? role.attachedPolicies.find((p) => p.error)?.error ?? role.permissionsBoundary?.error;
}

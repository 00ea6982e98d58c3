/**
 * The local AWS's IAM service: awsQuery over `POST /` (form body
 * `Action=...&Version=2010-05-08`), XML answers, errors as IAM sends them.
 * IAM is global: the state is the calling account's `iam` block, whatever the
 * signed region. Policy documents go out URL-encoded (RFC 3986), as IAM's do.
 *
 * SimulatePrincipalPolicy evaluates the role's inline and attached managed
 * policies and its permissions boundary with ../policy/evaluate.ts in
 * "simulate" mode. Not modelled: SCPs, resource policies, users and groups.
 */
import { evaluateRequest, parsePolicyDocument, type PolicySource, type RequestContext } from "../policy/evaluate";
import { ROLE_INLINE_POLICIES_QUOTA, policySize } from "../policy/limits";
import type { FixtureAccount, FixtureManagedPolicy, FixtureRole, PolicyDocument } from "./fixture-types";
import { paginate } from "./pagination";
import type { EmuRequest, EmuResponse, Emulator, ServiceModule } from "./types";
import { AwsError } from "./types";
import { IAM_XMLNS, claimsQueryVersion, parseQueryForm, queryList, queryResponse, type XmlValue } from "./xml";

const OPERATIONS = new Set([
  "GetRole",
  "ListRolePolicies",
  "GetRolePolicy",
  "ListAttachedRolePolicies",
  "GetPolicy",
  "GetPolicyVersion",
  "PutRolePolicy",
  "DeleteRolePolicy",
  "SimulatePrincipalPolicy",
]);

/** The fixture has no creation dates for IAM entities; this stands in for them. */
const IAM_ENTITY_CREATE_DATE = new Date("2024-01-01T00:00:00Z");

/**
 * The exact text a policy was written with by PutRolePolicy, so GetRolePolicy
 * returns it as IAM does (whitespace and key order kept). Fixture documents
 * have none and are serialised.
 */
const submittedText = new WeakMap<PolicyDocument, string>();

type Params = Record<string, string>;
type Handler = (params: Params, account: FixtureAccount, req: EmuRequest, emu: Emulator) => XmlValue;

export const iamService: ServiceModule = {
  service: "iam",
  protocol: "awsQuery",
  apiVersion: "2010-05-08",
  xmlns: IAM_XMLNS,
  claimsUnsigned: claimsQueryVersion("2010-05-08"),
  operationOf(req) {
    const action = parseQueryForm(req.body).Action ?? req.query.get("Action") ?? undefined;
    return action && OPERATIONS.has(action) ? action : undefined;
  },
  handle(operation, req, emu): EmuResponse {
    const handler = HANDLERS[operation];
    if (!handler) throw new AwsError("InvalidAction", `Could not find operation ${operation} for version 2010-05-08`, 400);
    const account = emu.account(req.accountId);
    if (!account) throw new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    const params = { ...Object.fromEntries(req.query), ...parseQueryForm(req.body) };
    const result = handler(params, account, req, emu);
    return {
      status: 200,
      headers: { "content-type": "text/xml" },
      body: queryResponse(operation, result, req.requestId, IAM_XMLNS),
    };
  },
};

const HANDLERS: Record<string, Handler> = {
  GetRole(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    return {
      Role: {
        Path: role.path ?? "/",
        RoleName: role.roleName,
        RoleId: roleId(account.accountId, role.roleName),
        Arn: roleArn(account.accountId, role),
        CreateDate: IAM_ENTITY_CREATE_DATE,
        AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
        MaxSessionDuration: 3600,
        PermissionsBoundary: role.permissionsBoundaryArn
          ? { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: role.permissionsBoundaryArn }
          : undefined,
        RoleLastUsed: {},
      },
    };
  },

  ListRolePolicies(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    const names = Object.keys(role.inlinePolicies ?? {}).sort();
    const page = pageOf(names, params, `ListRolePolicies:${role.roleName}`);
    return { PolicyNames: page.items, IsTruncated: page.nextToken !== undefined, Marker: page.nextToken };
  },

  GetRolePolicy(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    const policyName = required(params, "PolicyName");
    const document = role.inlinePolicies?.[policyName];
    if (!document) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
    return { RoleName: role.roleName, PolicyName: policyName, PolicyDocument: encodePolicyDocument(document) };
  },

  ListAttachedRolePolicies(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    const attached = (role.attachedPolicyArns ?? []).map((arn) => ({
      PolicyName: findManagedPolicy(account, arn)?.policyName ?? arn.slice(arn.lastIndexOf("/") + 1),
      PolicyArn: arn,
    }));
    const page = pageOf(attached, params, `ListAttachedRolePolicies:${role.roleName}`);
    return { AttachedPolicies: page.items, IsTruncated: page.nextToken !== undefined, Marker: page.nextToken };
  },

  GetPolicy(params, account, _req, emu) {
    const policy = requireManagedPolicy(account, required(params, "PolicyArn"), emu);
    const attachments = account.iam?.roles.filter((r) => r.attachedPolicyArns?.includes(policy.arn)).length ?? 0;
    const boundaryUses = account.iam?.roles.filter((r) => r.permissionsBoundaryArn === policy.arn).length ?? 0;
    return {
      Policy: {
        PolicyName: policy.policyName,
        PolicyId: stableId("ANPA", policy.arn),
        Arn: policy.arn,
        Path: policyPath(policy.arn),
        DefaultVersionId: "v1",
        AttachmentCount: attachments,
        PermissionsBoundaryUsageCount: boundaryUses,
        IsAttachable: true,
        CreateDate: IAM_ENTITY_CREATE_DATE,
        UpdateDate: IAM_ENTITY_CREATE_DATE,
      },
    };
  },

  GetPolicyVersion(params, account, _req, emu) {
    const policy = requireManagedPolicy(account, required(params, "PolicyArn"), emu);
    const versionId = required(params, "VersionId");
    // The fixture holds one version of each managed policy: v1, the default.
    if (versionId !== "v1") throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
    return {
      PolicyVersion: {
        Document: encodePolicyDocument(policy.document),
        VersionId: "v1",
        IsDefaultVersion: true,
        CreateDate: IAM_ENTITY_CREATE_DATE,
      },
    };
  },

  PutRolePolicy(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    const policyName = validPolicyName(required(params, "PolicyName"));
    const text = required(params, "PolicyDocument");
    refuseIfServiceLinked(role);
    let document: PolicyDocument;
    try {
      // IAM takes the document as plain JSON; a URL-encoded one is a syntax error there too.
      if (!text.trim().startsWith("{")) throw new Error("Syntax errors in policy.");
      document = parsePolicyDocument(text, { identityPolicy: true });
    } catch (error) {
      throw new AwsError("MalformedPolicyDocument", (error as Error).message, 400);
    }
    const others = Object.entries(role.inlinePolicies ?? {}).filter(([name]) => name !== policyName);
    const total = others.reduce((sum, [, doc]) => sum + policySize(submittedText.get(doc) ?? doc), 0) + policySize(text);
    if (total > ROLE_INLINE_POLICIES_QUOTA) {
      throw new AwsError("LimitExceeded", `Maximum policy size of ${ROLE_INLINE_POLICIES_QUOTA} bytes exceeded for role ${role.roleName}`, 409);
    }
    submittedText.set(document, text);
    role.inlinePolicies = { ...(role.inlinePolicies ?? {}), [policyName]: document };
    return undefined;
  },

  DeleteRolePolicy(params, account) {
    const role = findRole(account, required(params, "RoleName"));
    const policyName = required(params, "PolicyName");
    refuseIfServiceLinked(role);
    if (!role.inlinePolicies?.[policyName]) throw noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
    delete role.inlinePolicies[policyName];
    return undefined;
  },

  SimulatePrincipalPolicy(params, account, _req, emu) {
    const sourceArn = required(params, "PolicySourceArn");
    const role = roleOfPrincipalArn(account, sourceArn);
    const actions = queryList(params, "ActionNames");
    if (actions.length === 0) throw validationError("actionNames", "Member must not be null");
    const resources = queryList(params, "ResourceArns");
    const context = contextEntries(params);

    const identityPolicies: PolicySource[] = [
      ...Object.entries(role.inlinePolicies ?? {}).map(([name, document]): PolicySource => ({ id: name, type: "inline", document })),
      ...(role.attachedPolicyArns ?? []).map((arn): PolicySource => {
        const policy = findManagedPolicy(account, arn, emu);
        if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
        return { id: arn, type: "managed", document: policy.document };
      }),
    ];
    let permissionsBoundary: PolicySource | undefined;
    if (role.permissionsBoundaryArn) {
      const policy = findManagedPolicy(account, role.permissionsBoundaryArn, emu);
      if (!policy) throw noSuchEntity(`Policy ${role.permissionsBoundaryArn} does not exist or is not attachable.`);
      permissionsBoundary = { id: policy.arn, type: "boundary", document: policy.document };
    }

    // One result per action and resource, each with its resource-specific result, as IAM answers.
    const results = actions.flatMap((action) =>
      (resources.length ? resources : ["*"]).map((resource) => {
        const evaluation = evaluateRequest({ action, resource, context }, { identityPolicies, permissionsBoundary, mode: "simulate" });
        const matched = evaluation.matchedStatements.map((m) => ({
          SourcePolicyId: m.policy,
          SourcePolicyType: sourcePolicyType(m.policyType, m.policy),
        }));
        const boundaryDetail =
          evaluation.allowedByPermissionsBoundary === undefined ? undefined : { AllowedByPermissionsBoundary: evaluation.allowedByPermissionsBoundary };
        const wildcard = resource === "*";
        return {
          EvalActionName: action,
          EvalResourceName: resource,
          EvalDecision: evaluation.decision,
          MatchedStatements: matched,
          // IAM lists missing keys at the top for "*", per resource otherwise.
          MissingContextValues: wildcard ? evaluation.missingContextKeys : [],
          PermissionsBoundaryDecisionDetail: boundaryDetail,
          ResourceSpecificResults: wildcard
            ? undefined
            : [
                {
                  EvalResourceName: resource,
                  EvalResourceDecision: evaluation.decision,
                  MatchedStatements: matched,
                  MissingContextValues: evaluation.missingContextKeys,
                  PermissionsBoundaryDecisionDetail: boundaryDetail,
                },
              ],
        };
      }),
    );
    const page = pageOf(results, params, `SimulatePrincipalPolicy:${sourceArn}`);
    return { EvaluationResults: page.items, IsTruncated: page.nextToken !== undefined, Marker: page.nextToken };
  },
};

// ---------------------------------------------------------------- lookups

function findRole(account: FixtureAccount, roleName: string): FixtureRole {
  const role = account.iam?.roles.find((r) => r.roleName === roleName);
  if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  return role;
}

/** The role a SimulatePrincipalPolicy source ARN names, in the caller's account. */
function roleOfPrincipalArn(account: FixtureAccount, arn: string): FixtureRole {
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user|group)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!match) throw new AwsError("InvalidInput", `ARN ${arn} is not valid.`, 400);
  const [, accountId, kind, name] = match;
  if (kind !== "role") throw new AwsError("InvalidInput", `The local AWS simulates roles only, not ${kind} ${arn}.`, 400);
  const role = accountId === account.accountId ? account.iam?.roles.find((r) => r.roleName === name) : undefined;
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

/**
 * A managed policy by ARN: the caller's own, or an AWS managed policy
 * (arn:aws:iam::aws:policy/...) declared in any account of the fleet.
 */
function findManagedPolicy(account: FixtureAccount, arn: string, emu?: Emulator): FixtureManagedPolicy | undefined {
  const own = account.iam?.managedPolicies?.find((p) => p.arn === arn);
  if (own || !emu || !/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) return own;
  for (const other of emu.fleet.accounts) {
    const found = other.iam?.managedPolicies?.find((p) => p.arn === arn);
    if (found) return found;
  }
  return undefined;
}

function requireManagedPolicy(account: FixtureAccount, arn: string, emu: Emulator): FixtureManagedPolicy {
  if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+/.test(arn)) throw new AwsError("InvalidInput", `ARN ${arn} is not valid.`, 400);
  const policy = findManagedPolicy(account, arn, emu);
  if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

// ---------------------------------------------------------------- wire helpers

/**
 * A policy document as IAM returns it: URL-encoded per RFC 3986, i.e.
 * encodeURIComponent plus the characters it leaves alone: ! ' ( ) *
 */
export function encodePolicyDocument(document: PolicyDocument): string {
  const text = submittedText.get(document) ?? JSON.stringify(document);
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function contextEntries(params: Params): RequestContext {
  const context: RequestContext = {};
  for (let i = 1; `ContextEntries.member.${i}.ContextKeyName` in params; i++) {
    const prefix = `ContextEntries.member.${i}`;
    const values = queryList(params, `${prefix}.ContextKeyValues`);
    const type = params[`${prefix}.ContextKeyType`] ?? "string";
    // Single-valued types carry one value; list types keep them all.
    context[params[`${prefix}.ContextKeyName`]] = type.endsWith("List") ? values : (values[0] ?? "");
  }
  return context;
}

/** SDK enum PolicySourceType: role inline policies are "role"; managed ones "user-managed" or "aws-managed". */
function sourcePolicyType(type: PolicySource["type"] | "other", id: string): string {
  if (type === "inline") return "role";
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(id) ? "aws-managed" : "user-managed";
}

function pageOf<T>(items: readonly T[], params: Params, scope: string) {
  return paginate(items, {
    maxResults: params.MaxItems,
    nextToken: params.Marker,
    limit: 1000,
    defaultSize: 100,
    scope,
    maxResultsName: "maxItems",
    nextTokenName: "marker",
    invalid: (message) => new AwsError("ValidationError", message, 400),
  });
}

function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") {
    throw validationError(name.charAt(0).toLowerCase() + name.slice(1), "Member must not be null");
  }
  return value;
}

function validPolicyName(name: string): string {
  if (!/^[\w+=,.@-]{1,128}$/.test(name)) {
    throw validationError("policyName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  }
  return name;
}

function refuseIfServiceLinked(role: FixtureRole): void {
  if ((role.path ?? "/").startsWith("/aws-service-role/")) {
    throw new AwsError(
      "UnmodifiableEntity",
      `Cannot perform the operation on the protected role '${role.roleName}' - this role is only modifiable by AWS`,
      400,
    );
  }
}

function noSuchEntity(message: string): AwsError {
  return new AwsError("NoSuchEntity", message, 404);
}

function validationError(member: string, constraint: string): AwsError {
  return new AwsError("ValidationError", `1 validation error detected: Value null at '${member}' failed to satisfy constraint: ${constraint}`, 400);
}

function roleArn(accountId: string, role: FixtureRole): string {
  return `arn:aws:iam::${accountId}:role${role.path ?? "/"}${role.roleName}`;
}

function roleId(accountId: string, roleName: string): string {
  return stableId("AROA", `${accountId}:${roleName}`);
}

function policyPath(arn: string): string {
  const rest = arn.slice(arn.indexOf(":policy") + ":policy".length);
  return rest.slice(0, rest.lastIndexOf("/") + 1) || "/";
}

/** An IAM-style unique id (prefix + 17 upper-case characters), the same for the same entity every run. */
function stableId(prefix: string, seed: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let id = "";
  for (let i = 0; id.length < 17; i++) {
    for (const c of `${seed}#${i}`) {
      h1 = Math.imul(h1 ^ c.charCodeAt(0), 16777619) >>> 0;
      h2 = Math.imul(h2 ^ c.charCodeAt(0), 2246822507) >>> 0;
    }
    id += alphabet[(h1 ^ h2) & 31] + alphabet[(h1 >>> 5) & 31] + alphabet[(h2 >>> 10) & 31];
  }
  return prefix + id.slice(0, 17);
}

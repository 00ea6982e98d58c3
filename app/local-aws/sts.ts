/**
 * The local AWS's STS (awsQuery): who am I, and AssumeRole into a fixture
 * account's role whose trust policy lets the caller in (the way one emulator
 * serves a multi-account fleet).
 */
import { createHash } from "node:crypto";
import { evaluateRequest, statementsOf } from "../policy/evaluate";
import type { FixtureRole, PolicyStatement } from "./fixture-types";
import { AwsError, type EmuRequest, type Emulator, type ServiceModule } from "./types";
import { STS_XMLNS, claimsQueryVersion, parseQueryForm, queryResponse, type XmlValue } from "./xml";

const OPERATIONS = new Set(["GetCallerIdentity", "AssumeRole"]);
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:(.*)\/)?([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** A stable role id (AROA...) for a role, as IAM would have assigned it once (names are unique per account, whatever the path). */
export function roleIdOf(accountId: string, roleName: string): string {
  return `AROA${createHash("sha1").update(`${accountId}/${roleName}`).digest("hex").slice(0, 17).toUpperCase()}`;
}

function params(req: EmuRequest): Record<string, string> {
  return req.method === "POST" ? parseQueryForm(req.body) : Object.fromEntries(req.query);
}

function ok(action: string, result: XmlValue, req: EmuRequest) {
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": req.requestId },
    body: queryResponse(action, result, req.requestId, STS_XMLNS),
  };
}

function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message, 400);
}

export const stsService: ServiceModule = {
  service: "sts",
  protocol: "awsQuery",
  apiVersion: "2011-06-15",
  xmlns: STS_XMLNS,
  claimsUnsigned: claimsQueryVersion("2011-06-15"),
  operationOf(req) {
    const action = params(req)["Action"];
    return action && OPERATIONS.has(action) ? action : undefined;
  },
  handle(operation, req, emu) {
    if (operation === "GetCallerIdentity") {
      const assumed = /:assumed-role\/([^/]+)\/(.+)$/.exec(req.callerArn);
      const userId = assumed ? `${roleIdOf(req.accountId, assumed[1])}:${assumed[2]}` : req.accountId;
      return ok("GetCallerIdentity", { UserId: userId, Account: req.accountId, Arn: req.callerArn }, req);
    }

    // AssumeRole
    const p = params(req);
    const roleArn = p["RoleArn"] ?? "";
    const sessionName = p["RoleSessionName"] ?? "";
    if (!roleArn) validationErrorMissing("roleArn");
    if (!sessionName) validationErrorMissing("roleSessionName");
    if (!SESSION_NAME.test(sessionName)) {
      throw validationError(
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const duration = p["DurationSeconds"] ? Number(p["DurationSeconds"]) : 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw validationError(
        `1 validation error detected: Value '${p["DurationSeconds"]}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${duration < 900 ? "greater than or equal to 900" : "less than or equal to 43200"}`,
      );
    }
    const externalId = p["ExternalId"];
    if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
      throw validationError(
        `1 validation error detected: Value '${externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*`,
      );
    }
    const denied = new AwsError("AccessDenied", `User: ${req.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw validationError(`${roleArn} is invalid`);
    const [, accountId, path, roleName] = m;
    const role = emu.account(accountId)?.iam?.roles.find((r) => r.roleName === roleName);
    if (!role) throw denied;
    const rolePath = (role.path ?? "/").replace(/^\/|\/$/g, "");
    if ((path ?? "") !== rolePath) throw denied;
    if (!trustAllows(role, { roleArn, callerArn: req.callerArn, callerAccountId: req.accountId, externalId }, emu)) {
      throw denied;
    }

    const creds = emu.issueCredentials(accountId, roleArn, sessionName, duration);
    const sessionArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
    return ok(
      "AssumeRole",
      {
        Credentials: {
          AccessKeyId: creds.accessKeyId,
          SecretAccessKey: creds.secretAccessKey,
          SessionToken: creds.sessionToken,
          Expiration: creds.expiration,
        },
        AssumedRoleUser: { AssumedRoleId: `${roleIdOf(accountId, roleName)}:${sessionName}`, Arn: sessionArn },
      },
      req,
    );
  },
};

function validationErrorMissing(member: string): never {
  throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
}

interface AssumeRoleCaller {
  roleArn: string;
  /** arn:aws:iam::{id}:root for an account's own keys, arn:aws:sts::{id}:assumed-role/{role}/{session} for a session. */
  callerArn: string;
  callerAccountId: string;
  externalId?: string;
}

function asList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The role an assumed-role session belongs to, as IAM names it (path included) for aws:PrincipalArn. */
function principalArnOf(caller: AssumeRoleCaller, emu: Emulator): string {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.callerArn);
  if (!session) return caller.callerArn;
  const role = emu.account(session[1])?.iam?.roles.find((r) => r.roleName === session[2]);
  return `arn:aws:iam::${session[1]}:role${role?.path ?? "/"}${session[2]}`;
}

/**
 * Whether one `AWS` principal entry of a trust policy names the caller: "*",
 * the caller's account (12 digits or its :root ARN, which stand for every
 * principal of the account), the role behind the caller's session, or the
 * caller's own ARN. Service and federated principals never name an AWS caller.
 */
function principalNames(entry: string, caller: AssumeRoleCaller, principalArn: string): boolean {
  if (entry === "*") return true;
  if (entry === caller.callerAccountId || entry === `arn:aws:iam::${caller.callerAccountId}:root`) return true;
  if (entry === caller.callerArn || entry === principalArn) return true;
  // A role ARN in a trust policy is matched by the role's identity, not its path.
  const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(entry);
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller.callerArn);
  return !!role && !!session && role[1] === session[1] && role[2] === session[2];
}

function principalMatches(principal: unknown, caller: AssumeRoleCaller, principalArn: string): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  return asList((principal as Record<string, unknown>)["AWS"]).some((entry) => principalNames(entry, caller, principalArn));
}

/**
 * Evaluate the role's trust policy for sts:AssumeRole by this caller as STS
 * does: statements whose Principal (or NotPrincipal) covers the caller take
 * part; a Deny among them wins; an Allow counts only when its Condition holds
 * with the request's keys (sts:ExternalId only when the caller sent one, so a
 * policy requiring it refuses a caller who did not).
 */
export function trustAllows(role: FixtureRole, caller: AssumeRoleCaller, emu: Emulator): boolean {
  const principalArn = principalArnOf(caller, emu);
  const applicable: PolicyStatement[] = statementsOf(role.assumeRolePolicyDocument).flatMap((statement) => {
    const covers =
      statement.Principal !== undefined
        ? principalMatches(statement.Principal, caller, principalArn)
        : statement.NotPrincipal !== undefined && !principalMatches(statement.NotPrincipal, caller, principalArn);
    if (!covers) return [];
    const { Principal: _p, NotPrincipal: _n, ...rest } = statement;
    // The role is the resource of a trust policy; its statements name none.
    return [{ ...rest, Resource: "*" }];
  });
  if (applicable.length === 0) return false;
  const context: Record<string, string> = {
    "aws:PrincipalAccount": caller.callerAccountId,
    "aws:PrincipalArn": principalArn,
    "aws:PrincipalType": caller.callerArn.endsWith(":root") ? "Account" : "AssumedRole",
  };
  if (caller.externalId !== undefined) context["sts:ExternalId"] = caller.externalId;
  const evaluation = evaluateRequest(
    { action: "sts:AssumeRole", resource: caller.roleArn, context },
    { identityPolicies: [{ id: "trust policy", type: "inline", document: { Version: "2012-10-17", Statement: applicable } }], mode: "simulate" },
  );
  return evaluation.decision === "allowed";
}

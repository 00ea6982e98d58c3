/**
 * The local AWS's STS (awsQuery): who am I, and AssumeRole into any fixture
 * account's role, which is how one emulator serves a multi-account fleet.
 */
import { createHash } from "node:crypto";
import { AwsError, type EmuRequest, type ServiceModule } from "./types";
import { STS_XMLNS, parseQueryForm, queryResponse, type XmlValue } from "./xml";

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
  operationOf(req) {
    const action = params(req)["Action"];
    return action && OPERATIONS.has(action) ? action : undefined;
  },
  handle(operation, req, emu) {
    if (operation === "GetCallerIdentity") {
      const assumed = /:assumed-role\/([^/]+)\/(.+)$/.exec(req.callerArn);
      const userId = assumed
        ? `${roleIdOf(req.accountId, assumed[1])}:${assumed[2]}`
        : req.accountId;
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
    const denied = new AwsError(
      "AccessDenied",
      `User: ${req.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw validationError(`${roleArn} is invalid`);
    const [, accountId, path, roleName] = m;
    const role = emu.account(accountId)?.iam?.roles.find((r) => r.roleName === roleName);
    if (!role) throw denied;
    const rolePath = (role.path ?? "/").replace(/^\/|\/$/g, "");
    if ((path ?? "") !== rolePath) throw denied;

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
  throw validationError(
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}

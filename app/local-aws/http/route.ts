/**
 * Routing: the table of services the emulator speaks, which one a request is
 * for, and the answer to an operation a service does not serve. A new service
 * joins by adding its module to SERVICES (its protocol picks its error wording).
 */
import { AwsError, type EmuRequest, type ServiceModule, type ServiceName } from "../types";
import { parseQueryForm } from "../xml";
import { qbusinessService } from "../qbusiness";
import { iamService } from "../iam";
import { stsService } from "../sts";
import { s3Service } from "../s3";
import { organizationsService } from "../organizations";
import { securityHubService } from "../securityhub";
import { snsService } from "../sns";
import type { ParsedAuth } from "../sigv4";
import type { RequestHead } from "./parse";
import { dialectOf } from "./errors";

export const SERVICES: Record<ServiceName, ServiceModule> = {
  qbusiness: qbusinessService,
  iam: iamService,
  sts: stsService,
  s3: s3Service,
  organizations: organizationsService,
  securityhub: securityHubService,
  sns: snsService,
};

/** What an unnamed service's body may take before `claimsUnsigned` decides (the rest stays unread). */
export const UNSIGNED_PEEK_BYTES = 64 * 1024;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function maxBodyBytesOf(module: ServiceModule): number {
  return module.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
}

/** A signed request names its service in the credential scope; undefined when it names none we serve. */
export function signedService(auth: ParsedAuth): ServiceModule | undefined {
  if (auth.kind !== "header" && auth.kind !== "query") return undefined;
  return Object.values(SERVICES).find((m) => m.service === auth.service);
}

/** Whether telling an unsigned request's service needs the start of its body (awsQuery posts name it in the form). */
export function unsignedNeedsBody(head: RequestHead): boolean {
  return head.method === "POST" && head.rawPath === "/";
}

/** An unsigned request is recognised by its shape, so it gets that service's refusal; S3 takes the rest. */
export function unsignedService(head: RequestHead, bodyStart: Buffer): ServiceModule {
  return Object.values(SERVICES).find((m) => m.claimsUnsigned?.(head, bodyStart)) ?? SERVICES.s3;
}

export function unknownOperation(module: ServiceModule, req: EmuRequest): AwsError {
  switch (dialectOf(module.protocol)) {
    case "json":
      return new AwsError("UnknownOperationException", "Unknown operation", 404);
    case "s3":
      return ["GET", "PUT", "HEAD", "POST", "DELETE"].includes(req.method)
        ? new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented.", 501)
        : new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
            Method: req.method,
            ResourceType: "OBJECT",
          });
    case "query": {
      const action = parseQueryForm(req.body)["Action"] ?? req.query.get("Action") ?? "";
      return new AwsError("InvalidAction", `Could not find operation ${action} for version ${module.apiVersion}`, 400);
    }
  }
}

/** The ARN an operation acts on, for AccessDenied messages. */
export function resourceOf(req: EmuRequest): string {
  if (req.service === "qbusiness") {
    const m = /^\/applications\/([^/]+)(?:\/(?:indices|index)\/([^/]+))?/.exec(req.path);
    if (!m) return `arn:aws:qbusiness:${req.region}:${req.accountId}:application/*`;
    const app = `arn:aws:qbusiness:${req.region}:${req.accountId}:application/${m[1]}`;
    return m[2] ? `${app}/index/${m[2]}` : app;
  }
  if (req.service === "s3") return `arn:aws:s3:::${req.path.replace(/^\//, "")}`;
  const params = parseQueryForm(req.body);
  if (params["RoleArn"]) return params["RoleArn"];
  if (params["PolicySourceArn"]) return params["PolicySourceArn"];
  if (params["PolicyArn"]) return params["PolicyArn"];
  if (params["RoleName"]) return `arn:aws:iam::${req.accountId}:role/${params["RoleName"]}`;
  return "*";
}

/**
 * Where the dashboard reads from, and whether it can: the connection status
 * page (/connection) and the banner on every page (issue 11 item 10). Checked
 * with sts:GetCallerIdentity (no permission needed, writes nothing) at start
 * (serve.ts), when an operator asks again, and after a scan that could not
 * run; pages read the last result, so no page waits on AWS.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { awsErrorInfo, createAwsClients, destroyAwsClients } from "~/aws/clients";
import { regionsFromEnv } from "~/audit/targets";
import { getRuntimeInfo, runtimeNow } from "~/runtime.server";
import { singleton } from "~/util/singleton.server";

export interface ConnectionStatus {
  mode: "local" | "aws";
  /** In words: which fixture, or which endpoint. */
  description: string;
  state: "unchecked" | "checking" | "ok" | "error";
  /** The account the credentials belong to (GetCallerIdentity), once checked. */
  accountId: string | null;
  callerArn: string | null;
  regions: string[];
  /** Where the SDK's default chain finds credentials, in words (which variable, file or profile). */
  credentialSource: string;
  endpoint: string | null;
  /** The exact error of the last check, and what to do about it. */
  error: { code: string; message: string } | null;
  fix: string[];
  checkedAt: string | null;
}

type Env = Record<string, string | undefined>;

function configFiles(env: Env): { credentials: string; config: string } {
  const home = env.HOME || homedir();
  return {
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, ".aws", "credentials"),
    config: env.AWS_CONFIG_FILE || path.join(home, ".aws", "config"),
  };
}

/** Whether `[name]` (credentials file) or `[profile name]` / `[default]` (config file) is in the files. */
function profileIn(files: { credentials: string; config: string }, name: string): string | undefined {
  const sections: [string, RegExp][] = [
    [files.credentials, new RegExp(`^\\s*\\[\\s*${name}\\s*\\]`, "m")],
    [files.config, new RegExp(`^\\s*\\[\\s*(profile\\s+)?${name}\\s*\\]`, "m")],
  ];
  for (const [file, section] of sections) {
    try {
      if (existsSync(file) && section.test(readFileSync(file, "utf8"))) return file;
    } catch {
      // unreadable: as if absent (the SDK will say so)
    }
  }
  return undefined;
}

/** Where the SDK's default provider chain takes credentials from, in its order, from the environment and the shared files. */
export function credentialSource(env: Env = process.env): string {
  if (env.AWS_ACCESS_KEY_ID) {
    const secret = env.AWS_SECRET_ACCESS_KEY ? "" : " (but AWS_SECRET_ACCESS_KEY is not set)";
    return `environment variables AWS_ACCESS_KEY_ID${env.AWS_SESSION_TOKEN ? ", AWS_SESSION_TOKEN" : ""}${secret}`;
  }
  const files = configFiles(env);
  if (env.AWS_PROFILE) {
    const file = profileIn(files, env.AWS_PROFILE.replace(/[^\w.+=@-]/g, ""));
    return file
      ? `profile "${env.AWS_PROFILE}" (AWS_PROFILE) in ${file}`
      : `profile "${env.AWS_PROFILE}" (AWS_PROFILE), not found in ${files.credentials} or ${files.config}`;
  }
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE) return `web identity token ${env.AWS_WEB_IDENTITY_TOKEN_FILE} (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)`;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return "the container credentials endpoint (ECS/EKS)";
  const file = profileIn(files, "default");
  if (file) return `profile "default" in ${file}`;
  return `none found: no AWS_ACCESS_KEY_ID, no AWS_PROFILE, no default profile in ${files.credentials} or ${files.config}, so only the EC2 instance metadata service is left`;
}

/** What an admin can do about the error, most likely first. */
export function fixFor(code: string, message: string, env: Env = process.env): string[] {
  const steps: string[] = [];
  if (/CredentialsProviderError|could not load credentials/i.test(`${code} ${message}`)) {
    steps.push(
      "Give the server credentials: set AWS_PROFILE to a profile in ~/.aws/config (run `aws configure` or `aws configure sso` to make one), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    );
    steps.push("On EC2, ECS or EKS attach a role to the instance, task or service account instead of keys.");
  } else if (/ExpiredToken|TokenRefreshRequired|SSO.*expired|token.*expired/i.test(`${code} ${message}`)) {
    steps.push("The credentials have expired: refresh them (`aws sso login --profile NAME`, or new temporary keys), then check again.");
  } else if (/InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient|InvalidAccessKeyId/i.test(code)) {
    steps.push(
      "AWS does not accept the access key: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile's keys) belong together and are active in IAM.",
    );
  } else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|TimeoutError|NetworkingError/i.test(`${code} ${message}`)) {
    steps.push(
      env.AWS_ENDPOINT_URL
        ? `The endpoint ${env.AWS_ENDPOINT_URL} (AWS_ENDPOINT_URL) does not answer: correct it, or unset it to reach AWS itself.`
        : "AWS's endpoints do not answer from this machine: check its network, proxy (HTTPS_PROXY) and DNS.",
    );
  } else if (/AccessDenied/i.test(code)) {
    steps.push("The identity may not call sts:GetCallerIdentity here (an SCP?): allow it, or use the audit role in docs/deploy/roles.");
  }
  if (regionsFromEnv(env).length === 0) steps.push("Set QBR_REGIONS (or AWS_REGION) to the regions to audit, e.g. QBR_REGIONS=us-east-1,eu-west-1.");
  steps.push("Then restart the server, or press “Check again” on the connection page.");
  return steps;
}

const held = () =>
  singleton("connection", (): { status: ConnectionStatus | null; checking: Promise<ConnectionStatus> | null } => ({ status: null, checking: null }));

function baseStatus(env: Env): ConnectionStatus {
  const runtime = getRuntimeInfo();
  return {
    mode: runtime.mode,
    description: runtime.description,
    state: "unchecked",
    accountId: null,
    callerArn: null,
    regions: regionsFromEnv(env),
    credentialSource: credentialSource(env),
    endpoint: env.AWS_ENDPOINT_URL ?? null,
    error: null,
    fix: [],
    checkedAt: null,
  };
}

/** The last check's result (the banner and the page read it); unchecked until the first check ends. */
export function connectionStatus(env: Env = process.env): ConnectionStatus {
  return held().status ?? baseStatus(env);
}

/** Asks STS who the credentials are (one check at a time); keeps and returns the result. */
export function checkConnection(env: Env = process.env): Promise<ConnectionStatus> {
  const state = held();
  state.checking ??= probe(env).finally(() => (state.checking = null));
  return state.checking;
}

async function probe(env: Env): Promise<ConnectionStatus> {
  const status = baseStatus(env);
  const region = status.regions[0] ?? "us-east-1";
  // Two attempts: a missing endpoint or key is not made right by retrying, and the page should answer soon.
  const clients = createAwsClients({ region, maxAttempts: 2 });
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    Object.assign(status, { state: "ok", accountId: identity.Account ?? null, callerArn: identity.Arn ?? null });
    if (status.regions.length === 0) {
      const error = { code: "NoRegion", message: "No region to audit: QBR_REGIONS and AWS_REGION are not set." };
      Object.assign(status, { state: "error", error, fix: fixFor(error.code, error.message, env) });
    }
  } catch (error) {
    const info = awsErrorInfo(error);
    Object.assign(status, { state: "error", error: { code: info.code, message: info.message }, fix: fixFor(info.code, info.message, env) });
  } finally {
    destroyAwsClients(clients);
  }
  status.checkedAt = runtimeNow().toISOString();
  held().status = status;
  return status;
}

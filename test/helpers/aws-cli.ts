/**
 * The AWS CLI as an independent client of the local AWS: which binary to run
 * and how to run it with nothing of this machine's own AWS configuration
 * (the child gets a HOME of the test's own and only the variables it needs).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const AWS_CLI_INSTALL_HINT =
  "the AWS CLI (`aws`) is not installed: install Debian's awscli (apt-get update && apt-get install -y awscli), or point QBR_AWS_CLI at an aws binary";

/** Debian's package first (/usr/bin/aws): a pip-installed aws earlier in PATH may be another major version. */
export function findAwsCli(): string | undefined {
  // QBR_AWS_CLI, when set, is the only candidate (so a missing binary can be shown to fail the tests).
  const candidates = process.env.QBR_AWS_CLI
    ? [process.env.QBR_AWS_CLI]
    : ["/usr/bin/aws", ...(process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "aws"))];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AwsCliCall {
  args: string[];
  /** The CLI's HOME (and its .aws folder): the test's own temporary directory. */
  home: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
}

/**
 * Run the CLI once. Throws when no binary is installed: a fidelity check that
 * skips proves nothing. The child's environment is built whole (not the
 * ProcessEnv type, which the typings make carry NODE_ENV).
 */
export function runAwsCli(call: AwsCliCall): Promise<CliResult> {
  const bin = findAwsCli();
  if (!bin) throw new Error(AWS_CLI_INSTALL_HINT);
  const { credentials, home } = call;
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, ".aws", "credentials"),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    AWS_DEFAULT_REGION: call.region,
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return new Promise<CliResult>((resolve) => {
    execFile(bin, call.args, { env: env as NodeJS.ProcessEnv, cwd: home, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

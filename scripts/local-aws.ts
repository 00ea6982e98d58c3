/**
 * npm run local-aws -- [--fixture FILE] [--port N]
 *
 * Runs the local AWS (Q Business, IAM, STS, S3 wire protocols) on 127.0.0.1
 * until Ctrl-C, loaded from a fleet fixture (default: the demo fleet).
 * Exit 2: bad arguments or a fixture that does not follow fleet-fixture.md.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FixtureError, startLocalAws } from "../app/local-aws/index";
import { accountCredentials } from "../app/local-aws/fixture-types";

const USAGE = "Usage: npm run local-aws -- [--fixture FILE] [--port N]";
const DEMO_FLEET = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../app/local-aws/fixtures/demo-fleet.json");

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { fixture?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { fixture: { type: "string" }, port: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got "${values.port}"`);
  const fixturePath = values.fixture ?? DEMO_FLEET;

  let aws;
  try {
    aws = await startLocalAws({ fixture: fixturePath, port });
  } catch (error) {
    if (error instanceof FixtureError) {
      console.error(`Refusing the fixture: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  const firstRegion = (id: string) => Object.keys(aws.account(id)?.regions ?? {})[0] ?? "us-east-1";
  const lines = [
    `Local AWS listening on ${aws.endpoint}`,
    `Fixture: ${fixturePath}`,
    "",
    "Accounts (each has fixed keys; STS AssumeRole into arn:aws:iam::{account}:role/... gives temporary keys):",
    ...aws.fleet.accounts.map((a) => {
      const keys = accountCredentials(a.accountId);
      const regions = Object.keys(a.regions).join(", ") || "no Q Business regions";
      return `  ${a.accountId}${a.alias ? ` (${a.alias})` : ""}: ${keys.accessKeyId} / ${keys.secretAccessKey}  [${regions}]`;
    }),
    "",
    "Point the AWS SDK or CLI at it, e.g.:",
    ...aws.fleet.accounts.slice(0, 1).map((a) => {
      const keys = accountCredentials(a.accountId);
      return `  AWS_ENDPOINT_URL=${aws.endpoint} AWS_ACCESS_KEY_ID=${keys.accessKeyId} AWS_SECRET_ACCESS_KEY=${keys.secretAccessKey} AWS_REGION=${firstRegion(a.accountId)}`;
    }),
    "  (S3 clients need path-style addressing: forcePathStyle: true. IAM signs for us-east-1.)",
    "",
    "Ctrl-C to stop.",
  ];
  console.log(lines.join("\n"));

  const stop = () => {
    aws.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

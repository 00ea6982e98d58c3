/**
 * The local AWS: an emulator of the Q Business, IAM, STS and S3 wire
 * protocols, loaded from a fleet fixture, that the unmodified SDK clients talk to.
 */
import type { Fixture } from "./fixture-types";
import { loadFixtureFile, validateFixture } from "./fixture";
import { serveLocalAws, type LocalAws } from "./server";

export type { LocalAws } from "./server";
export type { LocalAwsStats } from "./faults";
export type { RequestLogEntry } from "./request-log";
export { iamActionOf } from "./request-log";
export { FixtureError, loadFixtureFile, validateFixture } from "./fixture";
export { presignS3Url } from "./s3";

/**
 * Start the emulator on 127.0.0.1 (port 0 = any free port). The fixture is
 * validated and copied; the copy is the live state the services mutate.
 */
export function startLocalAws(opts: { fixture: Fixture | string; port?: number }): Promise<LocalAws> {
  const fleet = typeof opts.fixture === "string" ? loadFixtureFile(opts.fixture) : validateFixture(opts.fixture);
  return serveLocalAws(fleet, { port: opts.port });
}

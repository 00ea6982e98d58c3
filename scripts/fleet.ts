/**
 * Generate a fleet fixture for the local AWS:
 *
 *   npm run fleet -- --accounts 3 --regions 4 --apps 25 --data-sources 8 \
 *     --sync-jobs 30 --documents 500 --seed 7 > fleet.json
 *
 * --regions N takes the first N regions of QBUSINESS_REGIONS. Optional:
 * --s3-objects / --no-s3-objects, --latency-ms, --rate-per-second, --burst,
 * --error-rate (embedded as the fixture's faults). The JSON is streamed, so a
 * million-document fleet is written without building one giant string.
 * Exit codes: 0 written, 2 bad arguments.
 */
import { parseArgs } from "node:util";
import type { Writable } from "node:stream";
import type { FixtureFaults } from "../app/local-aws/fixture-types";
import { QBUSINESS_REGIONS, fixtureJsonChunks, generateFleet, type GenerateFleetOptions } from "../app/local-aws/generate-fleet";

const USAGE = `usage: npm run fleet -- --accounts A --regions R --apps N --data-sources D --sync-jobs J --documents K --seed S [--s3-objects|--no-s3-objects] [--latency-ms MS] [--rate-per-second N] [--burst N] [--error-rate 0..1] > fleet.json`;

class UsageError extends Error {}

/** Limits per flag: [min, max]. Apps and data sources follow the Q Business quotas. */
const COUNTS = {
  accounts: [1, 1000],
  regions: [1, QBUSINESS_REGIONS.length],
  apps: [0, 50],
  "data-sources": [1, 50],
  "sync-jobs": [1, 10_000],
  documents: [0, 10_000_000],
  seed: [0, 2 ** 32 - 1],
} as const;

function integerFlag(values: Record<string, unknown>, flag: keyof typeof COUNTS): number {
  const raw = values[flag];
  if (raw === undefined) throw new UsageError(`missing --${flag}`);
  const [min, max] = COUNTS[flag];
  const n = Number(raw);
  if (!/^\d+$/.test(String(raw)) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function numberFlag(values: Record<string, unknown>, flag: string, max: number): number | undefined {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (String(raw).trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
    throw new UsageError(`--${flag} must be a number from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Parse the command line into generator options; throws UsageError naming the flag. */
function parseFleetArgs(args: string[]): GenerateFleetOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        accounts: { type: "string" },
        regions: { type: "string" },
        apps: { type: "string" },
        "data-sources": { type: "string" },
        "sync-jobs": { type: "string" },
        documents: { type: "string" },
        seed: { type: "string" },
        "s3-objects": { type: "boolean" },
        "no-s3-objects": { type: "boolean" },
        "latency-ms": { type: "string" },
        "rate-per-second": { type: "string" },
        burst: { type: "string" },
        "error-rate": { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values as Record<string, unknown>;
  if (v["s3-objects"] && v["no-s3-objects"]) throw new UsageError("--s3-objects and --no-s3-objects exclude each other");

  const faults: FixtureFaults = {};
  const latencyMs = numberFlag(v, "latency-ms", 600_000);
  const ratePerSecond = numberFlag(v, "rate-per-second", 1_000_000);
  const burst = numberFlag(v, "burst", 1_000_000);
  const errorRate = numberFlag(v, "error-rate", 1);
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  if (ratePerSecond !== undefined) faults.ratePerSecond = ratePerSecond;
  if (burst !== undefined) faults.burst = burst;
  if (errorRate !== undefined) faults.errorRate = errorRate;

  const options: GenerateFleetOptions = {
    accounts: integerFlag(v, "accounts"),
    regions: integerFlag(v, "regions"),
    apps: integerFlag(v, "apps"),
    dataSources: integerFlag(v, "data-sources"),
    syncJobs: integerFlag(v, "sync-jobs"),
    documents: integerFlag(v, "documents"),
    seed: integerFlag(v, "seed"),
  };
  if (Object.keys(faults).length > 0) options.faults = { ...faults, seed: options.seed };
  if (v["s3-objects"]) options.s3Objects = true;
  if (v["no-s3-objects"]) options.s3Objects = false;
  return options;
}

/** Write chunks, waiting for the stream to drain so memory stays flat. */
async function writeAll(out: Writable, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
  }
  await new Promise<void>((resolve, reject) => out.write("\n", (error) => (error ? reject(error) : resolve())));
}

async function main(): Promise<number> {
  let options: GenerateFleetOptions;
  try {
    options = parseFleetArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fleet: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const fixture = generateFleet(options);
  await writeAll(process.stdout, fixtureJsonChunks(fixture));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`fleet: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  },
);

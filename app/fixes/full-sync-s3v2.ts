/**
 * The full-sync fix for the S3 (v2) connector (`type: "S3V2"`), which has no
 * sync mode at all: there is no "full sync" setting to switch to. So the fix
 * starts a plain sync, follows it, and then proves the outcome from the
 * documents: every one with updatedAt after the cutoff is fixed; otherwise it
 * says how many are still stale and the next steps that do work, cheapest
 * first (touch the stale objects so a sync re-ingests them; recreate the data
 * source). Whether a plain S3V2 sync re-ingests unchanged documents is not
 * documented (docs/decisions/0009-s3v2-full-sync.md), so it is never assumed.
 */
import { GetDataSourceCommand, ListDocumentsCommand, type GetDataSourceResponse } from "@aws-sdk/client-qbusiness";
import type { AwsCalls } from "./common";
import type { DataSourceRef, FixContext, Verification } from "./types";
import { plural } from "../util/plural";

/** At most this many `aws s3 cp` commands are listed; the count says how many more there are. */
export const TOUCH_COMMANDS_LISTED = 50;
/** AWS's default deletion protection threshold (percent) for the S3 (v2) connector. */
const DEFAULT_DELETION_THRESHOLD = 15;

/** Connectors that keep no sync mode in their configuration. */
export function isModelessConnector(type: string | undefined): boolean {
  return type?.toUpperCase() === "S3V2";
}

export interface ModelessSourceFacts {
  /** The bucket the source crawls (connectionConfiguration.bucketName), when the configuration names it. */
  bucket?: string;
  deletionProtection: { enabled: boolean; threshold: number };
}

/** What the S3V2 configuration says about its bucket and deletion protection. */
export function modelessSourceFacts(source: GetDataSourceResponse): ModelessSourceFacts {
  const configuration = (source.configuration ?? {}) as Record<string, unknown>;
  const connection = (configuration.connectionConfiguration ?? {}) as Record<string, unknown>;
  // The documented member is bucketName; older S3V2 configurations carry the v1 shape's repositoryEndpointMetadata.BucketName.
  const endpoint = (connection.repositoryEndpointMetadata ?? {}) as Record<string, unknown>;
  const bucket = typeof connection.bucketName === "string" ? connection.bucketName : typeof endpoint.BucketName === "string" ? endpoint.BucketName : undefined;
  const dp = (configuration.deletionProtectionConfiguration ?? {}) as Record<string, unknown>;
  return {
    ...(bucket ? { bucket } : {}),
    deletionProtection: {
      enabled: dp.enableDeletionProtection === true,
      threshold: typeof dp.deletionProtectionThreshold === "number" ? dp.deletionProtectionThreshold : DEFAULT_DELETION_THRESHOLD,
    },
  };
}

export interface DocumentFreshness {
  total: number;
  /** Documents whose updatedAt is before the cutoff (or missing), in listing order. */
  stale: { documentId: string; updatedAt?: string }[];
}

/** Every document of the data source (all pages), and which are still from before the cutoff. */
export async function documentFreshness(ctx: FixContext, d: DataSourceRef, calls: AwsCalls): Promise<DocumentFreshness> {
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  const stale: DocumentFreshness["stale"] = [];
  let total = 0;
  let nextToken: string | undefined;
  do {
    const page = await calls.send<{ documentDetailList?: { documentId?: string; status?: string; updatedAt?: Date }[]; nextToken?: string }>(
      qbusiness,
      new ListDocumentsCommand({ applicationId: d.applicationId, indexId: d.indexId, dataSourceIds: [d.dataSourceId], maxResults: 100, nextToken }),
      "qbusiness:ListDocuments",
    );
    for (const doc of page.documentDetailList ?? []) {
      total++;
      if (!doc.updatedAt || doc.updatedAt.getTime() < ctx.cutoff.getTime()) {
        stale.push({ documentId: doc.documentId ?? "", ...(doc.updatedAt ? { updatedAt: doc.updatedAt.toISOString() } : {}) });
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { total, stale };
}

/** The object key of an S3 connector's document id (s3://bucket/key, form-encoded), or undefined for another bucket. */
export function objectKeyOf(documentId: string, bucket: string): string | undefined {
  const prefix = `s3://${bucket}/`;
  if (!documentId.startsWith(prefix)) return undefined;
  try {
    return decodeURIComponent(documentId.slice(prefix.length).replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** POSIX shell single-quoting: the command can be pasted as it is, whatever the key holds. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that rewrites an object in place, giving it a new LastModified (so a sync sees it changed). */
export function touchCommand(bucket: string, key: string): string {
  const uri = shellQuote(`s3://${bucket}/${key}`);
  return `aws s3 cp ${uri} ${uri} --metadata-directive REPLACE`;
}

/**
 * What to do when documents are still stale after a sync, cheapest first.
 * Each step is one string; the touch step is followed by its commands.
 */
export function nextSteps(facts: ModelessSourceFacts, stale: DocumentFreshness["stale"]): { steps: string[]; commands: string[]; unmapped: string[] } {
  const keys = facts.bucket ? stale.map((s) => objectKeyOf(s.documentId, facts.bucket!)) : [];
  const mapped = keys.filter((k): k is string => k !== undefined);
  const unmapped = stale.filter((_, i) => keys[i] === undefined).map((s) => s.documentId);
  const commands = mapped.slice(0, TOUCH_COMMANDS_LISTED).map((key) => touchCommand(facts.bucket!, key));
  const more = mapped.length - commands.length;
  const touch = facts.bucket
    ? `1. Touch the ${mapped.length} stale object${mapped.length === 1 ? "" : "s"} in s3://${facts.bucket} so the next sync sees them changed and re-ingests them, then run this fix again ` +
      `(cheapest: no downtime). REPLACE rewrites each object's metadata: user-defined metadata (x-amz-meta-*) not given again is dropped, so check with ` +
      `aws s3api head-object first.${more > 0 ? ` ${commands.length} commands are listed; ${more} more keys need the same command.` : ""}` +
      `${unmapped.length ? ` ${plural(unmapped.length, "document id")} ${unmapped.length === 1 ? "does" : "do"} not name an object of the bucket and ${unmapped.length === 1 ? "is" : "are"} not covered.` : ""}`
    : "1. Touch the stale objects in S3 (aws s3 cp s3://BUCKET/KEY s3://BUCKET/KEY --metadata-directive REPLACE for each) so the next sync re-ingests them: the configuration does not name the bucket, so the commands cannot be written out.";
  const recreate =
    "2. Or recreate the data source: delete it and create it again with the same configuration (type S3V2, same bucket, filters, role, schedule); " +
    "a new data source's first sync covers all content. It loses the data source id, its sync history and its settings unless re-entered, and its " +
    "documents leave the index when it is deleted and are missing from answers until the new source's first sync ends.";
  return { steps: [touch, recreate], commands, unmapped };
}

/** The words for a sync that ended FAILED on a source with deletion protection, beside the job's own error. */
export function deletionProtectionWords(facts: ModelessSourceFacts, jobError: string | undefined): string | undefined {
  const mentions = /deletion protection|deletionprotection/i.test(jobError ?? "");
  if (!facts.deletionProtection.enabled && !mentions) return undefined;
  const threshold = facts.deletionProtection.threshold;
  const what = mentions
    ? `Deletion protection blocked the sync: it would have deleted more than ${threshold}% of the data source's documents ` +
      `(objects gone from the bucket or no longer matching its filters), so nothing was re-ingested.`
    : `This data source has deletion protection on (threshold ${threshold}%): if the sync would have deleted more than that share of ` +
      `its documents (objects gone from the bucket or no longer matching its filters), that is why it failed.`;
  return (
    `${what} If the objects left on purpose, raise deletionProtectionConfiguration.deletionProtectionThreshold, or set ` +
    `enableDeletionProtection to false for one sync, then run this fix again; otherwise put the objects back.`
  );
}

/** The S3V2 verdict from the documents: every one (at least one) re-ingested after the cutoff, or the count and the next steps. */
export function modelessVerification(
  facts: ModelessSourceFacts,
  freshness: { total: number; stale: { documentId: string; updatedAt?: string }[] },
  executionId?: string,
): Verification {
  const { total, stale } = freshness;
  const after = executionId ? `Sync ${executionId} succeeded` : "The latest sync";
  if (total === 0) {
    return {
      ok: false,
      message: `${after}, but the data source lists no documents: nothing shows they were re-ingested.`,
      details: { documents: 0, staleDocuments: 0 },
    };
  }
  if (stale.length === 0) {
    return {
      ok: true,
      message: `${after} and all ${total} documents were re-ingested after the cutoff: verified fixed.`,
      details: { documents: total, staleDocuments: 0 },
    };
  }
  const next = nextSteps(facts, stale);
  return {
    ok: false,
    message: `${after}, but ${stale.length} of ${total} documents are still from before the cutoff: the sync left them as they were. Next steps, cheapest first: ${next.steps.join(" ")}`,
    details: {
      documents: total,
      staleDocuments: stale.length,
      staleDocumentIds: stale.slice(0, 50).map((s) => s.documentId),
      nextSteps: next.steps,
      touchCommands: next.commands,
      ...(facts.bucket ? { bucket: facts.bucket } : {}),
    },
  };
}

/**
 * After a tracked sync of ours that was not a full one has ended: if the data
 * source keeps no sync mode (S3V2), prove the outcome from its documents (or,
 * for a failed job, say why in words, deletion protection included). Undefined
 * for other connectors. Called by followTrackedSync, so a sync followed in the
 * background, or resumed after a restart, is checked the same way.
 */
export async function modelessFollowUp(
  ctx: FixContext,
  d: DataSourceRef,
  job: { executionId: string; status: string; errorMessage?: string },
  calls: AwsCalls,
): Promise<Verification | undefined> {
  const { qbusiness } = await ctx.clients(d.accountId, d.region);
  const source = await calls.send<GetDataSourceResponse>(
    qbusiness,
    new GetDataSourceCommand({ applicationId: d.applicationId, indexId: d.indexId, dataSourceId: d.dataSourceId }),
    "qbusiness:GetDataSource",
  );
  if (!isModelessConnector(source.type)) return undefined;
  const facts = modelessSourceFacts(source);
  if (job.status !== "SUCCEEDED") {
    const protection = job.status === "FAILED" ? deletionProtectionWords(facts, job.errorMessage) : undefined;
    const message = [`Sync ${job.executionId} ended ${job.status}${job.errorMessage ? `: ${job.errorMessage}` : "."}`, protection].filter(Boolean).join(" ");
    return {
      ok: false,
      message,
      details: { jobStatus: job.status, ...(job.errorMessage ? { jobError: job.errorMessage } : {}), deletionProtection: facts.deletionProtection },
    };
  }
  return modelessVerification(facts, await documentFreshness(ctx, d, calls), job.executionId);
}

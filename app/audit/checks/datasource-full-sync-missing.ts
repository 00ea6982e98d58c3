/**
 * datasource-full-sync-missing: every S3 data source needs a full sync after
 * the cutoff before its documents can be downloaded. The mode of each job is
 * inferred in ../sync-evidence.ts; this module turns that into a verdict:
 * pass with a full job; fail when no job counts or every counting job is
 * incremental; warn when the best is a job of unknown mode, unless every
 * document was demonstrably re-ingested after the cutoff (pass by documents).
 * Evidence AWS refused to show (sync jobs, the configuration) makes it
 * `unknown`, with the error.
 */
import { CUTOFF_DAY_LABEL, FULL_SYNC_MODE, FULL_SYNC_REQUIRED_ERROR } from "../../aws/vocabulary";
import type { Check, CheckMetadata, DataSourceInventory, DocumentScan, Finding, SyncJobRecord } from "../types";
import { assessFullSync, everyDocumentReingested, keepsNoSyncMode, type FullSyncAssessment } from "../sync-evidence";
import {
  afterCutoff,
  applicationErrorHides,
  dataSourceResource,
  day,
  describeError,
  errorEvidence,
  finding,
  isS3DataSource,
  isUploadedFilesSource,
  plural,
  unlistedDataSourcesResource,
} from "./common";

export const metadata: CheckMetadata = {
  id: "datasource-full-sync-missing",
  severity: "critical",
  resourceType: "data-source",
  title: `S3 data source had a full sync after ${CUTOFF_DAY_LABEL}`,
  meaning: "No successful full sync of this S3 data source started after the cutoff can be shown.",
  whyItMatters: `Users who open a source from this data source see: "${FULL_SYNC_REQUIRED_ERROR}"`,
  howToFix:
    `Run a full sync: set the data source's sync mode to full (console "Full sync", configuration.syncMode ${FULL_SYNC_MODE}), ` +
    "start a sync, wait for it to succeed, then restore the previous mode if wanted. The fix action does this and records the job.",
  howToFixByDataSourceType: {
    S3V2:
      'This data source uses the S3 (v2) connector, which has no full-sync setting: start a sync (console "Sync now", or ' +
      "StartDataSourceSyncJob), wait for it to succeed, then check that every document's updatedAt is after the cutoff. Documents still " +
      "stale: touch their objects in S3 (aws s3 cp s3://BUCKET/KEY s3://BUCKET/KEY --metadata-directive REPLACE) so the next sync " +
      "re-ingests them, or recreate the data source (a new data source's first sync covers all content). The fix action syncs, " +
      "checks every document and lists the exact commands for the stale ones.",
  },
  remediation: "full-sync",
  manualFix: {
    steps: [
      "Open the data source in the Amazon Q Business console (link below) and choose Edit.",
      "Under Sync run schedule / sync mode, choose Full sync (FORCED_FULL_CRAWL) and save.",
      "Choose Sync now and wait until its sync history shows the job Succeeded.",
      "Set the sync mode back to what it was (for example New, modified, or deleted content sync), then scan again.",
    ],
    console: ["data-source", "sync-history"],
  },
  permissions: ["qbusiness:ListIndices", "qbusiness:ListDataSources", "qbusiness:GetDataSource", "qbusiness:ListDataSourceSyncJobs", "qbusiness:ListDocuments"],
};

/** At most this many counting jobs are listed in the evidence (the count says how many there were). */
const JOBS_IN_EVIDENCE = 10;

function jobSummary(job: SyncJobRecord | null) {
  return job ? { executionId: job.executionId, startTime: job.startTime ?? null, endTime: job.endTime ?? null, status: job.status ?? null } : null;
}

function documentEvidence(scan: DocumentScan) {
  return {
    scanned: scan.scanned,
    fresh: scan.freshCount,
    stale: scan.staleCount,
    failed: scan.failedCount ?? null,
    capped: scan.capped,
    ...(scan.error ? { error: errorEvidence(scan.error) } : {}),
  };
}

function baseEvidence(ds: DataSourceInventory, cutoff: Date, assessment: FullSyncAssessment | null) {
  return {
    dataSourceType: ds.type ?? null,
    // A connector without a sync mode (S3V2) has none to show, not an unset one.
    ...(keepsNoSyncMode(ds.type) ? {} : { syncMode: (ds.configuration?.syncMode as unknown) ?? null }),
    dataSourceCreatedAt: ds.createdAt ?? null,
    dataSourceUpdatedAt: ds.updatedAt ?? null,
    firstSyncKnown: ds.firstSyncKnown ?? null,
    cutoff: cutoff.toISOString(),
    // How far back the jobs were read (issue 15): reading stops once no older job can change the verdict.
    ...(ds.syncJobsRead ? { syncJobsRead: ds.syncJobsRead } : {}),
    ...(assessment
      ? {
          jobsCounted: assessment.countingJobs.length,
          jobsConsidered: assessment.countingJobs.slice(0, JOBS_IN_EVIDENCE),
          decidingJob: assessment.decidingJob,
          lastSuccessfulSync: jobSummary(assessment.lastSuccessfulJob),
          latestSync: jobSummary(assessment.latestJob),
        }
      : {}),
    ...(ds.error ? { dataSourceError: errorEvidence(ds.error) } : {}),
  };
}

/**
 * The sync history in words. The collector reads every job since the cutoff
 * but only the latest one before it, so "no successful sync" is only claimed
 * for the time since the cutoff.
 */
function history(assessment: FullSyncAssessment): string {
  const latest = assessment.latestJob;
  if (!latest) return "the data source has no sync jobs";
  const last = assessment.lastSuccessfulJob;
  const failing = latest !== last && latest.status && latest.status !== "SUCCEEDED";
  if (!last) return `no sync since then succeeded (latest ${day(latest.startTime)} ${latest.status ?? "status unknown"})`;
  return `last successful sync ${day(last.startTime)}${failing ? `; latest sync ${day(latest.startTime)} ${latest.status}` : ""}`;
}

/**
 * A connector without a sync mode (S3V2) whose documents show the sync after
 * the cutoff did not re-ingest them all: the documents decide, so it fails.
 */
function modelessStale(ds: DataSourceInventory, cutoff: Date, evidence: Record<string, unknown>, when: string) {
  const scan = ds.documents;
  const count = `${scan.capped ? "at least " : ""}${plural(scan.staleCount, "document")}${scan.capped ? "" : ` of ${scan.scanned}`}`;
  return {
    status: "fail" as const,
    message:
      `No full re-ingestion ${afterCutoff(cutoff)}: the ${ds.type} connector has no sync mode, and the documents show the sync of ${when} ` +
      `did not re-ingest them all: ${count} still from before the cutoff.`,
    evidence: { ...evidence, decidedBy: "documents", documents: documentEvidence(scan) },
  };
}

/** The verdict on one S3 data source, before it is placed on its resource (exported for the dashboard and tests). */
export function judgeDataSource(ds: DataSourceInventory, cutoff: Date): Omit<Finding, "checkId" | "severity" | "resource" | "remediation"> {
  const verdict = judgeDataSourceNow(ds, cutoff);
  const from = reusedFromOf(ds, verdict.evidence);
  return from ? { ...verdict, evidence: { ...verdict.evidence, reusedFrom: from } } : verdict;
}

/** The earlier audit whose evidence decided the verdict (ADR 0010), if it was reused rather than read now. */
function reusedFromOf(ds: DataSourceInventory, evidence: Record<string, unknown>) {
  if (evidence.decidedBy === "documents") return ds.documents.reusedFrom;
  const deciding = evidence.decidingJob as { executionId?: string } | null | undefined;
  const reused = ds.fullSyncReusedFrom;
  return reused && deciding?.executionId === reused.executionId ? { auditId: reused.auditId, scannedAt: reused.scannedAt } : undefined;
}

function judgeDataSourceNow(
  ds: DataSourceInventory,
  cutoff: Date,
): Omit<Finding, "checkId" | "severity" | "resource" | "remediation"> & { evidence: Record<string, unknown> } {
  const after = afterCutoff(cutoff);
  const documentsProve = everyDocumentReingested(ds.documents);
  const byDocuments = `All ${plural(ds.documents.freshCount, "document")} re-ingested ${after}`;

  if (ds.syncJobsError) {
    const evidence = { ...baseEvidence(ds, cutoff, null), syncJobsError: errorEvidence(ds.syncJobsError), documents: documentEvidence(ds.documents) };
    if (documentsProve) {
      return { status: "pass", message: `${byDocuments} (sync jobs unreadable).`, evidence: { ...evidence, decidedBy: "documents" } };
    }
    return {
      status: "unknown",
      message: `Sync jobs could not be read: ${describeError(ds.syncJobsError)}`,
      evidence: { ...evidence, decidedBy: null },
    };
  }

  const assessment = assessFullSync(ds, cutoff);
  const evidence = baseEvidence(ds, cutoff, assessment);
  const deciding = assessment.decidingJob;
  const when = day(deciding?.startTime ?? undefined);
  switch (assessment.best) {
    case "full":
      return {
        status: "pass",
        message: `Full sync confirmed ${after}: sync of ${when} ${deciding?.reason}.`,
        evidence: { ...evidence, decidedBy: "sync-job" },
      };
    case "unknown":
      if (documentsProve) {
        return {
          status: "pass",
          message: `${byDocuments}, though the mode of the sync of ${when} is unknown.`,
          evidence: { ...evidence, decidedBy: "documents", documents: documentEvidence(ds.documents) },
        };
      }
      if (keepsNoSyncMode(ds.type) && !ds.documents.error && ds.documents.staleCount > 0) {
        return modelessStale(ds, cutoff, evidence, when);
      }
      if (deciding?.basis === "configuration-unreadable" && ds.error) {
        // The mode is unknown only because AWS refused to show the configuration: that is missing evidence, not a risk.
        return {
          status: "unknown",
          message: `Full sync not confirmed ${after}: the data source configuration could not be read (${describeError(ds.error)}).`,
          evidence: { ...evidence, decidedBy: "sync-job", documents: documentEvidence(ds.documents) },
        };
      }
      return {
        status: "warn",
        message: `Full sync not confirmed ${after}: the sync of ${when} succeeded, mode unknown (${deciding?.reason}).`,
        evidence: { ...evidence, decidedBy: "sync-job", documents: documentEvidence(ds.documents) },
      };
    case "incremental":
      return {
        status: "fail",
        message: `No full sync ${after}: last successful sync ${when} (incremental).`,
        evidence: { ...evidence, decidedBy: "sync-job" },
      };
    case "none":
      return {
        status: "fail",
        message: `No full sync ${after}: ${history(assessment)}.`,
        evidence: { ...evidence, decidedBy: "sync-job" },
      };
  }
}

export const check: Check = {
  metadata,
  run({ inventory, cutoff }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      if (applicationErrorHides(app, "indices") && app.indices.length === 0) {
        findings.push(
          finding(metadata, "unknown", unlistedDataSourcesResource(app), `Data sources could not be listed: ${describeError(app.error!)}`, {
            error: errorEvidence(app.error!),
          }),
        );
        continue;
      }
      for (const index of app.indices) {
        if (index.error) {
          findings.push(
            finding(metadata, "unknown", unlistedDataSourcesResource(app, index), `Data sources could not be listed: ${describeError(index.error)}`, {
              error: errorEvidence(index.error),
            }),
          );
        }
        for (const ds of index.dataSources) {
          if (isUploadedFilesSource(ds)) continue;
          const resource = dataSourceResource(app, index, ds);
          if (ds.type === undefined) {
            const evidence = { dataSourceType: null, ...(ds.error ? { dataSourceError: errorEvidence(ds.error) } : {}) };
            findings.push(finding(metadata, "unknown", resource, "Data source type could not be read, so whether it is an S3 source is unknown.", evidence));
            continue;
          }
          if (!isS3DataSource(ds)) continue;
          const verdict = judgeDataSource(ds, cutoff);
          findings.push(finding(metadata, verdict.status, resource, verdict.message, verdict.evidence));
        }
      }
    }
    return findings;
  },
};

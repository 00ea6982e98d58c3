/**
 * datasource-sync-failing: a data source whose latest finished sync failed,
 * was aborted or incomplete, or dropped documents. It warns and never fails:
 * a failing sync is a risk for the next full sync, not itself a blocker.
 * Applies to every connector type.
 */
import { CUTOFF_DAY_LABEL } from "../../aws/vocabulary";
import type { Check, CheckMetadata, Finding } from "../types";
import { jobsNewestFirst } from "../sync-evidence";
import { dataSourceResource, day, describeError, errorEvidence, finding, isUploadedFilesSource, plural } from "./common";

export const metadata: CheckMetadata = {
  id: "datasource-sync-failing",
  severity: "medium",
  resourceType: "data-source",
  title: "Latest sync of the data source succeeded",
  meaning: "The latest finished sync job was FAILED, ABORTED or INCOMPLETE, or reported failed documents.",
  whyItMatters:
    'Documents a sync fails to ingest keep their old state: users cannot download them ("requires a full connector sync performed ' +
    `after ${CUTOFF_DAY_LABEL}") or find them missing, and the next full sync may fail the same way.`,
  howToFix:
    "Read the job's error (and the connector's CloudWatch logs), fix its cause (data source role, bucket access, document size or " +
    "format), then run a full sync again.",
  remediation: "full-sync",
  manualFix: {
    steps: [
      "Open the data source's sync history (link below) and read the failed job's error.",
      "Fix its cause: the data source role's access to the bucket, a document too large or in an unsupported format, the connector's configuration.",
      "Start a full sync and wait for it to succeed, then scan again.",
    ],
    console: ["sync-history", "data-source"],
  },
  permissions: ["qbusiness:ListDataSources", "qbusiness:ListDataSourceSyncJobs"],
};

const FINISHED = ["SUCCEEDED", "FAILED", "ABORTED", "INCOMPLETE"];
const UNSUCCESSFUL = ["FAILED", "ABORTED", "INCOMPLETE"];

export const check: Check = {
  metadata,
  run({ inventory }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      for (const index of app.indices) {
        for (const ds of index.dataSources) {
          if (isUploadedFilesSource(ds)) continue;
          const resource = dataSourceResource(app, index, ds);
          if (ds.syncJobsError) {
            findings.push(
              finding(metadata, "unknown", resource, `Sync jobs could not be read: ${describeError(ds.syncJobsError)}`, {
                error: errorEvidence(ds.syncJobsError),
              }),
            );
            continue;
          }
          const latest = jobsNewestFirst(ds.syncJobs).find((job) => job.status && FINISHED.includes(job.status));
          if (!latest) {
            findings.push(
              finding(metadata, "pass", resource, "No finished sync job, so none has failed.", { jobsRead: ds.syncJobs.length, latestFinishedJob: null }),
            );
            continue;
          }
          const documentsFailed = latest.metrics?.documentsFailed ?? 0;
          const evidence = {
            jobsRead: ds.syncJobs.length,
            latestFinishedJob: {
              executionId: latest.executionId,
              startTime: latest.startTime ?? null,
              endTime: latest.endTime ?? null,
              status: latest.status,
              error: latest.error ?? null,
              dataSourceErrorCode: latest.dataSourceErrorCode ?? null,
              metrics: latest.metrics ?? null,
            },
          };
          const when = day(latest.startTime);
          if (UNSUCCESSFUL.includes(latest.status!)) {
            const why = latest.error?.errorMessage ?? latest.error?.errorCode ?? latest.dataSourceErrorCode;
            findings.push(finding(metadata, "warn", resource, `Latest sync ${when} ${latest.status}${why ? `: ${why}` : "."}`, evidence));
          } else if (documentsFailed > 0) {
            findings.push(finding(metadata, "warn", resource, `Latest sync ${when} succeeded but ${plural(documentsFailed, "document")} failed.`, evidence));
          } else {
            findings.push(finding(metadata, "pass", resource, `Latest sync ${when} succeeded.`, evidence));
          }
        }
      }
    }
    return findings;
  },
};

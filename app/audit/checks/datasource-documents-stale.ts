/**
 * datasource-documents-stale: the per-document view of an S3 data source. It
 * can fail where a full sync is confirmed (documents that failed to re-ingest).
 * Verdict rules (no documents, capped scans) in ./document-staleness.ts.
 */
import { CUTOFF_DAY_LABEL, FULL_SYNC_REQUIRED_ERROR_SHORT } from "../../aws/vocabulary";
import type { Check, CheckMetadata, Finding } from "../types";
import { dataSourceResource, finding, isS3DataSource, isUploadedFilesSource } from "./common";
import { judgeStaleness } from "./document-staleness";

export const metadata: CheckMetadata = {
  id: "datasource-documents-stale",
  severity: "critical",
  resourceType: "data-source",
  title: `S3 data source documents re-ingested after ${CUTOFF_DAY_LABEL}`,
  meaning: "Documents of this S3 data source were last ingested before the cutoff (updatedAt before it).",
  whyItMatters: `Each such document answers "${FULL_SYNC_REQUIRED_ERROR_SHORT}" even if a sync ran, for example when the document failed to re-ingest.`,
  howToFix:
    "Run a full sync of the data source and check that it re-ingests these documents (a document that keeps failing needs its " +
    "content or the connector's access to it fixed first).",
  howToFixByDataSourceType: {
    S3V2:
      "The S3 (v2) connector has no full-sync setting, and whether its sync re-ingests unchanged documents is not documented: touch " +
      "the stale documents' objects in S3 (aws s3 cp s3://BUCKET/KEY s3://BUCKET/KEY --metadata-directive REPLACE), start a sync, and check " +
      "their updatedAt; or recreate the data source (a new data source's first sync covers all content). The fix action syncs, checks " +
      "every document and lists the exact commands for the stale ones.",
  },
  remediation: "full-sync",
  manualFix: {
    steps: [
      "Open the data source's sync history (link below) and check that the last sync succeeded.",
      "If a sync failed, fix its cause first (the job's error message, the data source role's access to the bucket).",
      "Set the data source's sync mode to full (FORCED_FULL_CRAWL), start a sync and wait for it to succeed; for an S3 (v2) connector, copy the stale objects onto themselves in S3 (aws s3 cp … --metadata-directive REPLACE) and sync.",
      "Put the previous sync mode back if you want, then scan again.",
    ],
    console: ["sync-history", "data-source"],
  },
  permissions: ["qbusiness:ListDataSources", "qbusiness:ListDocuments"],
};

export const check: Check = {
  metadata,
  run({ inventory, cutoff }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      for (const index of app.indices) {
        for (const ds of index.dataSources) {
          if (isUploadedFilesSource(ds) || !isS3DataSource(ds)) continue;
          const verdict = judgeStaleness(ds.documents, cutoff, {
            one: "document",
            renewed: "re-ingested",
            many: "documents",
            none: "No documents indexed from this data source",
          });
          const reused = ds.documents.reusedFrom;
          // Counts carried from an earlier audit's scan say so (ADR 0010).
          const evidence = { dataSourceType: ds.type ?? null, ...verdict.evidence, ...(reused ? { reusedFrom: reused } : {}) };
          findings.push(finding(metadata, verdict.status, dataSourceResource(app, index, ds), verdict.message, evidence));
        }
      }
    }
    return findings;
  },
};

/**
 * uploaded-documents-stale: files uploaded in the console before the cutoff
 * cannot be downloaded; a sync does not touch them, only uploading them again
 * does. One finding per index whose uploaded files were listed.
 */
import { CUTOFF_DAY_LABEL } from "../../aws/vocabulary";
import type { Check, CheckMetadata, Finding } from "../types";
import { finding, uploadedDocumentsResource } from "./common";
import { judgeStaleness } from "./document-staleness";

export const metadata: CheckMetadata = {
  id: "uploaded-documents-stale",
  severity: "critical",
  resourceType: "uploaded-documents",
  title: `Uploaded files uploaded after ${CUTOFF_DAY_LABEL}`,
  meaning: "Files uploaded to this index in the console have updatedAt before the cutoff.",
  whyItMatters: "Users who open such a file as a source see that it cannot be downloaded; AWS's only fix for older uploads is to upload them again.",
  howToFix: "Upload the listed files again (same document ids), from their originals or from S3 with the re-upload action.",
  remediation: "reupload-files",
  manualFix: {
    steps: [
      "Find the original files of the documents listed (they were uploaded in the console or with BatchPutDocument).",
      "Upload each again under the same name, in the Amazon Q Business console (the application's Data sources, then Upload files) or with BatchPutDocument and the same document id.",
      "Scan again: documents updated after the cutoff pass.",
    ],
    console: ["application"],
  },
  permissions: ["qbusiness:ListIndices", "qbusiness:ListDataSources", "qbusiness:ListDocuments"],
};

export const check: Check = {
  metadata,
  run({ inventory, cutoff }) {
    const findings: Finding[] = [];
    for (const app of inventory.applications) {
      for (const index of app.indices) {
        if (!index.uploadedDocuments) continue;
        const verdict = judgeStaleness(index.uploadedDocuments, cutoff, {
          one: "uploaded file",
          renewed: "uploaded",
          many: "uploaded files",
          none: "No uploaded files",
        });
        findings.push(finding(metadata, verdict.status, uploadedDocumentsResource(app, index), verdict.message, verdict.evidence));
      }
    }
    return findings;
  },
};

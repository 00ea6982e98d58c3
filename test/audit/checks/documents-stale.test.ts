import { describe, expect, it } from "vitest";
import { check as datasourceDocumentsStale } from "../../../app/audit/checks/datasource-documents-stale";
import { check as uploadedDocumentsStale } from "../../../app/audit/checks/uploaded-documents-stale";
import { UPLOADED_DOCS_DATA_SOURCE_ID } from "../../../app/local-aws/fixture-types";
import { application, dataSource, index, inventory, onlyFinding, runCheck, scan, withDataSource } from "./builders";

const withUploads = (uploaded: ReturnType<typeof scan> | undefined) => inventory([application({ indices: [index({ uploadedDocuments: uploaded })] })]);

describe("datasource-documents-stale", () => {
  it("fails with the stale count and example ids when documents predate the cutoff", () => {
    const docs = scan({
      scanned: 10,
      freshCount: 7,
      staleCount: 3,
      staleExamples: [{ documentId: "s3://acme-hr/a.pdf" }, { documentId: "s3://acme-hr/b.pdf" }, { documentId: "s3://acme-hr/c.pdf" }],
    });
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: docs })));
    expect(f.status).toBe("fail");
    expect(f.message).toBe("3 documents of 10 not re-ingested after 07/02/2025 (e.g. s3://acme-hr/a.pdf, s3://acme-hr/b.pdf, s3://acme-hr/c.pdf).");
    expect(f.evidence).toMatchObject({ staleCount: 3, scanned: 10, countsAreAtLeast: false });
    expect(f.remediation.action).toBe("full-sync");
  });

  it("says 'at least' when the scan stopped at its cap", () => {
    const docs = scan({ scanned: 500, capped: true, freshCount: 480, staleCount: 20, staleExamples: [{ documentId: "x" }] });
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: docs })));
    expect(f.status).toBe("fail");
    expect(f.message.startsWith("At least 20 documents not re-ingested")).toBe(true);
    expect(f.evidence.countsAreAtLeast).toBe(true);
  });

  it("passes when every document was re-ingested after the cutoff", () => {
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: scan({ scanned: 4, freshCount: 4 }) })));
    expect(f.status).toBe("pass");
    expect(f.message).toBe("All 4 documents re-ingested after 07/02/2025.");
  });

  it("passes a source with no documents and says there are none", () => {
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: scan() })));
    expect(f.status).toBe("pass");
    expect(f.message).toContain("No documents indexed from this data source");
  });

  it("passes a source whose only documents are being deleted, saying so", () => {
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: scan({ scanned: 2 }) })));
    expect(f.status).toBe("pass");
    expect(f.message).toBe("No documents indexed from this data source (2 being deleted): nothing is stale.");
  });

  it("is unknown when a capped scan found none stale (the rest were not read)", () => {
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: scan({ scanned: 500, freshCount: 500, capped: true }) })));
    expect(f.status).toBe("unknown");
  });

  it("is unknown with the AWS error when documents could not be listed", () => {
    const docs = scan({ error: { code: "AccessDeniedException", message: "denied", operation: "qbusiness:ListDocuments" } });
    const f = onlyFinding(datasourceDocumentsStale, withDataSource(dataSource({ documents: docs })));
    expect(f.status).toBe("unknown");
    expect(f.evidence.error).toMatchObject({ code: "AccessDeniedException", operation: "qbusiness:ListDocuments" });
  });

  it("judges S3V2 sources too, but not other connectors nor the uploaded-files source", () => {
    const inv = inventory([
      application({
        indices: [
          index({
            dataSources: [
              dataSource({ dataSourceId: "s3v2-source-0000-4000-8000-000000000001", type: "S3V2" }),
              dataSource({ dataSourceId: "web-source-00000-4000-8000-000000000001", type: "WEBCRAWLERV2" }),
              dataSource({ dataSourceId: UPLOADED_DOCS_DATA_SOURCE_ID, type: "S3" }),
            ],
          }),
        ],
      }),
    ]);
    expect(runCheck(datasourceDocumentsStale, inv).map((f) => f.resource.dataSourceId)).toEqual(["s3v2-source-0000-4000-8000-000000000001"]);
  });
});

describe("uploaded-documents-stale", () => {
  it("fails with the old uploads and offers re-uploading them", () => {
    const f = onlyFinding(
      uploadedDocumentsStale,
      withUploads(scan({ scanned: 2, freshCount: 1, staleCount: 1, staleExamples: [{ documentId: "infograph.pdf", updatedAt: "2025-03-01T00:00:00.000Z" }] })),
    );
    expect(f.status).toBe("fail");
    expect(f.resource).toMatchObject({ type: "uploaded-documents", dataSourceId: UPLOADED_DOCS_DATA_SOURCE_ID });
    expect(f.evidence.staleExamples).toEqual([{ documentId: "infograph.pdf", updatedAt: "2025-03-01T00:00:00.000Z" }]);
    expect(f.remediation.action).toBe("reupload-files");
    expect(f.message).toContain("1 uploaded file of 2 not uploaded after 07/02/2025");
  });

  it("passes an index whose uploads all postdate the cutoff", () => {
    expect(onlyFinding(uploadedDocumentsStale, withUploads(scan({ scanned: 2, freshCount: 2 }))).status).toBe("pass");
  });

  it("makes no finding for an index without listed uploads", () => {
    expect(runCheck(uploadedDocumentsStale, withUploads(undefined))).toEqual([]);
  });
});

import { useState } from "react";
import type { ReuploadPlan } from "~/fixes/types";
import { formatTime } from "~/dashboard/words";

/** Amazon Q Business's limit per document, checked before anything is sent (the form refuses bigger files too). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The stale uploaded documents of the index, by name and date. */
export function StaleDocumentsList({ plan }: { plan: ReuploadPlan }) {
  const { details } = plan;
  return (
    <div className="plan reupload-plan" data-testid="reupload-plan">
      <p>
        Documents uploaded to index <code>{details.index.indexId}</code> and last updated before the cutoff ({formatTime(details.cutoff)}): end users cannot
        open them until they are uploaded again.
      </p>
      {details.staleDocuments.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="stale-documents" data-testid="stale-documents">
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Last updated</th>
            </tr>
          </thead>
          <tbody>
            {details.staleDocuments.map((doc) => (
              <tr key={doc.documentId}>
                <td>{doc.documentId}</td>
                <td>{formatTime(doc.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The files given, matched to documents by the server (before anything is uploaded). */
export function ReuploadMatchView({ plan }: { plan: ReuploadPlan }) {
  const { matched, unmatchedFiles, missingFiles } = plan.details;
  const refusedFiles = plan.details.refusedFiles ?? [];
  const skippedEntries = plan.details.skippedEntries ?? [];
  return (
    <div className="reupload-match" data-testid="reupload-match">
      <h3>Files matched to documents</h3>
      {matched.length === 0 ? (
        <p className="muted">No file matches a stale document.</p>
      ) : (
        <table data-testid="matched-files">
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Content type</th>
            </tr>
          </thead>
          <tbody>
            {matched.map((m) => (
              <tr key={m.documentId} className={m.tooLarge ? "too-large" : undefined}>
                <td>{m.documentId}</td>
                <td>
                  {m.file}
                  {m.typeWarning ? (
                    <strong className="error-text" data-testid="type-warning">
                      {" "}
                      {m.typeWarning}
                    </strong>
                  ) : null}
                </td>
                <td>
                  {size(m.bytes)}
                  {m.tooLarge ? <strong className="error-text"> over the 50 MB limit: will not be sent</strong> : null}
                </td>
                <td>{m.contentType ?? "detected on upload"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {refusedFiles.length > 0 ? (
        <div data-testid="refused-files">
          <h4>Files refused (not sent; their documents stay stale)</h4>
          <ul>
            {refusedFiles.map((r) => (
              <li key={r.documentId}>{r.reason}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {skippedEntries.length > 0 ? (
        <div data-testid="skipped-entries">
          <h4>Not read</h4>
          <ul>
            {skippedEntries.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {unmatchedFiles.length > 0 ? (
        <div data-testid="unmatched-files">
          <h4>Files that match no stale document (not uploaded)</h4>
          <ul>
            {unmatchedFiles.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {missingFiles.length > 0 ? (
        <div data-testid="missing-files">
          <h4>Stale documents no file was given for (stay stale)</h4>
          <ul>
            {missingFiles.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

/**
 * The multiple-file input. After hydration it lists at once which chosen
 * files match a stale document by name, and which do not; the server's
 * check (the "Check files" button) is what apply confirms.
 */
export function ReuploadFilePicker({ staleDocumentIds }: { staleDocumentIds: string[] }) {
  const [chosen, setChosen] = useState<{ name: string; bytes: number }[] | null>(null);
  const stale = new Set(staleDocumentIds);
  const names = new Set(chosen?.map((f) => f.name) ?? []);
  return (
    <div className="file-picker">
      <label>
        Files to upload (several at once; each is matched to the document of the same name)
        <input
          type="file"
          name="files"
          multiple
          data-testid="reupload-files-input"
          onChange={(event) => setChosen([...(event.currentTarget.files ?? [])].map((f) => ({ name: f.name, bytes: f.size })))}
        />
      </label>
      {chosen ? (
        <ul className="chosen-files small" data-testid="chosen-files">
          {chosen.map((f) => (
            <li key={f.name}>
              {f.name} ({size(f.bytes)}):{" "}
              {f.bytes > MAX_UPLOAD_BYTES ? (
                <span className="error-text">over 50 MB, refused</span>
              ) : f.bytes === 0 ? (
                <span className="error-text">empty (0 bytes), refused: it would blank the document</span>
              ) : stale.has(f.name) ? (
                "matches a stale document"
              ) : (
                <span className="muted">matches no stale document</span>
              )}
            </li>
          ))}
          {staleDocumentIds
            .filter((id) => !names.has(id))
            .map((id) => (
              <li key={`missing-${id}`} className="muted">
                No file for {id}
              </li>
            ))}
        </ul>
      ) : null}
    </div>
  );
}

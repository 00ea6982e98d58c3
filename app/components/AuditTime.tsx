import type { AuditStamp } from "~/dashboard/types";
import { cutoffInWords, formatTime } from "~/dashboard/words";

/** The line every page shows: which audit the page is about, and when it ran. */
export function AuditTime({ audit }: { audit: AuditStamp | null }) {
  if (!audit) return <p className="audit-time muted">No audit stored yet.</p>;
  return (
    <p className="audit-time" data-testid="audit-time">
      Audit #{audit.id} of <time dateTime={audit.scannedAt}>{formatTime(audit.scannedAt)}</time>
      <span className="muted" data-testid="audit-cutoff">
        {" "}
        · counts full syncs and uploads {cutoffInWords(audit.cutoff)}
      </span>
    </p>
  );
}

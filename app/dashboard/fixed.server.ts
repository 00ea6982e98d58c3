/**
 * The "Fixed findings" page (issue 14.5): findings that failed or warned and
 * were then fixed, most recently fixed first, each with how (its check
 * passes, or its resource is gone, or it is no longer reported) and how long
 * it had been wrong. Read from finding_lifecycle, so it survives pruned audits.
 */
import { checkById } from "~/audit/checks";
import type { Finding, FindingLifecycle } from "~/audit/types";
import type { Db } from "~/db/database";
import { fixedFindings } from "~/db/finding-lifecycle";
import { offsetOf, pagingOf, parsePage, type Paging } from "./paging";

export interface FixedRow {
  key: string;
  checkId: string;
  checkTitle: string;
  severity: string;
  resource: Finding["resource"];
  message: string;
  lifecycle: FindingLifecycle;
  fixedAuditId: number;
}

export interface FixedPage {
  rows: FixedRow[];
  paging: Paging;
}

export async function getFixedPage(db: Db, params: URLSearchParams): Promise<FixedPage> {
  const requested = parsePage(params.get("page"));
  const { total } = await fixedFindings(db, { limit: 0 });
  const paging = pagingOf(requested, total);
  const { rows } = await fixedFindings(db, { limit: paging.pageSize, offset: offsetOf(paging) });
  return {
    paging,
    rows: rows.map(({ finding, lifecycle, fixedAuditId }, i) => ({
      key: `${offsetOf(paging) + i}`,
      checkId: finding.checkId,
      checkTitle: checkById(finding.checkId)?.metadata.title ?? finding.checkId,
      severity: finding.severity,
      resource: finding.resource,
      message: finding.message,
      lifecycle,
      fixedAuditId,
    })),
  };
}

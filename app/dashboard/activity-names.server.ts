/**
 * The activity log's application names: entries store ids (and the names of
 * roles and data sources as planned), the latest audit knows what each
 * application is called. One query for the whole page.
 */
import { latestAuditId } from "~/audit/history";
import { applicationsOfAudit } from "~/db/audit-applications";
import type { Db } from "~/db/database";
import { applicationKey, type ApplicationNames } from "./activity-words";

/** Display names of every application of the latest audit, by applicationKey. */
export async function latestApplicationNames(db: Db): Promise<ApplicationNames> {
  const auditId = await latestAuditId(db);
  if (auditId === undefined || auditId === null) return {};
  const names: ApplicationNames = {};
  for (const app of await applicationsOfAudit(db, auditId)) names[applicationKey(app)] = app.displayName;
  return names;
}

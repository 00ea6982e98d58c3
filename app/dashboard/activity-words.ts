/**
 * How the activity log names what an entry touched, and what its search box
 * matches: pure, shared by the loader (search) and the page (labels).
 */
import type { ActivityEntry, ResourceRef } from "~/fixes/types";

/** Display names of applications by applicationKey (from the latest audit). */
export type ApplicationNames = Record<string, string>;

export function applicationKey(app: { accountId: string; region?: string; applicationId?: string }): string {
  return `${app.accountId}/${app.region ?? ""}/${app.applicationId ?? ""}`;
}

const RESOURCE_TYPE_WORDS: Record<ResourceRef["type"], string> = {
  "data-source": "data source",
  role: "role",
  "uploaded-documents": "uploaded files of index",
  application: "application",
};

/** "data source hr-docs", "role EngineeringAssistantWebRole", "application hr-benefits-assistant": a name where one is known, else the id. */
export function resourceInWords(r: ResourceRef, names: ApplicationNames): string {
  const id = r.type === "role" ? r.roleArn : r.type === "data-source" ? r.dataSourceId : r.type === "uploaded-documents" ? r.indexId : r.applicationId;
  const name = r.type === "application" ? (names[applicationKey(r)] ?? r.name) : r.name;
  return `${RESOURCE_TYPE_WORDS[r.type]} ${name ?? id ?? "?"}`;
}

/** The application a resource belongs to, by name, when the latest audit knows it. */
export function applicationNameOf(r: { accountId: string; region?: string; applicationId?: string }, names: ApplicationNames): string | undefined {
  return r.applicationId ? names[applicationKey(r)] : undefined;
}

/** Whether the search text (case-insensitive) is in any id, ARN or name of the entry's resources or applications, application names included. */
export function activityMentions(entry: Pick<ActivityEntry, "resources" | "plan">, text: string, names: ApplicationNames): boolean {
  const needle = text.toLowerCase();
  const values = [
    ...entry.resources.flatMap((r) => [r.accountId, r.region, r.applicationId, r.indexId, r.dataSourceId, r.roleArn, r.name, applicationNameOf(r, names)]),
    ...entry.plan.applications.flatMap((app) => [app.applicationId, applicationNameOf(app, names)]),
  ];
  return values.some((value) => value?.toLowerCase().includes(needle));
}

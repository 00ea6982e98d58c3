/**
 * Deep links into the AWS console for the resource a finding names: the one
 * home of every console URL the dashboard shows. Pure (no Node, no SDK), so
 * loaders and components may both use it.
 *
 * URL shapes. AWS documents no stable deep-link format for its consoles; these
 * are the addresses the consoles themselves show in the address bar:
 * - IAM (global, one console per partition):
 *   https://console.aws.amazon.com/iam/home#/roles/details/{RoleName}?section=permissions
 *   (sections permissions, trust_relationships), and
 *   https://console.aws.amazon.com/iam/home#/policies/details/{url-encoded policy ARN}?section=permissions
 * - Amazon Q Business (regional):
 *   https://{region}.console.aws.amazon.com/amazonq/business/applications/{applicationId}?region={region}
 *   Its pages for an index, a data source, its sync history and the web
 *   experience sit under the application, but their addresses are not
 *   documented and have changed before: those links open the application and
 *   say where to click (`then`), the nearest page that is sure to exist.
 * Every part taken from data is checked (region, account, ids) and escaped for
 * where it goes (a host name, a path segment, a fragment, a query value) with
 * the URL API; anything that does not look like what AWS allows gives no link.
 */

import type { ConsolePage } from "~/audit/types";

export { CONSOLE_PAGES, type ConsolePage } from "~/audit/types";

export interface ConsoleLink {
  page: ConsolePage;
  /** What the link opens, for people ("IAM role ITHelpdeskWebExperienceRole, Trust relationships"). */
  label: string;
  href: string;
  /** Where to click once there, when the link can only open a page above the resource. */
  then?: string;
}

/** What a finding says about its resource, as the links need it. */
export interface ConsoleResource {
  accountId: string;
  region: string;
  applicationId?: string | null;
  indexId?: string | null;
  dataSourceId?: string | null;
  webExperienceId?: string | null;
  roleArn?: string | null;
  /** Display name of the resource (a data source's name), for `then`. */
  name?: string | null;
  /** Managed policies named by the evidence (a Deny statement's policy). */
  policyArns?: string[];
  /** The role's permissions boundary (evidence.permissionsBoundaryArn). */
  permissionsBoundaryArn?: string | null;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
/** Q Business ids (UUID-like) and the uploaded-files pseudo data source: letters, digits, "-" and "_". */
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;
/** IAM's role and policy name characters (IAM API reference: [\w+=,.@-]+). */
const IAM_NAME = /^[\w+=,.@-]{1,128}$/;

/** The console host of an ARN's partition (aws, aws-cn, aws-us-gov); null for one we do not know. */
function consoleHost(partition: string): string | null {
  if (partition === "aws") return "console.aws.amazon.com";
  if (partition === "aws-cn") return "console.amazonaws.cn";
  if (partition === "aws-us-gov") return "console.amazonaws-us-gov.com";
  return null;
}

/** An IAM ARN's parts, or null when it is not one (arn:partition:iam::account:role|policy/path/name). */
export function parseIamArn(arn: string): { partition: string; accountId: string; kind: "role" | "policy"; name: string } | null {
  const match = /^arn:([a-z-]+):iam::(\d{12}|aws):(role|policy)\/(?:[\w+=,.@/-]*\/)?([^/]+)$/.exec(arn);
  if (!match || !IAM_NAME.test(match[4])) return null;
  return { partition: match[1], accountId: match[2], kind: match[3] as "role" | "policy", name: match[4] };
}

/** The IAM console page of a role: its permissions (default) or its trust relationships. */
export function iamRoleUrl(roleArn: string, section: "permissions" | "trust_relationships" = "permissions"): string | null {
  const arn = parseIamArn(roleArn);
  const host = arn && consoleHost(arn.partition);
  if (!arn || arn.kind !== "role" || !host) return null;
  const url = new URL(`https://${host}/iam/home`);
  // The IAM console routes in the fragment: the name is one path segment of it.
  url.hash = `/roles/details/${encodeURIComponent(arn.name)}?${new URLSearchParams({ section })}`;
  return url.href;
}

/** The IAM console page of a managed policy (an AWS managed one too), by its ARN. */
export function iamPolicyUrl(policyArn: string): string | null {
  const arn = parseIamArn(policyArn);
  const host = arn && consoleHost(arn.partition);
  if (!arn || arn.kind !== "policy" || !host) return null;
  const url = new URL(`https://${host}/iam/home`);
  url.hash = `/policies/details/${encodeURIComponent(policyArn)}?${new URLSearchParams({ section: "permissions" })}`;
  return url.href;
}

/** The Amazon Q Business console page of an application (the commercial partition's regional console). */
export function qbusinessApplicationUrl(region: string, applicationId: string): string | null {
  if (!REGION.test(region) || !RESOURCE_ID.test(applicationId)) return null;
  const url = new URL(`https://${region}.console.aws.amazon.com/amazonq/business/applications/${encodeURIComponent(applicationId)}`);
  url.searchParams.set("region", region);
  return url.href;
}

const roleNameOf = (arn: string) => parseIamArn(arn)?.name ?? arn;

/** Where to click on the application's console page to reach a page of it we cannot address. */
function qbusinessThen(page: ConsolePage, r: ConsoleResource): string | undefined {
  const source = r.name ?? r.dataSourceId ?? "the data source";
  switch (page) {
    case "data-source":
      return `choose Data sources, then ${source}.`;
    case "sync-history":
      return `choose Data sources, then ${source}, then its Sync history.`;
    case "index":
      return `choose Data sources (the index${r.indexId ? ` ${r.indexId}` : ""} holds them).`;
    case "web-experience":
      return `choose Web experience settings${r.webExperienceId ? ` (web experience ${r.webExperienceId})` : ""}, then Edit to see its service role.`;
    default:
      return undefined;
  }
}

const QBUSINESS_LABELS: Partial<Record<ConsolePage, string>> = {
  application: "Amazon Q Business application",
  "data-source": "Data source (Amazon Q Business console)",
  "sync-history": "Sync history (Amazon Q Business console)",
  index: "Index (Amazon Q Business console)",
  "web-experience": "Web experience (Amazon Q Business console)",
};

function qbusinessLink(page: ConsolePage, r: ConsoleResource): ConsoleLink[] {
  const href = r.applicationId ? qbusinessApplicationUrl(r.region, r.applicationId) : null;
  if (!href) return [];
  const then = qbusinessThen(page, r);
  return [{ page, label: QBUSINESS_LABELS[page]!, href, ...(then ? { then } : {}) }];
}

function iamLinks(page: ConsolePage, r: ConsoleResource): ConsoleLink[] {
  const role = r.roleArn ?? null;
  switch (page) {
    case "role": {
      const href = role && iamRoleUrl(role);
      return href ? [{ page, label: `IAM role ${roleNameOf(role)}`, href }] : [];
    }
    case "role-trust": {
      const href = role && iamRoleUrl(role, "trust_relationships");
      return href ? [{ page, label: `IAM role ${roleNameOf(role)}, Trust relationships`, href }] : [];
    }
    case "role-boundary": {
      const href = r.permissionsBoundaryArn ? iamPolicyUrl(r.permissionsBoundaryArn) : null;
      if (href) return [{ page, label: `Permissions boundary ${roleNameOf(r.permissionsBoundaryArn!)}`, href }];
      const roleHref = role && iamRoleUrl(role);
      return roleHref ? [{ page, label: `IAM role ${roleNameOf(role)}`, href: roleHref, then: "see Permissions boundary on the Permissions tab." }] : [];
    }
    case "role-policy": {
      const links = (r.policyArns ?? []).flatMap((arn) => {
        const href = iamPolicyUrl(arn);
        return href ? [{ page, label: `IAM policy ${roleNameOf(arn)}`, href }] : [];
      });
      if (links.length > 0) return links;
      // An inline policy has no page of its own: it is on the role's Permissions tab.
      const roleHref = role && iamRoleUrl(role);
      return roleHref ? [{ page, label: `IAM role ${roleNameOf(role)}, Permissions`, href: roleHref, then: "open the policy named in the finding." }] : [];
    }
    default:
      return [];
  }
}

/**
 * The console links of `pages` for a finding's resource, in that order, each
 * once; pages the resource does not name (no role, an unknown region) give none.
 */
export function consoleLinks(pages: readonly ConsolePage[], resource: ConsoleResource): ConsoleLink[] {
  if (!ACCOUNT.test(resource.accountId)) return [];
  const links = pages.flatMap((page) => (page.startsWith("role") ? iamLinks(page, resource) : qbusinessLink(page, resource)));
  return [...new Map(links.map((l) => [`${l.href}|${l.then ?? ""}`, l])).values()];
}

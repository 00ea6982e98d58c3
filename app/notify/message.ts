/**
 * The notification itself: a JSON document whose `text` reads well in Slack
 * and Microsoft Teams incoming webhooks (plain lines, bare links), and whose
 * other members carry the same facts for programs. Pure.
 */
import type { ReadinessChange } from "../audit/history";
import type { AuditReport, Finding } from "../audit/types";
import { findingDashboardPath } from "../export/common";
import { duration, wholeDays } from "../util/duration";
import { plural } from "../util/plural";
import type { BatchFacts } from "./batch-message";
import type { AuditChanges } from "./changes";

export interface NotificationLink {
  label: string;
  url: string;
}

export interface Notification {
  /** Slack's and Teams' incoming webhooks show this. */
  text: string;
  event: "audit" | "fix" | "batch";
  /** One line for SNS's Subject and e-mail. */
  title: string;
  auditId?: number;
  activityId?: number;
  scannedAt?: string;
  summary?: AuditReport["summary"];
  becameReady?: AppFact[];
  regressed?: AppFact[];
  newlyFailing?: FindingFact[];
  fixed?: FindingFact[];
  fix?: { action: string; status: string; message: string; actor: string; resources: string[] };
  /** A bulk batch's end (app/notify/batch-notify.ts): one message for the whole batch. */
  batchId?: number;
  batch?: BatchFacts;
  links: NotificationLink[];
}

interface AppFact {
  accountId: string;
  region: string;
  applicationId: string;
  displayName: string;
  from: string;
  to: string;
  url?: string;
}

interface FindingFact {
  checkId: string;
  severity: string;
  accountId: string;
  region: string;
  applicationId: string | null;
  resource: string | null;
  message: string;
  url?: string;
  /** When it started failing or warning (its current spell), as the stored audits know it. */
  firstSeen?: string;
  /** Fixed ones: when, and how (passed, not-reported, resource-gone). */
  fixedAt?: string;
  fixedReason?: string;
  /** Fixed ones: whole days from first seen to fixed. */
  openDays?: number;
  /** Newly failing ones that had been fixed before: how many times. */
  reopened?: number;
}

const MAX_LISTED = 10;
const link = (base: string | undefined, path: string) => (base ? `${base}${path}` : undefined);

function appFact(change: ReadinessChange, base: string | undefined): AppFact {
  const a = change.application;
  const path = `/applications/${encodeURIComponent(a.accountId)}/${encodeURIComponent(a.region)}/${encodeURIComponent(a.applicationId)}`;
  return {
    accountId: a.accountId,
    region: a.region,
    applicationId: a.applicationId,
    displayName: a.displayName,
    from: change.from,
    to: change.to,
    ...(base ? { url: `${base}${path}` } : {}),
  };
}

function findingFact(f: Finding, base: string | undefined): FindingFact {
  const r = f.resource;
  const url = link(base, findingDashboardPath(f));
  return {
    checkId: f.checkId,
    severity: f.severity,
    accountId: r.accountId,
    region: r.region,
    applicationId: r.applicationId,
    resource: r.name,
    message: f.message,
    ...(url ? { url } : {}),
    ...lifecycleFacts(f),
  };
}

function lifecycleFacts(f: Finding): Partial<FindingFact> {
  const life = f.lifecycle;
  if (!life) return {};
  return {
    firstSeen: life.firstSeen,
    ...(life.fixedAt
      ? {
          fixedAt: life.fixedAt,
          fixedReason: life.fixedReason ?? "passed",
          openDays: wholeDays(life.firstSeen, life.fixedAt),
        }
      : {}),
    ...(life.reopened ? { reopened: life.reopened } : {}),
  };
}

/** " (fixed after 3 days)", " (resource gone after 2 days)", " (failing again: reopened 1 time)". */
function lifecycleNote(f: FindingFact): string {
  if (f.fixedAt && f.firstSeen) {
    const how = f.fixedReason === "resource-gone" ? "resource gone" : f.fixedReason === "not-reported" ? "no longer reported" : "fixed";
    return ` (${how} after ${duration(f.firstSeen, f.fixedAt)})`;
  }
  return f.reopened ? ` (failing again: reopened ${plural(f.reopened, "time")})` : "";
}

function lines<T>(heading: string, items: T[], line: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const more = items.length > MAX_LISTED ? [`  … and ${items.length - MAX_LISTED} more`] : [];
  return [`${heading} (${items.length}):`, ...items.slice(0, MAX_LISTED).map((i) => `  • ${line(i)}`), ...more];
}

const appLine = (a: AppFact) => `${a.displayName} (${a.accountId}/${a.region}): ${a.from} → ${a.to}${a.url ? ` ${a.url}` : ""}`;
const findingLine = (f: FindingFact) =>
  `${f.severity} ${f.checkId}: ${f.resource ?? f.applicationId ?? f.accountId} (${f.accountId}/${f.region})${lifecycleNote(f)}${f.url ? ` ${f.url}` : ""}`;

/** The message after an audit that changed something (or the first audit's summary). */
export function auditNotification(audit: { id: number; report: AuditReport }, changes: AuditChanges, base: string | undefined): Notification {
  const apps = audit.report.summary.applications;
  const counts = `${apps.ready} of ${apps.total} applications ready, ${apps.notReady} not ready, ${apps.unknown} unknown, ${apps.unsupported} unsupported`;
  const becameReady = changes.becameReady.map((c) => appFact(c, base));
  const regressed = changes.regressed.map((c) => appFact(c, base));
  const newlyFailing = changes.newlyFailing.map((f) => findingFact(f, base));
  const fixed = changes.fixed.map((f) => findingFact(f, base));
  const title =
    changes.kind === "first-audit"
      ? `qbiz-readiness: first audit: ${counts}`
      : `qbiz-readiness: ${regressed.length} regressed, ${becameReady.length} became ready, ${newlyFailing.length} newly failing`;
  const links = base
    ? [
        { label: "Overview", url: `${base}/` },
        { label: "What changed", url: `${base}/changes` },
      ]
    : [];
  const text = [
    `*${title}*`,
    `Audit #${audit.id} at ${audit.report.scannedAt}: ${counts}.`,
    ...lines("Regressed", regressed, appLine),
    ...lines("Became ready", becameReady, appLine),
    ...lines("Newly failing", newlyFailing, findingLine),
    ...lines("Fixed", fixed, findingLine),
    ...links.map((l) => `${l.label}: ${l.url}`),
  ].join("\n");
  return {
    text,
    title: title.slice(0, 100),
    event: "audit",
    auditId: audit.id,
    scannedAt: audit.report.scannedAt,
    summary: audit.report.summary,
    becameReady,
    regressed,
    newlyFailing,
    fixed,
    links,
  };
}

/** The message after a fix: what it did, and where to see it. */
export function fixNotification(
  fix: { activityId?: number; action: string; status: string; message: string; actor: string; resources: string[] },
  base: string | undefined,
): Notification {
  const title = `qbiz-readiness: ${fix.action} ${fix.status}${fix.resources[0] ? ` on ${fix.resources[0]}` : ""}`;
  const links = base && fix.activityId !== undefined ? [{ label: `Activity #${fix.activityId}`, url: `${base}/activity/${fix.activityId}` }] : [];
  const text = [`*${title}*`, `${fix.message} (by ${fix.actor})`, ...fix.resources.map((r) => `  • ${r}`), ...links.map((l) => `${l.label}: ${l.url}`)].join(
    "\n",
  );
  return { text, title: title.slice(0, 100), event: "fix", ...(fix.activityId !== undefined ? { activityId: fix.activityId } : {}), fix, links };
}

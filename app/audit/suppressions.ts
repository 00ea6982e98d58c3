/**
 * Accepted exceptions (suppressions): which findings an organisation has
 * decided to live with, matched as a pure function of the rules, the
 * findings and the audit's "now". A suppressed finding keeps its real status
 * and gains `suppressed` (docs/audit-report.md); readiness and --fail-on
 * leave it out. Rules come from the database (the dashboard) and from a file
 * (configuration as code); both meet here in one shape. No I/O here.
 */
import type { Finding, IsoTime } from "./types";

export const SUPPRESSION_SOURCES = ["database", "file"] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

/** The finding fields a rule can match, each a pattern where `*` is any run of characters. */
export const SUPPRESSION_MATCH_FIELDS = ["accountId", "region", "applicationId", "dataSourceId", "roleArn"] as const;
export type SuppressionMatchField = (typeof SUPPRESSION_MATCH_FIELDS)[number];

export interface SuppressionRule {
  /** "db:12" for a dashboard rule, "file:3" for the file's 4th rule (0-based), so reports can name it. */
  id: string;
  source: SuppressionSource;
  /** The check id; `*` wildcards allowed (e.g. "webexperience-role-*"). */
  checkId: string;
  accountId?: string;
  region?: string;
  applicationId?: string;
  dataSourceId?: string;
  roleArn?: string;
  reason: string;
  /** The last day it applies ("2027-06-30", through 23:59:59 UTC) or an exact instant; absent: no expiry. */
  expires?: string;
  by: string;
  /** When it was made (database rules). */
  createdAt?: IsoTime;
}

/** What a suppressed finding carries in the report. */
export interface FindingSuppression {
  reason: string;
  by: string;
  expires: string | null;
  source: SuppressionSource;
  ruleId: string;
}

/** One rule as an audit used it. */
export interface SuppressionRuleOutcome {
  id: string;
  source: SuppressionSource;
  checkId: string;
  match: Partial<Record<SuppressionMatchField, string>>;
  reason: string;
  by: string;
  expires: string | null;
  /** Findings it suppressed (0 when expired). */
  matched: number;
  /** True when the rule's expiry has passed: it no longer applies. */
  expired: boolean;
  /** Findings it would match had it not expired (how much an expiry brought back). */
  matchedIfActive?: number;
}

/** The report's `suppressions` member. */
export interface SuppressionsSummary {
  /** Findings suppressed by an active rule. */
  suppressedFindings: number;
  rules: SuppressionRuleOutcome[];
  /** Rules whose expiry passed: they applied before and no longer do. */
  expired: string[];
  /** Active rules that matched no finding of this audit (stale rules to review). */
  unmatched: string[];
}

/** A finding's location field a rule's field is compared with. */
function findingField(finding: Finding, field: SuppressionMatchField): string | null {
  return finding.resource[field];
}

const REGEX_SPECIALS = /[.+?^${}()|[\]\\]/g;

/** `*` matches any run of characters (also none); everything else literally; the whole value must match. */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(REGEX_SPECIALS, "\\$&").replace(/\*/g, ".*")}$`);
}

/** A pattern against a finding's value: a bare `*` (or no pattern) matches anything, even a finding without the field. */
export function patternMatches(pattern: string | undefined, value: string | null): boolean {
  if (pattern === undefined || pattern === "*") return true;
  if (value === null) return false;
  return globToRegExp(pattern).test(value);
}

export function ruleMatches(rule: SuppressionRule, finding: Finding): boolean {
  if (!patternMatches(rule.checkId, finding.checkId)) return false;
  return SUPPRESSION_MATCH_FIELDS.every((field) => patternMatches(rule[field], findingField(finding, field)));
}

/** The instant a rule stops applying: a bare date applies through that whole day (UTC). */
export function expiryInstant(expires: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return new Date(Date.parse(`${expires}T00:00:00Z`) + 24 * 3600 * 1000);
  return new Date(expires);
}

export function isExpired(rule: Pick<SuppressionRule, "expires">, now: Date): boolean {
  return rule.expires !== undefined && expiryInstant(rule.expires).getTime() <= now.getTime();
}

/** Only fail and warn findings are exceptions one accepts; a pass or unknown is never hidden. */
export function isSuppressible(finding: Finding): boolean {
  return finding.status === "fail" || finding.status === "warn";
}

function outcomeOf(rule: SuppressionRule): SuppressionRuleOutcome {
  const match: Partial<Record<SuppressionMatchField, string>> = {};
  for (const field of SUPPRESSION_MATCH_FIELDS) if (rule[field] !== undefined) match[field] = rule[field];
  return {
    id: rule.id,
    source: rule.source,
    checkId: rule.checkId,
    match,
    reason: rule.reason,
    by: rule.by,
    expires: rule.expires ?? null,
    matched: 0,
    expired: false,
  };
}

/**
 * Mark the findings active rules match (the first matching rule wins; any
 * earlier `suppressed` is dropped first, so a re-audit re-decides), and say
 * what each rule did. `now` is the audit's scan time.
 */
export function applySuppressions(findings: Finding[], rules: SuppressionRule[], now: Date): { findings: Finding[]; summary: SuppressionsSummary } {
  const outcomes = rules.map((rule) => ({ rule, outcome: outcomeOf(rule), expired: isExpired(rule, now) }));
  for (const o of outcomes) o.outcome.expired = o.expired;
  let suppressedFindings = 0;
  const marked = findings.map((raw) => {
    const { suppressed: _dropped, ...finding } = raw;
    if (!isSuppressible(finding)) return finding;
    for (const o of outcomes.filter((x) => x.expired && ruleMatches(x.rule, finding))) o.outcome.matchedIfActive = (o.outcome.matchedIfActive ?? 0) + 1;
    const hit = outcomes.find((o) => !o.expired && ruleMatches(o.rule, finding));
    if (!hit) return finding;
    hit.outcome.matched++;
    suppressedFindings++;
    const suppressed: FindingSuppression = {
      reason: hit.rule.reason,
      by: hit.rule.by,
      expires: hit.rule.expires ?? null,
      source: hit.rule.source,
      ruleId: hit.rule.id,
    };
    return { ...finding, suppressed };
  });
  const summary: SuppressionsSummary = {
    suppressedFindings,
    rules: outcomes.map((o) => o.outcome),
    expired: outcomes.filter((o) => o.expired).map((o) => o.rule.id),
    unmatched: outcomes.filter((o) => !o.expired && o.outcome.matched === 0).map((o) => o.rule.id),
  };
  return { findings: marked, summary };
}

/** Counts toward readiness and --fail-on: not suppressed. */
export function isActive(finding: Finding): boolean {
  return finding.suppressed === undefined;
}

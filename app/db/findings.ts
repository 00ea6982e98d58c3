/**
 * findings: one row per finding of an audit, the columns the dashboard
 * filters and sorts by, evidence as JSON text. Since migration 0009 a view of
 * audit_findings (per audit: id, status) over finding_contents (each distinct
 * finding once, ADR 0014); a row's evidence is read out of its stored text.
 */
import { sql, type RawBuilder, type Selectable } from "kysely";
import { unpackText } from "./contents";
import type { Db } from "./database";
import { dictionariesOf } from "./dictionaries";
import { SEVERITIES, STATUS_ORDER, rankIn } from "./order";
import type { FindingRow, FindingsTable } from "./schema";
import type { Finding } from "~/audit/types";

const OPEN = ["fail", "warn", "unknown"];

/** The evidence JSON text of a stored finding text (as saveAudit stored it before 0009: `{}` when it has none). */
function evidenceOf(body: Uint8Array, dictionaries: ReadonlyMap<number, Buffer>): string {
  const finding = JSON.parse(unpackText(body, dictionaries)) as { evidence?: unknown };
  return JSON.stringify(finding.evidence ?? {});
}

/** View rows as the repositories return them: each one's evidence in place of its stored text. */
async function withEvidence(db: Db, rows: Selectable<FindingsTable>[]): Promise<FindingRow[]> {
  const dictionaries = await dictionariesOf(db);
  return rows.map(({ body, content_id: _content, ...rest }) => ({ ...rest, evidence: evidenceOf(body, dictionaries) }));
}

/** Failing findings per check, most first. */
export async function failingCountsByCheck(db: Db, auditId: number): Promise<{ checkId: string; count: number }[]> {
  const { rows } = await sql<{ checkId: string; count: number }>`
    SELECT check_id AS "checkId", count(*) AS count FROM findings
    WHERE audit_id = ${auditId} AND status = 'fail' GROUP BY check_id ORDER BY count(*) DESC, check_id`.execute(db.kysely);
  return rows.map((r) => ({ checkId: r.checkId, count: Number(r.count) }));
}

/** Findings per check and status. */
export async function statusCountsByCheck(db: Db, auditId: number): Promise<{ checkId: string; status: string; n: number }[]> {
  const rows = await db.kysely
    .selectFrom("findings")
    .select((eb) => ["check_id as checkId", "status", eb.fn.countAll<number>().as("n")])
    .where("audit_id", "=", auditId)
    .groupBy(["check_id", "status"])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The findings of an audit that do not pass, in id order. */
export async function openFindingRows(db: Db, auditId: number): Promise<FindingRow[]> {
  const rows = await db.kysely.selectFrom("findings").selectAll().where("audit_id", "=", auditId).where("status", "in", OPEN).orderBy("id").execute();
  return withEvidence(db, rows);
}

/** The non-passing findings of an audit exactly as its report holds them (each one's stored text), in report order. */
export async function openStoredFindings(db: Db, auditId: number): Promise<Finding[]> {
  const rows = await db.kysely.selectFrom("findings").select("body").where("audit_id", "=", auditId).where("status", "in", OPEN).orderBy("id").execute();
  const dictionaries = await dictionariesOf(db);
  return rows.map((r) => JSON.parse(unpackText(r.body, dictionaries)) as Finding);
}

/** The findings of one application in an audit. */
export async function findingsOfApplication(db: Db, auditId: number, key: { accountId: string; region: string; applicationId: string }): Promise<FindingRow[]> {
  const rows = await db.kysely
    .selectFrom("findings")
    .selectAll()
    .where("audit_id", "=", auditId)
    .where("application_id", "=", key.applicationId)
    .where("account_id", "=", key.accountId)
    .where("region", "=", key.region)
    .orderBy("id")
    .execute();
  return withEvidence(db, rows);
}

export async function findingById(db: Db, id: number): Promise<FindingRow | undefined> {
  const row = await db.kysely.selectFrom("findings").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? (await withEvidence(db, [row]))[0] : undefined;
}

/** The (index, data source) pairs of an application failing a check whose fix is a full sync. */
export async function failingFullSyncPairs(
  db: Db,
  auditId: number,
  app: { accountId: string; region: string; applicationId: string },
): Promise<{ indexId: string; dataSourceId: string }[]> {
  const rows = await db.kysely
    .selectFrom("findings")
    .select(["index_id", "data_source_id"])
    .distinct()
    .where("audit_id", "=", auditId)
    .where("account_id", "=", app.accountId)
    .where("region", "=", app.region)
    .where("application_id", "=", app.applicationId)
    .where("remediation_action", "=", "full-sync")
    .where("status", "=", "fail")
    .where("index_id", "is not", null)
    .where("data_source_id", "is not", null)
    .orderBy("index_id")
    .orderBy("data_source_id")
    .execute();
  return rows.map((r) => ({ indexId: r.index_id!, dataSourceId: r.data_source_id! }));
}

export const FINDING_SORTS = ["status", "severity", "check", "application", "account", "first-seen", "last-seen"] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

export interface FindingQuery {
  /** null: the open ones (fail, warn, unknown); "all": every status. */
  status: string | null;
  check?: string | null;
  severity?: string | null;
  account?: string | null;
  region?: string | null;
  /** An application id, or a display name (any case): exact. */
  application?: string | null;
  /** Text anywhere in the application's name or id, the resource's name, ids or role ARN (any case). */
  q?: string | null;
  sort?: FindingSort;
  dir?: "asc" | "desc";
  /** Accepted exceptions (findings.suppressed): left out (absent), kept ("show") or the only ones ("only"). */
  suppressed?: "show" | "only";
}

export interface FindingListRow {
  id: number;
  checkId: string;
  status: string;
  severity: string;
  resourceType: string;
  accountId: string;
  region: string;
  applicationId: string | null;
  applicationName: string | null;
  name: string | null;
  message: string;
  remediation: string | null;
  /** Identity across audits (check and resource): what first and last seen are about. */
  findingKey: string;
  /** The accepted exception covering it (FindingSuppression JSON), null when none. */
  suppressed: string | null;
  /** First and last seen of its open spell of failing or warning (its lifecycle); null when passing or unknown. */
  firstSeen: string | null;
  lastSeen: string | null;
}

/** What an export writes of a finding: the list's columns and every resource id, the evidence as stored JSON text. */
export interface FindingExportRow extends FindingListRow {
  indexId: string | null;
  dataSourceId: string | null;
  webExperienceId: string | null;
  roleArn: string | null;
  evidence: string;
  /** The accepted exception covering it (JSON text), null when none. */
  suppressed: string | null;
}

/** `%text%` for LIKE with its wildcards escaped (backslash is the ESCAPE character). */
const likeOf = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The ids a pasted ARN names (application, index, data source, web experience) or the role name: what a search for it should find. */
function searchTerms(q: string): string[] {
  const terms = [q];
  if (q.startsWith("arn:")) {
    const last = q.split(/[/:]/).filter(Boolean).pop();
    if (last && last !== q) terms.push(last);
  }
  return terms;
}

/** The ids of the audit's applications matching `condition` (by display name): a filter without joining every finding to its application. */
const appsWhere = (auditId: number, condition: RawBuilder<unknown>) =>
  sql`SELECT application_id FROM audit_applications WHERE audit_id = ${auditId} AND (${condition})`;

/** The finding's application's display name, lower case ("" for a finding of no application). */
const appName = sql`coalesce((SELECT lower(a.display_name) FROM audit_applications a
  WHERE a.audit_id = f.audit_id AND a.account_id = f.account_id AND a.region = f.region AND a.application_id = f.application_id), '')`;

const SEARCHED = ["f.application_id", "f.name", "f.index_id", "f.data_source_id", "f.web_experience_id", "f.role_arn"];

/** The findings of an audit that pass the filters, joined to their application (for its name). */
function filtered(db: Db, auditId: number, filters: FindingQuery) {
  // No join: the application's name is looked up only where a filter or the sort needs it, and for the rows shown.
  let query = db.kysely.selectFrom("findings as f").where("f.audit_id", "=", auditId);
  if (filters.status === null) query = query.where("f.status", "in", OPEN);
  else if (filters.status !== "all") query = query.where("f.status", "=", filters.status);
  const equal: ["f.check_id" | "f.severity" | "f.account_id" | "f.region", string | null | undefined][] = [
    ["f.check_id", filters.check],
    ["f.severity", filters.severity],
    ["f.account_id", filters.account],
    ["f.region", filters.region],
  ];
  for (const [column, value] of equal) if (value) query = query.where(column, "=", value);
  if (filters.suppressed === "only") query = query.where("f.suppressed", "is not", null);
  else if (filters.suppressed !== "show") query = query.where(notSuppressed(db, filters.status !== "all"));
  if (filters.application) {
    const app = filters.application;
    query = query.where(
      sql<boolean>`(f.application_id = ${app} OR f.application_id IN (${appsWhere(auditId, sql`lower(display_name) = ${app.toLowerCase()}`)}))`,
    );
  }
  if (filters.q) {
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    const terms = searchTerms(filters.q);
    const likes = terms.flatMap((term) => SEARCHED.map((c) => sql`lower(${sql.ref(c)}) LIKE ${likeOf(term)} ESCAPE '\\'`));
    const named = sql.join(
      terms.map((term) => sql`lower(display_name) LIKE ${likeOf(term)} ESCAPE '\\'`),
      sql` OR `,
    );
    query = query.where(sql<boolean>`(${sql.join(likes, sql` OR `)} OR f.application_id IN (${appsWhere(auditId, named)}))`);
  }
  return query;
}

/**
 * "Not an accepted exception". With a status filter SQLite should read the
 * status index and check the few rows it finds, but it picks the suppressed
 * index (every finding of the audit: 12 ms instead of 1 on the large audit);
 * unary + keeps it off that index. PostgreSQL has no + on text and plans well.
 */
function notSuppressed(db: Db, statusFiltered: boolean): RawBuilder<boolean> {
  return statusFiltered && db.dialect === "sqlite" ? sql<boolean>`+f.suppressed IS NULL` : sql<boolean>`f.suppressed IS NULL`;
}

/**
 * A listed finding's first or last seen: its lifecycle (finding_lifecycle,
 * migration 0011, one home with the report, exports and notifications) while
 * it fails or warns and its spell is open. A passing or unknown finding has
 * none (null): it is not wrong now, and "fixed at" says when it stopped.
 * One primary-key lookup per row.
 */
const seenOf = (column: "first_seen" | "last_seen") =>
  sql<
    string | null
  >`(SELECT l.${sql.raw(column)} FROM finding_lifecycle l WHERE l.finding_key = f.finding_key AND l.state = 'open' AND f.status IN ('fail', 'warn'))`;

/** Sorted by a seen date: findings without one (passing, unknown) last in either direction, alike on both engines. */
const bySeen = (column: "first_seen" | "last_seen", d: RawBuilder<unknown>): RawBuilder<unknown>[] => [
  sql`CASE WHEN ${seenOf(column)} IS NULL THEN 1 ELSE 0 END`,
  sql`${seenOf(column)} ${d}`,
];

/** The ORDER BY of a sort: its column first, then the urgency order, then the id (so pages never overlap). */
function orderOf(sort: FindingSort, dir: "asc" | "desc"): RawBuilder<unknown>[] {
  const d = sql.raw(dir === "desc" ? "DESC" : "ASC");
  const status = rankIn("f.status", STATUS_ORDER);
  const severity = rankIn("f.severity", SEVERITIES);
  const lead: Record<FindingSort, RawBuilder<unknown>[]> = {
    status: [sql`${status} ${d}`, sql`${severity} ${d}`],
    severity: [sql`${severity} ${d}`, sql`${status} ${d}`],
    check: [sql`f.check_id ${d}`],
    application: [sql`${appName} ${d}`, sql`f.application_id ${d}`],
    account: [sql`f.account_id ${d}`, sql`f.region ${d}`],
    "first-seen": bySeen("first_seen", d),
    "last-seen": bySeen("last_seen", d),
  };
  const rest = [status, severity, sql`f.check_id`, sql`f.account_id`, sql`f.region`, sql`f.application_id`, sql`f.name`, sql`f.id`];
  return [...lead[sort], ...rest];
}

const LIST_COLUMNS = [
  "f.id",
  "f.check_id as checkId",
  "f.status",
  "f.severity",
  "f.resource_type as resourceType",
  "f.account_id as accountId",
  "f.region",
  "f.application_id as applicationId",
  "f.name",
  "f.message",
  "f.remediation_action as remediation",
  "f.finding_key as findingKey",
  "f.suppressed",
  seenOf("first_seen").as("firstSeen"),
  seenOf("last_seen").as("lastSeen"),
] as const;

/** How many findings of the audit pass the filters. */
export async function countFindings(db: Db, auditId: number, filters: FindingQuery): Promise<number> {
  const row = await filtered(db, auditId, filters)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of the filtered findings in the chosen order (default: most urgent first). */
export async function findingsPage(db: Db, auditId: number, filters: FindingQuery, page: { offset: number; limit: number }): Promise<FindingListRow[]> {
  let query = filtered(db, auditId, filters).select([...LIST_COLUMNS]);
  for (const term of orderOf(filters.sort ?? "status", filters.dir ?? "asc")) query = query.orderBy(term);
  return withApplicationNames(db, auditId, await query.limit(page.limit).offset(page.offset).execute());
}

/** The rows with their application's display name: one lookup for the few applications of a page, not a join over every finding. */
async function withApplicationNames<T extends { accountId: string; region: string; applicationId: string | null }>(
  db: Db,
  auditId: number,
  rows: T[],
): Promise<(T & { applicationName: string | null })[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.applicationId ? [r.applicationId] : [])))];
  const names = new Map<string, string>();
  if (ids.length > 0) {
    const found = await db.kysely
      .selectFrom("audit_applications")
      .select(["account_id", "region", "application_id", "display_name"])
      .where("audit_id", "=", auditId)
      .where("application_id", "in", ids)
      .execute();
    for (const a of found) names.set(`${a.account_id}/${a.region}/${a.application_id}`, a.display_name);
  }
  return rows.map((r) => ({ ...r, applicationName: r.applicationId ? (names.get(`${r.accountId}/${r.region}/${r.applicationId}`) ?? null) : null }));
}

/** Rows an export reads per query: memory holds one chunk, not the audit. */
export const EXPORT_CHUNK = 500;

/**
 * The findings an export writes, a chunk at a time: `filters` in the page's
 * order, or null for every finding of the audit in id (report) order. An
 * audit's rows never change once stored, so offsets are stable between chunks.
 */
export async function* exportFindingChunks(db: Db, auditId: number, filters: FindingQuery | null, chunk = EXPORT_CHUNK): AsyncGenerator<FindingExportRow[]> {
  let query = filtered(db, auditId, filters ?? { status: "all" }).select([
    ...LIST_COLUMNS,
    "f.index_id as indexId",
    "f.data_source_id as dataSourceId",
    "f.web_experience_id as webExperienceId",
    "f.role_arn as roleArn",
    "f.body",
    "f.suppressed",
  ]);
  for (const term of filters ? orderOf(filters.sort ?? "status", filters.dir ?? "asc") : [sql`f.id`]) query = query.orderBy(term);
  for (let offset = 0; ; offset += chunk) {
    const read = await query.limit(chunk).offset(offset).execute();
    const dictionaries = await dictionariesOf(db);
    const rows = await withApplicationNames(
      db,
      auditId,
      read.map(({ body, ...row }) => ({ ...row, evidence: evidenceOf(body, dictionaries) })),
    );
    if (rows.length > 0) yield rows;
    if (rows.length < chunk) return;
  }
}

/** How many findings the audit holds, every status. */
export async function countAuditFindings(db: Db, auditId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom("findings")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("audit_id", "=", auditId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

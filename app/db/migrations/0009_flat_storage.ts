/**
 * 9: flat storage (issue 15.3, ADR 0014). An unchanged fleet no longer costs
 * a copy of every finding and inventory per audit:
 *
 * - finding_contents: each distinct finding once (content_hash: SHA-256 of
 *   its report JSON text), its filter columns plain and the text itself
 *   compressed (body). audit_findings: one small row per finding of an audit
 *   (its id is the finding's id, as before) pointing at its content.
 * - findings becomes a VIEW of the two with the old columns (less evidence,
 *   which app/db/findings.ts reads out of body), so readers keep their SQL.
 * - application_inventories: each distinct inventory text once, compressed;
 *   audit_applications.inventory_id replaces the inline inventory column.
 * - audits.report holds the report without its findings array and
 *   findings_at where it goes (null: the report is whole, as stored before,
 *   when it cannot be split exactly); pruned_at marks an audit whose
 *   findings a retention prune removed (its summary stays: the trend).
 *
 * Existing audits move over with nothing lost: each finding row's content
 * is the matching finding's exact text in its report (else one rebuilt from
 * the row, and the report kept whole), ids are kept, and a report is only
 * split when the pieces reassemble to the very same text.
 */
import { sql, type Kysely, type Migration } from "kysely";
import { contentHash, packText, reassemblesTo, reportSkeleton } from "../contents";
import { dictionaryFor, type DictionaryKind } from "../dictionaries";
import { FINDING_KEY_SQL } from "./0005_finding_identity";
import { withIdColumn, type DialectName } from "./dialect";

const NULLABLE = ["application_id", "index_id", "data_source_id", "web_experience_id", "role_arn", "name", "remediation_action", "suppressed"];
const CONTENT_COLUMNS = ["check_id", "status", "severity", "account_id", "region", "resource_type", "message", ...NULLABLE];
const VIEW_COLUMNS = ["check_id", "severity", "account_id", "region", "application_id", "index_id", "data_source_id", "web_experience_id", "role_arn"]
  .concat(["resource_type", "name", "message", "remediation_action", "suppressed", "finding_key", "body"])
  .map((c) => `c.${c}`);
const CHUNK = 500;

export function flatStorage(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await createTables(db, dialect);
      await moveFindings(db);
      await moveInventories(db);
      await keepFindingIds(db, dialect);
      await db.schema.dropTable("findings").execute();
      await sql
        .raw(
          `CREATE VIEW findings AS SELECT af.id, af.audit_id, af.status, af.content_id, ${VIEW_COLUMNS.join(", ")} ` +
            `FROM audit_findings af JOIN finding_contents c ON c.id = af.content_id`,
        )
        .execute(db);
      await db.schema.alterTable("audit_applications").dropColumn("inventory").execute();
    },
  };
}

async function createTables(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const bytes = dialect === "sqlite" ? "blob" : "bytea";
  await withIdColumn(dialect, db.schema.createTable("content_dictionaries"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("dictionary", bytes, (c) => c.notNull())
    .execute();
  let contents = withIdColumn(dialect, db.schema.createTable("finding_contents")).addColumn("content_hash", "text", (c) => c.notNull().unique());
  for (const column of CONTENT_COLUMNS) contents = contents.addColumn(column, "text", (c) => (NULLABLE.includes(column) ? c : c.notNull()));
  await contents
    .addColumn("body", bytes, (c) => c.notNull())
    .addColumn("finding_key", "text", (c) => {
      const generated = c.generatedAlwaysAs(sql.raw(FINDING_KEY_SQL));
      return dialect === "postgres" ? generated.stored() : generated;
    })
    .execute();
  await db.schema.createIndex("finding_contents_key_status").on("finding_contents").columns(["finding_key", "status"]).execute();
  await db.schema.createIndex("finding_contents_app").on("finding_contents").column("application_id").execute();
  await withIdColumn(dialect, db.schema.createTable("audit_findings"))
    .addColumn("audit_id", "integer", (c) => c.notNull().references("audits.id").onDelete("cascade"))
    .addColumn("content_id", "integer", (c) => c.notNull().references("finding_contents.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_findings_audit_status").on("audit_findings").columns(["audit_id", "status"]).execute();
  await db.schema.createIndex("audit_findings_content").on("audit_findings").columns(["content_id", "audit_id"]).execute();
  await db.schema.createIndex("audit_findings_audit").on("audit_findings").columns(["audit_id", "id"]).execute();
  await withIdColumn(dialect, db.schema.createTable("application_inventories"))
    .addColumn("content_hash", "text", (c) => c.notNull().unique())
    .addColumn("inventory", bytes, (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable("audit_applications")
    .addColumn("inventory_id", "integer", (c) => c.references("application_inventories.id"))
    .execute();
  await db.schema.createIndex("audit_applications_inventory").on("audit_applications").column("inventory_id").execute();
  await db.schema.alterTable("audits").addColumn("findings_at", "integer").execute();
  await db.schema.alterTable("audits").addColumn("pruned_at", "text").execute();
}

type Row = Record<string, unknown>;

/** findingKey of app/audit/history.ts (migrations keep their own copy: they never change). */
function keyOf(f: Row): string {
  const r = (f.resource ?? {}) as Row;
  return [f.checkId, r.type, r.accountId, r.region, r.applicationId, r.indexId, r.dataSourceId, r.webExperienceId, r.roleArn].map((v) => v ?? "").join("|");
}

/** A finding's report text from its row alone (when the report has no matching finding). */
function textOfRow(row: Row): string {
  const resource = { type: row.resource_type, accountId: row.account_id, region: row.region, applicationId: row.application_id, indexId: row.index_id };
  const rest = { dataSourceId: row.data_source_id, webExperienceId: row.web_experience_id, roleArn: row.role_arn, name: row.name };
  return JSON.stringify({
    checkId: row.check_id,
    status: row.status,
    severity: row.severity,
    resource: { ...resource, ...rest },
    message: row.message,
    evidence: JSON.parse(String(row.evidence)) as unknown,
    remediation: { action: row.remediation_action },
    ...(row.suppressed ? { suppressed: JSON.parse(String(row.suppressed)) as unknown } : {}),
  });
}

function parsedReport(text: string): { findings?: unknown } | undefined {
  try {
    return JSON.parse(text) as { findings?: unknown };
  } catch {
    return undefined;
  }
}

/** Every audit's finding rows into contents and audit_findings (same ids); its report split where that is exact. */
async function moveFindings(db: Kysely<any>): Promise<void> {
  const known = new Map<string, number>();
  const audits = await db.selectFrom("audits").select("id").orderBy("id").execute();
  for (const { id } of audits as { id: number }[]) {
    const { report } = (await db.selectFrom("audits").select("report").where("id", "=", id).executeTakeFirstOrThrow()) as { report: string };
    const rows = (await db.selectFrom("findings").selectAll().where("audit_id", "=", id).orderBy("id").execute()) as Row[];
    const parsed = parsedReport(report);
    const reported = Array.isArray(parsed?.findings) ? (parsed.findings as Row[]) : [];
    let exact = reported.length === rows.length;
    const texts = rows.map((row, i) => {
      const f = reported[i];
      if (f && keyOf(f) === row.finding_key && f.status === row.status) return JSON.stringify(f);
      exact = false;
      return textOfRow(row);
    });
    await storeFindings(db, id, rows, texts, known);
    const skeleton = exact && parsed ? reportSkeleton(parsed) : undefined;
    if (skeleton && reassemblesTo(report, skeleton, texts)) {
      await db.updateTable("audits").set({ report: skeleton.text, findings_at: skeleton.at }).where("id", "=", id).execute();
    }
  }
}

/**
 * The content id of each text, in order: texts seen before (`known`, by hash)
 * are referred to; new ones are inserted, packed with the kind's dictionary.
 */
async function contentIds(
  db: Kysely<any>,
  kind: DictionaryKind,
  texts: string[],
  known: Map<string, number>,
  rowOf: (text: string, hash: string, packed: Buffer) => Row,
): Promise<number[]> {
  const hashes = texts.map(contentHash);
  const fresh = new Map<string, string>();
  hashes.forEach((hash, i) => {
    if (!known.has(hash)) fresh.set(hash, texts[i]!);
  });
  const dictionary = fresh.size > 0 ? await dictionaryFor(db, kind, [...fresh.values()]) : undefined;
  const table = kind === "finding" ? "finding_contents" : "application_inventories";
  for (const [hash, text] of fresh) {
    const inserted = await db
      .insertInto(table)
      .values(rowOf(text, hash, packText(text, dictionary)))
      .returning("id")
      .executeTakeFirstOrThrow();
    known.set(hash, Number(inserted.id));
  }
  return hashes.map((hash) => known.get(hash)!);
}

async function storeFindings(db: Kysely<any>, auditId: number, rows: Row[], texts: string[], known: Map<string, number>): Promise<void> {
  const columnsOf = new Map(texts.map((text, i) => [text, rows[i]!]));
  const ids = await contentIds(db, "finding", texts, known, (text, hash, body) => ({
    ...Object.fromEntries(CONTENT_COLUMNS.map((c) => [c, columnsOf.get(text)![c] ?? null])),
    content_hash: hash,
    body,
  }));
  const links = rows.map((row, i) => ({ id: row.id, audit_id: auditId, content_id: ids[i], status: row.status }));
  for (let i = 0; i < links.length; i += CHUNK)
    await db
      .insertInto("audit_findings")
      .values(links.slice(i, i + CHUNK))
      .execute();
}

/** Each audit_applications row's inventory text into application_inventories, once per distinct text. */
async function moveInventories(db: Kysely<any>): Promise<void> {
  const known = new Map<string, number>();
  const audits = await db.selectFrom("audits").select("id").orderBy("id").execute();
  for (const { id } of audits as { id: number }[]) {
    const rows = (await db.selectFrom("audit_applications").selectAll().where("audit_id", "=", id).execute()) as Row[];
    const texts = rows.map((row) => String(row.inventory));
    const ids = await contentIds(db, "inventory", texts, known, (_text, hash, inventory) => ({ content_hash: hash, inventory }));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      await db
        .updateTable("audit_applications")
        .set({ inventory_id: ids[i] })
        .where("audit_id", "=", id)
        .where("account_id", "=", row.account_id as string)
        .where("region", "=", row.region as string)
        .where("application_id", "=", row.application_id as string)
        .execute();
    }
  }
}

/** The next finding id follows every id findings ever handed out (none is given again). */
async function keepFindingIds(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === "postgres") {
    // Findings were never deleted before this migration: the highest id is the last one handed out.
    await sql`SELECT setval(pg_get_serial_sequence('audit_findings', 'id'), coalesce((SELECT max(id) FROM audit_findings), 0) + 1, false)`.execute(db);
    return;
  }
  const { rows } = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = 'findings'`.execute(db);
  const seq = Number(rows[0]?.seq ?? 0);
  await sql`DELETE FROM sqlite_sequence WHERE name = 'audit_findings'`.execute(db);
  await sql`INSERT INTO sqlite_sequence (name, seq) VALUES ('audit_findings', ${seq})`.execute(db);
}

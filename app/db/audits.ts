/**
 * The audits table, and saving one audit as a whole (its row, its
 * applications, its findings) in one transaction. Findings and inventories
 * are stored by content (migration 0009, ADR 0014): a text already stored by
 * an earlier audit is referred to, not written again. The JSON columns are
 * text here; app/audit/history.ts builds and parses them.
 */
import type { Insertable, Kysely, Transaction } from "kysely";
import { contentHash, textPacker, unpackText } from "./contents";
import type { Db } from "./database";
import { dictionariesOf, dictionaryFor } from "./dictionaries";
import type { AuditApplicationsTable, AuditsTable, FindingContentsTable, Schema } from "./schema";

/** SQLite allows 32766 bound parameters per statement: insert findings in chunks well below. */
const ROWS_PER_INSERT = 500;

/** One finding to store: its filter columns and (made when needed) its report JSON text. */
export interface NewFinding {
  columns: Omit<Insertable<FindingContentsTable>, "id" | "content_hash" | "body">;
  text: () => string;
}

/** One application of the audit: its columns and (made when needed) its inventory JSON text. */
export interface NewApplication {
  columns: Omit<Insertable<AuditApplicationsTable>, "audit_id" | "inventory_id">;
  inventory: () => string;
}

export interface NewAudit {
  /** `report` is the report without its findings array when `findings_at` is set (app/db/contents.ts reportSkeleton). */
  audit: Insertable<AuditsTable>;
  applications: NewApplication[];
  /** In report order: the report's findings array is these texts in this order. */
  findings: NewFinding[];
}

/** Save an audit with its applications and findings, all or nothing; returns the audit's id. */
export async function insertAudit(db: Db, data: NewAudit): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("audits").values(data.audit).returning("id").executeTakeFirstOrThrow();
    const inventoryIds = await storeContents(
      trx,
      "application_inventories",
      data.applications,
      (a) => a.inventory(),
      (a, hash, packed) => ({ content_hash: hash, inventory: packed }),
    );
    for (let i = 0; i < data.applications.length; i += ROWS_PER_INSERT) {
      const chunk = data.applications.slice(i, i + ROWS_PER_INSERT).map((a, j) => ({ ...a.columns, audit_id: id, inventory_id: inventoryIds[i + j]! }));
      await trx.insertInto("audit_applications").values(chunk).execute();
    }
    const contentIds = await storeContents(
      trx,
      "finding_contents",
      data.findings,
      (f) => f.text(),
      (f, hash, packed) => ({ ...f.columns, content_hash: hash, body: packed }),
    );
    for (let i = 0; i < data.findings.length; i += ROWS_PER_INSERT) {
      const chunk = data.findings.slice(i, i + ROWS_PER_INSERT).map((f, j) => ({ audit_id: id, content_id: contentIds[i + j]!, status: f.columns.status }));
      await trx.insertInto("audit_findings").values(chunk).execute();
    }
    return id;
  });
}

type ContentTable = "finding_contents" | "application_inventories";
const KINDS = { finding_contents: "finding", application_inventories: "inventory" } as const;

/**
 * The content id of each item's text, in order: texts already stored (by
 * SHA-256) are looked up, only new ones are compressed and inserted (a
 * concurrent writer's identical insert is skipped, then read).
 *
 * A text is made to be hashed and let go, and made again only if it is new,
 * just before it is packed (through a few reused deflate streams, not a zlib
 * handle per text): the whole fleet's texts and packed rows are never held at
 * once (the end of a large audit's peak memory, ADR 0017).
 */
async function storeContents<T>(
  trx: Transaction<Schema>,
  table: ContentTable,
  items: readonly T[],
  textOf: (item: T) => string,
  rowOf: (item: T, hash: string, packed: Buffer) => Record<string, unknown>,
): Promise<number[]> {
  let totalLength = 0;
  const lengths: number[] = [];
  const hashes = items.map((item) => {
    const text = textOf(item);
    lengths.push(text.length);
    return contentHash(text);
  });
  const ids = await contentIdsOf(trx, table, hashes);
  const missing = new Map<string, number>();
  hashes.forEach((hash, i) => {
    if (ids.has(hash) || missing.has(hash)) return;
    missing.set(hash, i);
    totalLength += lengths[i]!;
  });
  const fresh = [...missing.values()];
  const training = { count: fresh.length, totalLength, textAt: (k: number) => textOf(items[fresh[k]!]!) };
  const dictionary = fresh.length > 0 ? await dictionaryFor(trx, KINDS[table], training) : undefined;
  const loose = trx as unknown as Kysely<Record<ContentTable, Record<string, unknown>>>;
  const packer = textPacker(dictionary);
  try {
    for (let i = 0; i < fresh.length; i += ROWS_PER_INSERT) {
      const chunk = fresh.slice(i, i + ROWS_PER_INSERT);
      const packed = await packer.pack(chunk.length, (k) => textOf(items[chunk[k]!]!));
      const rows = chunk.map((index, k) => rowOf(items[index]!, hashes[index]!, packed[k]!));
      await loose
        .insertInto(table)
        .values(rows)
        .onConflict((oc) => oc.column("content_hash").doNothing())
        .execute();
    }
  } finally {
    packer.close();
  }
  if (missing.size > 0) for (const [hash, id] of await contentIdsOf(trx, table, [...missing.keys()])) ids.set(hash, id);
  return hashes.map((hash) => ids.get(hash)!);
}

async function contentIdsOf(trx: Transaction<Schema>, table: ContentTable, hashes: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const unique = [...new Set(hashes)];
  for (let i = 0; i < unique.length; i += ROWS_PER_INSERT) {
    const rows = await trx
      .selectFrom(table)
      .select(["id", "content_hash"])
      .where("content_hash", "in", unique.slice(i, i + ROWS_PER_INSERT))
      .execute();
    for (const r of rows) ids.set(r.content_hash, Number(r.id));
  }
  return ids;
}

export interface AuditHead {
  id: number;
  scanned_at: string;
  cutoff: string;
  status: string;
  summary: string;
  /** Set when a retention prune removed the audit's findings (its summary stays). */
  pruned_at: string | null;
}

/** The newest audits' small columns, newest first. */
export async function listAuditHeads(db: Db, limit: number): Promise<AuditHead[]> {
  return db.kysely.selectFrom("audits").select(["id", "scanned_at", "cutoff", "status", "summary", "pruned_at"]).orderBy("id", "desc").limit(limit).execute();
}

/** Finding texts read per query when a report is put back together. */
const REPORT_CHUNK = 500;

/**
 * The stored report's JSON text in parts, in order (their concatenation is
 * the text saved, byte for byte): the report before its findings, each
 * finding's text, the rest. A streamed export never holds the whole report.
 * Nothing when the audit does not exist or a retention prune removed it.
 */
export async function* reportJsonParts(db: Db, auditId: number): AsyncGenerator<string> {
  const row = await db.kysely.selectFrom("audits").select(["report", "findings_at", "pruned_at"]).where("id", "=", auditId).executeTakeFirst();
  if (!row || row.pruned_at !== null) return;
  if (row.findings_at === null) {
    yield row.report;
    return;
  }
  const at = Number(row.findings_at);
  const dictionaries = await dictionariesOf(db);
  yield `${row.report.slice(0, at)}[`;
  let after = 0;
  let first = true;
  for (;;) {
    const rows = await db.kysely
      .selectFrom("audit_findings as af")
      .innerJoin("finding_contents as c", "c.id", "af.content_id")
      .select(["af.id", "c.body"])
      .where("af.audit_id", "=", auditId)
      .where("af.id", ">", after)
      .orderBy("af.id")
      .limit(REPORT_CHUNK)
      .execute();
    if (rows.length === 0) break;
    const texts = rows.map((r) => unpackText(r.body, dictionaries)).join(",");
    yield first ? texts : `,${texts}`;
    first = false;
    after = rows[rows.length - 1]!.id;
  }
  yield `]${row.report.slice(at)}`;
}

/** The stored report's JSON text, whole. */
export async function auditReportJson(db: Db, auditId: number): Promise<string | undefined> {
  const parts: string[] = [];
  for await (const part of reportJsonParts(db, auditId)) parts.push(part);
  return parts.length > 0 ? parts.join("") : undefined;
}

/** The latest audit's id, scan time and report JSON text. */
export async function latestAuditReportJson(db: Db): Promise<{ id: number; scanned_at: string; report: string } | undefined> {
  const row = await db.kysely.selectFrom("audits").select(["id", "scanned_at"]).orderBy("id", "desc").limit(1).executeTakeFirst();
  const report = row ? await auditReportJson(db, row.id) : undefined;
  return row && report !== undefined ? { ...row, report } : undefined;
}

export async function latestAuditId(db: Db): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom("audits")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return row?.id ?? undefined;
}

/** An audit's id, scan time and cutoff; undefined when it is not stored or a retention prune emptied it. */
export async function auditStamp(db: Db, auditId: number): Promise<{ id: number; scannedAt: string; cutoff: string } | undefined> {
  return db.kysely
    .selectFrom("audits")
    .select(["id", "scanned_at as scannedAt", "cutoff"])
    .where("id", "=", auditId)
    .where("pruned_at", "is", null)
    .executeTakeFirst();
}

/** The audit's targets column (JSON text: small, one per account and region). */
export async function auditTargetsJson(db: Db, auditId: number): Promise<string | undefined> {
  const row = await db.kysely.selectFrom("audits").select("targets").where("id", "=", auditId).executeTakeFirst();
  return row?.targets;
}

/** How many rows each table holds (migration checks, diagnostics). */
export async function countRows(db: Db): Promise<Record<string, number>> {
  const tables = [
    "audits",
    "audit_applications",
    "findings",
    "activity",
    "activity_events",
    "activity_resources",
    "fix_locks",
    "tracked_syncs",
    "reaudits",
    "sessions",
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * What a migration needs to know about the engine it runs on. Migrations use
 * Kysely's schema builder wherever the two engines agree and branch on the
 * dialect only where they do not (auto-increment keys, triggers).
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder } from "kysely";

export type DialectName = "sqlite" | "postgres";

/**
 * An integer key the database assigns: SQLite's INTEGER PRIMARY KEY
 * AUTOINCREMENT (never re-uses an id, as the legacy schema had it),
 * PostgreSQL's identity column.
 */
export function withIdColumn<T extends string>(dialect: DialectName, table: CreateTableBuilder<T, never>, name = "id"): CreateTableBuilder<T, never> {
  return table.addColumn(name, "integer", (c: ColumnDefinitionBuilder) =>
    dialect === "sqlite" ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
  ) as CreateTableBuilder<T, never>;
}

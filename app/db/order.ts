/**
 * Orderings generated from the product's lists of allowed values
 * (app/audit/types.ts), so SQL sorts the way the lists say: a value added to
 * a list sorts right at once, with no CASE text to keep in step.
 */
import { sql, type RawBuilder } from "kysely";
import { FINDING_STATUS_URGENCY, READINESS_URGENCY, SEVERITIES } from "../audit/types";

/** Findings, most urgent status first. */
export const STATUS_ORDER = FINDING_STATUS_URGENCY;
/** Applications, what needs work first. */
export const READINESS_ORDER = READINESS_URGENCY;
export { SEVERITIES };

/**
 * `CASE column WHEN list[0] THEN 0 WHEN list[1] THEN 1 ... ELSE list.length END`:
 * the position of the column's value in the list (unknown values last). The
 * values are the code's own constants, written as literals.
 */
export function rankIn(column: string, list: readonly string[]): RawBuilder<number> {
  const whens = list.map((value, i) => sql`WHEN ${sql.lit(value)} THEN ${sql.lit(i)}`);
  return sql<number>`CASE ${sql.ref(column)} ${sql.join(whens, sql` `)} ELSE ${sql.lit(list.length)} END`;
}

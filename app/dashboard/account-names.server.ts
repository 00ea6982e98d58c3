/**
 * The account names of a stored audit, read from its targets (small: one
 * entry per account and region), never from the whole report.
 */
import type { Db } from "~/db/database";
import { accountNamesOf, type AccountNames } from "./account-names";
import { auditTargetsOf } from "./audit-targets.server";

export async function accountNamesOfAudit(db: Db, auditId: number): Promise<AccountNames> {
  return accountNamesOf(await auditTargetsOf(db, auditId));
}

/** The names of several audits' accounts (a comparison of two audits names the accounts of both). */
export async function accountNamesOfAudits(db: Db, auditIds: readonly number[]): Promise<AccountNames> {
  const all: AccountNames = {};
  for (const id of auditIds) Object.assign(all, await accountNamesOfAudit(db, id));
  return all;
}

/**
 * Account names (issue 12): organization audits carry each account's name
 * from AWS Organizations in their targets. Every list that shows an account
 * id shows it through accountLabel, so an account reads the same everywhere.
 * Pure: components import it.
 */

/** Account id → its name in AWS Organizations (only the accounts that have one). */
export type AccountNames = Record<string, string>;

/** The names the audit's targets carry. */
export function accountNamesOf(targets: readonly { accountId: string; accountName?: string }[]): AccountNames {
  const names: AccountNames = {};
  for (const t of targets) if (t.accountName) names[t.accountId] = t.accountName;
  return names;
}

/** "Production (111122223333)" when the account has a name, else the id. */
export function accountLabel(accountId: string, names: AccountNames): string {
  const name = Object.hasOwn(names, accountId) ? names[accountId] : undefined;
  return name ? `${name} (${accountId})` : accountId;
}

/** The account's name, or null when it has none. */
export function accountNameIn(accountId: string, names: AccountNames): string | null {
  return Object.hasOwn(names, accountId) ? names[accountId] : null;
}

/** Why an organisation account was skipped, in words (the accounts page). */
import type { SkippedAccount } from "~/audit/types";

const SKIP_REASONS: Record<SkippedAccount["reason"], string> = {
  suspended: "suspended: nothing to read",
  "pending-closure": "closing: nothing to read",
  excluded: "excluded (--exclude-accounts / QBR_EXCLUDE_ACCOUNTS)",
};

export function skipReasonInWords(reason: SkippedAccount["reason"]): string {
  return SKIP_REASONS[reason];
}

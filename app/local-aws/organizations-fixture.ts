/**
 * The fixture's optional top-level `organization` (fleet-fixture.md): its
 * schema, with the id patterns of the Organizations API model, and the
 * cross-references zod cannot see (parents that exist, no OU cycles, a
 * management account that is a member, no duplicates).
 */
import { z } from "zod";
import type { FixtureOrganization } from "./fixture-types";

const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

const accountId = z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" });
const parentId = z.string().refine((s) => ROOT_ID.test(s) || OU_ID.test(s), {
  message: "expected a root id (r-...) or an OU id (ou-...-...)",
});

export const organizationSchema = z
  .object({
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { message: "expected an organization id like o-a1b2c3d4e5" }),
    managementAccountId: accountId,
    rootId: z.string().regex(ROOT_ID, { message: "expected a root id like r-a1b2" }).optional(),
    organizationalUnits: z
      .array(
        z
          .object({
            id: z.string().regex(OU_ID, { message: "expected an OU id like ou-a1b2-11111111" }),
            name: z.string().min(1).max(128),
            parentId,
          })
          .strict(),
      )
      .optional(),
    accounts: z.array(
      z
        .object({
          accountId,
          name: z.string().min(1).max(128),
          email: z
            .string()
            .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "expected an email address" })
            .min(6)
            .max(64),
          status: z.enum(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]),
          parentId,
        })
        .strict(),
    ),
  })
  .strict();

/** Duplicates, dangling parents, OU cycles, and a management account outside the organization. */
export function organizationIssues(org: FixtureOrganization | undefined): { path: string; message: string }[] {
  if (!org) return [];
  const issues: { path: string; message: string }[] = [];
  const rootId = org.rootId ?? `r-${org.organizationId.slice(2, 6)}`;
  const ous = org.organizationalUnits ?? [];
  const ouIds = new Set<string>();
  ous.forEach((ou, i) => {
    if (ouIds.has(ou.id)) issues.push({ path: `organization.organizationalUnits[${i}].id`, message: `duplicate OU id "${ou.id}"` });
    ouIds.add(ou.id);
  });
  const parentExists = (id: string) => id === rootId || ouIds.has(id);
  ous.forEach((ou, i) => {
    if (!parentExists(ou.parentId)) {
      issues.push({
        path: `organization.organizationalUnits[${i}].parentId`,
        message: `"${ou.parentId}" is neither the root (${rootId}) nor an OU of the organization`,
      });
    }
  });
  // Every OU must reach the root by its parents.
  const parentOf = new Map(ous.map((ou) => [ou.id, ou.parentId]));
  ous.forEach((ou, i) => {
    const seen = new Set<string>();
    let at: string | undefined = ou.id;
    while (at && at !== rootId && !seen.has(at)) {
      seen.add(at);
      at = parentOf.get(at);
    }
    if (at !== undefined && at !== rootId) {
      issues.push({ path: `organization.organizationalUnits[${i}].parentId`, message: `OU "${ou.id}" is its own ancestor` });
    }
  });
  const accountIds = new Set<string>();
  org.accounts.forEach((a, i) => {
    if (accountIds.has(a.accountId)) issues.push({ path: `organization.accounts[${i}].accountId`, message: `duplicate accountId "${a.accountId}"` });
    accountIds.add(a.accountId);
    if (!parentExists(a.parentId)) {
      issues.push({ path: `organization.accounts[${i}].parentId`, message: `"${a.parentId}" is neither the root (${rootId}) nor an OU of the organization` });
    }
  });
  if (!accountIds.has(org.managementAccountId)) {
    issues.push({ path: "organization.managementAccountId", message: `account ${org.managementAccountId} is not in organization.accounts` });
  }
  return issues;
}

/**
 * The AWS console deep links (app/dashboard/console-links.ts) against the
 * address shapes the consoles use, and the escaping of what comes from data.
 */
import { describe, expect, it } from "vitest";
import { checkMetadata } from "~/audit/checks";
import { CONSOLE_PAGES, consoleLinks, iamPolicyUrl, iamRoleUrl, parseIamArn, qbusinessApplicationUrl } from "~/dashboard/console-links";

const ACCOUNT = "111122223333";

describe("console URLs", () => {
  it("opens an IAM role on its permissions or trust relationships tab, by name (a path in the ARN dropped)", () => {
    expect(iamRoleUrl(`arn:aws:iam::${ACCOUNT}:role/ITHelpdeskWebExperienceRole`)).toBe(
      "https://console.aws.amazon.com/iam/home#/roles/details/ITHelpdeskWebExperienceRole?section=permissions",
    );
    expect(iamRoleUrl(`arn:aws:iam::${ACCOUNT}:role/service-role/QBusiness-Web+Role@x`, "trust_relationships")).toBe(
      "https://console.aws.amazon.com/iam/home#/roles/details/QBusiness-Web%2BRole%40x?section=trust_relationships",
    );
  });

  it("opens a managed policy by its encoded ARN, in the console of the ARN's partition", () => {
    expect(iamPolicyUrl(`arn:aws:iam::${ACCOUNT}:policy/DenyQBusinessRawDocumentDownload`)).toBe(
      "https://console.aws.amazon.com/iam/home#/policies/details/arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2FDenyQBusinessRawDocumentDownload?section=permissions",
    );
    expect(iamPolicyUrl("arn:aws-cn:iam::123456789012:policy/Boundary")).toMatch(/^https:\/\/console\.amazonaws\.cn\/iam\/home#\/policies\/details\//);
    expect(iamPolicyUrl("arn:aws:iam::aws:policy/ReadOnlyAccess")).toContain("arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess");
  });

  it("opens a Q Business application in its region's console", () => {
    expect(qbusinessApplicationUrl("us-west-2", "52b8ec90-1a75-49c5-bccb-3e350fe7f587")).toBe(
      "https://us-west-2.console.aws.amazon.com/amazonq/business/applications/52b8ec90-1a75-49c5-bccb-3e350fe7f587?region=us-west-2",
    );
  });

  it("gives no link for values that are not what AWS allows (no host, path or fragment injection)", () => {
    expect(qbusinessApplicationUrl("evil.example.com/x", "app")).toBeNull();
    expect(qbusinessApplicationUrl("us-east-1", "../../iam")).toBeNull();
    expect(qbusinessApplicationUrl("us-east-1", "a?b#c")).toBeNull();
    expect(iamRoleUrl('arn:aws:iam::111122223333:role/a"><script>')).toBeNull();
    expect(iamRoleUrl("arn:evil:iam::111122223333:role/A")).toBeNull();
    expect(iamPolicyUrl(`arn:aws:iam::${ACCOUNT}:role/NotAPolicy`)).toBeNull();
    expect(parseIamArn("not an arn")).toBeNull();
    expect(consoleLinks(["application"], { accountId: "1111", region: "us-east-1", applicationId: "app" })).toEqual([]);
  });
});

describe("consoleLinks for a finding's resource", () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/SandboxWebRole`;

  it("links the boundary of a role, or the role's permissions tab when the boundary is not known", () => {
    const withBoundary = consoleLinks(["role-boundary", "role"], {
      accountId: ACCOUNT,
      region: "us-east-1",
      roleArn: role,
      permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/SandboxDeveloperBoundary`,
    });
    expect(withBoundary.map((l) => l.label)).toEqual(["Permissions boundary SandboxDeveloperBoundary", "IAM role SandboxWebRole"]);
    const without = consoleLinks(["role-boundary"], { accountId: ACCOUNT, region: "us-east-1", roleArn: role });
    expect(without).toEqual([
      { page: "role-boundary", label: "IAM role SandboxWebRole", href: iamRoleUrl(role), then: "see Permissions boundary on the Permissions tab." },
    ]);
  });

  it("opens the data source's application and says where its sync history is (its own address is not documented)", () => {
    const [link] = consoleLinks(["sync-history"], { accountId: ACCOUNT, region: "us-east-1", applicationId: "app-1", dataSourceId: "ds-1", name: "hr-docs" });
    expect(link.href).toBe(qbusinessApplicationUrl("us-east-1", "app-1"));
    expect(link.then).toBe("choose Data sources, then hr-docs, then its Sync history.");
  });

  it("links each managed policy that holds a Deny, or the role's permissions for an inline one", () => {
    const managed = consoleLinks(["role-policy"], {
      accountId: ACCOUNT,
      region: "eu-west-1",
      roleArn: role,
      policyArns: [`arn:aws:iam::${ACCOUNT}:policy/Deny`],
    });
    expect(managed.map((l) => l.label)).toEqual(["IAM policy Deny"]);
    const inline = consoleLinks(["role-policy"], { accountId: ACCOUNT, region: "eu-west-1", roleArn: role });
    expect(inline[0].then).toBe("open the policy named in the finding.");
  });

  it("every check without an automatic fix has manual steps and names only known console pages", () => {
    for (const check of checkMetadata) {
      if (check.remediation === null) expect(check.manualFix?.steps.length, check.id).toBeGreaterThan(0);
      for (const page of check.manualFix?.console ?? []) expect(CONSOLE_PAGES, check.id).toContain(page);
    }
  });
});

/** The dashboard's organization settings: validated once at start, each problem naming its variable. */
import { describe, expect, it } from "vitest";
import { loadConfig, type ConfigError } from "~/config.server";

describe("QBR_ORGANIZATION and its settings", () => {
  it("become the scans' organization scope", () => {
    const config = loadConfig({
      QBR_ORGANIZATION: "true",
      QBR_ROLE_NAME: "OrgAudit",
      QBR_EXTERNAL_ID: "ext-42",
      QBR_ORGANIZATION_OUS: "ou-a1b2-11111111, ou-a1b2-22222222",
      QBR_EXCLUDE_ACCOUNTS: "111122223333",
      QBR_FIX_ROLE_NAME: "OrgFix",
    });
    expect(config.organization).toEqual({
      roleName: "OrgAudit",
      externalId: "ext-42",
      ous: ["ou-a1b2-11111111", "ou-a1b2-22222222"],
      excludeAccounts: ["111122223333"],
      fixRoleName: "OrgFix",
    });
    expect(config.fixRoleName).toBe("OrgFix");
    expect(loadConfig({}).organization).toBeUndefined();
  });

  it("refuses bad values and settings without QBR_ORGANIZATION=true, naming the variable", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ QBR_ORGANIZATION: "yes" })).toEqual(['QBR_ORGANIZATION: must be "true" or "false"']);
    expect(problems({ QBR_ORGANIZATION: "true", QBR_EXCLUDE_ACCOUNTS: "12345" })[0]).toMatch(/^QBR_EXCLUDE_ACCOUNTS\.0: must be 12-digit account ids/);
    expect(problems({ QBR_ROLE_NAME: "OrgAudit" })).toEqual(["QBR_ROLE_NAME: only applies with QBR_ORGANIZATION=true"]);
  });
});

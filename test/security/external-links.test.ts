/**
 * A web experience endpoint comes from AWS (or a fixture): only an https URL
 * is rendered as a link; "javascript:", "data:", "http:" and the like are text.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { WebExperienceSection } from "~/components/ApplicationDetails";
import { httpsUrl } from "~/components/ExternalLink";
import type { WebExperienceView } from "~/dashboard/types";

function webExperience(defaultEndpoint: string): WebExperienceView {
  return {
    webExperienceId: "web-1",
    status: "ACTIVE",
    defaultEndpoint,
    roleArn: "arn:aws:iam::111122223333:role/QBusinessWebRole",
    roleArnSource: "roleArn",
    roleExists: true,
    method: "local",
    methodNote: null,
    decisions: [],
    error: null,
  };
}

const render = (endpoint: string) => renderToStaticMarkup(createElement(WebExperienceSection, { web: webExperience(endpoint) }));

describe("web experience endpoints", () => {
  it("renders an https endpoint as a link", () => {
    const html = render("https://abcd1234.chat.qbusiness.us-east-1.on.aws/");
    expect(html).toContain('<a href="https://abcd1234.chat.qbusiness.us-east-1.on.aws/" rel="noreferrer noopener">');
  });

  it.each([
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://abcd1234.chat.qbusiness.us-east-1.on.aws/",
    "//evil.example/",
    "/relative",
    "vbscript:msgbox(1)",
    "https:",
  ])("renders %j as text, not a link", (endpoint) => {
    const html = render(endpoint);
    expect(html).not.toMatch(/<a\b/);
    expect(html).toContain('data-testid="unlinked-url"');
    expect(httpsUrl(endpoint)).toBeUndefined();
  });
});

/**
 * Links to addresses that come from AWS or a fixture (a web experience's
 * endpoint): only an absolute https URL becomes a link. Anything else
 * ("javascript:...", "data:", "http:", a relative path) is shown as text, so
 * a crafted endpoint cannot run script or send anyone elsewhere in the clear.
 */
import type { ReactNode } from "react";

/** The URL as a link may carry it, or undefined when it is not an absolute https URL with a host. */
export function httpsUrl(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return url.protocol === "https:" && url.hostname !== "" ? url.href : undefined;
}

export function ExternalLink({ href, children, newTab = false }: { href: string | null | undefined; children?: ReactNode; newTab?: boolean }) {
  const safe = httpsUrl(href);
  if (!safe) {
    return (
      <span className="unlinked" data-testid="unlinked-url" title="Not an https address, so not a link">
        {children ?? href}
      </span>
    );
  }
  return (
    <a href={safe} rel="noreferrer noopener" {...(newTab ? { target: "_blank" } : {})}>
      {children ?? href}
    </a>
  );
}

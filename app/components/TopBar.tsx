import { Form, Link, NavLink } from "@remix-run/react";
import type { Role } from "~/config.server";
import type { ConnectionStatus } from "~/dashboard/connection.server";
import { CsrfInput } from "~/auth/csrf-input";

export const NAVIGATION = [
  { to: "/", label: "Overview" },
  { to: "/findings", label: "Findings" },
  { to: "/checks", label: "Checks" },
  { to: "/accounts", label: "Accounts" },
  { to: "/changes", label: "What changed" },
  { to: "/activity", label: "Activity" },
  { to: "/suppressions", label: "Exceptions" },
];

export interface TopBarData {
  mode: "local" | "aws";
  description: string;
  user: { username: string; role: Role; via: string } | null;
  /** Signed-in users only: the last connection check (app/dashboard/connection.server.ts). */
  connection: ConnectionStatus | null;
}

function DemoBanner({ description }: { description: string }) {
  return (
    <div className="demo-banner" role="status" data-testid="demo-banner">
      Demo fleet on the local AWS: {description}. Nothing here touches a real AWS account. <Link to="/connection">Connection</Link>
    </div>
  );
}

/** Real-AWS mode: where the dashboard reads from, or, when it cannot, the exact error and where to fix it. */
function ConnectionBanner({ connection }: { connection: ConnectionStatus }) {
  const regions = connection.regions.length ? connection.regions.join(", ") : "no region set";
  // The banner names the source in short ("none found", "profile \"x\" (AWS_PROFILE) in …"); the page has the whole sentence.
  const source = connection.credentialSource.split(": ")[0];
  if (connection.state === "error" && connection.error) {
    return (
      <div className="connection-banner error" role="alert" data-testid="connection-banner" data-state="error">
        <strong>Cannot read AWS</strong> ({regions}; credentials from {source}): {connection.error.code}: {connection.error.message}{" "}
        <Link to="/connection">How to fix it</Link>
      </div>
    );
  }
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner" data-state={connection.state}>
      AWS{connection.accountId ? ` account ${connection.accountId}` : ""} · {regions} · credentials from {source}
      {connection.state === "ok" ? "" : " · not checked yet"} · <Link to="/connection">Connection</Link>
    </div>
  );
}

/**
 * The banner, the main navigation and who is signed in: on every page, error
 * pages included (without the root loader's data, as when it failed: the navigation alone).
 */
export function TopBar({ runtime }: { runtime?: TopBarData }) {
  return (
    <>
      {runtime?.mode === "local" ? <DemoBanner description={runtime.description} /> : null}
      {runtime?.mode === "aws" && runtime.connection ? <ConnectionBanner connection={runtime.connection} /> : null}
      <header className="top">
        <a className="brand" href="/">
          qbiz-readiness
        </a>
        <nav aria-label="Main">
          {NAVIGATION.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === "/"}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        {runtime?.user ? (
          <div className="signed-in" data-testid="signed-in-user" style={{ display: "flex", alignItems: "center", gap: "0.75rem", marginLeft: "auto" }}>
            <span>
              {runtime.user.username} <span className="role">({runtime.user.role})</span>
            </span>
            {runtime.user.via === "proxy" || runtime.user.role !== "operator" ? null : <a href="/sessions">Sessions</a>}
            {runtime.user.via === "proxy" ? null : (
              <Form method="post" action="/sign-out">
                <CsrfInput />
                <button type="submit">Sign out</button>
              </Form>
            )}
          </div>
        ) : null}
      </header>
    </>
  );
}

import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { FindingCard, IndexSection, WebExperienceSection } from "~/components/ApplicationDetails";
import { ExternalLink } from "~/components/ExternalLink";
import { AuditTime } from "~/components/AuditTime";
import { ReadinessBadge } from "~/components/Badges";
import { ApplicationFixes } from "~/components/fix-links";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { cachedApplicationPage } from "~/dashboard/cache.server";
import { dashboardDb } from "~/dashboard/db.server";
import { applicationFixes } from "~/dashboard/fixes.server";
import { identityTypeLabel, plural } from "~/dashboard/words";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.displayName ?? "Application"} · qbiz-readiness` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const key = { accountId: params.accountId ?? "", region: params.region ?? "", applicationId: params.applicationId ?? "" };
  const db = await dashboardDb();
  const page = await cachedApplicationPage(db, key);
  if (!page) {
    throw new Response(
      `The latest audit has no application ${key.applicationId} in account ${key.accountId}, region ${key.region}. ` +
        "It may have been deleted, or its account and region were not readable: check the overview.",
      { status: 404 },
    );
  }
  // One action per resource, and the manual steps and console links of each open finding, from the page's own audit.
  return { ...page, fixes: await applicationFixes(db, key, page.audit.id) };
}

export default function ApplicationPage() {
  const app = useLoaderData<typeof loader>();
  const open = app.findings.filter((f) => f.status !== "pass");
  const passing = app.findings.filter((f) => f.status === "pass");
  return (
    <>
      <h1>
        {app.displayName} <ReadinessBadge readiness={app.readiness} />
      </h1>
      <AuditTime audit={app.audit} />
      <dl className="facts">
        <dt>Account · region</dt>
        <dd>
          {app.accountName ? `${app.accountName} (${app.accountId})` : app.accountId} · {app.region}
        </dd>
        <dt>Application id</dt>
        <dd>
          <code>{app.applicationId}</code>
        </dd>
        <dt>ARN</dt>
        <dd>
          <code>{app.applicationArn ?? "unknown"}</code>
        </dd>
        <dt>Identity type</dt>
        <dd>{identityTypeLabel(app.identityType)}</dd>
        <dt>Status</dt>
        <dd>{app.status ?? "unknown"}</dd>
        <dt>AWS console</dt>
        <dd>
          <ExternalLink href={app.consoleUrl} newTab>
            Open in the Amazon Q Business console
          </ExternalLink>
        </dd>
      </dl>
      {app.error ? <p className="card error-text">Part of this application could not be read: {app.error}</p> : null}

      <section aria-labelledby="findings-heading">
        <h2 id="findings-heading">
          Findings{" "}
          <span className="muted small">
            ({open.length} need attention, {passing.length} pass)
          </span>
        </h2>
        {open.length === 0 ? (
          <p className="muted">Nothing fails, warns or is unknown.</p>
        ) : (
          open.map((f) => <FindingCard key={f.id} finding={f} manual={app.fixes.manual[f.id]} />)
        )}
        {passing.length > 0 ? (
          <details className="passing">
            <summary>{plural(passing.length, "passing check")}</summary>
            {passing.map((f) => (
              <FindingCard key={f.id} finding={f} />
            ))}
          </details>
        ) : null}
      </section>

      <ApplicationFixes fixes={app.fixes} />

      <section aria-labelledby="indices-heading">
        <h2 id="indices-heading">Indices and data sources</h2>
        {app.indices.length === 0 ? (
          <p className="muted">No index was read.</p>
        ) : (
          app.indices.map((index) => <IndexSection key={index.indexId} index={index} cutoff={app.audit.cutoff} />)
        )}
      </section>

      <section aria-labelledby="web-heading">
        <h2 id="web-heading">Web experiences</h2>
        {app.webExperiences.length === 0 ? (
          <p className="muted">No web experience.</p>
        ) : (
          app.webExperiences.map((web) => <WebExperienceSection key={web.webExperienceId} web={web} />)
        )}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The application page" />;
}

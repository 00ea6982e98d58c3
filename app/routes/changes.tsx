import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { FindingChanges, ReadinessChanges } from "~/components/ChangeLists";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { getChanges } from "~/dashboard/changes.server";
import { dashboardDb } from "~/dashboard/db.server";
import { formatTime } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "What changed · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return getChanges(await dashboardDb(), new URL(request.url).searchParams);
}

export default function Changes() {
  const { audits, from, to, comparison, accountNames } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>What changed</h1>
      {to ? (
        <p className="audit-time" data-testid="audit-time">
          Audit #{to.id} of <time dateTime={to.scannedAt}>{formatTime(to.scannedAt)}</time>
          {from ? (
            <>
              {" "}
              compared with audit #{from.id} of <time dateTime={from.scannedAt}>{formatTime(from.scannedAt)}</time>
            </>
          ) : null}
        </p>
      ) : null}
      {audits.length >= 2 ? (
        <Form key={`${from?.id}-${to?.id}`} method="get" className="filters" aria-label="Choose the audits to compare">
          <div className="field">
            <label htmlFor="compare-from">Earlier audit</label>
            <select id="compare-from" name="from" defaultValue={from?.id ?? ""}>
              {audits.map((a) => (
                <option key={a.id} value={a.id}>
                  #{a.id} · {formatTime(a.scannedAt)} · {a.summary}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="compare-to">Later audit</label>
            <select id="compare-to" name="to" defaultValue={to?.id ?? ""}>
              {audits.map((a) => (
                <option key={a.id} value={a.id}>
                  #{a.id} · {formatTime(a.scannedAt)} · {a.summary}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Compare</button>
        </Form>
      ) : null}
      {!comparison ? (
        <p className="card">{audits.length === 0 ? "No audit is stored yet." : "Only one audit is stored: changes appear after the next scan."}</p>
      ) : (
        <div className="change-grid">
          <ReadinessChanges title="Became ready" changes={comparison.becameReady} empty="No application became ready." accountNames={accountNames} />
          <ReadinessChanges title="Regressed" changes={comparison.regressed} empty="No application regressed." accountNames={accountNames} />
          <FindingChanges
            title="New findings"
            findings={comparison.newFindings}
            checkTitles={comparison.checkTitles}
            empty="No new failing, warning or unknown finding."
            accountNames={accountNames}
          />
          <FindingChanges
            title="Gone findings"
            findings={comparison.goneFindings}
            checkTitles={comparison.checkTitles}
            empty="No finding went away."
            accountNames={accountNames}
          />
        </div>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="What changed" />;
}

import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AccountsView } from "~/components/AccountsView";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { getAccountsPage } from "~/dashboard/accounts.server";
import { dashboardDb } from "~/dashboard/db.server";

export const meta: MetaFunction = () => [{ title: "Accounts · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return getAccountsPage(await dashboardDb());
}

export default function Accounts() {
  return <AccountsView page={useLoaderData<typeof loader>()} />;
}

export function ErrorBoundary() {
  return <RouteError page="The accounts page" />;
}

import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireUser } from "~/auth/user.server";
import { RouteError } from "~/components/RouteError";
import { NOT_FOUND_PAGE } from "~/util/not-found";

export const meta: MetaFunction = () => [{ title: "Page not found · qbiz-readiness" }];

/**
 * Any address no other route answers. Matching it (rather than leaving the
 * router with no match) runs the root loader, so the 404 page has the layout:
 * the banner, the navigation and who is signed in.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  throw new Response(NOT_FOUND_PAGE, { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export default function NotFoundRoute() {
  return null;
}

export function ErrorBoundary() {
  return <RouteError page="This page" />;
}

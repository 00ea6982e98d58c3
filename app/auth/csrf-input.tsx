import { useRouteLoaderData } from "@remix-run/react";

/** Form field carrying the session's CSRF token; every POST action checks it (verifyCsrf). */
export const CSRF_FIELD = "csrfToken";

/**
 * Hidden field with the session's CSRF token, for every `<Form method="post">`.
 * The token comes from the root loader, so it works before hydration too.
 */
export function CsrfInput() {
  const root = useRouteLoaderData("root") as { csrfToken?: string } | undefined;
  return <input type="hidden" name={CSRF_FIELD} value={root?.csrfToken ?? ""} />;
}

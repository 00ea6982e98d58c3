import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getConfig } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { redeemOneTimeToken } from "~/auth/one-time-token.server";
import { getSession } from "~/auth/session.server";
import { claimSignInAttempt, lockoutMessage, recordSuccess } from "~/auth/sign-in-throttle.server";
import { checkPassword, getUser, ONE_TIME_LINK_USERNAME, safeRedirectPath, signIn } from "~/auth/user.server";

export const meta: MetaFunction = () => [{ title: "Sign in · qbiz-readiness" }];

/** The page's answer carries the action's Retry-After (a refused, throttled attempt): Remix keeps only what this returns. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers();
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

type SignInMode = "password" | "one-time-link" | "proxy";

function signInMode(): SignInMode {
  const { auth } = getConfig();
  if (auth.mode === "proxy") return "proxy";
  return auth.users.length > 0 ? "password" : "one-time-link";
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirectPath(url.searchParams.get("redirectTo"));
  const mode = signInMode();
  const token = url.searchParams.get("token");
  if (token !== null && mode === "one-time-link") {
    if (await redeemOneTimeToken(await dashboardDb(), token)) return signIn(request, ONE_TIME_LINK_USERNAME, "one-time-link", redirectTo);
    return json(
      { mode, redirectTo, notice: null, problem: "This sign-in link has already been used or is not valid. Restart the server to get a new one." },
      { status: 403 },
    );
  }
  if (await getUser(request, context)) throw redirect(redirectTo);
  const ended = Number(url.searchParams.get("signedOutEveryone") ?? NaN);
  const notice = Number.isInteger(ended) && ended >= 0 ? `Everyone was signed out (${ended} session${ended === 1 ? "" : "s"} ended). Sign in again.` : null;
  return json({ mode, redirectTo, notice, problem: null as string | null });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  verifyCsrf(request, formData, await getSession(request));
  if (signInMode() !== "password") {
    throw new Response("Password sign-in is not configured on this server", { status: 400 });
  }
  const username = String(formData.get("username") ?? "").trim();
  const password = String(formData.get("password") ?? "");
  const db = await dashboardDb();
  // Counted before the password is checked (on every replica's shared count), taken back if it is right.
  const claimed = await claimSignInAttempt(db, { username, address: context?.peerAddress });
  if (claimed.waitMs > 0) {
    // Refused before the password is looked at, so a right guess during lock-out tells nothing either.
    const wait = claimed.waitMs;
    return json({ error: lockoutMessage(wait), username }, { status: 429, headers: { "Retry-After": String(Math.ceil(wait / 1000)) } });
  }
  const user = username && password ? await checkPassword(username, password) : null;
  if (!user) {
    // Same words for an unknown name and a wrong password; nothing is set.
    return json({ error: "Wrong username or password", username }, { status: 401 });
  }
  await recordSuccess(db, claimed);
  return signIn(request, user.username, "password", String(formData.get("redirectTo") ?? "/"));
}

export default function SignIn() {
  const { mode, redirectTo, notice, problem } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting";

  return (
    <section className="sign-in">
      <h1>Sign in</h1>
      {problem ? (
        <p className="problem" role="alert">
          {problem}
        </p>
      ) : null}
      {notice ? (
        <p role="status" data-testid="signed-out-everyone">
          {notice}
        </p>
      ) : null}
      {mode === "password" ? (
        <Form method="post" className="sign-in-form">
          <CsrfInput />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <label>
            Username
            <input name="username" autoComplete="username" required defaultValue={actionData?.username} />
          </label>
          <label>
            Password
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          {actionData?.error ? (
            <p className="problem" role="alert">
              {actionData.error}
            </p>
          ) : null}
          <button type="submit" disabled={submitting}>
            {submitting ? "Signing in…" : "Sign in"}
          </button>
        </Form>
      ) : null}
      {mode === "one-time-link" ? (
        <p>
          No users are configured, so this server signs in with the one-time link it printed in its console when it started. To let people sign in with a
          password, configure QBR_USERS_FILE or QBR_OPERATORS / QBR_VIEWERS.
        </p>
      ) : null}
      {mode === "proxy" ? (
        <p>Sign-in is handled by your organisation&apos;s proxy, and this request did not come through it. Open the dashboard through its usual address.</p>
      ) : null}
    </section>
  );
}

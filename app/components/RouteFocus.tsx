import { useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/** The id of the page's <main>: the skip link's target. */
export const MAIN_ID = "main";

/** First in the page: keyboard users jump past the header and navigation (visible once focused). */
export function SkipLink() {
  return (
    <a className="skip-link" href={`#${MAIN_ID}`}>
      Skip to main content
    </a>
  );
}

/**
 * The path the browser last showed: module state, not a ref, so it survives
 * the switch between the layout and the root error boundary (a link to a page
 * that fails or does not exist still moves focus to its heading).
 */
let shownPath: string | null = null;

/**
 * After a client-side navigation to another page, moves focus to the page's
 * main heading and announces the page: without it, focus stays on the link
 * that was clicked (or the body) and a screen reader says nothing. Only a new
 * path counts: a filter or sort changes the query, and the user stays in the
 * form they were using. The first render is the server's page: nothing moves.
 */
export function RouteFocus() {
  const { pathname } = useLocation();
  // Written straight into the live region (a DOM update, no re-render): React renders it empty.
  const announcer = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shownPath === null || shownPath === pathname) {
      shownPath = pathname;
      return;
    }
    shownPath = pathname;
    const heading = document.querySelector<HTMLElement>(`#${MAIN_ID} h1`);
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    if (announcer.current) announcer.current.textContent = `${heading.textContent ?? ""} page`;
  }, [pathname]);
  return <div ref={announcer} className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="route-announcer" />;
}

import { useNavigate } from "@remix-run/react";
import { useEffect, useRef, type RefObject } from "react";

/**
 * Client-side navigation for the plain `<a href>` links of a large table,
 * from one click listener on the table instead of a Remix `<Link>` per link.
 *
 * A `<Link>` resolves its route on every render (router matching, hooks,
 * prefetch); a findings page of 50 rows has about 150 of them, and under load
 * rendering those was the largest share of a request's CPU (issue 10, item 8).
 * A plain link is served as HTML and works without JavaScript; once the page
 * is hydrated, a plain left click (or Enter) on a same-origin link inside the
 * element is handed to the router, so going from the table to a page keeps
 * the single-page navigation a `<Link>` gives. Modified clicks (new tab, new
 * window, download), other targets and other origins keep the browser's
 * behaviour. `data-prevent-scroll-reset` on a link keeps the scroll position.
 */
export function useInPageNavigation<E extends HTMLElement>(): RefObject<E> {
  const ref = useRef<E>(null);
  const navigate = useNavigate();
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.altKey || event.ctrlKey || event.shiftKey) return;
      const anchor = (event.target as Element | null)?.closest?.("a[href]");
      if (!(anchor instanceof HTMLAnchorElement) || !element.contains(anchor)) return;
      if ((anchor.target && anchor.target !== "_self") || anchor.hasAttribute("download")) return;
      const url = new URL(anchor.href);
      if (url.origin !== window.location.origin) return;
      event.preventDefault();
      navigate(`${url.pathname}${url.search}${url.hash}`, { preventScrollReset: anchor.dataset.preventScrollReset !== undefined });
    };
    element.addEventListener("click", onClick);
    return () => element.removeEventListener("click", onClick);
  }, [navigate]);
  return ref;
}

import { createContext, useContext } from "react";

/**
 * The CSP nonce of the current document request, provided by entry.server.tsx
 * and put by root.tsx on Remix's inline scripts. Empty in the browser, which
 * hides nonces from the DOM once the page has loaded.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}

import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

/** How often a page showing work in progress (a followed sync, a running batch) reads its loader again. */
export const READ_AGAIN_MS = 2000;

/** While `running`, the page's loaders are read again every READ_AGAIN_MS (never two reads at once). */
export function useReadAgainWhile(running: boolean): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, READ_AGAIN_MS);
    return () => clearInterval(timer);
  }, [running, revalidator]);
}

import { useRouterState } from "@tanstack/react-router";
import { useEffect, useState } from "react";

/**
 * The address's fragment (`#comment-…`, `#check-in-…`), kept current whether it changes by a
 * link inside the app (the router) or by the browser alone (a hash-only navigation).
 */
export function useLocationHash(): string {
  const routed = useRouterState({ select: (s) => s.location.hash });
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  useEffect(() => {
    void routed;
    setHash(window.location.hash);
  }, [routed]);
  return hash;
}

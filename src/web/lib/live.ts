/**
 * Live updates: reads the server-sent event stream (with the bearer token, so through
 * fetch rather than EventSource) and refreshes cached data when anything changes.
 * Reconnects with a growing delay.
 */
import type { QueryClient } from "@tanstack/react-query";
import { auth } from "./api.js";

export function connectLive(queryClient: QueryClient): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let delay = 1000;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const refresh = () => {
    // Several changes often arrive together (a check-in and its roll-ups): refresh once.
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      void queryClient.invalidateQueries();
    }, 150);
  };

  const run = async () => {
    while (!stopped) {
      const token = auth.token;
      controller = new AbortController();
      try {
        const res = await fetch("/api/v1/events", {
          credentials: "same-origin",
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: controller.signal,
        });
        if (res.status === 401) return;
        if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let i = buffer.indexOf("\n\n");
          while (i >= 0) {
            const frame = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            if (frame.includes("event: change")) refresh();
            i = buffer.indexOf("\n\n");
          }
        }
      } catch {
        // Network drop or abort: retry below unless stopped.
      }
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

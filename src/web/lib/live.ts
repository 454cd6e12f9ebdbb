/**
 * Live updates: reads the server-sent event stream (with the bearer token, so through
 * fetch rather than EventSource) and refetches the cached data a change can affect
 * (`keysForChange`), nothing else. Reconnects with a growing delay.
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { auth } from "./api.js";
import { type ChangeEvent, keysForChange } from "./live-keys.js";

/** The change a `change` frame describes, or null when it cannot be read. */
export function parseChangeFrame(frame: string): ChangeEvent | null {
  if (!/^event: change$/m.test(frame)) return null;
  const data = frame
    .split("\n")
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).trim())
    .join("\n");
  try {
    const e = JSON.parse(data) as Partial<ChangeEvent>;
    return typeof e.objectType === "string" ? { type: String(e.type ?? ""), ...e, objectType: e.objectType } : null;
  } catch {
    return null;
  }
}

/** Refetches what a change can affect: the prefixes of `keysForChange`, or everything when it says so. */
export function invalidateForChange(queryClient: QueryClient, e: ChangeEvent): Promise<void> {
  const prefixes = keysForChange(e);
  if (prefixes === null) return queryClient.invalidateQueries();
  return invalidatePrefixes(queryClient, prefixes);
}

/** Invalidates the queries under these key prefixes (the active ones refetch). */
export async function invalidatePrefixes(queryClient: QueryClient, prefixes: QueryKey[]): Promise<void> {
  await Promise.all(prefixes.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

export function connectLive(queryClient: QueryClient): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let delay = 1000;
  let pending: ReturnType<typeof setTimeout> | null = null;

  // Several changes often arrive together (a check-in and its roll-ups): refetch once for all of them.
  let everything = false;
  const prefixes = new Map<string, QueryKey>();
  const refresh = (e: ChangeEvent | null) => {
    const reach = e ? keysForChange(e) : null;
    if (reach === null) everything = true;
    else for (const k of reach) prefixes.set(JSON.stringify(k), k);
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      const all = everything;
      const some = [...prefixes.values()];
      everything = false;
      prefixes.clear();
      void (all ? queryClient.invalidateQueries() : invalidatePrefixes(queryClient, some));
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
            if (/^event: change$/m.test(frame)) refresh(parseChangeFrame(frame));
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

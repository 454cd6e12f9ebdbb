/**
 * The browser's client for /api/v1. A person signs in with a password, a one-time link or
 * single sign-on, which sets an httpOnly session cookie; writes then carry the session's
 * CSRF token. Automation may sign in with an API token instead (kept in local storage and
 * sent as a bearer token). Errors arrive as ApiError with the server's code, message and details.
 */
import type { Me } from "./types.js";

const TOKEN_KEY = "okra.token";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let me: Promise<Me | null> | null = null;

export const auth = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  /** Signs in with an API token (automation, or a person who prefers one). */
  rememberToken(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
    me = null;
  },
  /** Remembers a fresh session (after a sign-in answer). */
  startSession(csrf: string) {
    localStorage.removeItem(TOKEN_KEY);
    csrfToken = csrf;
    me = null;
  },
  /** Who is signed in (cached), or null. */
  me(): Promise<Me | null> {
    me ??= api<Me>("GET", "/me")
      .then((m) => {
        if (m.csrfToken) csrfToken = m.csrfToken;
        return m;
      })
      .catch((err) => {
        if (err instanceof ApiError && err.status === 401) return null;
        me = null;
        throw err;
      });
    return me;
  },
  /** Forgets the cached identity (after a change of role, name or password). */
  refresh() {
    me = null;
  },
  async signOut() {
    if (!this.token) await api("POST", "/auth/logout").catch(() => undefined);
    localStorage.removeItem(TOKEN_KEY);
    csrfToken = null;
    me = null;
  },
};

export async function api<T>(method: string, path: string, body?: unknown, init?: { token?: string }): Promise<T> {
  const token = init?.token ?? auth.token;
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(!token && csrfToken && method !== "GET" ? { "x-csrf-token": csrfToken } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = (() => {
    try {
      return JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } } | null;
    } catch {
      return null;
    }
  })();
  if (!res.ok) {
    const e = json?.error;
    throw new ApiError(
      res.status,
      e?.code ?? "INTERNAL",
      e?.message ?? `The server answered ${res.status}.`,
      e?.details ?? null,
    );
  }
  return (json ?? text) as T;
}

export const get = <T>(path: string) => api<T>("GET", path);

/** Headers that authenticate a request the way `api` does (token, or the session's CSRF token for writes). */
export function authHeaders(method: string): Record<string, string> {
  const token = auth.token;
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(!token && csrfToken && method !== "GET" ? { "x-csrf-token": csrfToken } : {}),
  };
}

/** Fetches a file the API answers (an export) and hands it to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(`/api/v1${path}`, { credentials: "same-origin", headers: authHeaders("GET") });
  if (!res.ok) {
    const e = ((await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? "INTERNAL", e?.message ?? `The server answered ${res.status}.`, null);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

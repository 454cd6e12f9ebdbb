/**
 * The browser's client for /api/v1: bearer token from local storage, JSON in and out,
 * errors as ApiError with the server's code, message and details.
 */
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

export const auth = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
  },
  signOut() {
    localStorage.removeItem(TOKEN_KEY);
  },
};

export async function api<T>(method: string, path: string, body?: unknown, init?: { token?: string }): Promise<T> {
  const token = init?.token ?? auth.token;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok) {
    const e = json?.error;
    throw new ApiError(
      res.status,
      e?.code ?? "INTERNAL",
      e?.message ?? `The server answered ${res.status}.`,
      e?.details ?? null,
    );
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>("GET", path);

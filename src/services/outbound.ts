/**
 * Requests the server makes to addresses someone else chose (SSO discovery today; webhooks
 * and data sources later). Such a URL could point Okra at its own machine, the cloud's
 * metadata service or the office network, so every request goes through this guard:
 *
 * - only `http:` and `https:`;
 * - the host is resolved (every address) and refused when ANY of them is not a public
 *   unicast address — loopback, unspecified, link-local, private (RFC 1918), carrier-grade
 *   NAT, unique-local, multicast, broadcast, documentation or otherwise reserved, and the
 *   IPv4-mapped IPv6 forms of those — unless the instance allows private addresses
 *   (`OKRA_ALLOW_PRIVATE_URLS=true`; multicast, broadcast and unspecified stay refused);
 * - the connection goes to the address that was checked (the socket's `lookup` answers it),
 *   so a second DNS answer cannot switch it to another one (DNS rebinding);
 * - redirects are never followed, the answer is capped in size, and the whole request has
 *   one fixed deadline;
 * - every failure is one `OutboundError` with the same message, whatever went wrong, so an
 *   answer cannot tell a closed port from a refused address.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import ipaddr from "ipaddr.js";

/** What the instance allows outbound requests to reach. */
export interface OutboundPolicy {
  /** Also loopback, private, link-local, unique-local and carrier-grade NAT addresses. */
  allowPrivate: boolean;
}

export interface OutboundOptions extends OutboundPolicy {
  /** The deadline of the whole request (DNS, connection, answer), in ms. */
  timeoutMs?: number;
  /** The largest answer body accepted, in bytes. */
  maxBytes?: number;
  /** Resolves a host name to all its addresses (tests replace it). */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
}

/** The default deadline of an outbound request. */
export const OUTBOUND_TIMEOUT_MS = 5_000;
/** The default cap on an answer's body. */
export const OUTBOUND_MAX_BYTES = 1_048_576;

/** Why a request failed: for the server's own diagnosis only, never for the caller's answer. */
export type OutboundFailure = "scheme" | "address" | "dns" | "connection" | "timeout" | "size";

/** Any failure of an outbound request. The message is the same for every reason. */
export class OutboundError extends Error {
  constructor(
    readonly url: string,
    readonly reason: OutboundFailure,
  ) {
    super(`${url} could not be reached`);
    this.name = "OutboundError";
  }
}

/** Ranges refused even when private addresses are allowed: none of them names one server. */
const NEVER = new Set(["unspecified", "multicast", "broadcast"]);
/** IPv6 global unicast (2000::/3); everything else unlisted by ipaddr.js is not a public host. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * The range an IP address (v4 or v6, without brackets) falls in: "public" for a global
 * unicast address, else the name ipaddr.js gives it ("loopback", "private", "linkLocal",
 * "carrierGradeNat", "uniqueLocal", "unspecified", "multicast", "broadcast", "reserved",
 * "6to4", "teredo", "rfc6052", …). An IPv4-mapped IPv6 address is classified as its IPv4
 * address. Throws TypeError for a string that is not an IP address.
 */
export function addressRange(address: string): string {
  if (net.isIP(address) === 0) throw new TypeError(`${JSON.stringify(address)} is not an IP address`);
  let ip = ipaddr.parse(address);
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range !== "unicast") return range;
  if (ip.kind() === "ipv6" && !ip.match(GLOBAL_UNICAST_V6)) return "reserved";
  return "public";
}

/** Whether the policy lets a request connect to `address` (an IP address). */
export function isAllowedAddress(address: string, policy: OutboundPolicy): boolean {
  let range: string;
  try {
    range = addressRange(address);
  } catch {
    return false;
  }
  return range === "public" || (policy.allowPrivate && !NEVER.has(range));
}

const systemLookup = (host: string) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * The address a request to `url` may connect to: the host's first address, once every
 * address it resolves to passed the policy. Throws OutboundError otherwise.
 */
export async function resolveAllowed(
  url: URL,
  opts: OutboundPolicy & Pick<OutboundOptions, "lookup">,
): Promise<{ address: string; family: 4 | 6 }> {
  const shown = url.href;
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundError(shown, "scheme");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let found: { address: string; family: number }[];
  if (net.isIP(host)) {
    found = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      found = await (opts.lookup ?? systemLookup)(host);
    } catch {
      throw new OutboundError(shown, "dns");
    }
  }
  const first = found[0];
  if (!first) throw new OutboundError(shown, "dns");
  // Any refused address refuses the host: the connection must not depend on which one comes first.
  if (found.some((a) => !isAllowedAddress(a.address, opts))) throw new OutboundError(shown, "address");
  return { address: first.address, family: net.isIP(first.address) === 6 ? 6 : 4 };
}

/** What the guarded fetch accepts: the subset of `fetch`'s options that server-side callers use. */
export interface OutboundInit {
  method?: string;
  headers?: Record<string, string> | Headers | [string, string][];
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null;
  signal?: AbortSignal | null;
  /** Redirects are never followed: a 3xx answer is returned as it is. */
  redirect?: "manual";
  duplex?: "half";
}

export type OutboundFetch = (url: string | URL, init?: OutboundInit) => Promise<Response>;

function requestBody(body: OutboundInit["body"]): Buffer | string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("outbound requests do not stream their body");
}

/** Races `promise` against the signal's abort. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/**
 * A `fetch` that goes only where the policy allows, connects to the address it checked, never
 * follows redirects, caps the answer and gives up after one deadline. Every failure rejects
 * with an OutboundError (the same message whatever the reason); an HTTP error status is an
 * answer, not a failure.
 */
export function createOutboundFetch(opts: OutboundOptions): OutboundFetch {
  const timeoutMs = opts.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? OUTBOUND_MAX_BYTES;
  return async (input, init = {}) => {
    const url = new URL(String(input));
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const failed = (reason: OutboundFailure) => new OutboundError(url.href, reason);
    let target: { address: string; family: 4 | 6 };
    try {
      target = await abortable(resolveAllowed(url, opts), signal);
    } catch (err) {
      throw err instanceof OutboundError ? err : failed("timeout");
    }
    const body = requestBody(init.body);
    const headers: Record<string, string> = {};
    new Headers(init.headers ?? {}).forEach((value, name) => {
      headers[name] = value;
    });
    const client = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = client.request(url, {
        method: init.method ?? "GET",
        headers,
        signal,
        agent: false,
        // The checked address, whatever the resolver would answer now (IP literals skip this).
        lookup: ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
          if (options.all) cb(null, [{ address: target.address, family: target.family }]);
          else cb(null, target.address, target.family);
        }) as unknown as net.LookupFunction,
      });
      req.on("error", () => reject(failed(signal.aborted ? "timeout" : "connection")));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            reject(failed("size"));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", () => reject(failed(signal.aborted ? "timeout" : "connection")));
        res.on("end", () => {
          const answerHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            answerHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          }
          const status = res.statusCode ?? 0;
          try {
            const empty = status === 204 || status === 205 || status === 304;
            resolve(
              new Response(empty ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? "",
                headers: answerHeaders,
              }),
            );
          } catch {
            reject(failed("connection"));
          }
        });
      });
      req.end(body);
    });
  };
}

/**
 * Checks made on every HTTP request before it reaches MCP: DNS-rebinding
 * protection (Host and Origin), the per-token rate limit, and the body cap.
 */

/** Loopback names, accepted on any port: SSH tunnels change the port. */
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The host name of a Host header value ("name:port", "[v6]:port"), lowercased. */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Which Host and Origin host names are accepted: the loopback names and the
 * names given (the --host address when it is not a wildcard, and
 * PBS_MCP_HTTP_ALLOWED_HOSTS).
 */
export class HostPolicy {
  readonly #allowed: Set<string>;

  constructor(extraHosts: string[]) {
    const extra = extraHosts.map((h) => h.includes(":") && !h.startsWith("[") ? `[${h}]` : h)
      .map((h) => h.toLowerCase());
    this.#allowed = new Set([...LOOPBACK_HOSTNAMES, ...extra]);
  }

  /** Why the Host header is refused, or undefined when it is accepted. */
  checkHost(host: string | null): string | undefined {
    if (host === null) return "missing Host header";
    const name = hostnameOf(host);
    return name !== undefined && this.#allowed.has(name) ? undefined : `Host "${host}" not allowed`;
  }

  /** Why the Origin header is refused (absent is fine: not a browser). */
  checkOrigin(origin: string | null): string | undefined {
    if (origin === null) return undefined;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `Origin "${origin}" not allowed`;
    }
    const webScheme = url.protocol === "http:" || url.protocol === "https:";
    return webScheme && this.#allowed.has(url.hostname.toLowerCase())
      ? undefined
      : `Origin "${origin}" not allowed`;
  }
}

/**
 * A token bucket per key: `perMinute` requests at once, refilled at
 * `perMinute` per minute.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly perMinute: number, readonly now: () => number = Date.now) {}

  /** Takes one request; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  }
}

/**
 * Reads a request body up to `max` bytes; undefined when it is larger (by its
 * declared Content-Length or while streaming). The stream is cancelled then,
 * so an oversized body is never held in memory.
 */
export async function readCappedBody(
  request: Request,
  max: number,
): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) {
    await request.body?.cancel().catch(() => {});
    return undefined;
  }
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

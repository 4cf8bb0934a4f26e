/**
 * The Streamable HTTP transport: MCP at `/mcp`, served by Deno.serve on TCP
 * (optionally TLS) or on a Unix socket.
 *
 * Every request passes, in this order: Host and Origin (403), then for `/mcp`
 * the bearer token (401), the per-token rate limit (429), the body cap (413);
 * only then does MCP see it. None of these checks touches PBS. `GET /healthz`
 * answers after the Host/Origin check alone; `/.well-known/*` (OAuth
 * discovery) answers 404, since static tokens have no authorization server.
 *
 * Both protocol generations are served at the same URL. 2025-era clients
 * (`initialize`, then Mcp-Session-Id) get a session with its own McpServer from
 * the factory: elicitation (a server-to-client request) and notifications need
 * one. 2026-07-28 requests carry everything in their own `_meta` and are
 * served statelessly, each by a fresh McpServer (the SDK's createMcpHandler);
 * the SDK's own classifier (isLegacyRequest) picks the leg. The caller is the
 * token's name, in `ctx.http.authInfo.clientId` of every handler (see
 * http_auth.ts).
 */
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { Logger } from "../mcp/logger.ts";
import { authInfoFor, type TokenVerifier } from "./http_auth.ts";
import type { HttpLimits } from "./http_config.ts";
import { type HostPolicy, RateLimiter, readCappedBody } from "./http_guard.ts";
import { SessionTable } from "./http_sessions.ts";

export const MCP_PATH = "/mcp";
export const HEALTH_PATH = "/healthz";

export interface HttpHandlerOptions {
  /** A fresh server per session. */
  factory: () => McpServer;
  verifier: TokenVerifier;
  hosts: HostPolicy;
  limits: HttpLimits;
  logger: Logger;
  /** Clock of the rate limiter and session expiry (tests). */
  now?: () => number;
}

export interface HttpHandler {
  fetch(request: Request, remote?: string): Promise<Response>;
  readonly sessionCount: number;
  close(): void;
}

/** An error answer in JSON-RPC shape, as the SDK's transport gives its own. */
function refuse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message }, id: null },
    { status, headers },
  );
}

const NO_OAUTH = "This server uses static bearer tokens and has no OAuth authorization server: " +
  "send the token as `Authorization: Bearer <token>` (see the README section HTTP).";

export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const { factory, verifier, hosts, limits, logger } = options;
  const now = options.now ?? Date.now;
  const sessions = new SessionTable(limits.sessionIdleMs, logger, now);
  const rate = new RateLimiter(limits.ratePerMinute, now);
  // 2026-07-28 requests: one fresh server per request, no session. 2025 requests
  // never reach it (they go to the sessions below), hence `legacy: "reject"`.
  const modern = createMcpHandler(() => factory(), {
    legacy: "reject",
    maxRequestBodySize: limits.maxBodyBytes,
    onerror: (error) => logger.debug("MCP request error", { error: error.message.slice(0, 500) }),
  });

  async function openSession(caller: string): Promise<WebStandardStreamableHTTPServerTransport> {
    const server = factory();
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        maxRequestBodySize: limits.maxBodyBytes,
        onsessioninitialized: (id: string) => {
          sessions.add({ id, owner: caller, server, transport, lastSeen: now() });
          logger.info("HTTP session opened", { session: id, caller });
        },
        onsessionclosed: (id: string) => sessions.close(id, "closed by the client"),
      });
    await server.connect(transport);
    return transport;
  }

  async function serveMcp(request: Request, caller: string): Promise<Response> {
    const authInfo = authInfoFor(caller);
    const sessionId = request.headers.get("mcp-session-id");
    let parsedBody: unknown;
    if (request.method === "POST") {
      const body = await readCappedBody(request, limits.maxBodyBytes);
      if (body === undefined) {
        return refuse(413, `request body over ${limits.maxBodyBytes} bytes`);
      }
      try {
        parsedBody = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return Response.json(
          {
            jsonrpc: "2.0",
            error: { code: -32700, message: "Parse error: invalid JSON" },
            id: null,
          },
          { status: 400 },
        );
      }
    } else if (request.method !== "GET" && request.method !== "DELETE") {
      return refuse(405, "method not allowed", { Allow: "GET, POST, DELETE" });
    }
    if (sessionId !== null) {
      const session = sessions.use(sessionId, caller);
      if (session === undefined) {
        return Response.json(
          { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null },
          { status: 404 },
        );
      }
      return await session.transport.handleRequest(request, { parsedBody, authInfo });
    }
    if (request.method === "POST" && !await isLegacyRequest(request, parsedBody)) {
      return await modern.fetch(request, { parsedBody, authInfo });
    }
    const messages = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
    if (request.method !== "POST" || !messages.some(isInitializeRequest)) {
      return refuse(400, "Bad Request: Mcp-Session-Id header is required (initialize first)");
    }
    // Clients often leave without DELETE: rather than refuse new sessions
    // until idle ones expire, the least recently used one makes room (its
    // client gets 404 and initializes again, as the protocol prescribes).
    sessions.sweep();
    while (sessions.size >= limits.maxSessions) sessions.evictOldest();
    const transport = await openSession(caller);
    return await transport.handleRequest(request, { parsedBody, authInfo });
  }

  async function handle(request: Request, remote: string): Promise<Response> {
    const url = new URL(request.url);
    // HTTP/2 (negotiated over TLS) carries the host as :authority, which
    // Deno puts in the request URL rather than in a Host header.
    const host = request.headers.get("host") ?? url.host;
    const hostProblem = hosts.checkHost(host) ??
      hosts.checkOrigin(request.headers.get("origin"));
    if (hostProblem !== undefined) {
      logger.warn("HTTP request refused", { status: 403, why: hostProblem, remote });
      return refuse(403, `Forbidden: ${hostProblem}`);
    }
    if (url.pathname === HEALTH_PATH && request.method === "GET") {
      return Response.json({ status: "ok" });
    }
    if (url.pathname.startsWith("/.well-known/")) {
      return Response.json({ error: "not_found", error_description: NO_OAUTH }, { status: 404 });
    }
    if (url.pathname !== MCP_PATH) return refuse(404, `Not found: MCP is served at ${MCP_PATH}`);
    const caller = verifier.verify(request.headers.get("authorization"));
    if (caller === undefined) {
      const presented = request.headers.has("authorization");
      logger.warn("HTTP request refused", {
        status: 401,
        why: presented ? "wrong token" : "no token",
        remote,
      });
      return refuse(401, `Unauthorized: ${NO_OAUTH}`, {
        "WWW-Authenticate": presented
          ? 'Bearer realm="pbs-mcp", error="invalid_token"'
          : 'Bearer realm="pbs-mcp"',
      });
    }
    const wait = rate.take(caller);
    if (wait > 0) {
      logger.warn("HTTP request refused", { status: 429, why: "rate limit", caller, remote });
      return refuse(
        429,
        `Too many requests: over ${limits.ratePerMinute} per minute; retry in ${wait} s ` +
          "(PBS_MCP_HTTP_RATE_LIMIT sets the limit)",
        { "Retry-After": String(wait) },
      );
    }
    return await serveMcp(request, caller);
  }

  return {
    fetch: async (request, remote = "") => {
      try {
        return await handle(request, remote);
      } catch (error) {
        logger.error("HTTP request failed", { error: String(error), remote });
        return refuse(500, "internal error");
      }
    },
    get sessionCount() {
      return sessions.size;
    },
    close: () => {
      sessions.closeAll("server shutting down");
      modern.close().catch(() => {});
    },
  };
}

export type Listen =
  | { kind: "tcp"; hostname: string; port: number; tls?: { cert: string; key: string } }
  | { kind: "unix"; path: string };

export interface HttpServer {
  /** Where clients connect: http(s)://host:port/mcp, or unix:PATH. */
  readonly url: string;
  readonly port?: number;
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}

/** True when something already listens on the Unix socket at `path`. */
async function socketInUse(path: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Clears the way for a Unix socket at `path`: a stale socket is removed; a
 * live one, or any other kind of file, is refused.
 */
async function prepareSocketPath(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isSocket) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketInUse(path)) throw new Error(`another server is listening on ${path}`);
  await Deno.remove(path);
}

/**
 * Listens on a Unix socket readable and writable by this user only: the
 * socket is created under umask 0177, so it is 0600 from the moment it
 * exists (chmod afterwards would leave a window for another user to
 * connect). Deno.umask needs `--allow-sys` (or `--allow-sys=umask`).
 */
function serveUnix(
  path: string,
  handler: (request: Request, info: Deno.ServeHandlerInfo<Deno.Addr>) => Promise<Response>,
  signal: AbortSignal,
): Deno.HttpServer<Deno.Addr> {
  let previous: number;
  try {
    previous = Deno.umask(0o177);
  } catch (error) {
    throw new Error(
      `cannot create a private socket: ${(error as Error).message} (grant --allow-sys=umask)`,
    );
  }
  try {
    return Deno.serve({ path, transport: "unix", signal, onListen: () => {} }, handler);
  } finally {
    Deno.umask(previous);
  }
}

export async function serveHttp(
  handler: HttpHandler,
  listen: Listen,
  logger: Logger,
): Promise<HttpServer> {
  const abort = new AbortController();
  const serveOne = (request: Request, info: Deno.ServeHandlerInfo<Deno.Addr>) => {
    const remote = info.remoteAddr.transport === "unix"
      ? "unix"
      : `${(info.remoteAddr as Deno.NetAddr).hostname}:${(info.remoteAddr as Deno.NetAddr).port}`;
    return handler.fetch(request, remote);
  };
  let server: Deno.HttpServer<Deno.Addr>;
  let url: string;
  let port: number | undefined;
  let cleanup = async () => {};
  if (listen.kind === "unix") {
    await prepareSocketPath(listen.path);
    server = serveUnix(listen.path, serveOne, abort.signal);
    url = `unix:${listen.path}`;
    cleanup = async () => {
      await Deno.remove(listen.path).catch(() => {});
    };
  } else {
    const tcp = Deno.serve({
      hostname: listen.hostname,
      port: listen.port,
      signal: abort.signal,
      onListen: () => {},
      ...(listen.tls ?? {}),
    }, serveOne);
    server = tcp;
    port = tcp.addr.port;
    const host = listen.hostname.includes(":") ? `[${listen.hostname}]` : listen.hostname;
    url = `${listen.tls ? "https" : "http"}://${host}:${port}${MCP_PATH}`;
  }
  logger.info("serving MCP over HTTP", { url });
  const finished = server.finished.then(async () => {
    handler.close();
    await cleanup();
  });
  return {
    url,
    port,
    finished,
    shutdown: async () => {
      handler.close();
      abort.abort();
      await finished;
    },
  };
}

/**
 * Helpers of the HTTP tests: the server on a real listener over the
 * simulator with a counting runner, and a token-adding proxy.
 */
import http from "node:http";
import { Readable } from "node:stream";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { silentLogger } from "../../src/mcp/logger.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import type { ToolExtra } from "../../src/mcp/tool_kit.ts";
import type { Runner, RunOptions, RunResult } from "../../src/pbs/runner.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import {
  createHttpHandler,
  type HttpServer,
  type Listen,
  serveHttp,
} from "../../src/transports/http.ts";
import { type HttpToken, TokenVerifier } from "../../src/transports/http_auth.ts";
import type { HttpLimits } from "../../src/transports/http_config.ts";
import { HostPolicy } from "../../src/transports/http_guard.ts";

export const ALICE: HttpToken = { name: "alice-laptop", token: "alice-0123456789abcdef0123456789" };
export const BOB: HttpToken = { name: "bob-laptop", token: "bob-0123456789abcdef0123456789ab" };

export const TEST_LIMITS: HttpLimits = {
  maxBodyBytes: 64 * 1024,
  ratePerMinute: 1000,
  sessionIdleMs: 60_000,
  maxSessions: 8,
};

/** Every argv that reached PBS (here: the simulator). */
export class CountingRunner implements Runner {
  readonly argvs: string[][] = [];
  constructor(readonly inner: Runner) {}
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.argvs.push([...argv]);
    return this.inner.run(argv, options);
  }
}

export interface TestServer {
  server: HttpServer;
  runner: CountingRunner;
  /** Moves the handler's clock (rate limit and session expiry). */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** A tool added to each session's server, to observe what a handler receives. */
export interface ExtraTool {
  name: string;
  run(extra: ToolExtra): Record<string, unknown>;
}

export async function startTestServer(
  options: { limits?: Partial<HttpLimits>; listen?: Listen; extraTool?: ExtraTool } = {},
): Promise<TestServer> {
  const outputDir = await Deno.makeTempDir({ prefix: "pbs-mcp-http-" });
  const complex = createScenario("tiny", { seed: 1, outputDir });
  const runner = new CountingRunner(new SimRunner({ complex, user: "alice" }));
  const config = { ...loadConfig({}), cacheTtlMs: 0, allowedDirs: [outputDir] };
  const pbs = new PbsClient({ runner, user: "alice", config });
  let offset = 0;
  const handler = createHttpHandler({
    factory: () => {
      const server = createMcpServer(pbs, silentLogger);
      const extra = options.extraTool;
      if (extra) {
        server.registerTool(extra.name, { description: "test probe" }, (toolExtra: ToolExtra) => {
          const seen = extra.run(toolExtra);
          return {
            content: [{ type: "text", text: JSON.stringify(seen) }],
            structuredContent: seen,
          };
        });
      }
      return server;
    },
    verifier: new TokenVerifier([ALICE, BOB]),
    hosts: new HostPolicy([]),
    limits: { ...TEST_LIMITS, ...options.limits },
    logger: silentLogger,
    now: () => Date.now() + offset,
  });
  let server: HttpServer;
  try {
    server = await serveHttp(
      handler,
      options.listen ?? { kind: "tcp", hostname: "127.0.0.1", port: 0 },
      silentLogger,
    );
  } catch (error) {
    handler.close();
    await Deno.remove(outputDir, { recursive: true });
    throw error;
  }
  return {
    server,
    runner,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      await server.shutdown();
      await Deno.remove(outputDir, { recursive: true });
    },
  };
}

/**
 * A reverse proxy on 127.0.0.1 that adds `Authorization: Bearer <token>` and
 * passes everything else, Host and Origin included, through unchanged
 * (node:http, since fetch() replaces a Host header).
 */
export function startTokenProxy(
  target: { hostname: string; port: number },
  token: string,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    headers["authorization"] = `Bearer ${token}`;
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    return await new Promise<Response>((resolve, reject) => {
      const forwarded = http.request({
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: url.pathname + url.search,
        headers,
      }, (response) => {
        const out = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && name !== "transfer-encoding" && name !== "connection") {
            out.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
        }
        const status = response.statusCode ?? 502;
        const stream = status === 204 || status === 304 || request.method === "HEAD"
          ? null
          : Readable.toWeb(response) as ReadableStream<Uint8Array>;
        resolve(new Response(stream, { status, headers: out }));
      });
      forwarded.on("error", reject);
      forwarded.end(body);
    });
  });
}

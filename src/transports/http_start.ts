/**
 * HTTP mode of main.ts: reads the tokens and limits, starts the listener and
 * serves until SIGINT or SIGTERM. Refuses to start without a token.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import type { HttpListenOptions } from "../cli_args.ts";
import type { Logger } from "../mcp/logger.ts";
import { createHttpHandler, type Listen, serveHttp } from "./http.ts";
import { loadTokens, TokenVerifier } from "./http_auth.ts";
import { loadHttpEnv } from "./http_config.ts";
import { HostPolicy } from "./http_guard.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/** Serves until a signal; returns the exit code (2 when it cannot start). */
export async function runHttp(
  options: HttpListenOptions,
  factory: () => McpServer,
  logger: Logger,
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<number> {
  let listen: Listen;
  let verifier: TokenVerifier;
  let env;
  try {
    env = loadHttpEnv(getEnv);
    verifier = new TokenVerifier(await loadTokens({ file: env.tokensFile, token: env.token }));
    listen = options.kind === "unix" ? options : {
      kind: "tcp",
      hostname: options.hostname,
      port: options.port,
      tls: options.cert !== undefined && options.key !== undefined
        ? { cert: await Deno.readTextFile(options.cert), key: await Deno.readTextFile(options.key) }
        : undefined,
    };
  } catch (error) {
    console.error(`cannot start HTTP mode: ${error instanceof Error ? error.message : error}`);
    return 2;
  }
  const loopback = new Set(["127.0.0.1", "::1", "localhost"]);
  if (listen.kind === "tcp" && !loopback.has(listen.hostname) && listen.tls === undefined) {
    logger.warn(
      "listening beyond loopback without TLS: tokens and results cross the network in clear; " +
        "prefer 127.0.0.1 with an SSH tunnel, or --cert/--key",
      { host: listen.hostname },
    );
  }
  const ownHost = listen.kind === "tcp" && !WILDCARDS.has(listen.hostname) ? [listen.hostname] : [];
  const handler = createHttpHandler({
    factory,
    verifier,
    hosts: new HostPolicy([...ownHost, ...env.extraHosts]),
    limits: env.limits,
    logger,
  });
  let server;
  try {
    server = await serveHttp(handler, listen, logger);
  } catch (error) {
    handler.close();
    console.error(`cannot listen: ${error instanceof Error ? error.message : error}`);
    return 2;
  }
  console.error(`pbs-mcp serving MCP at ${server.url}`);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const stop = () => {
    logger.info("shutting down");
    server.shutdown().catch(() => {});
  };
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  return 0;
}

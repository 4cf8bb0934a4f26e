/**
 * The stdio transport: the MCP protocol on stdin/stdout, logs on stderr.
 */
import process from "node:process";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../mcp/logger.ts";

/**
 * Serves until the client goes away. The SDK's stdio transport does not watch
 * for end of input, so a client closing our stdin (the normal way to stop a
 * stdio server) is caught here, as are SIGINT and SIGTERM.
 */
export async function serveStdio(server: McpServer, logger: Logger): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  const shutdown = (why: string) => {
    logger.info("shutting down", { why });
    server.close().catch(() => {});
  };
  process.stdin.once("end", () => shutdown("stdin closed"));
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handlers = signals.map((signal) => {
    const handler = () => shutdown(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  await server.connect(transport);
  logger.info("serving MCP on stdio");
  await closed;
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
}

/**
 * The stdio transport: the MCP protocol on stdin/stdout, logs on stderr.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../mcp/logger.ts";

/** Serves until stdin closes; resolves when the transport has closed. */
export async function serveStdio(server: McpServer, logger: Logger): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  logger.info("serving MCP on stdio");
  await closed;
}

/**
 * The MCP server: the tools of the inventory (tools/inventory.ts) that this
 * mode offers, every resource and prompt, registered over one PbsClient. Transports (stdio in main.ts, in-memory in tests) connect to it.
 */
import { McpServer } from "@modelcontextprotocol/server";
import type { PbsClient } from "../service/pbs_client.ts";
import type { Logger } from "./logger.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { guardRequests } from "./request_guard.ts";
import { registerTool, type ToolContext } from "./tool_kit.ts";
import { selectTools, TOOL_INVENTORY } from "./tools/inventory.ts";

export const SERVER_NAME = "pbs-mcp";
export const SERVER_VERSION = "0.1.0";

/** What the model is told first; a read-only server offers no submit tool, so it does not name one. */
export function instructions(readOnly: boolean): string {
  return [
    "Tools for the PBS batch scheduler (OpenPBS / PBS Pro).",
    readOnly
      ? "This server is read-only: it shows jobs, queues and nodes but cannot submit or change anything."
      : "Submit with submit_job (dry_run first when unsure).",
    "Start with get_server_info or list_queues to learn the site; follow jobs with get_job_status, wait_for_job and get_job_output; ask diagnose_job why a job waits or failed.",
    "Lists are paginated: pass next_cursor back as cursor.",
  ].join("\n");
}

export function createMcpServer(client: PbsClient, logger: Logger): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { instructions: instructions(client.config.readOnly), capabilities: { logging: {} } },
  );
  const context: ToolContext = { client, logger };
  const { readOnly, toolsets, excludeTools } = client.config;
  for (const { tool } of selectTools(TOOL_INVENTORY, { readOnly, toolsets, excludeTools })) {
    registerTool(server, context, tool);
  }
  registerResources(server, context);
  registerPrompts(server, context);
  guardRequests(server);
  return server;
}

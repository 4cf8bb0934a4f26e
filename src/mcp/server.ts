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
import { ListenWatch, registerSubscriptions, type SubscriptionOptions } from "./subscriptions.ts";
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

export interface ServerOptions extends SubscriptionOptions {
  /** The protocol generation this instance serves (the SDK's entries say so). */
  era?: "legacy" | "modern";
  /**
   * A 2026-07-28 instance declares `resources.subscribe` only when its
   * transport follows `subscriptions/listen` streams (a ListenWatch: see
   * serverFactory); otherwise the SDK would acknowledge URIs nobody watches.
   */
  listens?: boolean;
}

/**
 * Builds a server for one connection, session or request of the given era;
 * `watchListens` gives a transport what follows the 2026-07-28 listen
 * streams it serves.
 */
export type ServerFactory = ((context?: { era?: "legacy" | "modern" }) => McpServer) & {
  watchListens?: (publish: (uri: string) => Promise<void> | void) => ListenWatch;
};

/** The factory main.ts hands to the transports (and the tests to theirs). */
export function serverFactory(
  client: PbsClient,
  logger: Logger,
  options: SubscriptionOptions = {},
): ServerFactory {
  return Object.assign(
    (context?: { era?: "legacy" | "modern" }) =>
      createMcpServer(client, logger, { ...options, era: context?.era, listens: true }),
    {
      watchListens: (publish: (uri: string) => Promise<void> | void) =>
        new ListenWatch(client, logger, publish, options),
    },
  );
}

export function createMcpServer(
  client: PbsClient,
  logger: Logger,
  options: ServerOptions = {},
): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { instructions: instructions(client.config.readOnly), capabilities: { logging: {} } },
  );
  const context: ToolContext = { client, logger };
  const { readOnly, toolsets, excludeTools } = client.config;
  const allocation = client.profile?.allocation !== undefined;
  const selection = { readOnly, toolsets, excludeTools, allocation };
  for (const { tool } of selectTools(TOOL_INVENTORY, selection)) {
    registerTool(server, context, tool);
  }
  registerResources(server, context);
  if (options.era !== "modern") {
    registerSubscriptions(server, client, logger, options);
  } else if (options.listens) {
    server.server.registerCapabilities({ resources: { subscribe: true } });
  }
  registerPrompts(server, context);
  guardRequests(server);
  return server;
}

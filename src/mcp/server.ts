/**
 * The MCP server: the tools of the inventory (tools/inventory.ts) that this
 * mode offers, every resource and prompt, registered over one PbsClient. Transports (stdio in main.ts, in-memory in tests) connect to it.
 */
import { McpServer } from "@modelcontextprotocol/server";
import { ClusterSet } from "../service/cluster_set.ts";
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
export function instructions(readOnly: boolean, clusters?: ClusterSet): string {
  return [
    ...(clusters?.several
      ? [
        `This server serves the PBS clusters ${clusters.names.join(", ")}; every other tool ` +
        `than list_clusters (which shows each one's health) takes cluster (default ${clusters.default.name}).`,
      ]
      : []),
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

/** One PbsClient serves as a set of one cluster. */
function asSet(served: PbsClient | ClusterSet): ClusterSet {
  return served instanceof ClusterSet ? served : ClusterSet.of(served);
}

/** The factory main.ts hands to the transports (and the tests to theirs). */
export function serverFactory(
  served: PbsClient | ClusterSet,
  logger: Logger,
  options: SubscriptionOptions = {},
): ServerFactory {
  const clusters = asSet(served);
  return Object.assign(
    (context?: { era?: "legacy" | "modern" }) =>
      createMcpServer(clusters, logger, { ...options, era: context?.era, listens: true }),
    {
      watchListens: (publish: (uri: string) => Promise<void> | void) =>
        new ListenWatch(clusters, logger, publish, options),
    },
  );
}

/**
 * One server over the clusters served. Global settings (read-only mode,
 * toolsets, confirmation) are the default cluster's: every cluster shares
 * them (config_file.ts).
 */
export function createMcpServer(
  served: PbsClient | ClusterSet,
  logger: Logger,
  options: ServerOptions = {},
): McpServer {
  const clusters = asSet(served);
  const client = clusters.default.client;
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions: instructions(client.config.readOnly, clusters),
      capabilities: { logging: {} },
    },
  );
  const context: ToolContext = { client, logger, clusters };
  const { readOnly, toolsets, excludeTools } = client.config;
  const allocation = clusters.all.some((c) => c.client.profile?.allocation !== undefined);
  const selection = { readOnly, toolsets, excludeTools, allocation, several: clusters.several };
  for (const { tool } of selectTools(TOOL_INVENTORY, selection)) {
    registerTool(server, context, tool);
  }
  registerResources(server, context);
  if (options.era !== "modern") {
    registerSubscriptions(server, clusters, logger, options);
  } else if (options.listens) {
    server.server.registerCapabilities({ resources: { subscribe: true } });
  }
  registerPrompts(server, context);
  guardRequests(server);
  return server;
}

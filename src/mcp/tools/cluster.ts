/**
 * The cluster tools: queues, nodes, the server, and who the caller is to PBS.
 * All are read-only; each is a thin adapter over PbsClient, and
 * views/ (nodes.ts, queues.ts, server.ts) decides what of the answer is shown.
 */
import { z } from "zod";
import type { Node } from "../../pbs/model/types.ts";
import { continuationHint, paginate, PaginationOutput } from "../pagination.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import {
  nodeBucket,
  nodeRow,
  NodeRowShape,
  NodeSummaryShape,
  nodeSummaryText,
  summarizeNodes,
} from "../views/nodes.ts";
import { queueLine, queueView, QueueViewShape } from "../views/queues.ts";
import {
  MetricsShape,
  metricsView,
  serverText,
  serverView,
  ServerViewShape,
} from "../views/server.ts";

/** Page size caps: a node row is ~90 characters, so 200 rows stay well inside the budget. */
const MAX_NODE_LIMIT = 200;
const MAX_QUEUE_LIMIT = 100;

// ---------------------------------------------------------------------------
// list_queues

export const listQueues = defineTool({
  name: "list_queues",
  title: "List queues",
  description:
    "Lists the queues: type (execution, or route to destinations), enabled (accepts jobs), " +
    "started (runs them), jobs by state, limits (min/max walltime and nodes, max ncpus, run " +
    "limits), defaults, user ACL, reservation queues marked. A job must fit a queue's " +
    "limits: pick one before submitting.",
  input: {
    queue: s.queue.optional().describe("Only this queue"),
    limit: s.boundedInt("limit", 1, MAX_QUEUE_LIMIT, 50).default(50),
    cursor: z.string().optional(),
  },
  output: {
    queues: z.array(QueueViewShape),
    default_queue: z.string().optional(),
    ...PaginationOutput,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const [queues, reservations, info] = await Promise.all([
      args.queue ? client.queue(args.queue).then((q) => [q]) : client.queues(),
      client.reservations().catch(() => []),
      client.server().catch(() => undefined),
    ]);
    const reservationQueues = new Set(reservations.flatMap((r) => r.queue ? [r.queue] : []));
    const views = queues.map((q) => queueView(q, reservationQueues));
    const page = paginate(views, args.limit, args.cursor, { queue: args.queue });
    const lines = page.items.map(queueLine);
    lines.push(continuationHint(page, "queues"));
    if (info?.defaultQueue) lines.unshift(`Default queue: ${info.defaultQueue}`);
    return {
      structured: {
        queues: page.items,
        default_queue: info?.defaultQueue,
        total: page.total,
        returned: page.items.length,
        next_cursor: page.nextCursor,
      },
      text: lines.join("\n"),
    };
  },
});

// ---------------------------------------------------------------------------
// list_nodes

const NODE_FILTERS = ["free", "busy", "offline", "down", "all"] as const;
type NodeFilter = typeof NODE_FILTERS[number];

function filterNodes(nodes: readonly Node[], filter: NodeFilter): Node[] {
  return filter === "all" ? [...nodes] : nodes.filter((n) => nodeBucket(n) === filter);
}

export const listNodes = defineTool({
  name: "list_nodes",
  title: "List nodes",
  description:
    "Shows a cluster summary (nodes by state, cpus/gpus total and free), then one row per " +
    "node: name, state, cpus and gpus free/total, jobs, comment (why it is offline). " +
    "state_filter: free (room for work), busy, offline (by an admin), down (unreachable) or " +
    "all. Paged: pass next_cursor as cursor. pbs://node/{node_name} shows one node.",
  input: {
    state_filter: z.enum(NODE_FILTERS, {
      error: "state_filter must be one of free, busy, offline, down, all.",
    }).default("all"),
    limit: s.boundedInt("limit", 1, MAX_NODE_LIMIT, 50).default(50),
    cursor: z.string().optional(),
    summary_only: z.boolean().default(false),
  },
  output: {
    summary: NodeSummaryShape,
    state_filter: z.string(),
    nodes: z.array(NodeRowShape),
    ...PaginationOutput,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const all = await client.nodes();
    const summary = summarizeNodes(all);
    const matching = filterNodes(all, args.state_filter);
    const lines = [nodeSummaryText(summary)];
    if (args.summary_only) {
      return {
        structured: {
          summary,
          state_filter: args.state_filter,
          nodes: [],
          total: matching.length,
          returned: 0,
        },
        text: lines.join("\n"),
      };
    }
    const page = paginate(matching, args.limit, args.cursor, { state: args.state_filter });
    const rows = page.items.map(nodeRow);
    lines.push(
      continuationHint(
        page,
        `${args.state_filter === "all" ? "" : `${args.state_filter} `}nodes`,
      ),
    );
    return {
      structured: {
        summary,
        state_filter: args.state_filter,
        nodes: rows,
        total: page.total,
        returned: rows.length,
        next_cursor: page.nextCursor,
      },
      text: lines.join("\n"),
    };
  },
});

// ---------------------------------------------------------------------------
// get_server_info

export const getServerInfo = defineTool({
  name: "get_server_info",
  title: "PBS server information",
  description:
    "Describes the PBS server: version, state, default queue, whether scheduling is on " +
    "(off: no job starts), how long finished jobs stay visible, job counts by state; and " +
    "this MCP server's own tool calls, PBS commands and cache hits. A good first call.",
  input: {},
  output: {
    server: ServerViewShape,
    read_only: z.boolean(),
    metrics: MetricsShape,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { client }) {
    const view = serverView(await client.server());
    const metrics = metricsView(client.metrics.snapshot(client.cacheStats()));
    const calls = Object.values(metrics.tool_calls).reduce((n, t) => n + t.calls, 0);
    const commands = Object.values(metrics.pbs_commands).reduce((n, t) => n + t.calls, 0);
    const text = [
      serverText(view),
      `This MCP server: ${calls} tool calls, ${commands} PBS commands since ${metrics.started_at}${
        client.config.readOnly ? " (read-only mode)" : ""
      }`,
    ].join("\n");
    return {
      structured: { server: view, read_only: client.config.readOnly, metrics },
      text,
    };
  },
});

// ---------------------------------------------------------------------------
// check_privileges

export const checkPrivileges = defineTool({
  name: "check_privileges",
  title: "Check PBS privileges",
  description:
    "Tells who you are to PBS: user name, role (user, operator or manager) and what it " +
    "allows or not; read_only says this MCP server offers queries only. Use it to explain " +
    "a permission_denied error.",
  input: {},
  output: {
    user: z.string(),
    role: z.enum(["user", "operator", "manager"]),
    allowed: z.array(z.string()),
    not_allowed: z.array(z.string()),
    managers: z.array(z.string()),
    operators: z.array(z.string()),
    read_only: z.boolean(),
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { client }) {
    const id = await client.identity();
    const text = [
      `You are ${id.user}, a PBS ${id.role}${
        client.config.readOnly ? " (this MCP server is read-only)" : ""
      }.`,
      `Allowed: ${id.allowed.join("; ")}.`,
      id.notAllowed.length ? `Not allowed: ${id.notAllowed.join("; ")}.` : "",
    ].filter((l) => l !== "").join("\n");
    return {
      structured: {
        user: id.user,
        role: id.role,
        allowed: id.allowed,
        not_allowed: id.notAllowed,
        managers: id.managers.slice(0, 50),
        operators: id.operators.slice(0, 50),
        read_only: client.config.readOnly,
      },
      text,
    };
  },
});

/**
 * The cluster tools: queues, nodes, the server, and who the caller is to PBS.
 * All are read-only; each is a thin adapter over PbsClient, and
 * views/ (nodes.ts, queues.ts, server.ts) decides what of the answer is shown.
 */
import { z } from "zod";
import type { Node } from "../../pbs/model/types.ts";
import {
  continuationHint,
  pageOfRows,
  paginate,
  PaginationOutput,
  type RowBudget,
} from "../pagination.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import {
  NODE_LINE_HEADER,
  nodeBucket,
  nodeLine,
  nodeRow,
  NodeRowShape,
  NodeSummaryShape,
  nodeSummaryText,
  summarizeNodes,
} from "../views/nodes.ts";
import { queueLine, queueView, QueueViewShape } from "../views/queues.ts";
import {
  MetricsShape,
  metricsText,
  metricsView,
  serverText,
  serverView,
  ServerViewShape,
} from "../views/server.ts";

/** Which PBS installation answers, in get_server_info and check_privileges. */
const InstallationShape = z.object({
  /** PBS_EXEC, PATH, pbs.conf, simulator, not_found or unknown (src/pbs/runner.ts). */
  source: z.string(),
  description: z.string(),
  qstat: z.string().optional(),
});

/** Page size caps: a node row is ~90 characters of JSON and ~50 of text. */
const MAX_NODE_LIMIT = 200;
/**
 * Rows of one list_nodes page, per half (text, structured): the default page
 * of 50 stays under 8,000 characters in each half, and comments long enough
 * to break the 25,000-character answer cut the page instead.
 */
const NODE_ROWS_BUDGET: RowBudget = { perRow: 150, max: 11_500 };
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
    const [queues, reservationQueues, info] = await Promise.all([
      args.queue ? client.queue(args.queue).then((q) => [q]) : client.queues(),
      client.reservationQueues(),
      client.server().catch(() => undefined),
    ]);
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
    const page = pageOfRows(matching, {
      limit: args.limit,
      cursor: args.cursor,
      filter: { state: args.state_filter },
      row: nodeRow,
      line: nodeLine,
      budget: NODE_ROWS_BUDGET,
    });
    const noun = `${args.state_filter === "all" ? "" : `${args.state_filter} `}nodes`;
    lines.push(continuationHint(page, noun));
    if (page.items.length) lines.push(NODE_LINE_HEADER, ...page.lines);
    if (page.cut) {
      lines.push(`Page cut to ${page.items.length} rows to stay within the size limit.`);
    }
    return {
      structured: {
        summary,
        state_filter: args.state_filter,
        nodes: page.items,
        total: page.total,
        returned: page.items.length,
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
    "this MCP server's own tool calls, PBS commands, cache hits and which PBS installation " +
    "it runs. A good first call.",
  input: {},
  output: {
    server: ServerViewShape,
    read_only: z.boolean(),
    metrics: MetricsShape,
    installation: InstallationShape,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { client, clusters }) {
    const view = serverView(await client.server());
    const metrics = metricsView(client.metrics.snapshot(client.cacheStats()));
    const calls = Object.values(metrics.tool_calls).reduce((n, t) => n + t.calls, 0);
    const commands = Object.values(metrics.pbs_commands).reduce((n, t) => n + t.calls, 0);
    const installation = client.installation();
    const text = [
      serverText(view),
      // Metrics are kept per cluster (each has its own PbsClient).
      `This MCP server${clusters.several ? ", on this cluster" : ""}: ${calls} tool calls, ` +
      `${commands} PBS commands since ${metrics.started_at}${
        client.config.readOnly ? " (read-only mode)" : ""
      }`,
      `PBS installation: ${installation.description}`,
      metricsText(metrics),
    ].join("\n");
    return {
      structured: { server: view, read_only: client.config.readOnly, metrics, installation },
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
    "a permission_denied error; installation names the PBS in use.",
  input: {},
  output: {
    user: z.string(),
    role: z.enum(["user", "operator", "manager"]),
    allowed: z.array(z.string()),
    not_allowed: z.array(z.string()),
    managers: z.array(z.string()),
    operators: z.array(z.string()),
    read_only: z.boolean(),
    installation: InstallationShape,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { client }) {
    const id = await client.identity();
    const installation = client.installation();
    const managers = id.managers.slice(0, MAX_LISTED_ADMINS);
    const operators = id.operators.slice(0, MAX_LISTED_ADMINS);
    const text = [
      `You are ${id.user}, a PBS ${id.role}${
        client.config.readOnly ? " (this MCP server is read-only)" : ""
      }.`,
      `Allowed: ${id.allowed.join("; ")}.`,
      id.notAllowed.length ? `Not allowed: ${id.notAllowed.join("; ")}.` : "",
      `PBS installation: ${installation.description}.`,
      `Server managers (root always is one): ${listed(managers, id.managers.length)}; ` +
      `operators: ${listed(operators, id.operators.length)}.`,
    ].filter((l) => l !== "").join("\n");
    return {
      structured: {
        user: id.user,
        role: id.role,
        allowed: id.allowed,
        not_allowed: id.notAllowed,
        managers,
        operators,
        read_only: client.config.readOnly,
        installation,
      },
      text,
    };
  },
});

/** Managers and operators shown; the rest are counted. */
const MAX_LISTED_ADMINS = 50;

function listed(shown: string[], total: number): string {
  if (total === 0) return "none listed";
  return `${shown.join(", ")}${total > shown.length ? ` … ${total - shown.length} more` : ""}`;
}

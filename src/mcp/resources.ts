/**
 * Read-only MCP resources: small markdown pages a host can attach to a
 * conversation. Templated ones complete their argument (the caller's job ids,
 * queue names, node names, reservation ids), capped and filtered by prefix.
 *
 * URIs:
 *   pbs://job/{job_id}                 one job
 *   pbs://queue/{queue_name}           one queue: state, limits, defaults
 *   pbs://node/{node_name}             one node
 *   pbs://reservation/{reservation_id} one reservation
 *   pbs://system/status                server, node summary, queues
 *   pbs://system/privileges            who the caller is to PBS
 *   pbs://user/jobs                    the caller's current jobs
 *   pbs://history/user/{username}{?days}
 *                                      a user's finished jobs of the last `days` days (1-90,
 *                                      default 7): `pbs://history/user/alice?days=3`, or
 *                                      `pbs://history/user/alice` for the default week.
 *
 * The history URI is registered twice, with and without `{?days}`: the SDK
 * matches a template's query part only when it is present, and both forms
 * are what RFC 6570 expansion produces for the one template.
 *
 * With several clusters, every URI above names another cluster than the
 * default with `?cluster=NAME` (`pbs://job/12.aurora-pbs?cluster=aurora`,
 * `pbs://system/status?cluster=aurora`); a page names its cluster first.
 * The templates above match such URIs as they are (their last variable takes
 * the query along; the readers take the path and the query from the URL),
 * and the fixed URIs get a `{?cluster}` template beside them.
 *
 * Errors are JSON-RPC errors whose `data` carries the PbsError kind and hint.
 */
import {
  type CompleteResourceTemplateCallback,
  type McpServer,
  ResourceTemplate,
} from "@modelcontextprotocol/server";
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
} from "@modelcontextprotocol/server";
import { invalidInput, isPbsError, type PbsError } from "../pbs/errors.ts";
import type { Job } from "../pbs/model/types.ts";
import * as v from "../pbs/validate.ts";
import { analyzeHistory } from "../service/history_analysis.ts";
import type { ClusterSet } from "../service/cluster_set.ts";
import type { PbsClient } from "../service/pbs_client.ts";
import type { ToolContext } from "./tool_kit.ts";
import { historyText, historyView } from "./views/history.ts";
import { nodeMarkdown, nodeSummaryText, summarizeNodes } from "./views/nodes.ts";
import { queueLine, queueMarkdown, queueView } from "./views/queues.ts";
import { reservationLine, reservationMarkdown, reservationView } from "./views/reservations.ts";
import { serverText, serverView } from "./views/server.ts";
import {
  countByState,
  formatCounts,
  isoTime,
  jobRow,
  type JobRowView,
  jobStatusText,
  jobStatusView,
  rowId,
} from "./views/jobs.ts";

/** Most completion values offered at once (MCP allows 100 per answer). */
export const MAX_COMPLETIONS = 100;
/** Rows in a list resource before the rest are counted. */
const MAX_ROWS = 50;
const DEFAULT_HISTORY_DAYS = 7;
/** Finished jobs shown in full on a history page (one qstat each). */
const HISTORY_DETAIL = 20;
const MAX_HISTORY_DAYS = 90;

export function registerResources(server: McpServer, { clusters }: ToolContext): void {
  const on: OnCluster = { clusters, client: clusters.default.client };
  registerJobResource(server, on);
  registerQueueResource(server, on);
  registerNodeResource(server, on);
  registerReservationResource(server, on);
  registerSystemResources(server, on);
  registerUserJobsResource(server, on);
  registerHistoryResources(server, on);
}

// ---------------------------------------------------------------------------
// Shared plumbing

/**
 * What the registrations need: the clusters (a read goes to the one its URI
 * names) and the default cluster's client (listings and completions).
 */
interface OnCluster {
  clusters: ClusterSet;
  client: PbsClient;
}

type Read = (uri: URL, client: PbsClient) => Promise<string>;

/** The cluster `?cluster=NAME` names; the default one without. */
function clusterOf(clusters: ClusterSet, uri: URL) {
  return clusters.pick(uri.searchParams.get("cluster") ?? undefined);
}

/**
 * Wraps a markdown producer: one text content, PbsErrors as JSON-RPC errors
 * with kind and hint; the page is read from the cluster the URI names.
 */
function markdown({ clusters }: OnCluster, read: Read) {
  return async (uri: URL): Promise<ReadResourceResult> => {
    try {
      const cluster = clusterOf(clusters, uri);
      const page = await read(uri, cluster.client);
      const text = clusters.several ? `Cluster: ${cluster.name}\n\n${page}` : page;
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text }] };
    } catch (error) {
      throw toProtocolError(error);
    }
  };
}

export function toProtocolError(error: unknown): ProtocolError {
  if (!isPbsError(error)) {
    return new ProtocolError(
      ProtocolErrorCode.InternalError,
      error instanceof Error ? error.message : String(error),
    );
  }
  const pbs: PbsError = error;
  const code = pbs.kind.startsWith("unknown_") || pbs.kind === "invalid_input"
    ? ProtocolErrorCode.InvalidParams
    : ProtocolErrorCode.InternalError;
  return new ProtocolError(code, `${pbs.kind}: ${pbs.message}. Hint: ${pbs.hint}`, {
    kind: pbs.kind,
    message: pbs.message,
    hint: pbs.hint,
    ...(pbs.pbsMessage ? { pbsMessage: pbs.pbsMessage } : {}),
  });
}

/** The last path segment of a pbs:// URI, decoded (`pbs://job/12.server` → `12.server`). */
function lastSegment(uri: URL): string {
  const segments = uri.pathname.split("/");
  return decodeURIComponent(segments[segments.length - 1] ?? "");
}

/** Values starting with what was typed, capped; completion must never fail the client. */
async function completeFrom(
  values: () => Promise<string[]>,
  typed: string,
): Promise<string[]> {
  try {
    const all = await values();
    return all.filter((value) => value.startsWith(typed)).slice(0, MAX_COMPLETIONS);
  } catch {
    return [];
  }
}

function moreLine(total: number, shown: number, how: string): string[] {
  return total > shown ? ["", `… ${total - shown} more not shown; ${how}.`] : [];
}

// ---------------------------------------------------------------------------
// Templated resources

/** A template's values for completion, read from a cluster. */
type Values = (client: PbsClient) => Promise<string[]>;

/**
 * A templated resource: its variables complete from the default cluster;
 * with several clusters it is registered again with `cluster` in its query
 * (`pbs://job/{job_id}{?cluster}`), whose variables complete from the
 * cluster named there. Reads go to the cluster of the URI either way (the
 * plain template matches the query form too).
 */
function registerTemplate(
  server: McpServer,
  on: OnCluster,
  spec: {
    name: string;
    template: string;
    title: string;
    description: string;
    complete: Record<string, Values>;
    list?: (client: PbsClient) => Promise<{ uri: string; name: string }[]>;
    read: Read;
  },
): void {
  const reader = markdown(on, spec.read);
  const completions = (pick: (context?: { arguments?: Record<string, string> }) => PbsClient) =>
    Object.fromEntries(
      Object.entries(spec.complete).map(([name, values]) => [
        name,
        (typed: string, context?: { arguments?: Record<string, string> }) =>
          completeFrom(() => values(pick(context)), typed),
      ]),
    );
  const list = spec.list;
  server.registerResource(
    spec.name,
    new ResourceTemplate(spec.template, {
      list: list
        ? async () => ({
          resources: (await list(on.client)).map((r) => ({ ...r, mimeType: "text/markdown" })),
        })
        : undefined,
      complete: completions(() => on.client),
    }),
    { title: spec.title, description: spec.description, mimeType: "text/markdown" },
    reader,
  );
  if (!on.clusters.several) return;
  const query = spec.template.includes("{?")
    ? spec.template.replace(/\{\?([^}]*)\}$/, "{?$1,cluster}")
    : `${spec.template}{?cluster}`;
  registerOnOtherCluster(
    server,
    on,
    { name: spec.name, template: query, title: spec.title },
    completions((context) => on.clusters.pick(context?.arguments?.cluster).client),
    reader,
  );
}

/**
 * With several clusters, a page again as `TEMPLATE` with `cluster` in its
 * query (the SDK matches a query part only where a template has one), `cluster`
 * completing from the names served and `complete` the other variables.
 */
function registerOnOtherCluster(
  server: McpServer,
  on: OnCluster,
  page: { name: string; template: string; title: string },
  complete: Record<string, CompleteResourceTemplateCallback>,
  reader: ReturnType<typeof markdown>,
): void {
  if (!on.clusters.several) return;
  server.registerResource(
    `${page.name}-of-cluster`,
    new ResourceTemplate(page.template, {
      list: undefined,
      complete: {
        ...complete,
        cluster: (typed: string) => on.clusters.names.filter((n) => n.startsWith(typed)),
      },
    }),
    {
      title: `${page.title} (another cluster)`,
      description: "The same page on another cluster: add ?cluster=NAME.",
      mimeType: "text/markdown",
    },
    reader,
  );
}

function registerJobResource(server: McpServer, on: OnCluster): void {
  registerTemplate(server, on, {
    name: "job",
    template: "pbs://job/{job_id}",
    title: "PBS job",
    description: "One job: state, queue, resources requested and used, comment, exit status.",
    complete: { job_id: async (client) => (await client.listJobRows({ user: "me" })).map(rowId) },
    read: async (uri, client) => jobMarkdown(await client.job(v.validateJobId(lastSegment(uri)))),
  });
}

function jobMarkdown(job: Job): string {
  const view = jobStatusView(job, "summary");
  const lines = [`# Job ${view.id}`, "", "```", jobStatusText(view), "```"];
  const times = Object.entries(view.times);
  if (times.length) lines.push("", "## Times (UTC)", ...times.map(([k, t]) => `- ${k}: ${t}`));
  const asked = Object.entries(view.requested);
  if (asked.length) lines.push("", "## Requested", ...asked.map(([k, x]) => `- ${k} = ${x}`));
  const used = Object.entries(view.used);
  if (used.length) lines.push("", "## Used", ...used.map(([k, x]) => `- ${k} = ${x}`));
  return lines.join("\n");
}

function registerQueueResource(server: McpServer, on: OnCluster): void {
  registerTemplate(server, on, {
    name: "queue",
    template: "pbs://queue/{queue_name}",
    title: "PBS queue",
    description: "One queue: enabled/started, jobs by state, limits, defaults, routing.",
    list: async (client) =>
      (await client.queues()).map((q) => ({
        uri: `pbs://queue/${encodeURIComponent(q.name)}`,
        name: `queue ${q.name}`,
      })),
    complete: { queue_name: async (client) => (await client.queues()).map((q) => q.name) },
    read: async (uri, client) => {
      const name = v.validateQueueName(lastSegment(uri));
      const [queue, resvQueues] = await Promise.all([
        client.queue(name),
        client.reservationQueues(),
      ]);
      return queueMarkdown(queueView(queue, resvQueues));
    },
  });
}

function registerNodeResource(server: McpServer, on: OnCluster): void {
  // No list: a large cluster has tens of thousands of nodes; list_nodes pages them.
  registerTemplate(server, on, {
    name: "node",
    template: "pbs://node/{node_name}",
    title: "PBS node",
    description: "One node: state, cpus/gpus free and total, memory, jobs, comment.",
    complete: { node_name: async (client) => (await client.nodes()).map((n) => n.name) },
    read: async (uri, client) =>
      nodeMarkdown(await client.node(v.validateNodeName(lastSegment(uri)))),
  });
}

function registerReservationResource(server: McpServer, on: OnCluster): void {
  registerTemplate(server, on, {
    name: "reservation",
    template: "pbs://reservation/{reservation_id}",
    title: "PBS reservation",
    description: "One reservation: owner, state, window, what it reserves, who may use it.",
    list: async (client) =>
      (await client.reservations()).slice(0, MAX_COMPLETIONS).map((r) => ({
        uri: `pbs://reservation/${encodeURIComponent(r.id)}`,
        name: `reservation ${r.id}`,
      })),
    complete: { reservation_id: async (client) => (await client.reservations()).map((r) => r.id) },
    read: async (uri, client) => {
      const id = v.validateReservationId(lastSegment(uri));
      return reservationMarkdown(reservationView(await client.reservation(id)));
    },
  });
}

// ---------------------------------------------------------------------------
// Fixed resources

function registerSystemResources(server: McpServer, on: OnCluster): void {
  registerFixed(server, on, "system-status", "pbs://system/status", {
    title: "PBS system status",
    description: "The server, a cluster-wide node summary and every queue, in one page.",
  }, (_uri, client) => systemStatus(client));
  registerFixed(server, on, "privileges", "pbs://system/privileges", {
    title: "Your PBS privileges",
    description: "Who you are to PBS (user, operator, manager) and what that allows.",
  }, async (_uri, client) => {
    const id = await client.identity();
    return [
      `# PBS privileges of ${id.user}`,
      "",
      `Role: **${id.role}**${client.config.readOnly ? " (this MCP server is read-only)" : ""}`,
      "",
      "## Allowed",
      ...id.allowed.map((a) => `- ${a}`),
      ...(id.notAllowed.length
        ? ["", "## Not allowed", ...id.notAllowed.map((a) => `- ${a}`)]
        : []),
    ].join("\n");
  });
}

/**
 * A fixed URI; with several clusters also as `URI{?cluster}` (the SDK matches
 * a fixed URI exactly, so the query form needs a template of its own).
 */
function registerFixed(
  server: McpServer,
  on: OnCluster,
  name: string,
  uri: string,
  meta: { title: string; description: string },
  read: Read,
): void {
  const reader = markdown(on, read);
  server.registerResource(name, uri, { ...meta, mimeType: "text/markdown" }, reader);
  registerOnOtherCluster(
    server,
    on,
    { name, template: `${uri}{?cluster}`, title: meta.title },
    {},
    reader,
  );
}

async function systemStatus(client: PbsClient): Promise<string> {
  const [info, nodes, queues, reservations, resvQueues] = await Promise.all([
    client.server(),
    client.nodes(),
    client.queues(),
    client.reservations().catch(() => []),
    client.reservationQueues(),
  ]);
  const shownQueues = queues.slice(0, MAX_ROWS);
  return [
    "# PBS system status",
    "",
    serverText(serverView(info)),
    "",
    "## Nodes",
    nodeSummaryText(summarizeNodes(nodes)),
    "",
    `## Queues (${queues.length})`,
    ...shownQueues.map((q) => `- ${queueLine(queueView(q, resvQueues))}`),
    ...moreLine(queues.length, shownQueues.length, "list_queues pages them"),
    "",
    `## Reservations (${reservations.length})`,
    ...reservations.slice(0, 10).map((r) => `- ${reservationLine(reservationView(r))}`),
    ...moreLine(reservations.length, Math.min(10, reservations.length), "see list_reservations"),
  ].join("\n");
}

function registerUserJobsResource(server: McpServer, on: OnCluster): void {
  registerFixed(server, on, "my-jobs", "pbs://user/jobs", {
    title: "Your PBS jobs",
    description: "Your queued, held and running jobs (finished ones: pbs://history/user/{you}).",
  }, async (_uri, client) => {
    // The light listing (qstat -a -w -u USER), not every user's full JSON.
    const rows = (await client.listJobRows({ user: "me" })).map(jobRow);
    return jobRowTable(`Jobs of ${client.user}`, rows, "list_jobs user_filter=me pages them");
  });
}

function jobRowTable(title: string, rows: readonly JobRowView[], more: string): string {
  const shown = rows.slice(0, MAX_ROWS);
  const cell = (value: string | number | undefined) => String(value ?? "").replaceAll("|", "/");
  return [
    `# ${title}`,
    "",
    `${rows.length} job(s): ${formatCounts(countByState(rows))}`,
    ...(rows.length
      ? [
        "",
        "| id | name | state | queue | nodes | walltime | elapsed |",
        "|---|---|---|---|---|---|---|",
        ...shown.map((r) =>
          `| ${r.id} | ${cell(r.name)} | ${r.state} | ${r.queue} | ${cell(r.nodes)} | ${
            cell(r.wall)
          } | ${cell(r.elapsed)} |`
        ),
      ]
      : []),
    ...moreLine(rows.length, shown.length, more),
  ].join("\n");
}

function jobTable(
  title: string,
  jobs: readonly Job[],
  more: string,
  total = jobs.length,
): string {
  const shown = jobs.slice(0, MAX_ROWS);
  const rows = shown.map((j) =>
    `| ${j.id} | ${j.name.slice(0, 40)} | ${j.state} | ${j.queue} | ${
      j.requested.walltime ?? ""
    } | ${j.exitStatus ?? ""} | ${(j.comment ?? "").slice(0, 60).replaceAll("|", "/")} |`
  );
  return [
    `# ${title}`,
    "",
    total === jobs.length
      ? `${jobs.length} job(s): ${formatCounts(countByState(jobs))}`
      : `${total} job(s); the newest ${jobs.length} in detail`,
    ...(jobs.length
      ? [
        "",
        "| id | name | state | queue | walltime | exit | comment |",
        "|---|---|---|---|---|---|---|",
        ...rows,
      ]
      : []),
    ...moreLine(total, shown.length, more),
  ].join("\n");
}

// ---------------------------------------------------------------------------
// History

function registerHistoryResources(server: McpServer, on: OnCluster): void {
  const complete = {
    username: async (client: PbsClient) => {
      const rows = await client.listJobRows({ includeFinished: true });
      const users = new Set(rows.map((j) => j.user));
      users.add(client.user);
      return [...users].sort();
    },
  };
  const read: Read = (uri, client) => userHistory(client, uri);
  registerTemplate(server, on, {
    name: "user-history",
    template: "pbs://history/user/{username}{?days}",
    title: "Finished jobs of a user",
    description:
      `A user's finished jobs of the last \`days\` days (1-${MAX_HISTORY_DAYS}, default ${DEFAULT_HISTORY_DAYS}), newest first, with exit status and analyze_history's summary; e.g. pbs://history/user/alice?days=3.`,
    complete,
    read,
  });
  // Registered apart: the SDK matches a query part only when it is present.
  server.registerResource(
    "user-history-week",
    new ResourceTemplate("pbs://history/user/{username}", {
      list: undefined,
      complete: {
        username: (typed: string) => completeFrom(() => complete.username(on.client), typed),
      },
    }),
    {
      title: "Finished jobs of a user (last 7 days)",
      description: "The same page with the default window; add ?days=N for another.",
      mimeType: "text/markdown",
    },
    markdown(on, read),
  );
}

/** `?days=3` → 3; absent → the default; anything else is an error that says what is allowed. */
export function historyDays(uri: URL): number {
  const raw = uri.searchParams.get("days");
  if (raw === null || raw === "") return DEFAULT_HISTORY_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) {
    throw invalidInput(
      `days=${JSON.stringify(raw)} is not a whole number of days from 1 to ${MAX_HISTORY_DAYS}`,
      `Use e.g. pbs://history/user/alice?days=3, or leave days out for ${DEFAULT_HISTORY_DAYS}.`,
    );
  }
  return days;
}

async function userHistory(client: PbsClient, uri: URL): Promise<string> {
  const user = v.validateUserName(lastSegment(uri));
  const days = historyDays(uri);
  // The window is measured on the client's clock; PBS history itself may keep less
  // (job_history_duration), which the page says.
  const analysis = await analyzeHistory(client, { user, days, limit: HISTORY_DETAIL });
  const since = analysis.since;
  const info = await client.server().catch(() => undefined);
  const kept = info && !info.jobHistoryEnable
    ? "Job history is disabled on this server: finished jobs are not kept."
    : `PBS keeps finished jobs for ${info?.jobHistoryDuration ?? "336:00:00 (default)"}.`;
  return [
    jobTable(
      `Finished jobs of ${user}, last ${days} day(s) (since ${isoTime(Math.floor(since))})`,
      analysis.records,
      "list_jobs include_finished=true pages them",
      analysis.finished,
    ),
    "",
    "## Summary",
    "",
    historyText(historyView(analysis)),
    "",
    kept,
  ].join("\n");
}

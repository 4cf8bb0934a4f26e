/**
 * What the cluster tools and resources show of queues, nodes, the server and
 * reservations: compact rows, summaries, and the zod shapes describing them.
 *
 * Size rules the design: Aurora has 10,624 nodes, so a node row carries only
 * what tells nodes apart (state, free/total cpus and gpus, job count, a short
 * comment), and long lists (reservation node lists, ACLs) are cut and counted.
 */
import { z } from "zod";
import { compressHostList, execVnodes } from "../../pbs/model/exec_host.ts";
import { classifyNodeState, describeReservationState } from "../../pbs/model/states.ts";
import type { NodeBucket } from "../../pbs/model/states.ts";
import { formatDuration } from "../../pbs/model/time.ts";
import type {
  Node,
  PbsValue,
  Queue,
  Reservation,
  ResourceMap,
  ServerInfo,
} from "../../pbs/model/types.ts";
import type { MetricsSnapshot } from "../../service/metrics.ts";
import { isoTime } from "./jobs.ts";

/** Longest node comment in a row; pbs://node/{name} shows the whole one. */
const MAX_ROW_COMMENT = 60;
/** Longest compressed host list shown for a reservation. */
const MAX_HOSTS_CHARS = 200;
/** Users listed for a queue ACL or reservation before counting the rest. */
const MAX_USERS = 20;

// ---------------------------------------------------------------------------
// Small helpers

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Drops undefined fields so structured answers carry no `undefined` noise. */
export function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as T;
}

function asNumber(value: PbsValue | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function asText(value: PbsValue | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Non-zero counts only: `{Queued: 3, Running: 1}`. */
function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

function cappedList(items: readonly string[], max: number): { items: string[]; more: number } {
  return { items: items.slice(0, max), more: Math.max(0, items.length - max) };
}

const resourceMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

// ---------------------------------------------------------------------------
// Nodes

/** Free and total of one consumable resource on one node. */
function freeTotal(node: Node, resource: string): { free: number; total: number } {
  const total = asNumber(node.resourcesAvailable[resource]);
  const assigned = asNumber(node.resourcesAssigned[resource]);
  const usable = isUsable(classifyNodeState(node.states));
  return { free: usable ? Math.max(0, total - assigned) : 0, total };
}

/** Down and offline nodes take no new work, so nothing on them counts as free. */
function isUsable(bucket: NodeBucket): boolean {
  return bucket === "free" || bucket === "busy";
}

export const NodeSummaryShape = z.object({
  nodes: z.object({
    total: z.number(),
    free: z.number(),
    busy: z.number(),
    offline: z.number(),
    down: z.number(),
  }).describe("Nodes by state (down,offline counts as down; job-busy as busy)"),
  cpus: z.object({ total: z.number(), free: z.number() }),
  gpus: z.object({ total: z.number(), free: z.number() }),
}).describe("Whole-cluster summary; free counts only nodes that are up and not offline");
export type NodeSummary = z.infer<typeof NodeSummaryShape>;

export function summarizeNodes(nodes: readonly Node[]): NodeSummary {
  const summary: NodeSummary = {
    nodes: { total: nodes.length, free: 0, busy: 0, offline: 0, down: 0 },
    cpus: { total: 0, free: 0 },
    gpus: { total: 0, free: 0 },
  };
  for (const node of nodes) {
    summary.nodes[classifyNodeState(node.states)]++;
    for (const [resource, key] of [["ncpus", "cpus"], ["ngpus", "gpus"]] as const) {
      const { free, total } = freeTotal(node, resource);
      summary[key].total += total;
      summary[key].free += free;
    }
  }
  return summary;
}

export function nodeSummaryText(summary: NodeSummary): string {
  const n = summary.nodes;
  const lines = [
    `${n.total} nodes: ${n.free} free, ${n.busy} busy, ${n.offline} offline, ${n.down} down`,
    `cpus ${summary.cpus.free}/${summary.cpus.total} free`,
  ];
  if (summary.gpus.total > 0) lines[1] += `, gpus ${summary.gpus.free}/${summary.gpus.total} free`;
  return lines.join("\n");
}

export const NodeRowShape = z.object({
  name: z.string(),
  state: z.string().describe("PBS state(s), e.g. free, job-busy, down,offline"),
  cpus: z.string().describe("free/total"),
  gpus: z.string().optional().describe("free/total (nodes with GPUs only)"),
  jobs: z.number().describe("Jobs on the node"),
  comment: z.string().optional().describe("Admin or PBS note, cut short"),
});
export type NodeRow = z.infer<typeof NodeRowShape>;

export function nodeRow(node: Node): NodeRow {
  const cpus = freeTotal(node, "ncpus");
  const gpus = freeTotal(node, "ngpus");
  return defined({
    name: node.name,
    state: node.states.join(",") || "unknown",
    cpus: `${cpus.free}/${cpus.total}`,
    gpus: gpus.total > 0 ? `${gpus.free}/${gpus.total}` : undefined,
    jobs: node.jobs.length,
    comment: node.comment ? cut(node.comment, MAX_ROW_COMMENT) : undefined,
  });
}

export function nodeBucket(node: Node): NodeBucket {
  return classifyNodeState(node.states);
}

/** Everything worth knowing about one node, for pbs://node/{name}. */
export function nodeMarkdown(node: Node): string {
  const row = nodeRow(node);
  const lines = [
    `# Node ${node.name}`,
    "",
    `- state: ${row.state} (${nodeBucket(node)})`,
    `- cpus free/total: ${row.cpus}`,
  ];
  if (row.gpus) lines.push(`- gpus free/total: ${row.gpus}`);
  const mem = asText(node.resourcesAvailable.mem);
  if (mem) lines.push(`- memory: ${mem}`);
  if (node.mom) lines.push(`- mom: ${node.mom}`);
  if (node.queue) lines.push(`- queue: ${node.queue}`);
  if (node.sharing) lines.push(`- sharing: ${node.sharing}`);
  if (node.comment) lines.push(`- comment: ${cut(node.comment, 500)}`);
  if (node.lastStateChange) lines.push(`- last state change: ${isoTime(node.lastStateChange)}`);
  const jobs = cappedList(node.jobs, 50);
  lines.push(
    `- jobs (${node.jobs.length}): ${jobs.items.join(", ") || "none"}${
      jobs.more ? ` … ${jobs.more} more` : ""
    }`,
  );
  if (node.reservations.length) lines.push(`- reservations: ${node.reservations.join(", ")}`);
  lines.push("", "## resources_available", ...resourceLines(node.resourcesAvailable));
  return lines.join("\n");
}

function resourceLines(map: ResourceMap): string[] {
  const entries = Object.entries(map);
  if (entries.length === 0) return ["- (none)"];
  return entries.slice(0, 40).map(([k, v]) => `- ${k} = ${cut(String(v), 200)}`);
}

// ---------------------------------------------------------------------------
// Queues

export const QueueViewShape = z.object({
  name: z.string(),
  type: z.enum(["execution", "route"]).or(z.string()),
  enabled: z.boolean().describe("Accepts new jobs"),
  started: z.boolean().describe("Runs (execution) or routes (route) its jobs"),
  total_jobs: z.number(),
  jobs_by_state: z.record(z.string(), z.number()).describe("Non-zero counts only"),
  priority: z.number().optional(),
  limits: z.object({
    max_walltime: z.string().optional(),
    min_walltime: z.string().optional(),
    max_nodes: z.number().optional(),
    min_nodes: z.number().optional(),
    max_ncpus: z.number().optional(),
    max_run: z.string().optional().describe("Running-job limit as PBS states it"),
    max_queued: z.string().optional(),
  }),
  defaults: resourceMap.describe("resources_default: applied when a job does not ask"),
  route_destinations: z.array(z.string()).optional(),
  acl_users: z.array(z.string()).optional().describe("Only these users may submit (when set)"),
  reservation_queue: z.boolean().optional().describe("Belongs to a reservation"),
});
export type QueueView = z.infer<typeof QueueViewShape>;

function optionalNumber(value: PbsValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function isRouteQueue(queue: Queue): boolean {
  return queue.type.toLowerCase().startsWith("route");
}

export function queueView(queue: Queue, reservationQueues: ReadonlySet<string>): QueueView {
  const max = queue.resourcesMax;
  const min = queue.resourcesMin;
  const acl = queue.aclUserEnable ? cappedList(queue.aclUsers, MAX_USERS) : undefined;
  return defined({
    name: queue.name,
    type: isRouteQueue(queue) ? "route" : "execution",
    enabled: queue.enabled,
    started: queue.started,
    total_jobs: queue.totalJobs,
    jobs_by_state: nonZero(queue.stateCount),
    priority: queue.priority,
    limits: defined({
      max_walltime: asText(max.walltime),
      min_walltime: asText(min.walltime),
      max_nodes: optionalNumber(max.nodect ?? max.nodes),
      min_nodes: optionalNumber(min.nodect ?? min.nodes),
      max_ncpus: optionalNumber(max.ncpus),
      max_run: queue.maxRun,
      max_queued: queue.maxQueued,
    }),
    defaults: queue.resourcesDefault,
    route_destinations: queue.routeDestinations.length ? queue.routeDestinations : undefined,
    acl_users: acl ? [...acl.items, ...(acl.more ? [`… ${acl.more} more`] : [])] : undefined,
    reservation_queue: reservationQueues.has(queue.name) ? true : undefined,
  });
}

/** One line per queue for text blocks: `debug (execution, started) Q 3 R 1; walltime ≤ 01:00:00`. */
export function queueLine(view: QueueView): string {
  const status = [view.enabled ? "enabled" : "disabled", view.started ? "started" : "stopped"];
  const jobs = Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ");
  const limits = [
    view.limits.max_walltime ? `walltime ≤ ${view.limits.max_walltime}` : undefined,
    view.limits.max_nodes ? `nodes ≤ ${view.limits.max_nodes}` : undefined,
  ].filter((s) => s !== undefined);
  const route = view.route_destinations ? ` → ${view.route_destinations.join(", ")}` : "";
  return `${view.name} (${view.type}, ${status.join(", ")})${route}: ${jobs || "no jobs"}${
    limits.length ? `; ${limits.join(", ")}` : ""
  }`;
}

export function queueMarkdown(view: QueueView): string {
  const lines = [
    `# Queue ${view.name}`,
    "",
    `- type: ${view.type}${view.reservation_queue ? " (reservation queue)" : ""}`,
    `- enabled (accepts jobs): ${view.enabled}`,
    `- started (runs jobs): ${view.started}`,
    `- jobs: ${view.total_jobs} (${
      Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ") || "none"
    })`,
  ];
  if (view.priority !== undefined) lines.push(`- priority: ${view.priority}`);
  const limits = Object.entries(view.limits);
  lines.push(
    "",
    "## Limits",
    ...(limits.length ? limits.map(([k, v]) => `- ${k}: ${v}`) : ["- none set"]),
  );
  const defaults = Object.entries(view.defaults);
  if (defaults.length) lines.push("", "## Defaults", ...defaults.map(([k, v]) => `- ${k}: ${v}`));
  if (view.route_destinations) {
    lines.push("", `Routes jobs to: ${view.route_destinations.join(", ")}`);
  }
  if (view.acl_users) lines.push("", `Only these users may submit: ${view.acl_users.join(", ")}`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------
// Server

export const ServerViewShape = z.object({
  name: z.string(),
  version: z.string().optional(),
  state: z.string().optional(),
  host: z.string().optional(),
  default_queue: z.string().optional(),
  scheduling: z.boolean().optional().describe("False: no job starts until an admin turns it on"),
  history: z.object({
    enabled: z.boolean(),
    duration: z.string().optional().describe("How long finished jobs stay visible"),
  }),
  total_jobs: z.number().optional(),
  jobs_by_state: z.record(z.string(), z.number()),
  max_array_size: z.number().optional(),
  resources_assigned: resourceMap.optional(),
});
export type ServerView = z.infer<typeof ServerViewShape>;

export function serverView(server: ServerInfo): ServerView {
  return defined({
    name: server.name,
    version: server.version,
    state: server.state,
    host: server.host,
    default_queue: server.defaultQueue,
    scheduling: server.scheduling,
    history: defined({
      enabled: server.jobHistoryEnable,
      // PBS's default when unset is two weeks.
      duration: server.jobHistoryDuration ??
        (server.jobHistoryEnable ? "336:00:00 (PBS default)" : undefined),
    }),
    total_jobs: server.totalJobs,
    jobs_by_state: nonZero(server.stateCount),
    max_array_size: server.maxArraySize,
    resources_assigned: Object.keys(server.resourcesAssigned).length
      ? server.resourcesAssigned
      : undefined,
  });
}

export function serverText(view: ServerView): string {
  const jobs = Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ");
  return [
    `PBS server ${view.name}${view.version ? ` (PBS ${view.version})` : ""}, state ${
      view.state ?? "unknown"
    }, scheduling ${view.scheduling === false ? "OFF" : "on"}`,
    `default queue ${view.default_queue ?? "none"}; history ${
      view.history.enabled ? `kept ${view.history.duration ?? ""}`.trim() : "disabled"
    }`,
    `jobs: ${view.total_jobs ?? 0} (${jobs || "none"})`,
  ].join("\n");
}

const StatsShape = z.object({
  calls: z.number(),
  failures: z.number(),
  mean_ms: z.number(),
  max_ms: z.number(),
});

export const MetricsShape = z.object({
  started_at: z.string(),
  tool_calls: z.record(z.string(), StatsShape),
  pbs_commands: z.record(z.string(), StatsShape.extend({ timeouts: z.number() })),
  cache: z.object({ hits: z.number(), misses: z.number() }),
}).describe("This MCP server's own activity since it started");

export function metricsView(snapshot: MetricsSnapshot): z.infer<typeof MetricsShape> {
  const stats = (s: { calls: number; failures: number; meanMs: number; maxMs: number }) => ({
    calls: s.calls,
    failures: s.failures,
    mean_ms: s.meanMs,
    max_ms: s.maxMs,
  });
  return {
    started_at: snapshot.startedAt,
    tool_calls: Object.fromEntries(
      Object.entries(snapshot.toolCalls).map(([name, s]) => [name, stats(s)]),
    ),
    pbs_commands: Object.fromEntries(
      Object.entries(snapshot.pbsCommands).map((
        [name, s],
      ) => [name, { ...stats(s), timeouts: s.timeouts }]),
    ),
    cache: snapshot.cache,
  };
}

// ---------------------------------------------------------------------------
// Reservations

export const ReservationViewShape = z.object({
  id: z.string(),
  name: z.string().optional(),
  owner: z.string(),
  state: z.string().describe("RESV_CONFIRMED, RESV_RUNNING, RESV_UNCONFIRMED, ..."),
  state_meaning: z.string().optional(),
  start: z.string().optional().describe("ISO 8601 (UTC)"),
  end: z.string().optional(),
  duration: z.string().optional().describe("HH:MM:SS"),
  queue: z.string().optional().describe("Submit into the reservation with queue=<this>"),
  select: z.string().optional(),
  nodes: z.object({ count: z.number(), hosts: z.string() }).optional(),
  users: z.array(z.string()).optional().describe("Who may submit into it"),
  recurrence: z.string().optional().describe("Standing reservations: the rule"),
});
export type ReservationView = z.infer<typeof ReservationViewShape>;

export function reservationView(resv: Reservation): ReservationView {
  const vnodes = resv.nodes ? execVnodes(resv.nodes) : [];
  const users = cappedList(resv.authorizedUsers, MAX_USERS);
  return defined({
    id: resv.id,
    name: resv.name,
    owner: resv.owner,
    state: resv.state,
    state_meaning: describeReservationState(resv.state)?.meaning,
    start: isoTime(resv.start),
    end: isoTime(resv.end),
    duration: resv.duration !== undefined ? formatDuration(resv.duration) : undefined,
    queue: resv.queue,
    select: asText(resv.requested.select),
    nodes: vnodes.length
      ? { count: vnodes.length, hosts: cut(compressHostList(vnodes), MAX_HOSTS_CHARS) }
      : undefined,
    users: users.items.length
      ? [...users.items, ...(users.more ? [`… ${users.more} more`] : [])]
      : undefined,
    recurrence: resv.rrule,
  });
}

export function reservationLine(view: ReservationView): string {
  const when = view.start ? ` ${view.start} → ${view.end ?? "?"}` : "";
  const nodes = view.nodes ? `, ${view.nodes.count} node(s)` : "";
  return `${view.id}${
    view.name ? ` "${view.name}"` : ""
  } (${view.owner}) ${view.state}${when}${nodes}`;
}

export function reservationMarkdown(view: ReservationView): string {
  const lines = [`# Reservation ${view.id}${view.name ? ` (${view.name})` : ""}`, ""];
  for (const [key, value] of Object.entries(view)) {
    if (key === "id" || key === "name") continue;
    const text = typeof value === "object" && value !== null && !Array.isArray(value)
      ? `${(value as { count: number }).count}: ${(value as { hosts: string }).hosts}`
      : Array.isArray(value)
      ? value.join(", ")
      : String(value);
    lines.push(`- ${key}: ${text}`);
  }
  return lines.join("\n");
}

/** The user part of `alice@host`. */
export function userOf(owner: string): string {
  return owner.split("@")[0];
}

/**
 * What the queue tools and resources show of queues: a view with the limits
 * that decide routing, a one-line row and a markdown page.
 */
import { z } from "zod";
import type { PbsValue, Queue } from "../../pbs/model/types.ts";
import { asText, cappedList, defined, MAX_USERS, nonZero, resourceMap } from "./values.ts";

export const QueueViewShape = z.object({
  name: z.string(),
  type: z.string().describe("execution or route"),
  enabled: z.boolean(),
  started: z.boolean(),
  total_jobs: z.number(),
  jobs_by_state: z.record(z.string(), z.number()),
  priority: z.number().optional(),
  limits: z.object({
    max_walltime: z.string().optional(),
    min_walltime: z.string().optional(),
    max_nodes: z.number().optional(),
    min_nodes: z.number().optional(),
    max_ncpus: z.number().optional(),
    max_run: z.string().optional(),
    max_queued: z.string().optional(),
  }),
  defaults: resourceMap,
  route_destinations: z.array(z.string()).optional(),
  acl_users: z.array(z.string()).optional(),
  reservation_queue: z.boolean().optional(),
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

/** `min–max`, `≥ min` or `≤ max` for one limit; undefined when neither is set. */
function range(min: string | number | undefined, max: string | number | undefined) {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return undefined;
}

/**
 * One line per queue for text blocks, with the limits that decide where a
 * job may go (routing tries each destination in turn and takes the first
 * whose min and max limits the request fits; qmgr(8B) resources_min/max):
 * `debug (execution, enabled, started): Q 3, R 1; walltime ≤ 01:00:00, nodes 1–2`.
 */
export function queueLine(view: QueueView): string {
  const status = [view.enabled ? "enabled" : "disabled", view.started ? "started" : "stopped"];
  if (view.reservation_queue) status.push("reservation queue");
  const jobs = Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ");
  const l = view.limits;
  const walltime = range(l.min_walltime, l.max_walltime);
  const nodes = range(l.min_nodes, l.max_nodes);
  const limits = [
    walltime ? `walltime ${walltime}` : undefined,
    nodes ? `nodes ${nodes}` : undefined,
    l.max_ncpus !== undefined ? `ncpus ≤ ${l.max_ncpus}` : undefined,
    l.max_run ? `max_run ${l.max_run}` : undefined,
    l.max_queued ? `max_queued ${l.max_queued}` : undefined,
  ].filter((s) => s !== undefined);
  const route = view.route_destinations ? ` → ${view.route_destinations.join(", ")}` : "";
  const defaults = Object.entries(view.defaults).map(([k, v]) => `${k}=${v}`);
  const extra = [
    defaults.length ? `defaults ${defaults.join(" ")}` : undefined,
    view.acl_users ? `only users ${view.acl_users.join(", ")}` : undefined,
  ].filter((s) => s !== undefined);
  return `${view.name} (${view.type}, ${status.join(", ")})${route}: ${jobs || "no jobs"}${
    limits.length ? `; ${limits.join(", ")}` : ""
  }${extra.map((e) => `; ${e}`).join("")}`;
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

/**
 * Does a request fit a queue? PBS's admission arithmetic, pure and MCP-free.
 *
 * What PBS does (OpenPBS server: `set_resc_deflt` then `chk_resc_limits` in
 * svr_jobfunc.c; goldens `qsub_err_walltime_over_max`,
 * `qmove_default_walltime_reapplied`, `qsub_route_no_destination_accepted`):
 * 1. The job's own `-l` values stay; missing job-wide values come from the
 *    queue's `resources_default`, then the server's. With an explicit
 *    `select`, chunk-level names (ncpus, mem, ngpus, vmem) are not defaulted
 *    job-wide: the select decides them.
 * 2. Without a `select`, one chunk is built from the job-wide ncpus/mem/ngpus
 *    (ncpus from `default_chunk`, else 1); the totals `nodect`, `ncpus` and
 *    (when a chunk asks for them) `ngpus`, `mem` are summed from the chunks.
 *    Old-style `nodes=N[:ppn=M]` counts N nodes.
 * 3. Every resource the job then has is compared with the queue's and the
 *    server's `resources_min`/`resources_max`; a resource the job does not
 *    have is not checked. Durations compare as seconds, sizes as bytes,
 *    counts as numbers; other values are not compared.
 * 4. A routing queue keeps nothing: it hands the job to the first destination
 *    (in `route_destinations` order) that is enabled, admits the user (ACL)
 *    and whose limits the request fits after *that* queue's defaults; when
 *    none does, PBS discards the job. Held, dependent and deferred jobs wait in
 *    the routing queue first (`route_held_jobs`/`route_waiting_jobs` default
 *    to False) and are discarded later, so the check must come before qsub.
 *
 * Stable API:
 * - `applyDefaults(requested, queue, server)` → the request as PBS completes it.
 * - `checkQueue(requested, queue, context)` → `QueueFit` for one queue
 *   (a routing queue's fit lists each destination's fit).
 * - `fittingQueues(requested, context)` → the queues this request fits:
 *   enabled+started execution queues, and routing queues with at least one
 *   fitting destination.
 * - `describeViolation(v)`, `describeFit(fit)` → plain words;
 *   `fixFor(v)` → the submit_job parameter change that would satisfy `v`.
 * - `serverLimits(server)` → the server's resources_min/max.
 */
import { parseSelect } from "../pbs/model/select.ts";
import { formatDuration, parseDuration, parseSize } from "../pbs/model/time.ts";
import type { PbsValue, Queue, ResourceMap, ServerInfo } from "../pbs/model/types.ts";

/** A job-wide request: `-l` name → value as the job asks for it (before any default). */
export type RequestedResources = Record<string, string>;

export interface LimitViolation {
  /** The queue whose limit is broken, or `server` for the server's own limits. */
  source: string;
  scope: "queue" | "server";
  limit: "resources_max" | "resources_min";
  /** Resource name as PBS spells it: `walltime`, `nodect`, `ncpus`, `ngpus`, `mem`, ... */
  resource: string;
  /** The limit's value. */
  bound: string;
  /** The request's value after defaults. */
  requested: string;
  /** A value that would satisfy this limit (the bound itself). */
  fits: string;
}

export interface QueueFit {
  queue: string;
  type: string;
  /** True when PBS would accept (execution) or route (routing) this request here. */
  fits: boolean;
  /** Why the queue itself refuses regardless of limits (disabled, not started, ACL, unknown). */
  refusal?: string;
  /** Limits broken after defaults. Empty when the request fits the limits. */
  violations: LimitViolation[];
  /** The request as PBS completes it for this queue (defaults applied, totals derived). */
  effective: RequestedResources;
  /** Routing queues only: each destination's fit, in `route_destinations` order. */
  destinations?: QueueFit[];
  /** Routing queues only: the destination PBS would pick (the first fitting one). */
  routesTo?: string;
}

export interface FitContext {
  server: ServerInfo;
  queues: readonly Queue[];
  /** The submitting user, for queue ACLs; ACLs are not checked without it. */
  user?: string;
}

export interface Limits {
  min: ResourceMap;
  max: ResourceMap;
}

const DURATIONS = new Set(["walltime", "cput", "min_walltime", "max_walltime", "soft_walltime"]);
const SIZES = new Set(["mem", "vmem", "pmem", "pvmem", "file", "hbmem", "accelerator_memory"]);
const COUNTS = new Set(["ncpus", "ngpus", "nodect", "mpiprocs", "ompthreads", "naccelerators"]);
/** Names that live in chunks: with an explicit select they are not defaulted job-wide. */
const CHUNK_LEVEL = new Set(["ncpus", "mem", "ngpus", "vmem"]);

const text = (v: PbsValue) => String(v);

/** The server's own `resources_min`/`resources_max` (qstat -Bf prints them as `resources_max.NAME`). */
export function serverLimits(server: ServerInfo): Limits {
  const min: ResourceMap = {};
  const max: ResourceMap = {};
  for (const [key, value] of Object.entries(server.attributes)) {
    if (key.startsWith("resources_min.")) min[key.slice("resources_min.".length)] = value;
    if (key.startsWith("resources_max.")) max[key.slice("resources_max.".length)] = value;
  }
  return { min, max };
}

/** `default_chunk.ncpus` of the server, else PBS's stock 1. */
function defaultChunkNcpus(server: ServerInfo): number {
  const value = Number(server.attributes["default_chunk.ncpus"] ?? 1);
  return Number.isFinite(value) && value > 0 ? value : 1;
}

/** The request completed as PBS does on entering `queue` (steps 1–2 of the header). */
export function applyDefaults(
  requested: RequestedResources,
  queue: Queue,
  server: ServerInfo,
): RequestedResources {
  const out: RequestedResources = { ...requested };
  const hasSelect = out.select !== undefined;
  for (const defaults of [queue.resourcesDefault, server.resourcesDefault]) {
    for (const [name, value] of Object.entries(defaults)) {
      if (out[name] === undefined && !(hasSelect && CHUNK_LEVEL.has(name))) out[name] = text(value);
    }
  }
  deriveTotals(out, defaultChunkNcpus(server));
  return out;
}

function deriveTotals(out: RequestedResources, chunkNcpus: number): void {
  if (out.select === undefined && out.nodes !== undefined) {
    // Old-style nodes=N[:ppn=M]: N nodes of M cpus.
    const count = Number(/^\d+/.exec(out.nodes)?.[0] ?? 1);
    const ppn = Number(/ppn=(\d+)/.exec(out.nodes)?.[1] ?? chunkNcpus);
    out.nodect = String(count);
    out.ncpus = String(count * ppn);
    return;
  }
  const chunks = out.select !== undefined
    ? safeSelect(out.select)
    : [{ count: 1, resources: jobWideChunk(out, chunkNcpus) }];
  if (chunks === undefined) return; // qsub's own validation reports a bad select
  let nodect = 0, ncpus = 0, ngpus = 0, mem = 0;
  let askedGpus = false, askedMem = false;
  for (const { count, resources } of chunks) {
    nodect += count;
    ncpus += count * Number(resources.ncpus ?? chunkNcpus);
    if (resources.ngpus !== undefined) {
      askedGpus = true;
      ngpus += count * Number(resources.ngpus);
    }
    if (resources.mem !== undefined) {
      askedMem = true;
      mem += count * (parseSize(resources.mem) ?? 0);
    }
  }
  out.nodect = String(nodect);
  out.ncpus = String(ncpus);
  if (askedGpus) out.ngpus = String(ngpus);
  if (askedMem) out.mem = sizeText(mem);
}

function jobWideChunk(out: RequestedResources, chunkNcpus: number): Record<string, string> {
  const chunk: Record<string, string> = { ncpus: out.ncpus ?? String(chunkNcpus) };
  if (out.mem !== undefined) chunk.mem = out.mem;
  if (out.ngpus !== undefined) chunk.ngpus = out.ngpus;
  return chunk;
}

function safeSelect(select: string) {
  try {
    return parseSelect(select);
  } catch {
    return undefined;
  }
}

function sizeText(bytes: number): string {
  const units = ["b", "kb", "mb", "gb", "tb"];
  let value = bytes, unit = 0;
  while (unit < units.length - 1 && value !== 0 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value}${units[unit]}`;
}

/** Numeric view of a resource value for comparison, or undefined when PBS would not compare it. */
function magnitude(name: string, value: string): number | undefined {
  if (DURATIONS.has(name)) return parseDuration(value);
  if (SIZES.has(name)) return parseSize(value);
  if (COUNTS.has(name)) return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  return undefined;
}

/** Canonical text of a bound (`1:00:00` → `01:00:00`) so messages read as PBS prints limits. */
function boundText(name: string, value: PbsValue): string {
  if (DURATIONS.has(name)) {
    const seconds = parseDuration(String(value));
    if (seconds !== undefined) return formatDuration(seconds);
  }
  return String(value);
}

/** Step 3: the limits of one source the completed request breaks. */
export function checkLimits(
  effective: RequestedResources,
  limits: Limits,
  source: string,
  scope: "queue" | "server",
): LimitViolation[] {
  const out: LimitViolation[] = [];
  const check = (map: ResourceMap, limit: "resources_max" | "resources_min") => {
    for (const [resource, bound] of Object.entries(map)) {
      const value = effective[resource];
      if (value === undefined) continue;
      const have = magnitude(resource, value);
      const edge = magnitude(resource, String(bound));
      if (have === undefined || edge === undefined) continue;
      const broken = limit === "resources_max" ? have > edge : have < edge;
      if (!broken) continue;
      const b = boundText(resource, bound);
      out.push({ source, scope, limit, resource, bound: b, requested: value, fits: b });
    }
  };
  check(limits.max, "resources_max");
  check(limits.min, "resources_min");
  return out;
}

function aclRefuses(queue: Queue, user: string | undefined): boolean {
  if (!queue.aclUserEnable || user === undefined) return false;
  return !queue.aclUsers.some((entry) => entry.split("@")[0] === user);
}

/**
 * The fit of one queue. `admit` is what the queue itself must be: `enabled`
 * to accept a job at all (qsub, qmove, routing), `started` too when it is
 * offered as a place to run.
 */
export function checkQueue(
  requested: RequestedResources,
  queue: Queue,
  context: FitContext,
  admit: { started?: boolean } = {},
  seen: ReadonlySet<string> = new Set(),
): QueueFit {
  const effective = applyDefaults(requested, queue, context.server);
  const violations = [
    ...checkLimits(
      effective,
      { min: queue.resourcesMin, max: queue.resourcesMax },
      queue.name,
      "queue",
    ),
    ...checkLimits(effective, serverLimits(context.server), "server", "server"),
  ];
  const refusal = !queue.enabled
    ? "disabled (enabled = False)"
    : admit.started && !queue.started
    ? "stopped (started = False)"
    : aclRefuses(queue, context.user)
    ? `its ACL does not admit ${context.user}`
    : undefined;
  const fit: QueueFit = {
    queue: queue.name,
    type: queue.type,
    fits: refusal === undefined && violations.length === 0,
    violations,
    effective,
  };
  if (refusal) fit.refusal = refusal;
  if (queue.type !== "Route") return fit;

  const inner = new Set([...seen, queue.name]);
  fit.destinations = queue.routeDestinations.map((name) => {
    const dest = context.queues.find((q) => q.name === name);
    if (!dest || inner.has(name)) {
      return {
        queue: name,
        type: dest?.type ?? "",
        fits: false,
        refusal: dest ? "it routes back to an earlier queue" : "it does not exist",
        violations: [],
        effective: requested,
      };
    }
    // Destinations need not be started to take a routed job; they must be enabled.
    return checkQueue(requested, dest, context, {}, inner);
  });
  fit.routesTo = fit.destinations.find((d) => d.fits)?.queue;
  fit.fits = fit.fits && fit.routesTo !== undefined;
  return fit;
}

/**
 * Queues this request fits, in qstat's order: enabled and started execution
 * queues whose limits it meets, and routing queues with a fitting destination.
 */
export function fittingQueues(requested: RequestedResources, context: FitContext): QueueFit[] {
  return context.queues
    .map((queue) => checkQueue(requested, queue, context, { started: true }))
    .filter((fit) => fit.fits && (fit.type === "Execution" || fit.type === "Route"));
}

/** The submit_job parameter a resource is set with (nodect is counted from node_count/select). */
const PARAMETER_OF: Record<string, string> = {
  walltime: "walltime",
  nodect: "node_count",
  ncpus: "ncpus",
  ngpus: "ngpus",
  mem: "mem",
};

/** The change that satisfies one violation, as a submit_job argument (`node_count ≥ 10`). */
export function fixFor(v: LimitViolation): string {
  const parameter = PARAMETER_OF[v.resource] ?? `extra_resources.${v.resource}`;
  return `${parameter} ${v.limit === "resources_max" ? "≤" : "≥"} ${v.fits}`;
}

/** `walltime 02:00:00 is above debug's resources_max.walltime 01:00:00`. */
export function describeViolation(v: LimitViolation): string {
  const where = v.scope === "server" ? "the server's" : `${v.source}'s`;
  const side = v.limit === "resources_max" ? "above" : "below";
  return `${v.resource} ${v.requested} is ${side} ${where} ${v.limit}.${v.resource} ${v.bound}`;
}

/** One line on a queue's fit: why it refuses, or that it fits. */
export function describeFit(fit: QueueFit): string {
  if (fit.refusal) return `${fit.queue}: ${fit.refusal}`;
  if (fit.violations.length > 0) {
    const reasons = fit.violations.map(describeViolation).join("; ");
    const fixes = fit.violations.map(fixFor).join(", ");
    return `${fit.queue}: ${reasons} (would fit with ${fixes})`;
  }
  if (fit.destinations && !fit.routesTo) return `${fit.queue}: no destination accepts it`;
  return `${fit.queue}: fits`;
}

/**
 * How a complex is described before it is built: server settings, queues and
 * nodes. Scenarios (`scenarios.ts`) are functions returning one of these.
 */
import type { QueuejobHook } from "./hooks.ts";
import { parseSize } from "../src/pbs/model/time.ts";
import type { SimNode, SimQueue } from "./model.ts";
import type { ResourceMap } from "./resources.ts";

export interface QueueConfig {
  name: string;
  type?: "Execution" | "Route";
  enabled?: boolean;
  started?: boolean;
  priority?: number;
  resourcesMax?: ResourceMap;
  resourcesMin?: ResourceMap;
  resourcesDefault?: ResourceMap;
  maxRun?: number;
  maxQueued?: number;
  aclUsers?: string[];
  routeDestinations?: string[];
}

export interface NodeConfig {
  name: string;
  ncpus: number;
  ngpus?: number;
  /** PBS size text (`24684084kb`, `512gb`) or bytes. */
  mem: string | number;
  pcpus?: number;
  mom?: string;
  /** resources_available.host (defaults to the mom). */
  host?: string;
  sharing?: string;
  queue?: string;
  extra?: Record<string, string | number>;
  /** Initial flags: `offline`, `down`. */
  flags?: Array<"offline" | "down">;
  comment?: string;
}

export interface ComplexConfig {
  serverName: string;
  serverHost: string;
  version?: string;
  defaultQueue: string;
  jobHistoryEnable?: boolean;
  /** Seconds; PBS's default is two weeks. */
  jobHistoryDuration?: number;
  maxArraySize?: number;
  resourcesDefault?: ResourceMap;
  defaultChunk?: ResourceMap;
  /** `root`, `admin@*`: user names (the host part is ignored). */
  managers?: string[];
  operators?: string[];
  mailer?: string;
  mailFrom?: string;
  queues: QueueConfig[];
  nodes: NodeConfig[];
  /** How many blocked jobs get an estimated start and backfill protection. */
  backfillDepth?: number;
  /**
   * sched_config `strict_ordering: true ALL`. Off (PBS's default), the scheduler
   * computes no estimates on a complex that sets no backfill_depth
   * (captures qstat_T_default_sched vs qstat_T_strict_ordering).
   */
  strictOrdering?: boolean;
  /** Site queuejob hooks that may reject submissions (sim/hooks.ts). */
  queuejobHooks?: QueuejobHook[];
  /**
   * Minimum simulated seconds between scheduling cycles while time advances
   * (0: a cycle after every event, like an idle PBS; big sites cycle slower).
   */
  schedulerInterval?: number;
}

export interface ComplexOptions {
  seed: number;
  /** Where finished jobs write their output files (users' homes live under it). */
  outputDir?: string;
  /** Virtual clock start, epoch seconds. */
  startTime?: number;
}

export const TWO_WEEKS = 14 * 86400;

export function buildQueue(config: QueueConfig): SimQueue {
  return {
    name: config.name,
    type: config.type ?? "Execution",
    enabled: config.enabled ?? true,
    started: config.started ?? true,
    priority: config.priority,
    resourcesMax: { ...config.resourcesMax },
    resourcesMin: { ...config.resourcesMin },
    resourcesDefault: { ...config.resourcesDefault },
    maxRun: config.maxRun,
    maxQueued: config.maxQueued,
    aclUserEnable: config.aclUsers !== undefined,
    aclUsers: config.aclUsers ?? [],
    routeDestinations: config.routeDestinations ?? [],
  };
}

export function buildNode(config: NodeConfig, now: number): SimNode {
  const mom = config.mom ?? config.name;
  const memBytes = typeof config.mem === "number" ? config.mem : parseSize(config.mem) ?? 0;
  return {
    name: config.name,
    mom,
    state: config.flags && config.flags.length > 0 ? [...config.flags] : ["free"],
    pcpus: config.pcpus ?? config.ncpus,
    ncpus: config.ncpus,
    ngpus: config.ngpus ?? 0,
    memBytes,
    extra: {
      arch: "linux",
      host: config.host ?? mom,
      vnode: config.name,
      ...config.extra,
    },
    comment: config.comment,
    sharing: config.sharing ?? "default_shared",
    queue: config.queue,
    lastStateChangeTime: now,
  };
}

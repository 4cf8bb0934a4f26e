/**
 * Which queue to recommend for a request, and why: the queues it fits (from
 * queue_fit.ts, PBS's own admission arithmetic) ranked by what a user would
 * choose, with plain-language reasons when the chosen or given queue refuses.
 */
import { isPbsError } from "../pbs/errors.ts";
import type { Queue, ServerInfo } from "../pbs/model/types.ts";
import {
  checkQueue,
  describeFit,
  type FitContext,
  fittingQueues,
  type QueueFit,
  type RequestedResources,
} from "./queue_fit.ts";

/** What the choice reads from the service: the caller (for ACLs), the server and its queues. */
export interface QueueSite {
  user: string;
  queues(): Promise<Queue[]>;
  server(): Promise<ServerInfo>;
}

export interface QueueChoice {
  /** The queue to write into the request; absent when no queue takes it. */
  queue?: string;
  /** What the user should know about the choice. */
  notes: string[];
  /** The `place` the job would get by default where it runs (queue's, else server's). */
  defaultPlace?: string;
}

/**
 * Order of preference among queues a request fits: the server's default
 * queue; then routing queues (the site's own entry points, which pick the
 * execution queue); then execution queues open to everyone; then those whose
 * ACL admits the caller. qstat's order breaks ties.
 */
function preference(fit: QueueFit, queue: Queue, server: ServerInfo): number {
  if (fit.queue === server.defaultQueue) return 0;
  if (fit.type === "Route") return 1;
  return queue.aclUserEnable ? 3 : 2;
}

/** A queue qsub may name: `from_route_only` queues take jobs only from their routing queue. */
function submittable(queue: Queue): boolean {
  return queue.attributes.from_route_only !== "True";
}

/** Why a queue does not take the request; for a routing queue, each destination's reason. */
function whyNot(fit: QueueFit): string {
  if (fit.destinations && !fit.refusal && fit.violations.length === 0) {
    return `${fit.queue} routes only to queues that refuse it: ${
      fit.destinations.map(describeFit).join("; ")
    }`;
  }
  return describeFit(fit);
}

/**
 * Why no queue takes the request: each queue qsub could name, and each
 * routing destination once (a routing queue itself only names them).
 */
function whyNone(requested: RequestedResources, context: FitContext): string[] {
  const names: string[] = [];
  for (const queue of context.queues) {
    if (!queue.enabled || !queue.started || !submittable(queue)) continue;
    names.push(queue.name, ...queue.routeDestinations);
  }
  return [...new Set(names)].flatMap((name) => {
    const queue = context.queues.find((q) => q.name === name);
    if (!queue) return [];
    if (queue.type === "Route" && queue.enabled) {
      return [`${name} routes to ${queue.routeDestinations.join(", ")}`];
    }
    return [describeFit(checkQueue(requested, queue, context))];
  });
}

/**
 * The queue to recommend for a request: `given` when there is one (with a
 * note when it will not take the request), else the best queue that takes it
 * (none, with a note on each queue's reason, when no queue does).
 */
export async function chooseQueue(
  site: QueueSite,
  requested: RequestedResources,
  given: string | undefined,
): Promise<QueueChoice> {
  // A queue on another server (`q@server`) is not ours to check.
  if (given?.includes("@")) return { queue: given, notes: [] };
  let context: FitContext;
  try {
    const [server, queues] = await Promise.all([site.server(), site.queues()]);
    context = { server, queues, user: site.user };
  } catch (error) {
    if (!isPbsError(error)) throw error;
    const what = given ? `whether ${given} takes this request` : "a queue that takes this request";
    return {
      queue: given,
      notes: [`Could not read the queues to check ${what}: ${error.message}`],
    };
  }
  const choice = pickQueue(requested, given, context);
  const place = defaultPlace(requested, choice.queue, context);
  return place === undefined ? choice : { ...choice, defaultPlace: place };
}

/**
 * The `place` PBS would give the job by default: the `resources_default.place`
 * of the queue it runs in (for a routing queue, the destination it routes
 * to), else the server's.
 */
function defaultPlace(
  requested: RequestedResources,
  queueName: string | undefined,
  context: FitContext,
): string | undefined {
  const queue = context.queues.find((q) => q.name === queueName);
  const routesTo = queue ? checkQueue(requested, queue, context).routesTo : undefined;
  const runsIn = context.queues.find((q) => q.name === routesTo) ?? queue;
  const place = runsIn?.resourcesDefault.place ?? context.server.resourcesDefault.place;
  return place === undefined ? undefined : String(place);
}

function pickQueue(
  requested: RequestedResources,
  given: string | undefined,
  context: FitContext,
): QueueChoice {
  const byName = new Map(context.queues.map((q) => [q.name, q]));
  const fitting = fittingQueues(requested, context)
    .filter((fit) => submittable(byName.get(fit.queue)!))
    .map((fit, order) => ({
      fit,
      order,
      rank: preference(fit, byName.get(fit.queue)!, context.server),
    }))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ fit }) => fit.queue);
  const others = (name?: string) => fitting.filter((q) => q !== name);

  if (given !== undefined) {
    const queue = byName.get(given);
    if (!queue) {
      return {
        queue: given,
        notes: [
          `Queue ${given} does not exist here; queues that take this request: ${
            fitting.join(", ") || "none"
          }.`,
        ],
      };
    }
    const fit = checkQueue(requested, queue, context, { started: true });
    if (fit.fits) return { queue: given, notes: [] };
    return {
      queue: given,
      notes: [
        `Queue ${given} will not take this request: ${whyNot(fit)}. ` +
        (fitting.length
          ? `Queues that take it: ${fitting.join(", ")}.`
          : "No queue here takes it as it stands."),
      ],
    };
  }
  if (fitting.length > 0) {
    const [chosen] = fitting;
    const also = others(chosen);
    return {
      queue: chosen,
      notes: [
        `Queue ${chosen} takes this request${
          also.length ? ` (so do ${also.join(", ")})` : ""
        }; list_queues shows their limits.`,
      ],
    };
  }
  return {
    queue: undefined,
    notes: [
      `No queue takes this request as it stands, so the script names none: ${
        whyNone(requested, context).join("; ")
      }.`,
    ],
  };
}

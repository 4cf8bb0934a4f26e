/**
 * The verdict for a pending job: why it is not running yet.
 *
 * Each check (holds and dependencies, start time, server, queue, reservation,
 * scheduler comment, capacity) yields blocking reasons; the first one found is
 * the headline. A reservation's queue is not started until the reservation begins.
 */
import { parseSelect } from "../../pbs/model/select.ts";
import { describeHolds, describeJobState } from "../../pbs/model/states.ts";
import { formatDuration, parseDuration, parseSize } from "../../pbs/model/time.ts";
import type { Job, Queue, Reservation } from "../../pbs/model/types.ts";
import type { Role } from "../results.ts";
import { changeVia, findQueue, isoTime, unique } from "./helpers.ts";
import type {
  DependencyStatus,
  Diagnosis,
  DiagnosisCategory,
  DiagnosisInput,
  Reason,
  SchedulerReason,
} from "./types.ts";

export function diagnosePending(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const queue = findQueue(input);
  const reasons: Reason[] = [
    ...holdReasons(input, d),
    ...startTimeReasons(input),
    ...serverReasons(input),
    ...queueReasons(input, queue),
    ...reservationQueueReasons(input, queue),
    ...schedulerReasons(input, d, queue),
    ...capacityReasons(input),
  ];
  for (const reason of reasons) {
    d.findings.push({
      topic: topicOf(reason.category),
      severity: "blocking",
      message: reason.summary,
    });
  }
  addCompetingReservations(input, d);
  if (d.estimatedStart !== undefined) {
    d.findings.push({
      topic: "estimate",
      severity: "info",
      message: `The scheduler estimates it will start at ${isoTime(d.estimatedStart)}.`,
    });
  }
  const headline = reasons[0] ?? notYetScheduled(input);
  d.category = headline.category;
  d.summary = headline.summary;
  d.nextSteps = unique(reasons.length ? reasons.flatMap((r) => r.steps) : headline.steps);
  return d;
}

function topicOf(category: DiagnosisCategory): string {
  switch (category) {
    case "held":
      return "hold";
    case "dependency":
    case "dependency_never_satisfied":
      return "dependency";
    case "queue_not_started":
    case "in_routing_queue":
    case "queue_limit":
      return "queue";
    case "scheduling_disabled":
      return "server";
    case "waiting_for_reservation":
    case "reservation_conflict":
      return "reservation";
    case "waiting_for_start_time":
      return "start_time";
    default:
      return "scheduler";
  }
}

const HOLD_RELEASERS: Record<string, string> = {
  u: "the job's owner (or an operator/manager)",
  o: "an operator or manager",
  s: "a manager",
  p: "an administrator (after fixing the password problem)",
};

/** Holds and dependency waits (PBS shows both as state H). */
function holdReasons(input: DiagnosisInput, d: Diagnosis): Reason[] {
  const { job } = input;
  const reasons: Reason[] = [];
  const letters = [...job.holdTypes.replace(/n/g, "")];
  const dependencyHold = job.substate === 22 ||
    (letters.includes("s") && d.dependencies.length > 0);
  const manualHolds = letters.filter((l) => !(l === "s" && dependencyHold));
  if (manualHolds.length > 0) reasons.push(manualHoldReason(input, manualHolds));
  if (dependencyHold || d.dependencies.some((dep) => dep.condition !== "met")) {
    const reason = dependencyReason(input, d.dependencies);
    if (reason) reasons.push(reason);
  }
  return reasons;
}

function manualHoldReason(input: DiagnosisInput, letters: string[]): Reason {
  const { job } = input;
  const names = describeHolds(letters.join(""));
  const heldBy = /^Job held by (\S+)/.exec(job.comment ?? "")?.[1];
  const releasers = letters.map((l) =>
    `the ${holdName(l)} hold can be released by ${HOLD_RELEASERS[l] ?? "an administrator"}`
  );
  const isOwner = input.caller === undefined || input.caller === job.user;
  const steps = letters.map((letter) =>
    canRelease(letter, input.callerRole, isOwner)
      ? `Release it: ${changeVia(input).release(letter)}.`
      : `Ask ${HOLD_RELEASERS[letter] ?? "an administrator"} to release the ${
        holdName(letter)
      } hold (qrls -h ${letter} ${job.id}).`
  );
  return {
    category: "held",
    summary: `The job has a ${names.join(" and ")} hold${heldBy ? ` (set by ${heldBy})` : ""}: ${
      releasers.join("; ")
    }.`,
    steps,
  };
}

function holdName(letter: string): string {
  return describeHolds(letter)[0] ?? letter;
}

/** Who may run qrls: owners their user holds, operators also operator holds, managers all. */
function canRelease(letter: string, role: Role | undefined, isOwner: boolean): boolean {
  if (role === "manager") return true;
  if (role === "operator") return letter === "u" || letter === "o";
  return letter === "u" && isOwner;
}

function dependencyReason(input: DiagnosisInput, deps: DependencyStatus[]): Reason | undefined {
  const { job } = input;
  const via = changeVia(input);
  if (deps.length === 0) {
    return job.depend
      ? {
        category: "dependency",
        summary: `The job waits on a dependency (${job.depend}).`,
        steps: ["Check the jobs named in its dependency with get_job_status."],
      }
      : undefined;
  }
  const impossible = deps.filter((dep) => dep.condition === "impossible");
  const waiting = deps.filter((dep) => dep.condition === "waiting" || dep.condition === "unknown");
  if (impossible.length > 0) {
    return {
      category: "dependency_never_satisfied",
      summary: `The job can never start: ${impossible.map(describeDependency).join("; ")}.`,
      steps: [
        `Delete it (${via.delete()}) and resubmit once the job it needs has succeeded, or change the dependency: ${
          via.alter("depend", "...")
        }.`,
      ],
    };
  }
  if (waiting.length === 0) return undefined;
  return {
    category: "dependency",
    summary: `The job waits for ${waiting.map(describeDependency).join("; ")}.`,
    steps: [
      `It starts by itself once ${
        waiting.length === 1 ? "that job ends" : "those jobs end"
      } as required; follow them with wait_for_job.`,
      `To change or drop the dependency: ${via.alter("depend", "...")}.`,
    ],
  };
}

function describeDependency(dep: DependencyStatus): string {
  if (dep.state === undefined) return `${dep.type} ${dep.jobId} (PBS no longer knows that job)`;
  const state = describeJobState(dep.state).name;
  const exit = dep.exitStatus === undefined ? "" : `, exit status ${dep.exitStatus}`;
  const need = dep.type === "afterok"
    ? "needs it to succeed"
    : dep.type === "afternotok"
    ? "needs it to fail"
    : dep.type === "after"
    ? "needs it to start"
    : "needs it to end";
  return `${dep.jobId} (${state}${exit}; ${dep.type} ${need})`;
}

function startTimeReasons(input: DiagnosisInput): Reason[] {
  const { job } = input;
  if (job.state !== "W") return [];
  const when = job.times.executeAfter;
  return [{
    category: "waiting_for_start_time",
    summary: `The job waits for its requested start time${
      when ? ` (${isoTime(when)})` : ""
    } (qsub -a).`,
    steps: [
      `To start it earlier, change its start time: ${
        changeVia(input).alter("start_after", "...")
      }.`,
    ],
  }];
}

function serverReasons(input: DiagnosisInput): Reason[] {
  if (input.server?.scheduling !== false) return [];
  return [{
    category: "scheduling_disabled",
    summary:
      "Scheduling is turned off on the PBS server (scheduling = False): no job starts until an administrator turns it back on.",
    steps: [
      "Nothing you can change fixes this; ask the site administrators when scheduling resumes.",
    ],
  }];
}

function queueReasons(input: DiagnosisInput, queue: Queue | undefined): Reason[] {
  if (!queue) return [];
  const reasons: Reason[] = [];
  if (isRouteQueue(queue)) {
    reasons.push({
      category: "in_routing_queue",
      summary: `Queue ${queue.name} is a routing queue (to ${
        queue.routeDestinations.join(", ") || "no destination"
      }); the job waits to be routed${queue.started ? "" : ", and the queue is not started"}.`,
      steps: [
        `Submit straight to an execution queue, or move it: ${
          changeVia(input).move(alternativeQueue(input, queue) ?? "QUEUE")
        }.`,
      ],
    });
  } else if (!queue.started && !isReservationQueue(queue, input.reservations)) {
    const other = alternativeQueue(input, queue);
    reasons.push({
      category: "queue_not_started",
      summary:
        `Queue ${queue.name} is not started: its jobs wait until an administrator starts it.`,
      steps: [
        other
          ? `Move the job to a started queue, e.g. ${
            changeVia(input).move(other)
          } (list_queues shows limits).`
          : "Move the job to a started queue (list_queues shows which are started), or ask the administrators to start this one.",
      ],
    });
  }
  reasons.push(...queueLimitReasons(input, queue));
  return reasons;
}

function isRouteQueue(queue: Queue): boolean {
  return queue.type.toLowerCase().startsWith("route");
}

function isReservationQueue(queue: Queue, reservations: Reservation[] | undefined): boolean {
  return (reservations ?? []).some((r) => r.queue === queue.name) || /^[RSM]\d+$/.test(queue.name);
}

/** A started, enabled execution queue other than `queue` whose walltime limit fits the job. */
function alternativeQueue(input: DiagnosisInput, queue: Queue): string | undefined {
  const wall = parseDuration(String(input.job.requested.walltime ?? ""));
  return input.queues?.find((q) =>
    q.name !== queue.name && q.started && q.enabled && !isRouteQueue(q) &&
    !isReservationQueue(q, input.reservations) &&
    (q.aclUserEnable ? q.aclUsers.some((u) => u.split("@")[0] === input.job.user) : true) &&
    fitsWalltime(wall, q)
  )?.name;
}

function fitsWalltime(wall: number | undefined, queue: Queue): boolean {
  if (wall === undefined) return true;
  const max = parseDuration(String(queue.resourcesMax.walltime ?? ""));
  const min = parseDuration(String(queue.resourcesMin.walltime ?? ""));
  return (max === undefined || wall <= max) && (min === undefined || wall >= min);
}

/** Limits can change after submission; a job outside them waits forever. */
function queueLimitReasons(input: DiagnosisInput, queue: Queue): Reason[] {
  const { job } = input;
  const reasons: Reason[] = [];
  const wall = parseDuration(String(job.requested.walltime ?? ""));
  const max = parseDuration(String(queue.resourcesMax.walltime ?? ""));
  if (wall !== undefined && max !== undefined && wall > max) {
    reasons.push({
      category: "queue_limit",
      summary: `The job asks for walltime ${
        formatDuration(wall)
      }, above queue ${queue.name}'s maximum ${formatDuration(max)}.`,
      steps: [
        `Lower it: ${
          changeVia(input).alter("walltime", formatDuration(max))
        }, or move it to a queue with a higher limit.`,
      ],
    });
  }
  return reasons;
}

/** A job in a reservation's queue waits for the reservation to begin. */
function reservationQueueReasons(input: DiagnosisInput, queue: Queue | undefined): Reason[] {
  const resv = (input.reservations ?? []).find((r) =>
    (queue && r.queue === queue.name) || (input.job.reservation && r.id === input.job.reservation)
  );
  if (!resv || resv.state === "RESV_RUNNING") return [];
  const starts = resv.start !== undefined ? ` at ${isoTime(resv.start)}` : "";
  return [{
    category: "waiting_for_reservation",
    summary:
      `The job is in reservation ${resv.id}'s queue, which starts${starts} (reservation state ${resv.state}).`,
    steps: [
      "It starts when the reservation begins; make sure its walltime fits in the reservation's window.",
    ],
  }];
}

function schedulerReasons(input: DiagnosisInput, d: Diagnosis, queue: Queue | undefined): Reason[] {
  const reason = d.scheduler;
  if (!reason) return [];
  // Reported more precisely by the queue/server checks above.
  if (reason.category === "queue_not_started" && queue && !queue.started) return [];
  return [{
    category: reason.category,
    summary: `Scheduler: "${reason.reason}". ${reason.explanation}`,
    steps: schedulerSteps(input, reason),
  }];
}

function schedulerSteps(input: DiagnosisInput, reason: SchedulerReason): string[] {
  const via = changeVia(input);
  const res = reason.resource;
  switch (reason.category) {
    case "can_never_run":
      return res
        ? [
          `Ask for at most ${res.total ?? "what exists"} ${res.name}${
            res.scope === "node" ? " per chunk" : ""
          }: ${
            res.name === "ncpus" || res.name === "ngpus"
              ? `split the work into more, smaller chunks (e.g. select=2:${res.name}=${
                half(res.requested)
              } instead of 1:${res.name}=${res.requested})`
              : "lower the request"
          }. Change it with ${via.alter("select", "...")}, or delete and resubmit.`,
          "list_nodes shows what each node offers.",
        ]
        : [
          `Change the request so the complex can satisfy it (${
            via.alter("select", "...")
          }), or delete and resubmit.`,
        ];
    case "insufficient_resources":
      return [
        `Wait: it starts when ${res?.name ?? "the resource"} frees up${
          res?.available ? ` (${res.available} free now)` : ""
        }.`,
        "To start sooner, ask for less or a shorter walltime so it can backfill.",
      ];
    case "waiting_for_nodes":
      return [
        "Wait: it starts when enough nodes free up (list_nodes state_filter=free shows what is free now).",
        "Fewer nodes or a shorter walltime lets the scheduler fit it into gaps sooner (backfill).",
      ];
    case "reservation_conflict":
      return [
        "A shorter walltime may let it finish before the reservation or top job begins; otherwise wait.",
      ];
    case "run_limit":
      return [
        "Wait for some of your running jobs to finish (list_jobs user_filter=me state_filter=running); queued jobs beyond the limit start in turn.",
      ];
    case "node_unavailable":
      return [
        "Wait, or relax node requirements (place, exclusive use, node type); list_nodes shows node states.",
      ];
    case "queue_not_started":
      return [
        `Move the job to a started queue (${
          via.move("QUEUE")
        }), or wait for the queue to be started.`,
      ];
    case "in_routing_queue":
      return [`Move the job to an execution queue: ${via.move("QUEUE")}.`];
    default:
      return ["Read the scheduler's reason above; get_job_status shows the full job."];
  }
}

function half(value: string | undefined): string {
  const n = Number(value);
  return Number.isFinite(n) && n > 1 ? String(Math.ceil(n / 2)) : "N";
}

/** When the scheduler has not spoken yet, check the request against the biggest node. */
function capacityReasons(input: DiagnosisInput): Reason[] {
  const { job, capacity } = input;
  if (!capacity || input.job.comment?.startsWith("Can Never Run")) return [];
  const select = job.requested.select;
  if (select === undefined) return [];
  let chunks;
  try {
    chunks = parseSelect(String(select));
  } catch {
    return [];
  }
  const problems: string[] = [];
  for (const chunk of chunks) {
    const ncpus = Number(chunk.resources.ncpus ?? 0);
    const ngpus = Number(chunk.resources.ngpus ?? 0);
    const mem = chunk.resources.mem ? parseSize(chunk.resources.mem) ?? 0 : 0;
    if (ncpus > capacity.maxNodeNcpus) {
      problems.push(
        `a chunk asks for ncpus=${ncpus}; the largest node has ${capacity.maxNodeNcpus}`,
      );
    }
    if (ngpus > capacity.maxNodeNgpus) {
      problems.push(
        `a chunk asks for ngpus=${ngpus}; the largest node has ${capacity.maxNodeNgpus}`,
      );
    }
    if (capacity.maxNodeMemBytes > 0 && mem > capacity.maxNodeMemBytes) {
      problems.push(`a chunk asks for mem=${chunk.resources.mem}; no node has that much`);
    }
  }
  if (problems.length === 0) return unusableNodeReasons(job, chunks, capacity);
  return [{
    category: "can_never_run",
    summary: `The request cannot fit on any node: ${unique(problems).join("; ")}.`,
    steps: [
      `Split the work into more, smaller chunks: ${
        changeVia(input).alter("select", "...")
      }; list_nodes shows node sizes.`,
    ],
  }];
}

/**
 * A chunk that fits the largest node but none that is up and online waits
 * until an admin brings such a node back: the same "usable node" rule that
 * list_nodes counts free cpus and gpus by.
 */
function unusableNodeReasons(
  job: Job,
  chunks: ReturnType<typeof parseSelect>,
  capacity: NonNullable<DiagnosisInput["capacity"]>,
): Reason[] {
  const problems: string[] = [];
  for (const chunk of chunks) {
    for (
      const [resource, largest] of [
        ["ncpus", capacity.maxUsableNodeNcpus],
        ["ngpus", capacity.maxUsableNodeNgpus],
      ] as const
    ) {
      const asked = Number(chunk.resources[resource] ?? 0);
      if (largest !== undefined && asked > largest) {
        problems.push(
          `a chunk asks for ${resource}=${asked}; the largest node that is up and online has ${largest} ` +
            `(${capacity.usableNodes} usable node(s); larger ones are down or offline)`,
        );
      }
    }
  }
  if (problems.length === 0) return [];
  return [{
    category: "node_unavailable",
    summary: `It waits for nodes that are down or offline: ${unique(problems).join("; ")}.`,
    steps: [
      "list_nodes state_filter: offline (or down) shows those nodes and why; ask an admin when they return.",
      `Or ask for less per chunk: modify_job job_id=${job.id} select=...`,
    ],
  }];
}

function notYetScheduled(input: DiagnosisInput): Reason {
  if (input.job.state === "H") {
    return {
      category: "held",
      summary: "The job is held, but PBS does not say by what.",
      steps: [
        `get_job_status shows Hold_Types; a user hold is released with ${
          changeVia(input).release("u")
        }.`,
      ],
    };
  }
  return {
    category: "not_yet_scheduled",
    summary:
      "The job is queued and the scheduler has not commented on it yet (it usually does within a scheduling cycle, about a minute).",
    steps: [
      "Ask again in a minute; the scheduler's comment will say why it waits, if it still does.",
    ],
  };
}

/** Reservations active or starting within the job's walltime: they hold nodes the job cannot use. */
function addCompetingReservations(input: DiagnosisInput, d: Diagnosis): void {
  const wall = parseDuration(String(input.job.requested.walltime ?? "")) ?? 3600;
  const from = input.now;
  const until = (d.estimatedStart ?? input.now) + wall;
  const competing = (input.reservations ?? []).filter((r) =>
    r.queue !== input.job.queue &&
    (r.state === "RESV_RUNNING" || r.state === "RESV_CONFIRMED") &&
    (r.start ?? 0) < until && (r.end ?? Number.MAX_SAFE_INTEGER) > from
  );
  if (competing.length === 0) return;
  const shown = competing.slice(0, 5).map((r) =>
    `${r.id}${r.name ? ` (${r.name})` : ""} ${r.state === "RESV_RUNNING" ? "running" : "from"} ${
      r.start !== undefined ? isoTime(r.start) : "?"
    } to ${r.end !== undefined ? isoTime(r.end) : "?"}`
  );
  const more = competing.length > 5 ? ` and ${competing.length - 5} more` : "";
  d.findings.push({
    topic: "competing_reservations",
    severity: d.scheduler?.category === "reservation_conflict" ? "blocking" : "info",
    message: `Reservations holding nodes during the job's window: ${shown.join("; ")}${more}.`,
  });
}

/**
 * Why a job is not running, or why it failed.
 *
 * Pure functions over what PBS reports (the job, its queue, the server,
 * reservations, the jobs it depends on, the tail of its output), so every
 * rule is unit-testable without PBS or MCP. The `diagnose_job` tool gathers
 * the inputs and renders the result.
 *
 * Facts used (from OpenPBS and the goldens, in our own words):
 * - The scheduler explains a queued job in its `comment`: `Not Running: REASON`
 *   when it may run later, `Can Never Run: REASON` when it cannot run as
 *   requested on this complex (REASON from the scheduler's fail-code table,
 *   e.g. `Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)` =
 *   requested, available, total).
 * - A dependency wait is job state H with `Hold_Types` `s` and substate 22.
 * - Exit_status -29 is a walltime kill; MoM writes
 *   `=>> PBS: job killed: walltime 308 exceeded limit 300` to the job's stderr.
 * - A reservation's queue is not started until the reservation begins.
 */
import { describeExitStatus, type ExitStatusInfo } from "../pbs/model/exit_status.ts";
import { parseSelect } from "../pbs/model/select.ts";
import { describeHolds, describeJobState, isFinished, isPending } from "../pbs/model/states.ts";
import { formatDuration, parseDuration, parseSize } from "../pbs/model/time.ts";
import type { Job, PbsValue, Queue, Reservation, ServerInfo } from "../pbs/model/types.ts";
import type { Role } from "./results.ts";

// ---------------------------------------------------------------------------
// Inputs and outputs

/** The state of a job this job depends on, as the adapter found it. */
export interface DependencyTarget {
  /** `afterok`, `afterany`, ... */
  type: string;
  jobId: string;
  /** Undefined when PBS no longer knows the job (history expired, or never existed). */
  state?: string;
  exitStatus?: number;
}

export interface DependencyStatus extends DependencyTarget {
  /** `met`: no longer blocks; `waiting`: may still be met; `impossible`: can never be met. */
  condition: "met" | "waiting" | "impossible" | "unknown";
}

/** The tail of one of the job's output streams. */
export interface OutputTail {
  stream: "stdout" | "stderr";
  text: string;
}

/** The largest node and the whole complex, for "does this request fit at all". */
export interface ClusterCapacity {
  maxNodeNcpus: number;
  maxNodeNgpus: number;
  maxNodeMemBytes: number;
  totalNcpus: number;
  usableNodes: number;
}

export interface DiagnosisInput {
  job: Job;
  /** Every queue (the job's own is looked up; others are suggested as alternatives). */
  queues?: Queue[];
  server?: ServerInfo;
  reservations?: Reservation[];
  dependencies?: DependencyTarget[];
  outputs?: OutputTail[];
  /** Why some output could not be read (kept so the answer can say so). */
  outputProblems?: string[];
  capacity?: ClusterCapacity;
  /** The caller's PBS role and user name, to say whether they can release a hold themselves. */
  callerRole?: Role;
  caller?: string;
  /** Epoch seconds. */
  now: number;
}

export type Severity = "blocking" | "warning" | "info";

export interface Finding {
  /** Stable key: `scheduler`, `hold`, `dependency`, `queue`, `server`, `competing_reservations`, ... */
  topic: string;
  severity: Severity;
  message: string;
}

export type DiagnosisCategory =
  // pending
  | "can_never_run"
  | "insufficient_resources"
  | "waiting_for_nodes"
  | "queue_not_started"
  | "scheduling_disabled"
  | "held"
  | "dependency"
  | "dependency_never_satisfied"
  | "run_limit"
  | "reservation_conflict"
  | "waiting_for_reservation"
  | "waiting_for_start_time"
  | "node_unavailable"
  | "in_routing_queue"
  | "queue_limit"
  | "not_yet_scheduled"
  | "scheduler_other"
  // running
  | "running"
  | "near_walltime"
  // finished
  | "succeeded"
  | "walltime_exceeded"
  | "out_of_memory"
  | "resource_limit"
  | "segfault"
  | "module_error"
  | "missing_file"
  | "python_error"
  | "mpi_abort"
  | "command_not_found"
  | "deleted"
  | "never_ran"
  | "killed_by_signal"
  | "pbs_failure"
  | "failed";

export interface ResourceUsage {
  resource: string;
  requested: string;
  used: string;
  /** used / requested × 100, rounded; absent when either side is not a number. */
  percent?: number;
}

export type SignatureKind =
  | "walltime"
  | "memory_limit"
  | "out_of_memory"
  | "segfault"
  | "module_error"
  | "missing_file"
  | "python_traceback"
  | "mpi_abort"
  | "command_not_found"
  | "permission_denied"
  | "disk_full"
  | "gpu_error";

export interface OutputSignature {
  kind: SignatureKind;
  stream: "stdout" | "stderr";
  /** The matching line, trimmed and cut short. */
  line: string;
}

export interface SchedulerReason {
  /** `not_running` may change by itself; `can_never_run` will not. */
  verdict: "not_running" | "can_never_run";
  category: DiagnosisCategory;
  /** The text after `Not Running: ` / `Can Never Run: `. */
  reason: string;
  explanation: string;
  /** For `Insufficient amount of ... resource: NAME (R: x A: y T: z)`. */
  resource?: {
    name: string;
    scope: "node" | "queue" | "server";
    requested?: string;
    available?: string;
    total?: string;
  };
}

export interface Diagnosis {
  jobId: string;
  state: string;
  stateName: string;
  phase: "pending" | "running" | "finished";
  category: DiagnosisCategory;
  /** One or two sentences: the answer. */
  summary: string;
  findings: Finding[];
  nextSteps: string[];
  schedulerComment?: string;
  scheduler?: SchedulerReason;
  /** Epoch seconds: the scheduler's start estimate. */
  estimatedStart?: number;
  exit?: ExitStatusInfo;
  resources: ResourceUsage[];
  signatures: OutputSignature[];
  dependencies: DependencyStatus[];
}

// ---------------------------------------------------------------------------
// Scheduler comments

interface CommentRule {
  pattern: RegExp;
  category: DiagnosisCategory;
  explanation: string;
}

/**
 * Reasons the scheduler gives, most specific first. The wording of each
 * pattern follows the scheduler's fail-code table; `%s` parts are matched loosely.
 */
const COMMENT_RULES: readonly CommentRule[] = [
  {
    pattern: /^Queue not started/i,
    category: "queue_not_started",
    explanation: "The job's queue is stopped: jobs in it are kept but none are started.",
  },
  {
    pattern: /^Queue not an execution queue/i,
    category: "in_routing_queue",
    explanation: "The job sits in a routing queue, which never runs jobs itself.",
  },
  {
    pattern: /^Not enough free nodes available|^Not enough of the right type of nodes/i,
    category: "waiting_for_nodes",
    explanation: "Not enough suitable nodes are free right now; the job starts when some are.",
  },
  {
    pattern: /^Not enough total nodes available|^No available resources on nodes/i,
    category: "waiting_for_nodes",
    explanation: "The nodes the job asks for are not there (down, offline or too few in total).",
  },
  {
    pattern: /reservation|top job|dedicated time|strict sorted order/i,
    category: "reservation_conflict",
    explanation:
      "Starting now would overlap a confirmed reservation, dedicated time, or the start the scheduler has planned for a higher-priority (top) job.",
  },
  {
    pattern:
      /limit (?:has been )?reached|running job limit|running limit|would exceed .*limit|run limit|concurrent running subjobs/i,
    category: "run_limit",
    explanation:
      "A limit on running jobs or resources (per user, group, project, queue or server) is reached; the job starts when enough of the counted jobs end.",
  },
  {
    pattern:
      /^Node is in an ineligible state|^Node is of an ineligible type|exclusive node and node is in use|^Node has reached|has too few free resources|can't fit in the largest placement set/i,
    category: "node_unavailable",
    explanation:
      "The nodes that could take the job are down, offline, in use exclusively or too small.",
  },
  {
    pattern: /primetime|nonprimetime|Job will cross into/i,
    category: "run_limit",
    explanation: "The site's prime-time policy does not allow the job to start now.",
  },
];

const INSUFFICIENT_RE =
  /^Insufficient amount of (?:(queue|server) )?resource: (\S+)(?: \(([^)]*)\))?/i;

/**
 * Reads a scheduler comment. Undefined for comments that are not scheduler
 * verdicts (`Job held by ...`, `Job run at ...`).
 */
export function readSchedulerComment(comment: string): SchedulerReason | undefined {
  const m = /^(Not Running|Can Never Run):\s*(.*)$/s.exec(comment.trim());
  if (!m) return undefined;
  const verdict = m[1] === "Can Never Run" ? "can_never_run" : "not_running";
  const reason = m[2].trim();
  const insufficient = INSUFFICIENT_RE.exec(reason);
  if (insufficient) return insufficientResource(verdict, reason, insufficient);
  const rule = COMMENT_RULES.find((r) => r.pattern.test(reason));
  const category = verdict === "can_never_run"
    ? "can_never_run"
    : rule?.category ?? "scheduler_other";
  const explanation = rule?.explanation ??
    "The scheduler gave a reason this server does not classify; it is quoted as is.";
  return { verdict, category, reason, explanation };
}

function insufficientResource(
  verdict: SchedulerReason["verdict"],
  reason: string,
  m: RegExpExecArray,
): SchedulerReason {
  const scope = (m[1]?.toLowerCase() ?? "node") as "node" | "queue" | "server";
  const counts = parseRequestedAvailableTotal(m[3] ?? "");
  const name = m[2];
  const where = scope === "node" ? "on the nodes" : `in the ${scope}'s limits`;
  const explanation = verdict === "can_never_run"
    ? `The job asks for more ${name} than exists ${where}${
      counts.total ? ` (asks ${counts.requested ?? "?"}, total ${counts.total})` : ""
    }: it will never start as requested.`
    : `Not enough ${name} is free ${where} right now${
      counts.available ? ` (asks ${counts.requested ?? "?"}, ${counts.available} free)` : ""
    }; it starts when enough is released.`;
  return {
    verdict,
    category: verdict === "can_never_run" ? "can_never_run" : "insufficient_resources",
    reason,
    explanation,
    resource: { name, scope, ...counts },
  };
}

/** `R: 16 A: 8 T: 8` → requested 16, available 8, total 8. */
export function parseRequestedAvailableTotal(
  text: string,
): { requested?: string; available?: string; total?: string } {
  const pick = (letter: string) => new RegExp(`\\b${letter}:\\s*(\\S+)`).exec(text)?.[1];
  const out: { requested?: string; available?: string; total?: string } = {};
  const [r, a, t] = [pick("R"), pick("A"), pick("T")];
  if (r !== undefined) out.requested = r;
  if (a !== undefined) out.available = a;
  if (t !== undefined) out.total = t;
  return out;
}

// ---------------------------------------------------------------------------
// Dependencies

/** Dependency types where this job waits for another one. */
const WAITS_ON = new Set(["after", "afterok", "afternotok", "afterany"]);

/**
 * `afterok:2.vm@vm:3.vm,afterany:4.vm` → the jobs this job waits on, in order.
 * `before*` entries (other jobs waiting on this one), `on:N` and `runone` do
 * not make this job wait on a named job and are skipped.
 */
export function parseDependencies(depend: string): { type: string; jobId: string }[] {
  const out: { type: string; jobId: string }[] = [];
  for (const clause of depend.split(",").map((c) => c.trim()).filter((c) => c !== "")) {
    const [type, ...ids] = clause.split(":").map((p) => p.trim());
    if (!WAITS_ON.has(type.toLowerCase())) continue;
    for (const id of ids.filter((i) => i !== "")) {
      // `2.vm@vm`: the `@server` part names where the job lives, not the id.
      out.push({ type: type.toLowerCase(), jobId: id.split("@")[0] });
    }
  }
  return out;
}

/** Whether a dependency still blocks, given the target's state and exit status. */
export function dependencyCondition(target: DependencyTarget): DependencyStatus["condition"] {
  if (target.state === undefined) return "unknown";
  const done = isFinished(target.state);
  switch (target.type) {
    case "after":
      return target.state === "R" || target.state === "E" || done ? "met" : "waiting";
    case "afterany":
      return done ? "met" : "waiting";
    case "afterok":
      if (!done) return "waiting";
      return target.exitStatus === 0 ? "met" : "impossible";
    case "afternotok":
      if (!done) return "waiting";
      return target.exitStatus !== undefined && target.exitStatus !== 0 ? "met" : "impossible";
    default:
      return "unknown";
  }
}

// ---------------------------------------------------------------------------
// Output signatures

interface SignatureRule {
  kind: SignatureKind;
  pattern: RegExp;
}

/** Error signatures in job output, most telling first (one line is reported per kind). */
const SIGNATURE_RULES: readonly SignatureRule[] = [
  { kind: "walltime", pattern: /=>> PBS: job killed: walltime \d+ exceeded limit \d+/ },
  { kind: "memory_limit", pattern: /=>> PBS: job killed: v?mem \S+ exceeded limit \S+/ },
  {
    kind: "out_of_memory",
    pattern:
      /oom-kill|oom_kill|out of memory|Out Of Memory|Cannot allocate memory|std::bad_alloc|MemoryError|(?:^|\s)Killed(?:\s|$)/,
  },
  { kind: "segfault", pattern: /Segmentation fault|SIGSEGV|segfault|Bus error|core dumped/ },
  {
    kind: "module_error",
    pattern:
      /module: command not found|Unable to locate a modulefile|Lmod has detected the following error|ModuleCmd_Load|The following module\(s\) are unknown/,
  },
  { kind: "python_traceback", pattern: /Traceback \(most recent call last\)/ },
  {
    kind: "mpi_abort",
    pattern:
      /MPI_ABORT|MPI_Abort|BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES|mpiexec.*(?:abort|killed|terminated)|PMI.*abort/i,
  },
  { kind: "missing_file", pattern: /No such file or directory|FileNotFoundError/ },
  { kind: "command_not_found", pattern: /command not found/ },
  { kind: "permission_denied", pattern: /Permission denied|PermissionError/ },
  { kind: "disk_full", pattern: /No space left on device|Disk quota exceeded/ },
  {
    kind: "gpu_error",
    pattern: /CUDA error|NCCL error|CUDA out of memory|ze_result|Level Zero error/,
  },
];

const MAX_LINE = 200;

/** A Python traceback is best shown by its last line, `ValueError: ...`. */
const PYTHON_ERROR_LINE = /^\s*([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b.*)$/;

/** The first line of each kind of error signature found in the output tails. */
export function findSignatures(outputs: readonly OutputTail[]): OutputSignature[] {
  const found = new Map<SignatureKind, OutputSignature>();
  for (const output of outputs) {
    const lines = output.text.split("\n");
    for (const rule of SIGNATURE_RULES) {
      if (found.has(rule.kind)) continue;
      const index = lines.findIndex((line) => rule.pattern.test(line));
      if (index < 0) continue;
      const line = rule.kind === "python_traceback"
        ? pythonErrorLine(lines, index) ?? lines[index]
        : lines[index];
      found.set(rule.kind, { kind: rule.kind, stream: output.stream, line: cut(line.trim()) });
    }
  }
  // Report in rule order, so the most telling signature comes first.
  return SIGNATURE_RULES.map((r) => found.get(r.kind)).filter((s) => s !== undefined);
}

function pythonErrorLine(lines: string[], tracebackAt: number): string | undefined {
  for (let i = tracebackAt + 1; i < lines.length; i++) {
    if (/^\S/.test(lines[i]) && PYTHON_ERROR_LINE.test(lines[i])) return lines[i];
  }
  return undefined;
}

function cut(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}

// ---------------------------------------------------------------------------
// Resources used against requested

function asText(value: PbsValue | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function percent(used: number, requested: number): number | undefined {
  return requested > 0 ? Math.round((used / requested) * 100) : undefined;
}

/** Walltime, memory and CPU use against the request (only what PBS reported). */
export function compareResources(job: Job): ResourceUsage[] {
  const rows: ResourceUsage[] = [];
  for (
    const [name, parse] of [
      ["walltime", parseDuration],
      ["mem", parseSize],
      ["vmem", parseSize],
    ] as const
  ) {
    const requested = asText(job.requested[name]);
    const used = asText(job.used[name]);
    if (requested === undefined || used === undefined) continue;
    const [r, u] = [parse(requested), parse(used)];
    const row: ResourceUsage = { resource: name, requested, used };
    const p = r !== undefined && u !== undefined ? percent(u, r) : undefined;
    if (p !== undefined) row.percent = p;
    rows.push(row);
  }
  const cpuRow = cpuUsage(job);
  if (cpuRow) rows.push(cpuRow);
  return rows;
}

/** `cpupercent` is 100 per busy CPU, so cpupercent/100 against ncpus is CPU efficiency. */
function cpuUsage(job: Job): ResourceUsage | undefined {
  const ncpus = Number(job.requested.ncpus);
  const cpupercent = Number(job.used.cpupercent);
  if (!(ncpus > 0) || !Number.isFinite(cpupercent) || job.used.cpupercent === undefined) {
    return undefined;
  }
  const busy = Math.round(cpupercent) / 100;
  return {
    resource: "ncpus",
    requested: String(ncpus),
    used: `${busy} busy on average`,
    percent: percent(busy, ncpus),
  };
}

function usage(rows: readonly ResourceUsage[], resource: string): ResourceUsage | undefined {
  return rows.find((r) => r.resource === resource);
}

// ---------------------------------------------------------------------------
// The diagnosis

/** Diagnoses one job: pending, running or finished. */
export function diagnoseJob(input: DiagnosisInput): Diagnosis {
  const { job } = input;
  const state = describeJobState(job.state);
  const base: Diagnosis = {
    jobId: job.id,
    state: job.state,
    stateName: state.name,
    phase: isFinished(job.state) ? "finished" : isPending(job.state) ? "pending" : "running",
    category: "running",
    summary: "",
    findings: [],
    nextSteps: [],
    schedulerComment: job.comment,
    estimatedStart: job.times.estimatedStart,
    resources: compareResources(job),
    signatures: findSignatures(input.outputs ?? []),
    dependencies: (input.dependencies ?? []).map((d) => ({
      ...d,
      condition: dependencyCondition(d),
    })),
  };
  if (job.comment) base.scheduler = readSchedulerComment(job.comment);
  for (const problem of input.outputProblems ?? []) {
    base.findings.push({ topic: "output", severity: "info", message: problem });
  }
  if (base.phase === "pending") return diagnosePending(input, base);
  if (base.phase === "running") return diagnoseRunning(input, base);
  return diagnoseFinished(input, base);
}

// --- pending ---------------------------------------------------------------

/** A blocking reason found by one check; the first one found is the headline. */
interface Reason {
  category: DiagnosisCategory;
  summary: string;
  steps: string[];
}

function diagnosePending(input: DiagnosisInput, d: Diagnosis): Diagnosis {
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

function findQueue(input: DiagnosisInput): Queue | undefined {
  return input.queues?.find((q) => q.name === input.job.queue);
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
    const reason = dependencyReason(job, d.dependencies);
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
      ? `Release it: release_job job_id=${job.id} hold_type=${letter}.`
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

function dependencyReason(job: Job, deps: DependencyStatus[]): Reason | undefined {
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
        `Delete it (delete_job job_id=${job.id}) and resubmit once the job it needs has succeeded, or change the dependency with modify_job depend=...`,
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
      `To drop the dependency: modify_job job_id=${job.id} with a new depend value.`,
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
    steps: [`To start it earlier, change start_after with modify_job job_id=${job.id}.`],
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
        `Submit straight to an execution queue, or move it: modify_job queue=${
          alternativeQueue(input, queue) ?? "QUEUE"
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
          ? `Move the job to a started queue, e.g. modify_job job_id=${input.job.id} queue=${other} (list_queues shows limits).`
          : "Move the job to a started queue (list_queues shows which are started), or ask the administrators to start this one.",
      ],
    });
  }
  reasons.push(...queueLimitReasons(input.job, queue));
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
function queueLimitReasons(job: Job, queue: Queue): Reason[] {
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
        `Lower it: modify_job job_id=${job.id} walltime=${
          formatDuration(max)
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
  const id = input.job.id;
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
          }. Change it with modify_job job_id=${id} select=..., or delete and resubmit.`,
          "list_nodes shows what each node offers.",
        ]
        : [
          `Change the request so the complex can satisfy it (modify_job job_id=${id}), or delete and resubmit.`,
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
        "Wait for some of your running jobs to finish (list_jobs user=me states=running); queued jobs beyond the limit start in turn.",
      ];
    case "node_unavailable":
      return [
        "Wait, or relax node requirements (place, exclusive use, node type); list_nodes shows node states.",
      ];
    case "queue_not_started":
      return [
        "Move the job to a started queue with modify_job, or wait for the queue to be started.",
      ];
    case "in_routing_queue":
      return ["Move the job to an execution queue with modify_job queue=..."];
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
  if (problems.length === 0) return [];
  return [{
    category: "can_never_run",
    summary: `The request cannot fit on any node: ${unique(problems).join("; ")}.`,
    steps: [
      `Split the work into more, smaller chunks: modify_job job_id=${job.id} select=...; list_nodes shows node sizes.`,
    ],
  }];
}

function notYetScheduled(input: DiagnosisInput): Reason {
  if (input.job.state === "H") {
    return {
      category: "held",
      summary: "The job is held, but PBS does not say by what.",
      steps: ["get_job_status shows Hold_Types; release_job releases a user hold."],
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

// --- running ---------------------------------------------------------------

const NEAR_LIMIT_PERCENT = 90;

function diagnoseRunning(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const { job } = input;
  const wall = usage(d.resources, "walltime");
  const started = job.times.started ? ` since ${isoTime(job.times.started)}` : "";
  d.category = "running";
  d.summary = `The job is ${
    describeJobState(job.state).name
  }${started}; nothing is wrong with it from PBS's side.`;
  d.nextSteps = [
    `Follow it with wait_for_job job_id=${job.id}; get_job_output shows its progress.`,
  ];
  if (job.state === "S") {
    d.summary =
      "The job is suspended (by an operator or preemption); it resumes when they resume it.";
  }
  if (wall?.percent !== undefined && wall.percent >= NEAR_LIMIT_PERCENT) {
    d.category = "near_walltime";
    d.summary =
      `The job is running and has used ${wall.percent}% of its walltime; PBS kills it at the limit.`;
    d.findings.push({
      topic: "walltime",
      severity: "warning",
      message:
        `It has used ${wall.used} of its ${wall.requested} walltime (${wall.percent}%); PBS kills it at the limit.`,
    });
    d.nextSteps.push(
      "Only an operator can raise a running job's walltime; save a checkpoint if the program can, and ask for more next time.",
    );
  }
  addResourceWarnings(d);
  return d;
}

// --- finished --------------------------------------------------------------

function diagnoseFinished(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const { job } = input;
  if (job.exitStatus === undefined) return neverRan(input, d);
  d.exit = describeExitStatus(job.exitStatus);
  d.findings.push({
    topic: "exit_status",
    severity: job.exitStatus === 0 ? "info" : "blocking",
    message: d.exit.meaning,
  });
  const verdict = finishedVerdict(input, d);
  d.category = verdict.category;
  d.summary = verdict.summary;
  d.nextSteps = verdict.steps;
  for (const sig of d.signatures) {
    d.findings.push({
      topic: "output",
      severity: "warning",
      message: `${sig.stream}: ${sig.line}`,
    });
  }
  addResourceWarnings(d);
  return d;
}

function neverRan(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const comment = input.job.comment ?? "";
  const deleted = /terminated|deleted/i.test(comment);
  d.category = deleted ? "deleted" : "never_ran";
  d.summary = deleted
    ? `The job was deleted before it ran${comment ? ` (PBS: "${comment}")` : ""}.`
    : `The job finished without running${
      comment ? ` (PBS: "${comment}")` : ""
    }; a dependency it named may have been rejected or failed.`;
  d.nextSteps = ["Resubmit it if it is still needed (check any dependency it named first)."];
  return d;
}

function hasSignature(d: Diagnosis, kind: SignatureKind): OutputSignature | undefined {
  return d.signatures.find((s) => s.kind === kind);
}

/** The most specific explanation wins: PBS's own codes, then signals, then output signatures. */
function finishedVerdict(input: DiagnosisInput, d: Diagnosis): Reason {
  const { job } = input;
  const exit = d.exit!;
  const code = job.exitStatus!;
  const comment = job.comment ?? "";
  if (code === 0) return succeeded(d);
  if (
    exit.category === "walltime" || /exceeded resource walltime/.test(comment) ||
    hasSignature(d, "walltime")
  ) {
    return walltimeExceeded(input);
  }
  if (code === -27 || code === -26 || hasSignature(d, "memory_limit") || looksOutOfMemory(d)) {
    return outOfMemory(input, d);
  }
  if (exit.category === "resource_limit") {
    return {
      category: "resource_limit",
      summary: `PBS killed the job for exceeding a resource limit: ${exit.meaning}`,
      steps: ["Request more of that resource (ncpus or cput) or make the program use fewer CPUs."],
    };
  }
  if (
    exit.signal?.name === "SIGSEGV" || exit.signal?.name === "SIGBUS" || hasSignature(d, "segfault")
  ) {
    return {
      category: "segfault",
      summary: `The program crashed with a segmentation fault (exit status ${code}).`,
      steps: [
        "Run it on a small input interactively or under a debugger (gdb, valgrind); check stack size (ulimit -s) and array bounds.",
        "If it is a library mismatch, load the same modules it was built with.",
      ],
    };
  }
  if (/terminated by/.test(comment) || (exit.signal?.name === "SIGTERM" && code >= 256)) {
    return {
      category: "deleted",
      summary: `The job was deleted while running (exit status ${code}${
        comment ? `; PBS: "${comment}"` : ""
      }).`,
      steps: ["Resubmit it if that was not intended."],
    };
  }
  return signatureVerdict(d, code) ?? exitVerdict(d, code);
}

function succeeded(d: Diagnosis): Reason {
  const wall = usage(d.resources, "walltime");
  const steps = ["Nothing to fix."];
  if (wall?.percent !== undefined && wall.percent < 25) {
    steps.push(
      `It used ${wall.percent}% of its walltime; asking for less (e.g. ${
        suggestWalltime(wall)
      }) usually starts jobs sooner.`,
    );
  }
  return {
    category: "succeeded",
    summary: "The job completed successfully (exit status 0).",
    steps,
  };
}

function suggestWalltime(row: ResourceUsage): string {
  const used = parseDuration(row.used) ?? 0;
  return formatDuration(Math.max(300, Math.ceil((used * 2) / 300) * 300));
}

function walltimeExceeded(input: DiagnosisInput): Reason {
  const { job } = input;
  const requested = parseDuration(String(job.requested.walltime ?? ""));
  const queue = findQueue(input);
  const max = parseDuration(String(queue?.resourcesMax.walltime ?? ""));
  const steps: string[] = [];
  if (requested !== undefined) {
    const doubled = requested * 2;
    const next = max !== undefined ? Math.min(doubled, max) : doubled;
    if (max !== undefined && requested >= max) {
      steps.push(
        `The job already asked for queue ${queue!.name}'s maximum walltime (${
          formatDuration(max)
        }): use a queue with a longer limit (list_queues), or checkpoint and restart across jobs.`,
      );
    } else {
      steps.push(
        `Ask for more walltime: resubmit with walltime=${formatDuration(next)} (it asked for ${
          formatDuration(requested)
        }${
          max !== undefined ? `; queue ${queue!.name} allows up to ${formatDuration(max)}` : ""
        }).`,
      );
    }
  } else {
    steps.push("Ask for more walltime when resubmitting (submit_job walltime=HH:MM:SS).");
  }
  steps.push("If the program can checkpoint, save state regularly so a rerun can continue.");
  return {
    category: "walltime_exceeded",
    summary: `PBS killed the job because it ran past its walltime limit${
      requested !== undefined ? ` of ${formatDuration(requested)}` : ""
    }.`,
    steps,
  };
}

/** SIGKILL with memory near its request, or the kernel's own words, means the OOM killer. */
function looksOutOfMemory(d: Diagnosis): boolean {
  if (hasSignature(d, "out_of_memory")) return true;
  const mem = usage(d.resources, "mem");
  return d.exit?.signal?.name === "SIGKILL" && (mem?.percent ?? 0) >= NEAR_LIMIT_PERCENT;
}

function outOfMemory(input: DiagnosisInput, d: Diagnosis): Reason {
  const mem = usage(d.resources, "mem");
  const requested = String(input.job.requested.mem ?? "");
  const usedNote = mem ? ` (used ${mem.used} of ${mem.requested} requested)` : "";
  return {
    category: "out_of_memory",
    summary: `The job ran out of memory and was killed${usedNote}.`,
    steps: [
      requested
        ? `Request more memory per node (mem in select, e.g. double ${requested}), or spread the work over more nodes.`
        : "Request memory explicitly (select=...:mem=64gb) or spread the work over more nodes.",
      "Use fewer ranks or threads per node so each gets more memory; check the program for leaks on a small input.",
    ],
  };
}

const SIGNATURE_VERDICTS: Partial<Record<SignatureKind, (line: string) => Reason>> = {
  module_error: (line) => ({
    category: "module_error",
    summary: `Loading an environment module failed: "${line}".`,
    steps: [
      "Check module names with `module avail` on a login node and fix the module load lines.",
      "If `module` itself is missing, start the script with #!/bin/bash -l (a login shell) or source the site's module init script.",
    ],
  }),
  python_traceback: (line) => ({
    category: "python_error",
    summary: `The Python program raised an exception: "${line}".`,
    steps: [
      "Read the traceback with get_job_output stream=stderr and fix the error; try a small input interactively first.",
    ],
  }),
  mpi_abort: (line) => ({
    category: "mpi_abort",
    summary: `An MPI rank aborted the run: "${line}".`,
    steps: [
      "Find the first failing rank in the output (get_job_output); the abort is usually a symptom of an earlier error.",
      "Check that ranks × threads match the requested ncpus per node and that the MPI module matches the build.",
    ],
  }),
  missing_file: (line) => ({
    category: "missing_file",
    summary: `A file the job needed was not found: "${line}".`,
    steps: [
      "Use absolute paths, or paths relative to $PBS_O_WORKDIR (the job starts in your home directory unless the script cd's).",
      "Check the file exists on a filesystem the compute nodes mount.",
    ],
  }),
  command_not_found: (line) => ({
    category: "command_not_found",
    summary: `A command in the script was not found: "${line}".`,
    steps: [
      "Load the module that provides it, or use its full path; compute nodes may have a different PATH.",
    ],
  }),
};

function signatureVerdict(d: Diagnosis, code: number): Reason | undefined {
  for (const sig of d.signatures) {
    const verdict = SIGNATURE_VERDICTS[sig.kind];
    if (verdict) {
      const reason = verdict(sig.line);
      return { ...reason, summary: `${reason.summary} The job exited with status ${code}.` };
    }
  }
  return undefined;
}

function exitVerdict(d: Diagnosis, code: number): Reason {
  const exit = d.exit!;
  if (code === 127) {
    return {
      category: "command_not_found",
      summary: `${exit.meaning}`,
      steps: ["Load the module that provides the command, or use its full path."],
    };
  }
  if (exit.category === "pbs") {
    return {
      category: "pbs_failure",
      summary: `PBS itself ended or could not start the job: ${exit.meaning}`,
      steps: [
        "This is usually a node or site problem, not your script: resubmit; if it repeats, report the job id and exit status to the administrators.",
      ],
    };
  }
  if (exit.category === "signal") {
    return {
      category: "killed_by_signal",
      summary: exit.meaning,
      steps: [
        "Check the output for what sent the signal (get_job_output); SIGKILL often means the memory limit, SIGTERM a deletion or preemption.",
      ],
    };
  }
  return {
    category: "failed",
    summary: `${exit.meaning} No known error signature was found in the output it could read.`,
    steps: ["Read the end of stderr and stdout with get_job_output to see what failed."],
  };
}

/** Warnings that apply to running and finished jobs alike. */
function addResourceWarnings(d: Diagnosis): void {
  const mem = usage(d.resources, "mem");
  if (
    mem?.percent !== undefined && mem.percent >= NEAR_LIMIT_PERCENT &&
    d.category !== "out_of_memory"
  ) {
    d.findings.push({
      topic: "memory",
      severity: "warning",
      message: `Memory use ${mem.used} is ${mem.percent}% of the ${mem.requested} requested.`,
    });
  }
  const wall = usage(d.resources, "walltime");
  if (
    d.phase === "finished" && wall?.percent !== undefined && wall.percent >= NEAR_LIMIT_PERCENT &&
    d.category !== "walltime_exceeded"
  ) {
    d.findings.push({
      topic: "walltime",
      severity: "warning",
      message:
        `It used ${wall.percent}% of its walltime (${wall.used} of ${wall.requested}); leave more margin next time.`,
    });
  }
}

// ---------------------------------------------------------------------------
// Helpers

function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

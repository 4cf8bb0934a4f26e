/**
 * The diagnosis's inputs and outputs: what the `diagnose_job` adapter gathers
 * about a job, and the verdict it renders.
 *
 * Types only, at the bottom of the diagnose modules, so every rule module can
 * share them without import cycles.
 */
import type { ExitStatusInfo } from "../../pbs/model/exit_status.ts";
import type { Job, Queue, Reservation, ServerInfo } from "../../pbs/model/types.ts";
import type { TraceEntry } from "../../pbs/parse/simple.ts";
import type { Role } from "../results.ts";
import type { JobTimeline } from "./timeline.ts";

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

/**
 * The largest node and the whole complex, for "does this request fit at all",
 * and the largest usable node (up and online: service/nodes.ts isUsableNode,
 * the rule list_nodes counts free capacity by), for "can it run now".
 */
export interface ClusterCapacity {
  maxNodeNcpus: number;
  maxNodeNgpus: number;
  maxNodeMemBytes: number;
  totalNcpus: number;
  usableNodes: number;
  /** Largest ncpus/ngpus of a usable node; undefined when unknown (treated as no limit). */
  maxUsableNodeNcpus?: number;
  maxUsableNodeNgpus?: number;
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
  /** The job's lines in this host's PBS logs (tracejob), when they could be read. */
  trace?: readonly TraceEntry[];
  /** Why there are no log lines (no logs on this host, tracejob missing). */
  traceProblem?: string;
  capacity?: ClusterCapacity;
  /** The caller's PBS role and user name, to say whether they can release a hold themselves. */
  callerRole?: Role;
  caller?: string;
  /** The server offers no write tools: next steps name PBS commands instead (helpers.changeVia). */
  readOnly?: boolean;
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
  /** From the PBS logs (tracejob): what happened when; absent when not looked for. */
  timeline?: JobTimeline;
}

/** A blocking reason found by one check; the first one found is the headline. */
export interface Reason {
  category: DiagnosisCategory;
  summary: string;
  steps: string[];
}

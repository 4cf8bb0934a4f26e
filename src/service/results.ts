/**
 * What the service returns beyond the PBS domain objects of src/pbs/model.
 */
import type { PbsErrorDetails } from "../pbs/errors.ts";
import type { Job } from "../pbs/model/types.ts";
import type { QueueFit } from "./queue_fit.ts";

export type Role = "user" | "operator" | "manager";

export interface Identity {
  user: string;
  role: Role;
  /** `managers` / `operators` as the server lists them (may be empty: root is always a manager). */
  managers: string[];
  operators: string[];
  /** What this role may do, in plain words. */
  allowed: string[];
  notAllowed: string[];
}

/** A `#PBS` directive in a script and whether an explicit parameter replaced it. */
export interface DirectiveReport {
  option: string;
  value: string;
  /** The submit parameter that overrides it (qsub lets the command line win), if any. */
  overriddenBy?: string;
}

export interface SubmissionPlan {
  /** The exact qsub argv. */
  argv: string[];
  /** The script text, when it is sent on stdin (inline scripts). */
  stdinScript?: string;
  /** The script path, when qsub reads a file. */
  scriptPath?: string;
  /** The script's text as qsub will read it (inline, or read from scriptPath). */
  script: string;
  /** What will be requested, after combining parameters (directives not included). */
  effective: Record<string, string>;
  directives: DirectiveReport[];
  /** Adjustments made to the request, in plain words (e.g. select replacing node_count). */
  notes: string[];
  /** The job's own `-l` request: the script's directives under the explicit parameters. */
  requested: Record<string, string>;
  /** The queue qsub submits to (explicit, `#PBS -q`, or the server's default), when known. */
  target?: string;
  /** For a routing target: the destination this request routes to. */
  routesTo?: string;
  /** How the request fits the target queue (limits after defaults; destinations). */
  fit?: QueueFit;
}

export interface SubmitResult {
  jobId: string;
  /** The queue the job landed in (after routing), when PBS could tell us. */
  queue?: string;
  state?: string;
  plan: SubmissionPlan;
}

export interface BatchItemResult {
  index: number;
  key?: string;
  ok: boolean;
  jobId?: string;
  error?: PbsErrorDetails;
}

export interface WaitResult {
  jobId: string;
  /** True when the awaited condition was reached; false on timeout. */
  reached: boolean;
  state: string;
  waitedSeconds: number;
  polls: number;
  job?: Job;
}

export interface JobOutput {
  jobId: string;
  stream: "stdout" | "stderr";
  path: string;
  text: string;
  lines: number;
  sizeBytes: number;
  truncated: boolean;
  /** Set when stderr was joined into stdout (`-j oe`). */
  joined?: boolean;
}

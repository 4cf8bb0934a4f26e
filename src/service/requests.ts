/**
 * What callers of the service ask for. These mirror the MCP tools' arguments
 * (camelCase here; the MCP layer maps its snake_case parameters onto them).
 */

export interface SubmitJobRequest {
  /** Path of an existing script (inside the allowed directories). Exactly one of scriptPath/script. */
  scriptPath?: string;
  /** Inline script text, sent to qsub on stdin. */
  script?: string;
  queue?: string;
  jobName?: string;
  walltime?: string;
  nodeCount?: number;
  ncpus?: number;
  ngpus?: number;
  /** Memory per node, PBS size (`64gb`). */
  mem?: string;
  /** Raw PBS select; replaces nodeCount/ncpus/ngpus/mem. */
  select?: string;
  place?: string;
  account?: string;
  /** Site filesystems (`-l filesystems=home:eagle`), as on Aurora and Polaris. */
  filesystems?: string;
  arrayRange?: string;
  depend?: string;
  env?: Record<string, string>;
  outputPath?: string;
  errorPath?: string;
  joinOutput?: boolean;
  keepFiles?: string;
  mailEvents?: string;
  mailUsers?: string;
  hold?: boolean;
  priority?: number;
  /** ISO 8601 time: the job may not start before it (`qsub -a`). */
  startAfter?: string;
  rerunnable?: boolean;
  extraResources?: Record<string, string>;
}

export type HoldType = "u" | "o" | "s";

export interface ModifyJobRequest {
  walltime?: string;
  jobName?: string;
  /** Moves the job (`qmove`). */
  queue?: string;
  priority?: number;
  select?: string;
  extraResources?: Record<string, string>;
  depend?: string;
  startAfter?: string;
}

export interface JobListFilter {
  /** PBS state letters (`QH`) or words (`running`, `queued`, `held`, `finished`); `all` or absent = every state. */
  states?: string;
  /** A user name; `me` means the caller. */
  user?: string;
  queue?: string;
  includeFinished?: boolean;
}

export interface ReservationRequest {
  /** ISO 8601 start time. */
  start?: string;
  /** ISO 8601 end time (or give duration). */
  end?: string;
  /** HH:MM:SS. */
  duration?: string;
  select?: string;
  name?: string;
  users?: string[];
}

export type WaitTarget = "running" | "finished";

/**
 * The domain model: what PBS objects look like once parsed. Parsers produce
 * these from any of PBS's output formats; the service and MCP layers consume
 * them and never see raw PBS text.
 *
 * Conventions:
 * - Times are epoch seconds (PBS prints ctime(3)-style local time strings or
 *   epoch integers; parsers normalise both). Absent when PBS did not say.
 * - Durations stay as PBS strings (`"01:30:00"`) in resource maps; use
 *   `parseDuration` from `time.ts` for seconds.
 * - Booleans that PBS prints as `"True"`/`"False"` become real booleans.
 * - `attributes` keeps every attribute PBS printed, flattened with dots
 *   (`Resource_List.walltime`), values as text, so nothing is ever lost even
 *   when the typed fields do not cover it.
 */

/** One value of a resource or attribute as PBS printed it (JSON gives numbers for integers). */
export type PbsValue = string | number | boolean;

/** `Resource_List`, `resources_used`, `resources_available`, ...: name → value. */
export type ResourceMap = Record<string, PbsValue>;

/** Every PBS job state letter (PBS Reference Guide, "Job States"). */
export type JobStateLetter =
  | "B"
  | "E"
  | "F"
  | "H"
  | "M"
  | "Q"
  | "R"
  | "S"
  | "T"
  | "U"
  | "W"
  | "X";

export interface JobTimes {
  /** ctime: when the job was created (submitted). */
  created?: number;
  /** qtime: when it entered its current queue. */
  queued?: number;
  /** etime: when it became eligible to run. */
  eligible?: number;
  /** stime: when it started running. */
  started?: number;
  /** obittime: when it finished (history only). */
  finished?: number;
  /** mtime: last modification. */
  modified?: number;
  /** Execution_Time (`qsub -a`): not to run before this time. */
  executeAfter?: number;
  /** estimated.start_time: the scheduler's start estimate for a queued job. */
  estimatedStart?: number;
}

export interface ArrayInfo {
  /** `array_indices_submitted`, e.g. `1-10:2`. */
  indicesSubmitted?: string;
  /** `array_indices_remaining`, `-` when none. */
  indicesRemaining?: string;
  /** Parsed `array_state_count`: Queued, Running, Exiting, Expired → count. */
  stateCount: Record<string, number>;
}

export interface Job {
  /** Full id as PBS prints it: `12.vm`, `5[].vm` (array parent), `5[1].vm` (subjob). */
  id: string;
  name: string;
  /** `Job_Owner` verbatim (`alice@host`). */
  owner: string;
  /** The user part of `owner`. */
  user: string;
  state: JobStateLetter;
  substate?: number;
  queue: string;
  server?: string;
  account?: string;
  project?: string;
  priority?: number;
  /** `Hold_Types`: letters u/o/s/p/n (n = no hold). */
  holdTypes: string;
  comment?: string;
  /** `Resource_List`: what was requested. */
  requested: ResourceMap;
  /** `resources_used`: present once the job has run. */
  used: ResourceMap;
  execHost?: string;
  execVnode?: string;
  times: JobTimes;
  exitStatus?: number;
  runCount?: number;
  /** `depend` verbatim, e.g. `afterok:2.vm@vm`. */
  depend?: string;
  outputPath?: string;
  errorPath?: string;
  /** `Join_Path`: `n`, `oe`, `eo`. */
  joinPath?: string;
  keepFiles?: string;
  mailPoints?: string;
  mailUsers?: string;
  rerunnable?: boolean;
  /** Array parent only (`array` = True). */
  array?: ArrayInfo;
  /** Subjobs only: the parent's id (`5[].vm`) and this subjob's index. */
  arrayParent?: string;
  arrayIndex?: number;
  /** Reservation the job runs in (`reserve_ID`). */
  reservation?: string;
  submitArguments?: string;
  submitHost?: string;
  sessionId?: number;
  /** Working directory the job was submitted from (`PBS_O_WORKDIR`) when known. */
  workdir?: string;
  /** `Variable_List` with every value as text (PBS's JSON type inference undone where possible). */
  variables: Record<string, string>;
  /** Every attribute as printed, flattened (`Resource_List.walltime`), values as text. */
  attributes: Record<string, string>;
}

export interface Queue {
  name: string;
  /** `Execution` or `Route`. */
  type: "Execution" | "Route" | string;
  enabled: boolean;
  started: boolean;
  totalJobs: number;
  /** Parsed `state_count`: Transit, Queued, Held, Waiting, Running, Exiting, Begun → count. */
  stateCount: Record<string, number>;
  priority?: number;
  maxRun?: string;
  maxQueued?: string;
  resourcesMax: ResourceMap;
  resourcesMin: ResourceMap;
  resourcesDefault: ResourceMap;
  resourcesAssigned: ResourceMap;
  aclUserEnable: boolean;
  aclUsers: string[];
  routeDestinations: string[];
  attributes: Record<string, string>;
}

export interface ServerInfo {
  name: string;
  version?: string;
  state?: string;
  host?: string;
  defaultQueue?: string;
  scheduling?: boolean;
  jobHistoryEnable: boolean;
  /** `job_history_duration` as PBS prints it (`336:00:00`); PBS's default is two weeks. */
  jobHistoryDuration?: string;
  totalJobs?: number;
  stateCount: Record<string, number>;
  maxArraySize?: number;
  resourcesAvailable: ResourceMap;
  resourcesAssigned: ResourceMap;
  resourcesDefault: ResourceMap;
  attributes: Record<string, string>;
}

export interface Node {
  name: string;
  /** `Mom` host. */
  mom?: string;
  /** `state` split on commas: `["down", "offline"]`, `["job-busy"]`, `["free"]`. */
  states: string[];
  ntype?: string;
  pcpus?: number;
  comment?: string;
  /** De-duplicated job ids on the node. */
  jobs: string[];
  /** Reservation ids on the node. */
  reservations: string[];
  resourcesAvailable: ResourceMap;
  /** Only non-zero values are reported by PBS's JSON. */
  resourcesAssigned: ResourceMap;
  sharing?: string;
  queue?: string;
  lastStateChange?: number;
  lastUsed?: number;
  attributes: Record<string, string>;
}

export interface Reservation {
  /** `R44.vm`, `S51.vm` (standing), `M12.vm` (maintenance). */
  id: string;
  name?: string;
  owner: string;
  /** `RESV_CONFIRMED`, `RESV_RUNNING`, `RESV_UNCONFIRMED`, ... */
  state: string;
  substate?: number;
  queue?: string;
  start?: number;
  end?: number;
  /** Seconds. */
  duration?: number;
  requested: ResourceMap;
  /** `resv_nodes`, e.g. `(vm:ncpus=1)`. */
  nodes?: string;
  authorizedUsers: string[];
  /** Standing reservations: `FREQ=DAILY;COUNT=3`. */
  rrule?: string;
  attributes: Record<string, string>;
}

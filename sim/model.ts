/**
 * The simulator's contract: the state of a simulated PBS complex and the
 * operations PBS's commands perform on it.
 *
 * Two halves meet here:
 * - the engine (`complex.ts`, `scheduler.ts`, `scenarios.ts`, ...) owns state
 *   and behaviour and implements `ComplexApi`;
 * - the front (`commands/`, `format/`, `runner.ts`) parses argv exactly like
 *   OpenPBS's clients, calls these operations, and renders stdout/stderr/exit
 *   codes from `AttrList`s and `SimError`s.
 *
 * Behaviour is OpenPBS 23.06's as recorded in tests/fixtures/golden (INDEX.md).
 */

import type { QueuejobHook } from "./hooks.ts";

// ---------------------------------------------------------------------------
// Errors: operations throw SimError carrying a PBS error number; the front
// turns it into the exact message and exit code of the command that ran.

/** PBS error numbers used by the simulator (OpenPBS src/include/pbs_error.h). */
export const PBSE = {
  UNKJOBID: 15001,
  NOATTR: 15002,
  ATTRRO: 15003,
  IVALREQ: 15004,
  UNKREQ: 15005,
  PERM: 15007,
  BADHOST: 15008,
  JOBEXIST: 15009,
  SYSTEM: 15010,
  INTERNAL: 15011,
  UNKSIG: 15013,
  BADATVAL: 15014,
  MODATRRUN: 15015,
  BADSTATE: 15016,
  UNKQUE: 15018,
  BADCRED: 15019,
  EXPIRED: 15020,
  QUNOENB: 15021,
  QACESS: 15022,
  BADUSER: 15023,
  NOSUP: 15029,
  BADDEPEND: 15054,
  QUENBIG: 15028,
  /** Not defined by OpenPBS 23.06; kept for compatibility, never thrown. */
  QUEBUSY: 15031,
  QUENOEN: 15030,
  UNKRESC: 15035,
  EXCQRESC: 15036,
  QUENODFLT: 15037,
  NORERUN: 15038,
  ROUTEREJ: 15039,
  RESCUNAV: 15044,
  MAXQUED: 15046,
  UNKNODE: 15062,
  UNKRESVID: 15084,
  RESVEXIST: 15080,
  BADTSPEC: 15086,
  R_UID: 15095,
  MaxArraySize: 15107,
  /** PBSE_PLACENOSELECT: `-l place` without `-l select` (qsub_err_place_without_select, exit 7). */
  PLACENOSELECT: 15111,
  /** A hook rejected the request (PBSE_HOOKERROR; capture qsub_hook_rejected_no_filesystems). */
  HOOKERROR: 15136,
  HISTJOBID: 15139,
} as const;

export class SimError extends Error {
  /**
   * @param errno a PBSE_* number
   * @param detail what the message is about, as PBS appends it (a job id,
   *   `Resource_List.walltime`, a queue name); empty when PBS prints none.
   * @param text the whole message when PBS prints its own wording for this
   *   case (a hook's reject text, `Unknown resource: ngpus` for a chunk)
   */
  constructor(readonly errno: number, readonly detail = "", readonly text?: string) {
    super(`PBS error ${errno}${detail ? ` (${detail})` : ""}`);
    this.name = "SimError";
  }
}

// ---------------------------------------------------------------------------
// Attribute lists: the PBS view of an object, in PBS's own print order. One
// list renders as `qstat -f` text, `-F json` and `-F dsv` alike.

export type AttrValue =
  /** JSON string; text printed raw. */
  | { kind: "str"; value: string }
  /** JSON number (PBS's integer/long attributes); text in decimal. */
  | { kind: "int"; value: number }
  /** Variable_List: JSON object with PBS's type inference; text `K=V,K=V`. */
  | { kind: "vars"; value: Array<[string, string]> }
  /** pbsnodes `jobs`: JSON array of distinct ids; text uses `text`. */
  | { kind: "list"; value: string[]; text: string };

export interface Attr {
  /** `job_state`, `Resource_List`, `resources_available`, ... */
  name: string;
  /** Set for resource attributes: `walltime` in `Resource_List.walltime`. */
  resource?: string;
  value: AttrValue;
}

export type AttrList = Attr[];

// ---------------------------------------------------------------------------
// Identity.

export type Privilege = "user" | "operator" | "manager";

export interface Caller {
  /** User name (`alice`, `root`). */
  user: string;
  /** Host the command runs on (PBS records `user@host` as owner). */
  host: string;
}

// ---------------------------------------------------------------------------
// State.

export type JobState = "Q" | "H" | "W" | "R" | "E" | "F" | "S" | "B" | "X" | "T" | "M" | "U";

/** What `#SIM runtime=SECONDS exit=CODE` and `echo` lines in the script decide. */
export interface JobBehaviour {
  runtimeSeconds: number;
  exitCode: number;
  stdoutLines: string[];
  stderrLines: string[];
  /** `#SIM cpu=`: percent of the requested cpus kept busy (absent: none). */
  cpuPercent?: number;
  /** `#SIM mem=`: memory used, in kb (absent: a few MB). */
  memKb?: number;
  /** Array subjobs that differ (`#SIM index=N ...`): runtime and exit code per index. */
  byIndex?: Record<number, { runtimeSeconds?: number; exitCode?: number }>;
}

export interface SimJob {
  /** `qsub -- PROGRAM ARGS...` (the command form): what the job runs. */
  command?: string[];
  /** Numeric sequence part: 12 for `12.vm`, 5 for `5[].vm` and `5[3].vm`. */
  seq: number;
  /** Full id: `12.vm`, `5[].vm`, `5[3].vm`. */
  id: string;
  name: string;
  owner: string; // user@host
  user: string;
  state: JobState;
  substate: number;
  queue: string;
  account?: string;
  project: string;
  priority: number;
  /** Hold letters currently set among u/o/s (empty = `n`). */
  holds: string;
  /** Resource_List: requested resources after queue/server defaults. */
  resources: Record<string, string | number>;
  /** resources_used, once the job ran. */
  used: Record<string, string | number>;
  execHost?: string;
  execVnode?: string;
  /** Where each chunk runs: vnode name and what it takes there. */
  allocation: Array<{ node: string; ncpus: number; ngpus: number; memBytes: number }>;
  sessionId?: number;
  comment?: string;
  /** Epoch seconds of the virtual clock. */
  ctime: number;
  qtime: number;
  mtime: number;
  etime?: number;
  stime?: number;
  obittime?: number;
  executionTime?: number;
  estimatedStartTime?: number;
  exitStatus?: number;
  runCount: number;
  /** Dependencies as PBS stores them, e.g. `afterok:2.vm@vm`. */
  depend?: string;
  outputPath: string;
  errorPath: string;
  joinPath: string;
  keepFiles: string;
  mailPoints: string;
  mailUsers?: string;
  rerunnable: boolean;
  variables: Array<[string, string]>;
  submitArguments: string;
  submitHost: string;
  workdir: string;
  script: string;
  behaviour: JobBehaviour;
  reservation?: string;
  /** Array parent: range text (`1-10:2`), `%` limit, and its subjobs by index. */
  array?: { range: string; indices: number[]; limit?: number; subjobs: Map<number, SimJob> };
  /** Subjob: the parent's id and this index. */
  parentId?: string;
  arrayIndex?: number;
  /** When it entered history (F/X), for `history_timestamp` and expiry. */
  historyTime?: number;
  /** Order of submission, for FIFO scheduling and `qorder`. */
  rank: number;
}

export interface SimQueue {
  name: string;
  type: "Execution" | "Route";
  enabled: boolean;
  started: boolean;
  priority?: number;
  resourcesMax: Record<string, string | number>;
  resourcesMin: Record<string, string | number>;
  resourcesDefault: Record<string, string | number>;
  maxRun?: number;
  maxQueued?: number;
  aclUserEnable: boolean;
  aclUsers: string[];
  routeDestinations: string[];
  /** Reservation queue (`R44`) owned by that reservation. */
  reservation?: string;
}

export interface SimNode {
  name: string;
  mom: string;
  /** The state words, e.g. [`free`], [`job-busy`], [`down`, `offline`]. */
  state: string[];
  pcpus: number;
  ncpus: number;
  ngpus: number;
  memBytes: number;
  /** Extra resources_available entries (arch, host, vnode, site resources). */
  extra: Record<string, string | number>;
  comment?: string;
  sharing: string;
  /** Queue the node is tied to, if any. */
  queue?: string;
  lastStateChangeTime: number;
  lastUsedTime?: number;
}

export type ResvState =
  | "RESV_UNCONFIRMED"
  | "RESV_CONFIRMED"
  | "RESV_RUNNING"
  | "RESV_FINISHED"
  | "RESV_DELETED"
  | "RESV_DEGRADED"
  | "RESV_BEING_DELETED";

export interface SimReservation {
  id: string; // R44.vm
  name?: string;
  owner: string;
  state: ResvState;
  substate: number;
  start: number;
  end: number;
  queue: string; // R44
  resources: Record<string, string | number>;
  nodes: Array<{ node: string; ncpus: number; ngpus: number; memBytes: number }>;
  authorizedUsers: string[];
  ctime: number;
  mtime: number;
  rrule?: string;
}

export interface SimServer {
  name: string; // vm (also the job id suffix)
  host: string; // localhost
  version: string; // 23.06.06
  /** False after `qterm`: every client then fails as against a down server. */
  up: boolean;
  scheduling: boolean;
  defaultQueue: string;
  jobHistoryEnable: boolean;
  /** Seconds (PBS default: two weeks). */
  jobHistoryDuration: number;
  maxArraySize: number;
  resourcesDefault: Record<string, string | number>;
  managers: string[];
  operators: string[];
  /** Next job/reservation sequence number (shared, as in PBS). */
  nextSeq: number;
  /** `qmgr -c 'set server backfill_depth = N'`; used under strict ordering. */
  backfillDepth?: number;
}

// ---------------------------------------------------------------------------
// Requests the front builds from argv (and `#PBS` directives).

export interface SubmitRequest {
  queue?: string;
  name?: string;
  /** `-l name=value` pairs, in order (select, place, walltime, ncpus, mem, ...). */
  resources: Array<[string, string]>;
  account?: string;
  arrayRange?: string;
  depend?: string;
  variables: Array<[string, string]>;
  outputPath?: string;
  errorPath?: string;
  joinPath?: string;
  keepFiles?: string;
  mailPoints?: string;
  mailUsers?: string;
  hold?: boolean;
  priority?: number;
  executionTime?: number;
  rerunnable?: boolean;
  reservation?: string;
  /** Script text (from the file or stdin); `#SIM` and `echo` lines drive behaviour. */
  script: string;
  /**
   * What a script makes the job do, when its maker already knows (the
   * simulator's own workload, sim/workload.ts): used instead of parsing
   * `script` when it is the script it was made for. It must be what
   * parseScriptBehaviour(script) gives (tests/sim/engine_layout.test.ts).
   */
  parsed?: { script: string; behaviour: JobBehaviour };
  /** `qsub -- PROGRAM ARGS...`: the command the job runs instead of a script. */
  command?: string[];
  /** Exactly what followed `qsub` on the command line, for `Submit_arguments`. */
  submitArguments: string;
  workdir: string;
}

export interface AlterRequest {
  resources?: Array<[string, string]>;
  name?: string;
  priority?: number;
  depend?: string;
  executionTime?: number;
  account?: string;
  holds?: string;
}

export interface ReservationRequest {
  start: number;
  end: number;
  name?: string;
  resources: Array<[string, string]>;
  users?: string[];
  rrule?: string;
}

export interface JobQuery {
  /** Include finished (history) jobs: `qstat -x`. */
  history?: boolean;
  /** Expand array subjobs: `qstat -t`. */
  subjobs?: boolean;
}

// ---------------------------------------------------------------------------
// Operations. Each checks privilege and state like PBS and throws SimError.

export interface ComplexApi {
  readonly server: SimServer;
  /** Virtual clock, epoch seconds. */
  now(): number;
  /** Move the clock; the scheduler and job lifecycle run as time passes. */
  advance(seconds: number): void;
  /**
   * sched_config `strict_ordering` / `backfill_depth` changed and the scheduler
   * HUPed: one cycle runs with the new settings (estimates already made stay).
   */
  configureScheduler(settings: { strictOrdering?: boolean; backfillDepth?: number }): void;
  /** The scenario's site queuejob hooks (sim/hooks.ts). */
  queuejobHooks(): readonly QueuejobHook[];
  /** Run one scheduling cycle now. */
  schedule(): void;

  privilegeOf(user: string): Privilege;
  /**
   * A user's home (and default working) directory. With an output directory
   * it lies inside it, so the paths PBS reports are real, readable files.
   */
  homeDir(user: string): string;

  /** Resolves `12`, `12.vm`, `5[]`, `5[3].vm`; throws UNKJOBID / HISTJOBID (unless history). */
  findJob(id: string, query?: JobQuery): SimJob;
  /** Jobs in submission order; array subjobs only with `subjobs`. */
  listJobs(query?: JobQuery): SimJob[];
  queues(): SimQueue[];
  findQueue(name: string): SimQueue;
  nodes(): SimNode[];
  findNode(name: string): SimNode;
  reservations(): SimReservation[];
  findReservation(id: string): SimReservation;

  submit(caller: Caller, request: SubmitRequest): SimJob;
  deleteJob(
    caller: Caller,
    id: string,
    options?: { force?: boolean; purgeHistory?: boolean },
  ): void;
  holdJob(caller: Caller, id: string, holdTypes: string): void;
  releaseJob(caller: Caller, id: string, holdTypes: string): void;
  alterJob(caller: Caller, id: string, request: AlterRequest): void;
  moveJob(caller: Caller, id: string, destination: string): void;
  orderJobs(caller: Caller, first: string, second: string): void;
  /** `signal` as given to qsig (`SIGUSR1`, `USR1`, `suspend`, `resume`, `9`). */
  signalJob(caller: Caller, id: string, signal: string): void;
  rerunJob(caller: Caller, id: string): void;
  runJob(caller: Caller, id: string): void;

  /** `pbsnodes -o` (offline), `-r` (clear offline), `-C` (comment only). */
  markNode(
    caller: Caller,
    name: string,
    action: "offline" | "clear" | "comment",
    comment?: string,
  ): void;

  submitReservation(caller: Caller, request: ReservationRequest): SimReservation;
  deleteReservation(caller: Caller, id: string): void;
  /**
   * `pbs_ralter`: a new window for a reservation that has not started (only
   * its end may move once running). The same nodes must stay free for the new
   * window; returns `CONFIRMED`, or `DENIED` (nothing changed) when they are not.
   */
  alterReservation(
    caller: Caller,
    id: string,
    change: { start?: number; end?: number; duration?: number },
  ): "CONFIRMED" | "DENIED";

  /** `qterm`: stop the server (managers only). `pbs_server` by root starts it again. */
  stopServer(caller: Caller): void;
  startServer(caller: Caller): void;

  /** The PBS view of each object, in `qstat -f` order, for the formatters. */
  jobAttributes(job: SimJob): AttrList;
  queueAttributes(queue: SimQueue): AttrList;
  serverAttributes(): AttrList;
  nodeAttributes(node: SimNode): AttrList;
  reservationAttributes(resv: SimReservation): AttrList;
}

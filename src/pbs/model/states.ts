/**
 * What PBS's state codes mean: job states and substates, hold types, node
 * states and reservation states.
 *
 * Sources (facts only): PBS Reference Guide / qstat(1B) "Job States" table;
 * OpenPBS src/include/job.h (JOB_SUBSTATE_*), src/include/pbs_internal.h and
 * pbs_node_attributes(7B) (node state names), src/include/pbs_ifl.h
 * (`enum resv_states`), src/cmds/pbs_rstat.c and pbs_resv_attributes(7B)
 * (reservation short codes). Descriptions are our own words.
 */

import type { JobStateLetter } from "./types.ts";

export interface JobStateInfo {
  letter: JobStateLetter;
  name: string;
  meaning: string;
}

/** PBS Reference Guide, "Job States" (also the `S` column of qstat(1B)). */
export const JOB_STATES: Readonly<Record<JobStateLetter, JobStateInfo>> = {
  B: {
    letter: "B",
    name: "begun",
    meaning: "Array job: at least one subjob has started.",
  },
  E: { letter: "E", name: "exiting", meaning: "The job has run and is now exiting." },
  F: {
    letter: "F",
    name: "finished",
    meaning: "The job is finished (completed, failed or deleted); kept as history.",
  },
  H: {
    letter: "H",
    name: "held",
    meaning: "The job is held (by a user, operator, the system or a dependency).",
  },
  M: { letter: "M", name: "moved", meaning: "The job was moved to another server." },
  Q: { letter: "Q", name: "queued", meaning: "The job is queued, waiting to be scheduled." },
  R: { letter: "R", name: "running", meaning: "The job is running." },
  S: { letter: "S", name: "suspended", meaning: "The job is suspended." },
  T: { letter: "T", name: "transit", meaning: "The job is being moved to a new location." },
  U: {
    letter: "U",
    name: "user-suspended",
    meaning: "Cycle-harvesting job suspended because its workstation became busy.",
  },
  W: {
    letter: "W",
    name: "waiting",
    meaning: "The job is waiting for its requested start time (qsub -a) to be reached.",
  },
  X: {
    letter: "X",
    name: "expired",
    meaning: "Subjob: it has finished running or was deleted.",
  },
};

const PENDING: ReadonlySet<string> = new Set(["Q", "H", "W", "T"]);
const ACTIVE: ReadonlySet<string> = new Set(["R", "E", "S", "U", "B"]);
/** M counts as finished: once moved, the job is no longer this server's to run. */
const FINISHED: ReadonlySet<string> = new Set(["F", "X", "M"]);

export function isJobStateLetter(value: string): value is JobStateLetter {
  return Object.hasOwn(JOB_STATES, value);
}

/** Name and meaning of a state letter; an unknown letter is described as such, never thrown. */
export function describeJobState(
  letter: string,
): { letter: string; name: string; meaning: string } {
  if (isJobStateLetter(letter)) return JOB_STATES[letter];
  return { letter, name: "unknown", meaning: `PBS reported an unknown job state '${letter}'.` };
}

/** Waiting to run: queued, held, waiting for its start time, or in transit. */
export function isPending(letter: string): boolean {
  return PENDING.has(letter);
}

/** Started and not yet done: running, exiting, suspended, or an array with subjobs begun. */
export function isActive(letter: string): boolean {
  return ACTIVE.has(letter);
}

/** Done as far as this server is concerned: finished, expired subjob, or moved away. */
export function isFinished(letter: string): boolean {
  return FINISHED.has(letter);
}

/**
 * Job substates (`substate` attribute) → meaning. From OpenPBS
 * src/include/job.h, JOB_SUBSTATE_*; goldens show 10, 20, 22, 30, 42, 43, 70,
 * 91, 92, 93.
 */
export const JOB_SUBSTATES: Readonly<Record<number, { name: string; meaning: string }>> = {
  0: { name: "TRANSIN", meaning: "arriving from another server, not yet committed" },
  1: { name: "TRANSICM", meaning: "arriving from another server, being committed" },
  2: { name: "TRNOUT", meaning: "being sent to another server" },
  3: { name: "TRNOUTCM", meaning: "being sent to another server, ready to commit" },
  10: { name: "QUEUED", meaning: "queued and eligible to be scheduled" },
  11: { name: "PRESTAGEIN", meaning: "queued, has files to stage in" },
  13: { name: "SYNCRES", meaning: "waiting for a synchronised start" },
  14: { name: "STAGEIN", meaning: "staging in files, then waiting" },
  15: { name: "STAGEGO", meaning: "staging in files, then running" },
  16: { name: "STAGECMP", meaning: "file stage-in complete" },
  20: { name: "HELD", meaning: "held by a user, operator or the system" },
  21: { name: "SYNCHOLD", meaning: "held, waiting for a synchronised start" },
  22: { name: "DEPNHOLD", meaning: "held, waiting on a dependency" },
  30: { name: "WAITING", meaning: "waiting for its requested execution time" },
  37: { name: "STAGEFAIL", meaning: "held because file stage-in failed" },
  41: { name: "PRERUN", meaning: "sent to the execution host, starting" },
  42: { name: "RUNNING", meaning: "running" },
  43: { name: "SUSPEND", meaning: "suspended by a signal (qsig -s suspend)" },
  45: { name: "SCHSUSP", meaning: "suspended by the scheduler (e.g. preempted)" },
  50: { name: "EXITING", meaning: "exit processing has started" },
  51: { name: "STAGEOUT", meaning: "staging out files" },
  52: { name: "STAGEDEL", meaning: "deleting staged-out files" },
  53: { name: "EXITED", meaning: "exit processing complete" },
  54: { name: "ABORT", meaning: "being aborted by the server" },
  56: { name: "KILLSIS", meaning: "execution host is killing the job on sister hosts" },
  57: { name: "RUNEPILOG", meaning: "epilogue running" },
  58: { name: "OBIT", meaning: "end-of-job notice sent to the server" },
  59: { name: "TERM", meaning: "site termination action running" },
  60: { name: "RERUN", meaning: "being rerun: recovering output" },
  61: { name: "RERUN1", meaning: "being rerun: staging out" },
  62: { name: "RERUN2", meaning: "being rerun: deleting files" },
  63: { name: "RERUN3", meaning: "being rerun: removing the job from the execution host" },
  69: { name: "EXPIRED", meaning: "array subjob is gone" },
  70: { name: "BEGUN", meaning: "array job has begun" },
  71: { name: "PROVISION", meaning: "waiting for node provisioning to complete" },
  72: { name: "WAITING_JOIN_JOB", meaning: "waiting for sister hosts to join the job" },
  91: { name: "TERMINATED", meaning: "finished: deleted (terminated)" },
  92: { name: "FINISHED", meaning: "finished normally (exit status 0)" },
  93: { name: "FAILED", meaning: "finished with a failure (non-zero exit status or killed)" },
  94: { name: "MOVED", meaning: "finished here: moved to another server" },
  153: { name: "DELJOB", meaning: "execution host waiting for sister hosts to delete the job" },
};

export function describeSubstate(substate: number): { name: string; meaning: string } {
  return JOB_SUBSTATES[substate] ??
    { name: "UNKNOWN", meaning: `substate ${substate} is not one OpenPBS defines` };
}

/** `Hold_Types` letters (qhold -h). `n` means no hold. */
export const HOLD_TYPES: Readonly<Record<string, string>> = {
  u: "user",
  o: "operator",
  s: "system",
  p: "bad password",
  n: "none",
};

/**
 * Describes a `Hold_Types` value (`"so"` → `["system", "operator"]`). `n` (and
 * an empty value) means no holds → `[]`. Unknown letters are reported, not dropped.
 */
export function describeHolds(holdTypes: string): string[] {
  const holds: string[] = [];
  for (const letter of holdTypes.trim()) {
    if (letter === "n") continue;
    holds.push(HOLD_TYPES[letter] ?? `unknown hold '${letter}'`);
  }
  return holds;
}

/**
 * Node (vnode) state names as `pbsnodes` prints them, comma-separated when
 * several apply (`down,offline`). From pbs_internal.h / pbs_node_attributes(7B).
 */
export const NODE_STATES: Readonly<Record<string, string>> = {
  "free": "Up and able to accept more jobs.",
  "job-busy": "All CPUs are allocated to jobs.",
  "job-exclusive": "Allocated exclusively to one job at its request.",
  "resv-exclusive": "Allocated exclusively to a running reservation.",
  "busy": "Load average is above the allowed maximum.",
  "offline": "An administrator marked it so that no new jobs are placed on it.",
  "offline_by_mom": "Its MoM marked it offline (e.g. a health-check hook failed).",
  "down": "Not responding to the server.",
  "state-unknown": "The server has never been able to contact it.",
  "Stale": "Was reported by its MoM before, but no longer is.",
  "unresolvable": "The server cannot resolve its host name.",
  "provisioning": "Being provisioned (booted into a new image).",
  "wait-provisioning": "Needs provisioning but the concurrent provisioning limit is reached.",
  "initializing": "The server is still getting its vnode information.",
  "maintenance": "Has jobs admin-suspended for maintenance.",
  "sleep": "Powered down to save energy; can be woken for jobs.",
};

export type NodeBucket = "free" | "busy" | "offline" | "down";

/** Unreachable or unknown to the server. */
const DOWN_STATES = new Set(["down", "state-unknown", "stale", "unresolvable"]);
/** Deliberately out of service. */
const OFFLINE_STATES = new Set(["offline", "offline_by_mom", "maintenance", "sleep"]);
/** Up but not taking (more) work right now. */
const BUSY_STATES = new Set([
  "job-busy",
  "job-exclusive",
  "resv-exclusive",
  "busy",
  "provisioning",
  "wait-provisioning",
  "initializing",
]);

/**
 * Classifies a node's compound state into one bucket for summaries. The most
 * severe state wins: `down` > `offline` > `busy` > `free`. So `down,offline`
 * is down (it is unreachable whatever an admin intended), `job-busy,offline`
 * is offline (no new work will go there). A state we do not recognise, or an
 * empty list, counts as `down`: a summary must not call an unexplained node
 * usable. Names are compared case-insensitively (PBS prints `Stale`).
 */
export function classifyNodeState(states: readonly string[]): NodeBucket {
  const lower = states.map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
  if (lower.length === 0) return "down";
  if (lower.some((s) => DOWN_STATES.has(s))) return "down";
  if (lower.some((s) => OFFLINE_STATES.has(s))) return "offline";
  const known = (s: string) => s === "free" || BUSY_STATES.has(s);
  if (!lower.every(known)) return "down";
  if (lower.some((s) => BUSY_STATES.has(s))) return "busy";
  return "free";
}

/** Splits pbsnodes' `state` text (`down,offline`) into names. */
export function splitNodeState(state: string): string[] {
  return state.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

export interface ReservationStateInfo {
  /** `enum resv_states` value; `reserve_substate` uses the same numbers. */
  code: number;
  /** As `pbs_rstat -f` prints it: `RESV_CONFIRMED`. */
  name: string;
  /** As `pbs_rstat` (short listing) prints it: `CO`. */
  short: string;
  meaning: string;
}

/** Reservation states in `enum resv_states` order (pbs_ifl.h); short codes from pbs_rstat. */
export const RESERVATION_STATES: readonly ReservationStateInfo[] = [
  { code: 0, name: "RESV_NONE", short: "NO", meaning: "No reservation yet." },
  {
    code: 1,
    name: "RESV_UNCONFIRMED",
    short: "UN",
    meaning: "Requested; waiting for the scheduler to confirm it.",
  },
  {
    code: 2,
    name: "RESV_CONFIRMED",
    short: "CO",
    meaning: "Confirmed; waiting for its start time.",
  },
  { code: 3, name: "RESV_WAIT", short: "WT", meaning: "Unused by PBS." },
  { code: 4, name: "RESV_TIME_TO_RUN", short: "TR", meaning: "Its start time has arrived." },
  { code: 5, name: "RESV_RUNNING", short: "RN", meaning: "Its period has started; it is running." },
  { code: 6, name: "RESV_FINISHED", short: "FN", meaning: "Its period has ended." },
  { code: 7, name: "RESV_BEING_DELETED", short: "BD", meaning: "Being deleted." },
  { code: 8, name: "RESV_DELETED", short: "DE", meaning: "Deleted." },
  {
    code: 9,
    name: "RESV_DELETING_JOBS",
    short: "DJ",
    meaning: "Its jobs are being deleted.",
  },
  {
    code: 10,
    name: "RESV_DEGRADED",
    short: "DG",
    meaning: "Some of its vnodes became unavailable; PBS may try to replace them.",
  },
  { code: 11, name: "RESV_BEING_ALTERED", short: "AL", meaning: "A change to it is pending." },
  {
    code: 12,
    name: "RESV_IN_CONFLICT",
    short: "IC",
    meaning: "It conflicts with another reservation or a maintenance reservation.",
  },
];

/** Looks a reservation state up by long name, short code or number; undefined when unknown. */
export function describeReservationState(
  state: string | number,
): ReservationStateInfo | undefined {
  if (typeof state === "number") return RESERVATION_STATES.find((s) => s.code === state);
  const key = state.trim().toUpperCase();
  return RESERVATION_STATES.find((s) => s.name === key || s.short === key) ??
    (/^\d+$/.test(key) ? RESERVATION_STATES.find((s) => s.code === Number(key)) : undefined);
}

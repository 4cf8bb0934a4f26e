/**
 * `qsub` on the server side: resource checks, site queuejob hooks, job ids
 * (burnt by some rejections), the new job record, and its first queue
 * (OpenPBS src/server/req_quejob.c).
 */
import type { EngineState } from "./state.ts";
import { queuejobRejection } from "../hooks.ts";
import { parseArrayRange, parseDepend } from "../ids.ts";
import type { JobRecord } from "../job_record.ts";
import {
  type Caller,
  PBSE,
  SimError,
  type SimJob,
  type SimQueue,
  type SubmitRequest,
} from "../model.ts";
import {
  chunksOf,
  durationOf,
  parsePlace,
  type ResourceMap,
  unknownInChunk,
  validateResources,
  withinLimits,
} from "../resources.ts";
import { commandBehaviour, parseScriptBehaviour } from "../script.ts";
import { newSubjob } from "./arrays.ts";
import { afterChange } from "./cycle.ts";
import { linkDependencies } from "./dependencies.ts";
import { settle } from "./job_state.ts";
import { checkAdmission, completeFor, route } from "./routing.ts";
import { JobRecordObject } from "./job_record_object.ts";

export const DEFAULT_PATH = "/opt/pbs/bin:/usr/bin:/bin";

/** Where each PBS_O_* variable the server sets sits in Variable_List (`variables` below). */
const BASE_VARIABLE_SLOTS = new Map(
  [
    "PBS_O_HOME",
    "PBS_O_LANG",
    "PBS_O_LOGNAME",
    "PBS_O_PATH",
    "PBS_O_SHELL",
    "PBS_O_INTERACTIVE_AUTH_METHOD",
    "PBS_O_INTERACTIVE_ENCRYPT_METHOD",
    "PBS_O_WORKDIR",
    "PBS_O_SYSTEM",
  ].map((name, slot) => [name, slot]),
);

/** PBS_O_* values every job gets alike (pairs are shared: see `variables`). */
const FIXED_VARIABLES: Record<string, [string, string]> = {
  lang: ["PBS_O_LANG", "C.UTF-8"],
  path: ["PBS_O_PATH", DEFAULT_PATH],
  shell: ["PBS_O_SHELL", "/bin/bash"],
  authMethod: ["PBS_O_INTERACTIVE_AUTH_METHOD", "resvport"],
  encryptMethod: ["PBS_O_INTERACTIVE_ENCRYPT_METHOD", ""],
  system: ["PBS_O_SYSTEM", "Linux"],
};

export function submit(engine: EngineState, caller: Caller, request: SubmitRequest): SimJob {
  const { job, queue, clauses } = admit(engine, caller, request);
  engine.register(job);
  // Held, dependency-held and deferred jobs wait in a routing queue until released
  // (route_held_jobs / route_waiting_jobs default False); #settle routes them then.
  const waits = job.holds !== "" || clauses.some((c) => !c.type.startsWith("before")) ||
    (job.executionTime !== undefined && job.executionTime > engine.now());
  if (queue.type === "Route" && !waits && !route(engine, job)) {
    engine.forget(job); // "Job rejected by all possible destinations": not even in history
    return job;
  }
  linkDependencies(engine, job, clauses);
  settle(engine, job);
  afterChange(engine);
  return job;
}

/**
 * What `submit` does for a request that neither waits (hold, dependency,
 * execution time) nor is an array, up to the job entering its execution
 * queue, for a job about to be made history at once (the scenario builder's
 * background history, fabricate.ts): the same checks, job id, record and
 * routing, but not in the scheduling order and with no cycle asked for.
 * Undefined when no routing destination accepts it (`submit` drops it then).
 */
export function admitFinished(
  engine: EngineState,
  caller: Caller,
  request: SubmitRequest,
): JobRecord | undefined {
  const { job, queue } = admit(engine, caller, request);
  if (queue.type === "Route" && !route(engine, job)) return undefined;
  job.state = "Q"; // as settle leaves a job that does not wait
  job.substate = 10;
  job.etime ??= engine.now();
  engine.register(job, { scheduled: false });
  return job;
}

/** Can `admitFinished` stand for `submit` with this request? */
export function admitsFinished(request: SubmitRequest): boolean {
  return !request.hold && request.depend === undefined && request.arrayRange === undefined &&
    request.executionTime === undefined;
}

/** `qsub`'s checks in PBS's order, the job id, and the new record in its first queue. */
function admit(
  engine: EngineState,
  caller: Caller,
  request: SubmitRequest,
): { job: JobRecord; queue: SimQueue; clauses: ReturnType<typeof parseDepend> } {
  engine.requireUp();
  let requested: ResourceMap;
  try {
    requested = validateResources(request.resources);
    checkDefinedResources(engine, requested);
  } catch (error) {
    // The server refuses unknown resources after taking a job id (INDEX.md note 9: ids burnt).
    if (error instanceof SimError && error.errno === PBSE.UNKRESC) engine.nextSeq();
    throw error;
  }
  const range = request.arrayRange !== undefined ? parseArrayRange(request.arrayRange) : undefined;
  // A site queuejob hook's rejection takes no job id (qsub_hook_rejected_no_filesystems).
  const rejection = queuejobRejection(engine.config.queuejobHooks ?? [], {
    queue: request.queue ?? engine.server.defaultQueue,
    requested,
  });
  if (rejection !== undefined) throw new SimError(PBSE.HOOKERROR, "", rejection);
  const seq = engine.nextSeq();
  if (caller.user === "root") throw new SimError(PBSE.BADUSER);
  if (requested.place !== undefined && requested.select === undefined) {
    throw new SimError(PBSE.PLACENOSELECT); // qsub_err_place_without_select
  }
  const queue = admissionQueue(engine, caller, request.queue);
  if (range && range.indices.length > engine.server.maxArraySize) {
    throw new SimError(PBSE.MaxArraySize);
  }
  const job = newJob(engine, seq, caller, request, queue, requested, range);
  if (
    queue.type === "Execution" &&
    !withinLimits(job.resources, queue.resourcesMax, queue.resourcesMin)
  ) {
    throw new SimError(PBSE.EXCQRESC);
  }
  const clauses = request.depend ? parseDepend(request.depend, engine.server.name) : [];
  return { job, queue, clauses };
}

/**
 * ngpus is not a built-in OpenPBS resource: a complex whose nodes define none
 * refuses it (capture qsub_err_ngpus_not_defined, `Unknown resource: ngpus`).
 */
export function checkDefinedResources(engine: EngineState, requested: ResourceMap): void {
  if (engine.config.nodes.some((n) => n.ngpus !== undefined)) return;
  if (requested.ngpus !== undefined) throw new SimError(PBSE.UNKRESC, "Resource_List.ngpus");
  if (/(^|[:+])ngpus=/.test(String(requested.select ?? ""))) throw unknownInChunk("ngpus");
}

/** The queue a new job enters, with PBS's checks in PBS's order. */
export function admissionQueue(
  engine: EngineState,
  caller: Caller,
  name: string | undefined,
): SimQueue {
  const queue = engine.queues.get(name ?? engine.server.defaultQueue);
  if (!queue) throw new SimError(PBSE.UNKQUE, name ?? engine.server.defaultQueue);
  checkAdmission(caller, queue);
  return queue;
}

export function newJob(
  engine: EngineState,
  seq: number,
  caller: Caller,
  request: SubmitRequest,
  queue: SimQueue,
  requested: ResourceMap,
  range: ReturnType<typeof parseArrayRange> | undefined,
): JobRecord {
  const now = engine.now();
  const server = engine.server.name;
  const id = range ? `${seq}[].${server}` : `${seq}.${server}`;
  const name = request.name ?? "STDIN";
  const owner = engine.userVariables(caller.user);
  const { resources, fromQueue } = completeFor(engine, queue, requested);
  const seqText = range ? `${seq}.^array_index^` : `${seq}`;
  // execVnode, execHost and comment are accessors of the record class (job_record_object.ts).
  const job: JobRecord = new JobRecordObject({
    seq,
    id,
    name,
    owner: `${caller.user}@${caller.host}`,
    user: caller.user,
    state: "Q",
    substate: 10,
    queue: queue.name,
    account: request.account,
    project: "_pbs_project_default",
    priority: request.priority ?? 0,
    holds: request.hold ? "u" : "",
    resources,
    used: {},
    allocation: [],
    ctime: now,
    qtime: now,
    mtime: now,
    executionTime: request.executionTime,
    runCount: 0,
    outputPath: stdPath(request.outputPath, caller, request.workdir, `${name}.o${seqText}`),
    errorPath: stdPath(request.errorPath, caller, request.workdir, `${name}.e${seqText}`),
    joinPath: request.joinPath ?? "n",
    keepFiles: request.keepFiles ?? "n",
    mailPoints: request.mailPoints ?? "a",
    mailUsers: request.mailUsers,
    rerunnable: request.rerunnable ?? true,
    variables: variables(engine, caller, request, queue.name),
    submitArguments: request.submitArguments,
    submitHost: caller.host,
    workdir: request.workdir,
    script: request.script,
    command: request.command,
    behaviour: request.command
      ? commandBehaviour(request.command)
      : request.parsed?.script === request.script
      ? request.parsed.behaviour
      : parseScriptBehaviour(request.script),
    reservation: queue.reservation,
    rank: engine.nextRank++,
    chunks: chunksOf(String(resources.select), engine.defaultChunk),
    placement: parsePlace(String(resources.place)),
    walltime: durationOf(resources, "walltime"),
    fromQueueDefaults: fromQueue,
    takes: [],
    runToken: 0,
    suspendedSeconds: 0,
    cpuLoad: 0,
    memUsedKb: 0,
    vmemUsedKb: 0,
    homeDir: owner.home,
    stagedOut: false,
    dependents: undefined,
    waitsOn: [],
    // Every field is given (JobRecordFields), optional ones too.
    execHostText: undefined,
    execVnodeText: undefined,
    commentText: undefined,
    pendingRunTexts: undefined,
    sessionId: undefined,
    etime: undefined,
    stime: undefined,
    obittime: undefined,
    estimatedStartTime: undefined,
    estimatedTakes: undefined,
    exitStatus: undefined,
    depend: undefined,
    array: undefined,
    parentId: undefined,
    arrayIndex: undefined,
    historyTime: undefined,
    endAt: undefined,
    endKind: undefined,
    pendingExit: undefined,
    terminatedBy: undefined,
    remainingRuntime: undefined,
    suspendedAt: undefined,
    awaitedRegistrations: undefined,
    exitingUntil: undefined,
    neverRunMemo: undefined,
  });
  if (range) {
    job.array = {
      range: range.text,
      indices: range.indices,
      limit: range.limit,
      subjobs: new Map(),
    };
    for (const index of range.indices) job.array.subjobs.set(index, newSubjob(engine, job, index));
  }
  return job;
}

/** `host:/abs/path`; a relative or missing path lands in the working directory. */
export function stdPath(
  given: string | undefined,
  caller: Caller,
  workdir: string,
  fallback: string,
): string {
  if (given === undefined || given === "") return `${caller.host}:${workdir}/${fallback}`;
  // `host:path`: a colon before any slash, after at least one character.
  const colon = given.indexOf(":");
  const slash = given.indexOf("/");
  const hasHost = colon > 0 && (slash < 0 || slash > colon);
  const [host, path] = hasHost
    ? [given.slice(0, colon), given.slice(colon + 1)]
    : [caller.host, given];
  let absolute = path.startsWith("/") ? path : `${workdir}/${path}`;
  if (absolute.endsWith("/")) absolute += fallback;
  return `${host}:${absolute}`;
}

/**
 * Variable_List: the server's PBS_O_* pairs, the user's, then PBS_O_QUEUE and
 * PBS_O_HOST. Pairs are never changed in place (only read: attributes.ts), so
 * those made from a user, host, directory or queue are shared by every job
 * that names the same (`EngineState.sharedPair`): the aurora scenario's
 * 22,000 jobs each kept five arrays of their own before.
 */
export function variables(
  engine: EngineState,
  caller: Caller,
  request: SubmitRequest,
  queue: string,
): Array<[string, string]> {
  const owner = engine.userVariables(caller.user);
  // One literal of the usual eleven (no spare capacity in 22,000 arrays); the
  // user's own variables go before PBS_O_QUEUE and PBS_O_HOST.
  const list: Array<[string, string]> = [
    owner.homePair,
    FIXED_VARIABLES.lang,
    owner.lognamePair,
    FIXED_VARIABLES.path,
    FIXED_VARIABLES.shell,
    FIXED_VARIABLES.authMethod,
    FIXED_VARIABLES.encryptMethod,
    engine.sharedPair("PBS_O_WORKDIR", request.workdir),
    FIXED_VARIABLES.system,
    engine.sharedPair("PBS_O_QUEUE", queue),
    engine.sharedPair("PBS_O_HOST", caller.host),
  ];
  const own: Array<[string, string]> = [];
  for (const [name, value] of request.variables) {
    const slot = BASE_VARIABLE_SLOTS.get(name);
    if (slot !== undefined) list[slot] = [name, value];
    else own.push([name, value]);
  }
  if (own.length > 0) list.splice(BASE_VARIABLE_SLOTS.size, 0, ...own);
  return list;
}

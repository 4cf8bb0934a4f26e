/**
 * A simulated OpenPBS complex: server, queues, vnodes, jobs and reservations
 * on a virtual clock. Implements `ComplexApi` (model.ts) with OpenPBS 23.06's
 * behaviour as recorded in tests/fixtures/golden (INDEX.md sections 1-6).
 *
 * Layout: this class owns state and the user-facing operations; job start/end
 * bookkeeping is in the "lifecycle" section below; the scheduling policy is in
 * scheduler.ts/placement.ts; the attribute views in attributes.ts.
 */
import { type QueuejobHook, queuejobRejection } from "./hooks.ts";
import { formatDuration } from "../src/pbs/model/time.ts";
import {
  jobAttributes,
  nodeAttributes,
  queueAttributes,
  reservationAttributes,
  serverAttributes,
} from "./attributes.ts";
import { EventQueue, VirtualClock } from "./clock.ts";
import {
  buildNode,
  buildQueue,
  type ComplexConfig,
  type ComplexOptions,
  TWO_WEEKS,
} from "./config.ts";
import {
  AFTER_TYPES,
  type DependClause,
  formatDepend,
  mirrorType,
  parseArrayRange,
  parseDepend,
  parseJobId,
} from "./ids.ts";
import type { JobRecord } from "./job_record.ts";
import {
  type AlterRequest,
  type AttrList,
  type Caller,
  type ComplexApi,
  type JobQuery,
  PBSE,
  type Privilege,
  type ReservationRequest,
  SimError,
  type SimJob,
  type SimNode,
  type SimQueue,
  type SimReservation,
  type SimServer,
  type SubmitRequest,
} from "./model.ts";
import { NodePool, type NodeTake } from "./nodes.ts";
import { execVnodeText, findPlacement } from "./placement.ts";
import { Random } from "./random.ts";
import {
  chunksOf,
  completeResources,
  deriveTotals,
  durationOf,
  parsePlace,
  type ResourceMap,
  unknownInChunk,
  validateResources,
  withinLimits,
} from "./resources.ts";
import { type ReservationCapacity, runCycle, type SchedulerHost } from "./scheduler.ts";
import { commandBehaviour, parseScriptBehaviour, subjobBehaviour } from "./script.ts";
import { jobRunDate, writeJobOutput } from "./output.ts";
import { confirmReservation, type ResvRecord } from "./reservations.ts";

/** Seconds a job stays in E between its end and its obit (golden: ~1 s). */
const EXITING_SECONDS = 1;
/** The mom notices a walltime overrun on its next poll (golden: 308 s for a 300 s limit). */
const WALLTIME_POLL_SECONDS = 8;
const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};
/** Signals a shell does not die of. */
const HARMLESS_SIGNALS = new Set([0, 17, 18, 19, 20, 21, 22, 23, 28]);
const DEFAULT_PATH = "/opt/pbs/bin:/usr/bin:/bin";

export class Complex implements ComplexApi {
  readonly server: SimServer;
  readonly config: ComplexConfig;
  readonly outputDir?: string;
  readonly pool: NodePool;
  readonly rng: Random;
  readonly defaultChunk: ResourceMap;
  readonly mailer: string;
  readonly mailFrom: string;

  #clock: VirtualClock;
  #events = new EventQueue();
  #queues = new Map<string, SimQueue>();
  /** Resource names ever assigned per queue (`""` = server), for resources_assigned. */
  #assignedSeen = new Map<string, Set<string>>();
  /** Top-level jobs (plain jobs and array parents) by sequence number. */
  #jobs = new Map<number, JobRecord>();
  /** Every job including subjobs, by full id. */
  #byId = new Map<string, JobRecord>();
  #listing: JobRecord[] | undefined;
  #schedOrder: JobRecord[] = [];
  #schedOrderDirty = false;
  #holding = new Set<JobRecord>();
  #reservations = new Map<string, ResvRecord>();
  #nextRank = 1;
  #lastCycle = -Infinity;
  #cycleQueued = false;
  /** While building a scenario: no cycles, no output files. */
  #quiet = false;

  constructor(config: ComplexConfig, options: ComplexOptions) {
    this.config = config;
    this.outputDir = options.outputDir;
    this.rng = new Random(options.seed);
    const start = options.startTime ?? 1795488269;
    this.#clock = new VirtualClock(start);
    this.defaultChunk = config.defaultChunk ?? { ncpus: 1 };
    this.mailer = config.mailer ?? "/usr/sbin/sendmail";
    this.mailFrom = config.mailFrom ?? "adm";
    this.server = {
      name: config.serverName,
      host: config.serverHost,
      version: config.version ?? "23.06.06",
      up: true,
      scheduling: true,
      defaultQueue: config.defaultQueue,
      jobHistoryEnable: config.jobHistoryEnable ?? false,
      jobHistoryDuration: config.jobHistoryDuration ?? TWO_WEEKS,
      maxArraySize: config.maxArraySize ?? 10000,
      resourcesDefault: config.resourcesDefault ?? { ncpus: 1 },
      managers: config.managers ?? ["root"],
      operators: config.operators ?? [],
      nextSeq: 0,
    };
    for (const q of config.queues) this.#queues.set(q.name, buildQueue(q));
    this.pool = new NodePool(config.nodes.map((n) => buildNode(n, start)));
  }

  // -------------------------------------------------------------------------
  // Clock.

  now(): number {
    return this.#clock.now();
  }

  advance(seconds: number): void {
    const target = this.now() + Math.max(0, Math.floor(seconds));
    for (;;) {
      const next = this.#events.peekTime();
      if (next === undefined || next > target) break;
      this.#clock.set(next);
      for (let e = this.#events.popDue(next); e; e = this.#events.popDue(next)) e.fire();
      this.#maybeSchedule();
    }
    this.#clock.set(target);
    this.#maybeSchedule();
  }

  queuejobHooks(): readonly QueuejobHook[] {
    return this.config.queuejobHooks ?? [];
  }

  configureScheduler(settings: { strictOrdering?: boolean; backfillDepth?: number }): void {
    if (settings.strictOrdering !== undefined) this.config.strictOrdering = settings.strictOrdering;
    if (settings.backfillDepth !== undefined) this.config.backfillDepth = settings.backfillDepth;
    this.schedule();
  }

  schedule(): void {
    if (!this.server.up || !this.server.scheduling || this.#quiet) return;
    this.#lastCycle = this.now();
    this.#confirmReservations();
    runCycle(this.#schedulerHost);
  }

  /** Runs a cycle now, or queues one for when the scheduler interval allows. */
  #maybeSchedule(): void {
    const interval = this.config.schedulerInterval ?? 0;
    const due = this.#lastCycle + interval;
    if (this.now() >= due) {
      this.schedule();
    } else if (!this.#cycleQueued) {
      this.#cycleQueued = true;
      this.#events.push(due, () => true, () => {
        this.#cycleQueued = false;
      });
    }
  }

  /** Builds state without cycles (scenarios): `fn` runs with scheduling suppressed. */
  quietly<T>(fn: () => T): T {
    this.#quiet = true;
    try {
      return fn();
    } finally {
      this.#quiet = false;
    }
  }

  // -------------------------------------------------------------------------
  // Identity.

  homeDir(user: string): string {
    const home = user === "root" ? "/root" : `/home/${user}`;
    return this.outputDir ? `${this.outputDir.replace(/\/$/, "")}${home}` : home;
  }

  privilegeOf(user: string): Privilege {
    const name = (entry: string) => entry.split("@")[0];
    if (this.server.managers.some((m) => name(m) === user)) return "manager";
    if (this.server.operators.some((o) => name(o) === user)) return "operator";
    return "user";
  }

  #isPrivileged(caller: Caller): boolean {
    return this.privilegeOf(caller.user) !== "user";
  }

  #ownerOrPrivileged(caller: Caller, job: SimJob): void {
    if (job.user !== caller.user && !this.#isPrivileged(caller)) {
      throw new SimError(PBSE.PERM, job.id);
    }
  }

  #requireUp(): void {
    if (!this.server.up) throw new SimError(PBSE.SYSTEM);
  }

  // -------------------------------------------------------------------------
  // Queries.

  findJob(id: string, query: JobQuery = {}): SimJob {
    const job = this.#lookup(id);
    if (isHistory(job) && !query.history) throw new SimError(PBSE.HISTJOBID, job.id);
    return job;
  }

  #lookup(id: string): JobRecord {
    const parsed = parseJobId(id);
    const suffixOk = parsed.suffix === undefined || parsed.suffix === this.server.name ||
      parsed.suffix === this.server.host;
    const top = suffixOk ? this.#jobs.get(parsed.seq) : undefined;
    if (!top) throw new SimError(PBSE.UNKJOBID, this.#displayId(id));
    if (typeof parsed.index === "number") {
      const sub = top.array?.subjobs.get(parsed.index) as JobRecord | undefined;
      if (!sub) throw new SimError(PBSE.UNKJOBID, this.#displayId(id));
      return sub;
    }
    return top;
  }

  #displayId(id: string): string {
    return id.includes(".") ? id : `${id}.${this.server.name}`;
  }

  listJobs(query: JobQuery = {}): SimJob[] {
    const out: SimJob[] = [];
    for (const job of this.#ranked()) {
      if (isHistory(job) && !query.history) continue;
      out.push(job);
      if (query.subjobs && job.array) {
        for (const index of job.array.indices) out.push(job.array.subjobs.get(index)!);
      }
    }
    return out;
  }

  #ranked(): JobRecord[] {
    this.#listing ??= [...this.#jobs.values()].sort((a, b) => a.rank - b.rank);
    return this.#listing;
  }

  queues(): SimQueue[] {
    return [...this.#queues.values()];
  }

  findQueue(name: string): SimQueue {
    const queue = this.#queues.get(name);
    if (!queue) throw new SimError(PBSE.UNKQUE, name);
    return queue;
  }

  nodes(): SimNode[] {
    return this.pool.nodes;
  }

  findNode(name: string): SimNode {
    const i = this.pool.index.get(name);
    if (i === undefined) throw new SimError(PBSE.UNKNODE, name);
    return this.pool.nodes[i];
  }

  reservations(): SimReservation[] {
    return [...this.#reservations.values()];
  }

  findReservation(id: string): SimReservation {
    const full = id.includes(".") ? id : `${id}.${this.server.name}`;
    const resv = this.#reservations.get(full);
    if (!resv) throw new SimError(PBSE.UNKRESVID, full);
    return resv;
  }

  /** Jobs currently holding nodes (running or suspended). */
  holdingJobs(): Iterable<JobRecord> {
    return this.#holding;
  }

  /** Every job record including subjobs (attributes and tests). */
  allJobs(): Iterable<JobRecord> {
    return this.#byId.values();
  }

  assignedSeen(queue: string): Set<string> {
    let set = this.#assignedSeen.get(queue);
    if (!set) this.#assignedSeen.set(queue, set = new Set());
    return set;
  }

  // -------------------------------------------------------------------------
  // Submission.

  submit(caller: Caller, request: SubmitRequest): SimJob {
    this.#requireUp();
    let requested: ResourceMap;
    try {
      requested = validateResources(request.resources);
      this.#checkDefinedResources(requested);
    } catch (error) {
      // The server refuses unknown resources after taking a job id (INDEX.md note 9: ids burnt).
      if (error instanceof SimError && error.errno === PBSE.UNKRESC) this.#nextSeq();
      throw error;
    }
    const range = request.arrayRange !== undefined
      ? parseArrayRange(request.arrayRange)
      : undefined;
    // A site queuejob hook's rejection takes no job id (qsub_hook_rejected_no_filesystems).
    const rejection = queuejobRejection(this.config.queuejobHooks ?? [], {
      queue: request.queue ?? this.server.defaultQueue,
      requested,
    });
    if (rejection !== undefined) throw new SimError(PBSE.HOOKERROR, "", rejection);
    const seq = this.#nextSeq();
    if (caller.user === "root") throw new SimError(PBSE.BADUSER);
    if (requested.place !== undefined && requested.select === undefined) {
      throw new SimError(PBSE.PLACENOSELECT); // qsub_err_place_without_select
    }
    const queue = this.#admissionQueue(caller, request.queue);
    if (range && range.indices.length > this.server.maxArraySize) {
      throw new SimError(PBSE.MaxArraySize);
    }
    const job = this.#newJob(seq, caller, request, queue, requested, range);
    if (
      queue.type === "Execution" &&
      !withinLimits(job.resources, queue.resourcesMax, queue.resourcesMin)
    ) {
      throw new SimError(PBSE.EXCQRESC);
    }
    const clauses = request.depend ? parseDepend(request.depend, this.server.name) : [];
    this.#register(job);
    // Held, dependency-held and deferred jobs wait in a routing queue until released
    // (route_held_jobs / route_waiting_jobs default False); #settle routes them then.
    const waits = job.holds !== "" || clauses.some((c) => !c.type.startsWith("before")) ||
      (job.executionTime !== undefined && job.executionTime > this.now());
    if (queue.type === "Route" && !waits && !this.#route(job)) {
      this.#forget(job); // "Job rejected by all possible destinations": not even in history
      return job;
    }
    this.#linkDependencies(job, clauses);
    this.#settle(job);
    this.#afterChange();
    return job;
  }

  /**
   * ngpus is not a built-in OpenPBS resource: a complex whose nodes define none
   * refuses it (capture qsub_err_ngpus_not_defined, `Unknown resource: ngpus`).
   */
  #checkDefinedResources(requested: ResourceMap): void {
    if (this.config.nodes.some((n) => n.ngpus !== undefined)) return;
    if (requested.ngpus !== undefined) throw new SimError(PBSE.UNKRESC, "Resource_List.ngpus");
    if (/(^|[:+])ngpus=/.test(String(requested.select ?? ""))) throw unknownInChunk("ngpus");
  }

  #nextSeq(): number {
    return this.server.nextSeq++;
  }

  /** The queue a new job enters, with PBS's checks in PBS's order. */
  #admissionQueue(caller: Caller, name: string | undefined): SimQueue {
    const queue = this.#queues.get(name ?? this.server.defaultQueue);
    if (!queue) throw new SimError(PBSE.UNKQUE, name ?? this.server.defaultQueue);
    this.#checkAdmission(caller, queue);
    return queue;
  }

  #checkAdmission(caller: Caller, queue: SimQueue): void {
    if (!queue.enabled) throw new SimError(PBSE.QUNOENB, queue.name);
    if (queue.aclUserEnable && !this.#aclAllows(queue, caller.user)) {
      throw new SimError(PBSE.PERM);
    }
  }

  #aclAllows(queue: SimQueue, user: string): boolean {
    return queue.aclUsers.some((u) => u.split("@")[0] === user);
  }

  #newJob(
    seq: number,
    caller: Caller,
    request: SubmitRequest,
    queue: SimQueue,
    requested: ResourceMap,
    range: ReturnType<typeof parseArrayRange> | undefined,
  ): JobRecord {
    const now = this.now();
    const server = this.server.name;
    const id = range ? `${seq}[].${server}` : `${seq}.${server}`;
    const name = request.name ?? "STDIN";
    const home = this.homeDir(caller.user);
    const { resources, fromQueue } = this.#completeFor(queue, requested);
    const seqText = range ? `${seq}.^array_index^` : `${seq}`;
    const job: JobRecord = {
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
      outputPath: this.#stdPath(request.outputPath, caller, request.workdir, `${name}.o${seqText}`),
      errorPath: this.#stdPath(request.errorPath, caller, request.workdir, `${name}.e${seqText}`),
      joinPath: request.joinPath ?? "n",
      keepFiles: request.keepFiles ?? "n",
      mailPoints: request.mailPoints ?? "a",
      mailUsers: request.mailUsers,
      rerunnable: request.rerunnable ?? true,
      variables: this.#variables(caller, request, queue.name, home),
      submitArguments: request.submitArguments,
      submitHost: caller.host,
      workdir: request.workdir,
      script: request.script,
      command: request.command,
      behaviour: request.command
        ? commandBehaviour(request.command)
        : parseScriptBehaviour(request.script),
      reservation: queue.reservation,
      rank: this.#nextRank++,
      chunks: chunksOf(String(resources.select), this.defaultChunk),
      placement: parsePlace(String(resources.place)),
      walltime: durationOf(resources, "walltime"),
      fromQueueDefaults: fromQueue,
      takes: [],
      runToken: 0,
      suspendedSeconds: 0,
      cpuLoad: 0,
      memUsedKb: 0,
      vmemUsedKb: 0,
      homeDir: home,
      stagedOut: false,
      dependents: new Set(),
      waitsOn: [],
    };
    if (range) {
      job.array = {
        range: range.text,
        indices: range.indices,
        limit: range.limit,
        subjobs: new Map(),
      };
      for (const index of range.indices) job.array.subjobs.set(index, this.#newSubjob(job, index));
    }
    return job;
  }

  #newSubjob(parent: JobRecord, index: number): JobRecord {
    const server = this.server.name;
    const sub: JobRecord = {
      ...parent,
      id: `${parent.seq}[${index}].${server}`,
      array: undefined,
      parentId: parent.id,
      arrayIndex: index,
      outputPath: parent.outputPath.replace("^array_index^", String(index)),
      errorPath: parent.errorPath.replace("^array_index^", String(index)),
      behaviour: subjobBehaviour(parent.behaviour, index),
      resources: { ...parent.resources },
      used: {},
      allocation: [],
      takes: [],
      dependents: new Set(),
      waitsOn: [],
    };
    return sub;
  }

  #completeFor(queue: SimQueue, requested: ResourceMap) {
    return completeResources(requested, {
      queue: queue.resourcesDefault,
      server: this.server.resourcesDefault,
      defaultChunk: this.defaultChunk,
    });
  }

  /** `host:/abs/path`; a relative or missing path lands in the working directory. */
  #stdPath(given: string | undefined, caller: Caller, workdir: string, fallback: string): string {
    if (given === undefined || given === "") return `${caller.host}:${workdir}/${fallback}`;
    const hasHost = /^[^/:]+:/.test(given);
    const [host, path] = hasHost
      ? [given.slice(0, given.indexOf(":")), given.slice(given.indexOf(":") + 1)]
      : [caller.host, given];
    let absolute = path.startsWith("/") ? path : `${workdir}/${path}`;
    if (absolute.endsWith("/")) absolute += fallback;
    return `${host}:${absolute}`;
  }

  #variables(caller: Caller, request: SubmitRequest, queue: string, home: string) {
    const base: Array<[string, string]> = [
      ["PBS_O_HOME", home],
      ["PBS_O_LANG", "C.UTF-8"],
      ["PBS_O_LOGNAME", caller.user],
      ["PBS_O_PATH", DEFAULT_PATH],
      ["PBS_O_SHELL", "/bin/bash"],
      ["PBS_O_INTERACTIVE_AUTH_METHOD", "resvport"],
      ["PBS_O_INTERACTIVE_ENCRYPT_METHOD", ""],
      ["PBS_O_WORKDIR", request.workdir],
      ["PBS_O_SYSTEM", "Linux"],
    ];
    const user: Array<[string, string]> = [];
    for (const [name, value] of request.variables) {
      const slot = base.findIndex(([n]) => n === name);
      if (slot >= 0) base[slot] = [name, value];
      else user.push([name, value]);
    }
    return [...base, ...user, ["PBS_O_QUEUE", queue], ["PBS_O_HOST", caller.host]] as Array<
      [string, string]
    >;
  }

  #register(job: JobRecord): void {
    this.#jobs.set(job.seq, job);
    this.#byId.set(job.id, job);
    if (job.array) {
      for (const sub of job.array.subjobs.values()) this.#byId.set(sub.id, sub as JobRecord);
    }
    this.#listing = undefined;
    this.#insertSchedOrder(job);
  }

  #forget(job: JobRecord): void {
    this.#jobs.delete(job.seq);
    this.#byId.delete(job.id);
    if (job.array) { for (const sub of job.array.subjobs.values()) this.#byId.delete(sub.id); }
    this.#listing = undefined;
    const at = this.#schedOrder.indexOf(job);
    if (at >= 0) this.#schedOrder.splice(at, 1);
  }

  /** Route a job to the first destination that accepts it; false when none does. */
  #route(job: JobRecord): boolean {
    const caller = { user: job.user, host: job.submitHost };
    const source = this.#queues.get(job.queue)!;
    for (const name of source.routeDestinations) {
      const dest = this.#queues.get(name);
      if (!dest) continue;
      try {
        this.#checkAdmission(caller, dest);
      } catch {
        continue;
      }
      const { resources, fromQueue } = this.#completeFor(dest, this.#requestedOf(job));
      if (!withinLimits(resources, dest.resourcesMax, dest.resourcesMin)) continue;
      if (dest.type === "Route") continue;
      this.#enterQueue(job, dest, resources, fromQueue);
      return true;
    }
    return false;
  }

  /** The job's own requests: Resource_List without queue-defaulted and derived values. */
  #requestedOf(job: JobRecord): ResourceMap {
    const own: ResourceMap = { ...job.resources };
    for (const name of job.fromQueueDefaults) delete own[name];
    return own;
  }

  #enterQueue(job: JobRecord, queue: SimQueue, resources: ResourceMap, fromQueue: string[]): void {
    job.queue = queue.name;
    job.resources = resources;
    job.fromQueueDefaults = fromQueue;
    job.walltime = durationOf(resources, "walltime");
    job.chunks = chunksOf(String(resources.select), this.defaultChunk);
    job.placement = parsePlace(String(resources.place));
    job.reservation = queue.reservation;
    if (job.array) {
      for (const sub of job.array.subjobs.values()) {
        const s = sub as JobRecord;
        s.queue = queue.name;
        s.resources = { ...resources };
        s.walltime = job.walltime;
        s.chunks = job.chunks;
        s.placement = job.placement;
        s.reservation = job.reservation;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Dependencies.

  #linkDependencies(job: JobRecord, clauses: DependClause[]): void {
    if (clauses.length === 0) return;
    const own: DependClause[] = clauses.map((c) => ({ type: c.type, ids: [...c.ids] }));
    job.depend = formatDepend(own, this.server.name);
    let rejected = false;
    for (const clause of clauses) {
      if (clause.type === "on") {
        // `on:N`: held until N before* jobs have registered on it, then waits for them.
        const count = Number(clause.ids[0]);
        if (count > 0) {
          job.awaitedRegistrations = count;
          job.holds = canonicalHolds(`${job.holds}s`);
        }
        continue;
      }
      const isAfter = (AFTER_TYPES as readonly string[]).includes(clause.type);
      if (!isAfter && !clause.type.startsWith("before")) continue;
      for (const id of clause.ids) {
        const other = this.#byId.get(id);
        if (!other) {
          rejected = true;
          continue;
        }
        if (isAfter) this.#waitOn(job, clause.type, other);
        else this.#waitOn(other, mirrorType(clause.type), job);
      }
    }
    if (rejected) this.#rejectForDependency(job);
  }

  /** `waiter` may not run until `target` does what `type` says; both get their depend text. */
  #waitOn(waiter: JobRecord, type: string, target: JobRecord): void {
    if (isHistory(target)) {
      const ok = dependencySatisfied(type, target);
      if (!ok) this.#deleteForDependency(waiter);
      return;
    }
    waiter.waitsOn.push({ type, id: target.id });
    target.dependents.add(waiter.id);
    waiter.holds = canonicalHolds(`${waiter.holds}s`); // "su" (qstat_f_json_after_qalter_depend)
    if (waiter.awaitedRegistrations !== undefined && waiter.awaitedRegistrations > 0) {
      // A before* job registered on an `on:N` job: the count drops, then the clause goes
      // (qstat_f_json_depend_on_waiting shows only `afterok:259.vm@vm`).
      waiter.awaitedRegistrations--;
      if (waiter.awaitedRegistrations === 0) removeDependClause(waiter, "on", this.server.name);
    }
    appendDepend(waiter, type, target.id, this.server.name);
    appendDepend(target, mirrorType(type), waiter.id, this.server.name);
    if (type === "after" && target.stime !== undefined) this.#dependencyEvent(target, "started");
  }

  /** The server refuses a dependency on an unknown job: the job is finished at once (golden). */
  #rejectForDependency(job: JobRecord): void {
    job.holds = "s";
    job.state = "F";
    job.substate = 92;
    this.#toHistory(job);
  }

  #deleteForDependency(job: JobRecord): void {
    if (isHistory(job)) return;
    if (job.state === "R" || job.state === "S") {
      this.#terminate(job, 271, "deleted");
      return;
    }
    // "Job deleted as result of dependency": F, substate 92, Hold_Types s, no comment
    // (qstat_fx_json_depend_two_ids_parent_failed).
    job.state = "F";
    job.substate = 92;
    this.#toHistory(job);
    this.#dependencyEvent(job, "ended");
  }

  /** Re-evaluates the jobs waiting on `target` after it started or ended. */
  #dependencyEvent(target: JobRecord, what: "started" | "ended"): void {
    for (const id of [...target.dependents]) {
      const waiter = this.#byId.get(id);
      if (!waiter || isHistory(waiter)) continue;
      const waits = waiter.waitsOn.filter((w) => w.id === target.id);
      for (const w of waits) {
        if (what === "started" && w.type !== "after") continue;
        if (what === "started" || dependencySatisfied(w.type, target)) {
          waiter.waitsOn.splice(waiter.waitsOn.indexOf(w), 1);
          // A met dependency leaves the depend text (qstat_fx_json_depend_two_types_done).
          removeDependId(waiter, w.type, target.id, this.server.name);
        } else {
          this.#deleteForDependency(waiter);
          break;
        }
      }
      if (
        !isHistory(waiter) && waiter.waitsOn.length === 0 && !waiter.awaitedRegistrations &&
        waiter.holds.includes("s")
      ) {
        waiter.holds = waiter.holds.replace("s", "");
        this.#settle(waiter);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Job state bookkeeping.

  /** Puts a not-running job in the state its holds and execution time call for. */
  #settle(job: JobRecord): void {
    if (isHistory(job) || job.state === "R" || job.state === "S" || job.state === "E") return;
    if (job.array && job.state === "B") {
      this.#applyToQueuedSubjobs(job);
      return;
    }
    const now = this.now();
    if (job.holds !== "") {
      job.state = "H";
      // 22 while a dependency holds it, whatever other holds it has (qrls_depend_held_alice).
      const waiting = job.waitsOn.length > 0 || (job.awaitedRegistrations ?? 0) > 0;
      job.substate = job.holds.includes("s") && waiting ? 22 : 20;
    } else if (job.executionTime !== undefined && job.executionTime > now) {
      job.state = "W";
      job.substate = 30;
      const token = job.executionTime;
      this.#events.push(
        job.executionTime,
        () => job.state === "W" && job.executionTime === token,
        () => this.#settle(job),
      );
    } else {
      job.state = "Q";
      job.substate = 10;
      job.etime ??= now;
      // Released from a routing queue: routed now, or discarded when no destination takes it.
      if (this.#queues.get(job.queue)?.type === "Route" && !this.#route(job)) {
        this.#forget(job);
        return;
      }
    }
    if (job.array) this.#applyToQueuedSubjobs(job);
  }

  #applyToQueuedSubjobs(parent: JobRecord): void {
    for (const sub of parent.array!.subjobs.values()) {
      const s = sub as JobRecord;
      if (s.state !== "Q" && s.state !== "H" && s.state !== "W") continue;
      s.holds = parent.holds;
      s.executionTime = parent.executionTime;
      if (parent.holds !== "") {
        s.state = "H";
        s.substate = 20;
      } else {
        s.state = "Q";
        s.substate = 10;
        s.etime ??= this.now();
      }
    }
  }

  #toHistory(job: JobRecord): void {
    const now = this.now();
    job.mtime = now;
    // A job deleted while queued keeps its last estimate (qstat_xf_json_deleted_queued).
    if (job.parentId) {
      job.state = "X";
      job.historyTime = now;
      this.#updateArrayParent(this.#byId.get(job.parentId)!);
      return;
    }
    if (!this.server.jobHistoryEnable) {
      this.#forget(job);
      return;
    }
    job.historyTime = now;
    this.#listing = undefined;
    const expires = now + this.server.jobHistoryDuration;
    this.#events.push(expires, () => this.#jobs.get(job.seq) === job, () => this.#forget(job));
  }

  #updateArrayParent(parent: JobRecord): void {
    const subs = [...parent.array!.subjobs.values()];
    parent.mtime = this.now();
    if (subs.every((s) => s.state === "X")) {
      // The array is done: parent and every subjob become F; a failed subjob makes the
      // parent 93 "... and failed" with Exit_status 0 (qstat_xt_array_finished,
      // qstat_fx_json_array_parent_finished).
      const failed = subs.some((s) => s.exitStatus !== 0);
      for (const s of subs) s.state = "F";
      parent.state = "F";
      parent.substate = failed ? 93 : 92;
      if (failed && parent.comment !== undefined) parent.comment += " and failed";
      parent.stagedOut = true;
      parent.exitStatus = 0;
      this.#toHistory(parent);
      this.#dependencyEvent(parent, "ended");
    } else if (subs.some((s) => s.state === "X")) {
      // PBS marks the parent once any subjob has gone (qstat_f_json_array_parent_after).
      parent.stagedOut = true;
      if (subs.some((s) => s.state === "X" && s.exitStatus !== 0)) parent.exitStatus = 1;
    }
  }

  #afterChange(): void {
    this.#maybeSchedule();
  }

  // -------------------------------------------------------------------------
  // Scheduling order and the scheduler's view of the complex.

  #insertSchedOrder(job: JobRecord): void {
    const order = this.#schedOrder;
    if (this.#quiet) {
      order.push(job);
      this.#schedOrderDirty = true;
      return;
    }
    let lo = 0, hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#schedBefore(order[mid], job)) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, job);
  }

  #schedBefore(a: JobRecord, b: JobRecord): boolean {
    const qa = this.#queues.get(a.queue)?.priority ?? 0;
    const qb = this.#queues.get(b.queue)?.priority ?? 0;
    if (qa !== qb) return qa > qb;
    if (a.priority !== b.priority) return a.priority > b.priority;
    return a.rank < b.rank;
  }

  #orderedJobs(): JobRecord[] {
    if (this.#schedOrderDirty) {
      this.#schedOrder.sort((a, b) => (this.#schedBefore(a, b) ? -1 : 1));
      this.#schedOrderDirty = false;
    }
    // Drop jobs that can no longer be scheduled; the rest keep their order.
    this.#schedOrder = this.#schedOrder.filter((j) => this.#jobs.get(j.seq) === j && !isHistory(j));
    return this.#schedOrder;
  }

  get #schedulerHost(): SchedulerHost {
    return {
      pool: this.pool,
      now: () => this.now(),
      // Top jobs (estimates, backfill protection) only under sched_config strict_ordering;
      // OpenPBS's defaults give none (captures qstat_T_default_sched, qstat_T_strict_ordering).
      backfillDepth: this.config.strictOrdering
        ? this.server.backfillDepth ?? this.config.backfillDepth ?? 1
        : 0,
      orderedJobs: () => this.#orderedJobs(),
      queuedSubjobs: (parent) => queuedSubjobs(parent),
      runningSubjobCount: (parent) => {
        let n = 0;
        for (const s of parent.array!.subjobs.values()) {
          if (s.state === "R" || s.state === "S" || s.state === "E") n++;
        }
        return n;
      },
      queueOf: (job) => this.#queues.get(job.queue)!,
      runningInQueue: (queue) => {
        let n = 0;
        for (const j of this.#holding) if (j.queue === queue) n++;
        return n;
      },
      runningJobs: () => this.#holding,
      reservationWindows: () => this.#reservationWindows(),
      reservationUsage: (id) => {
        const queue = this.#reservations.get(id)?.queue;
        const takes: NodeTake[] = [];
        for (const j of this.#holding) if (j.queue === queue) takes.push(...j.takes);
        return takes;
      },
      start: (job, takes) => this.#start(job, takes),
      setComment: (job, comment) => {
        if (job.comment !== comment) job.comment = comment;
      },
      setEstimate: (job, start, vnodes) => {
        job.estimatedStartTime = start;
        job.estimatedExecVnode = vnodes;
      },
    };
  }

  #reservationWindows(): ReservationCapacity[] {
    const out: ReservationCapacity[] = [];
    for (const r of this.#reservations.values()) {
      if (r.state !== "RESV_CONFIRMED" && r.state !== "RESV_RUNNING") continue;
      out.push({
        id: r.id,
        running: r.state === "RESV_RUNNING",
        start: r.start,
        end: r.end,
        takes: r.takes,
      });
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Lifecycle: start, end, exit.

  #start(job: JobRecord, takes: NodeTake[]): void {
    const now = this.now();
    const exclusive = job.placement.sharing !== "shared";
    const firstSlots = this.pool.take(job.id, takes, exclusive, now);
    job.takes = takes;
    job.allocation = takes.map((t) => ({
      node: this.pool.nodes[t.node].name,
      ncpus: t.ncpus,
      ngpus: t.ngpus,
      memBytes: t.memBytes,
    }));
    job.execHost = takes.map((t, i) => {
      const name = this.pool.nodes[t.node].name;
      return t.ncpus > 1 ? `${name}/${firstSlots[i]}*${t.ncpus}` : `${name}/${firstSlots[i]}`;
    }).join("+");
    job.execVnode = execVnodeText(this.pool, takes);
    job.state = "R";
    job.substate = 42;
    job.stime = now;
    job.mtime = now;
    job.obittime = job.runCount > 0 ? job.obittime : undefined;
    job.runCount++;
    job.runToken++;
    job.suspendedSeconds = 0;
    job.exitStatus = undefined;
    job.pendingExit = undefined;
    job.endKind = undefined;
    job.stagedOut = false;
    job.sessionId = this.rng.int(1000, 65000);
    job.memUsedKb = 7000 + this.rng.int(0, 600);
    job.vmemUsedKb = 10380;
    job.comment = `Job run at ${jobRunDate(now)} on ${job.execVnode}`;
    job.estimatedStartTime = undefined;
    job.estimatedExecVnode = undefined;
    this.#holding.add(job);
    this.#noteAssigned(job);
    this.#planEnd(job, job.behaviour.runtimeSeconds);
    if (job.parentId) this.#arrayBegan(this.#byId.get(job.parentId)!);
    this.#dependencyEvent(job, "started");
  }

  #noteAssigned(job: JobRecord): void {
    for (const set of [this.assignedSeen(job.queue), this.assignedSeen("")]) {
      set.add("ncpus");
      set.add("nodect");
      if (job.resources.mem !== undefined) set.add("mem");
      if (job.resources.ngpus !== undefined) set.add("ngpus");
    }
  }

  #arrayBegan(parent: JobRecord): void {
    if (parent.state === "B") return;
    const now = this.now();
    parent.state = "B";
    parent.substate = 70;
    parent.stime = now;
    parent.mtime = now;
    parent.comment = `Job Array Began at ${jobRunDate(now)}`;
  }

  /** Schedules the end of a run with `runtime` seconds still to go. */
  #planEnd(job: JobRecord, runtime: number): void {
    const now = this.now();
    const elapsed = now - job.stime! - job.suspendedSeconds;
    let end = now + runtime;
    let kind: "normal" | "walltime" = "normal";
    if (job.walltime !== undefined && elapsed + runtime > job.walltime + WALLTIME_POLL_SECONDS) {
      end = now + Math.max(0, job.walltime + WALLTIME_POLL_SECONDS - elapsed);
      kind = "walltime";
    }
    job.endAt = end;
    const token = job.runToken;
    this.#events.push(end, () => job.runToken === token && job.state === "R", () => {
      this.#finishRun(job, kind === "walltime" ? -29 : job.behaviour.exitCode, kind);
    });
  }

  /** The job's processes are gone: E now, obit (F/X) shortly after. */
  #finishRun(job: JobRecord, exitStatus: number, kind: JobRecord["endKind"]): void {
    const now = this.now();
    this.#refreshUsage(job);
    this.pool.release(job.id, job.takes, now);
    this.#holding.delete(job);
    job.runToken++;
    job.endAt = undefined;
    job.state = "E";
    job.substate = 50;
    job.mtime = now;
    job.pendingExit = exitStatus;
    job.endKind = kind;
    job.exitingUntil = now + EXITING_SECONDS;
    const token = job.runToken;
    this.#events.push(job.exitingUntil, () => job.runToken === token && job.state === "E", () => {
      this.#obit(job);
    });
  }

  #obit(job: JobRecord): void {
    const now = this.now();
    job.obittime = now;
    job.exitStatus = job.pendingExit;
    job.stagedOut = true;
    job.exitingUntil = undefined;
    job.comment = `${job.comment ?? ""}${endSuffix(job)}`;
    job.substate = job.endKind === "deleted" || job.endKind === "resv-end"
      ? 91
      : job.exitStatus === 0
      ? 92
      : 93;
    job.state = "F";
    if (!this.#quiet) writeJobOutput(this, job);
    this.#toHistory(job);
    this.#dependencyEvent(job, "ended");
  }

  /** Brings resources_used up to date for a running (or just ended) job. */
  #refreshUsage(job: JobRecord): void {
    job.used = resourcesUsed(job, this.usedWalltime(job));
  }

  /** Seconds the current/last run has been executing (suspension excluded). */
  usedWalltime(job: JobRecord): number {
    if (job.stime === undefined) return 0;
    const until = job.state === "S" ? job.suspendedAt! : job.state === "R" ? this.now() : undefined;
    if (until === undefined) return parseDurationOr(job.used.walltime, 0);
    return Math.max(0, until - job.stime - job.suspendedSeconds);
  }

  /** Kills a running job (qdel, qsig, reservation end): E now, F after the obit. */
  #terminate(job: JobRecord, exitStatus: number, kind: JobRecord["endKind"], by?: string): void {
    if (job.state === "S") {
      job.suspendedSeconds += this.now() - job.suspendedAt!;
      job.suspendedAt = undefined;
      job.state = "R";
    }
    job.terminatedBy = by;
    this.#finishRun(job, exitStatus, kind);
  }

  // -------------------------------------------------------------------------
  // Operations on jobs.

  deleteJob(
    caller: Caller,
    id: string,
    options: { force?: boolean; purgeHistory?: boolean } = {},
  ): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) {
      if (!options.purgeHistory) throw new SimError(PBSE.HISTJOBID, job.id);
      this.#purge(job);
      return;
    }
    if (job.state === "E") {
      if (!options.force) throw new SimError(PBSE.BADSTATE, job.id);
      this.#obit(job);
    } else if (job.array) {
      this.#deleteArray(caller, job);
    } else {
      this.#deleteOne(caller, job, options.force ?? false);
    }
    if (options.purgeHistory && isHistory(job)) this.#purge(job);
    this.#afterChange();
  }

  #deleteOne(caller: Caller, job: JobRecord, force: boolean): void {
    const by = `${caller.user}@${caller.host}`;
    if (job.state === "R" || job.state === "S") {
      // SIGTERM (256+15); -W force kills with SIGKILL: 265 (qstat_fx_json_force_deleted).
      this.#terminate(job, force && !job.parentId ? 265 : 271, "deleted", by);
      if (force) this.#obit(job);
      return;
    }
    // The scheduler's last comment gains " and terminated" (qstat_xf_json_deleted_queued).
    if (job.comment !== undefined) job.comment = `${job.comment} and terminated`;
    job.state = job.parentId ? "X" : "F";
    job.substate = 91;
    this.#toHistory(job);
    this.#dependencyEvent(job, "ended");
  }

  #deleteArray(caller: Caller, parent: JobRecord): void {
    for (const sub of parent.array!.subjobs.values()) {
      const s = sub as JobRecord;
      if (!isHistory(s) && s.state !== "E") this.#deleteOne(caller, s, true);
    }
    if (!isHistory(parent)) {
      parent.state = "F";
      parent.substate = 91;
      this.#toHistory(parent);
      this.#dependencyEvent(parent, "ended");
    }
  }

  #purge(job: JobRecord): void {
    if (job.parentId) return; // subjob records live and die with their parent
    this.#forget(job);
  }

  holdJob(caller: Caller, id: string, holdTypes: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    this.#checkHoldPrivilege(caller, job, holdTypes);
    if (job.state === "E") throw new SimError(PBSE.BADSTATE, job.id);
    for (const h of holdTypes.replace(/n/g, "")) if (!job.holds.includes(h)) job.holds += h;
    job.holds = canonicalHolds(job.holds);
    const now = this.now();
    job.mtime = now;
    job.comment = `Job held by ${caller.user} on ${formatCtime(now)}`;
    this.#settle(job);
    this.#afterChange();
  }

  releaseJob(caller: Caller, id: string, holdTypes: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    this.#checkHoldPrivilege(caller, job, holdTypes);
    const before = job.holds;
    for (const h of holdTypes) {
      // A dependency hold stays until the dependency is satisfied.
      if (h === "s" && job.waitsOn.length > 0) continue;
      job.holds = job.holds.replace(h, "");
    }
    if (job.holds !== before) {
      job.mtime = this.now();
      this.#settle(job);
      this.#afterChange();
    }
  }

  /** u: owner; o: operator; s: manager (PBS's hold permission rules). */
  #checkHoldPrivilege(caller: Caller, job: SimJob, holdTypes: string): void {
    const privilege = this.privilegeOf(caller.user);
    for (const h of holdTypes) {
      if (h === "o" && privilege === "user") throw new SimError(PBSE.PERM, job.id);
      if (h === "s" && privilege !== "manager") throw new SimError(PBSE.PERM, job.id);
    }
  }

  alterJob(caller: Caller, id: string, request: AlterRequest): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    if (request.resources) this.#alterResources(caller, job, request.resources);
    if (request.name !== undefined) job.name = request.name;
    if (request.priority !== undefined) {
      job.priority = request.priority;
      this.#schedOrderDirty = true;
    }
    if (request.account !== undefined) job.account = request.account;
    if (request.executionTime !== undefined) job.executionTime = request.executionTime;
    if (request.depend !== undefined) {
      this.#linkDependencies(job, parseDepend(request.depend, this.server.name));
    }
    if (request.holds !== undefined) {
      this.#checkHoldPrivilege(caller, job, request.holds);
      job.holds = canonicalHolds(request.holds.replace(/n/g, ""));
    }
    job.mtime = this.now();
    this.#settle(job);
    this.#afterChange();
  }

  #alterResources(caller: Caller, job: JobRecord, pairs: Array<[string, string]>): void {
    const changes = validateResources(pairs);
    const running = job.state === "R" || job.state === "S" || job.state === "E";
    if (running) {
      for (const name of Object.keys(changes)) {
        if (name !== "walltime" && name !== "cput") {
          throw new SimError(PBSE.MODATRRUN, `Resource_List.${name}`);
        }
      }
      const raising = changes.walltime !== undefined && job.walltime !== undefined &&
        (durationOf(changes, "walltime") ?? 0) > job.walltime;
      if (raising && !this.#isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
    }
    const requested = { ...this.#requestedOf(job), ...changes };
    if (changes.select !== undefined) {
      delete requested.ncpus;
      delete requested.mem;
      delete requested.ngpus;
      delete requested.nodect;
    } else if (
      changes.ncpus !== undefined || changes.mem !== undefined || changes.ngpus !== undefined
    ) {
      delete requested.select;
      delete requested.nodect;
      if (requested.place === "pack") delete requested.place;
    }
    const queue = this.#queues.get(job.queue)!;
    const fromQueue = job.fromQueueDefaults.filter((n) => changes[n] === undefined);
    const resources = { ...requested };
    for (const name of fromQueue) resources[name] = queue.resourcesDefault[name];
    if (!resources.select) {
      Object.assign(resources, this.#completeFor(queue, resources).resources);
    } else {
      resources.place ??= "free";
      deriveTotals(resources, this.defaultChunk);
    }
    if (!running && !withinLimits(resources, queue.resourcesMax, queue.resourcesMin)) {
      throw new SimError(PBSE.EXCQRESC, job.id);
    }
    if (running && job.state === "R" && changes.walltime !== undefined) {
      job.resources = resources;
      job.walltime = durationOf(resources, "walltime");
      this.#replanRunning(job);
      return;
    }
    this.#enterQueue(job, queue, resources, fromQueue);
  }

  /** Re-plans the end of a running job after its walltime changed. */
  #replanRunning(job: JobRecord): void {
    const elapsed = this.usedWalltime(job);
    job.runToken++;
    this.#planEnd(job, Math.max(0, job.behaviour.runtimeSeconds - elapsed));
  }

  moveJob(caller: Caller, id: string, destination: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    const dest = this.#queues.get(destination);
    if (!dest) throw new SimError(PBSE.UNKQUE, job.id);
    if (job.state === "R" || job.state === "S" || job.state === "E" || job.state === "B") {
      throw new SimError(PBSE.BADSTATE, job.id);
    }
    const caller2 = { user: job.user, host: job.submitHost };
    try {
      this.#checkAdmission(caller2, dest);
    } catch (e) {
      if (e instanceof SimError) throw new SimError(e.errno, job.id);
      throw e;
    }
    const { resources, fromQueue } = this.#completeFor(dest, this.#requestedOf(job));
    if (
      dest.type === "Execution" && !withinLimits(resources, dest.resourcesMax, dest.resourcesMin)
    ) {
      throw new SimError(PBSE.EXCQRESC, job.id);
    }
    const now = this.now();
    this.#enterQueue(job, dest, resources, fromQueue);
    if (dest.type === "Route") this.#route(job);
    job.rank = this.#nextRank++;
    job.qtime = now;
    job.mtime = now;
    this.#listing = undefined;
    this.#schedOrderDirty = true;
    this.#afterChange();
  }

  orderJobs(caller: Caller, first: string, second: string): void {
    this.#requireUp();
    const a = this.#lookup(first);
    const b = this.#lookup(second);
    this.#ownerOrPrivileged(caller, a);
    this.#ownerOrPrivileged(caller, b);
    for (const job of [a, b]) {
      if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
      if (job.state === "R" || job.state === "S" || job.state === "E") {
        throw new SimError(PBSE.BADSTATE, `${a.id} or ${b.id}`);
      }
    }
    [a.rank, b.rank] = [b.rank, a.rank];
    if (a.queue !== b.queue) {
      // PBS swaps the queues too (golden qorder_diff_queue).
      const qa = this.#queues.get(a.queue)!;
      const qb = this.#queues.get(b.queue)!;
      this.#enterQueue(a, qb, a.resources, a.fromQueueDefaults);
      this.#enterQueue(b, qa, b.resources, b.fromQueueDefaults);
    }
    this.#listing = undefined;
    this.#schedOrderDirty = true;
    this.#afterChange();
  }

  signalJob(caller: Caller, id: string, signal: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    this.#ownerOrPrivileged(caller, job);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    const word = signal.toLowerCase();
    if (word === "suspend" || word === "resume") {
      if (!this.#isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
      if (word === "suspend") this.#suspend(job);
      else this.#resume(job);
      this.#afterChange();
      return;
    }
    const number = signalNumber(signal);
    if (number === undefined) throw new SimError(PBSE.UNKSIG, job.id);
    if (job.state !== "R" && job.state !== "S" && job.state !== "E") {
      throw new SimError(PBSE.BADSTATE, job.id);
    }
    if (job.state === "E" || HARMLESS_SIGNALS.has(number)) return;
    this.#terminate(job, 256 + number, "signal");
    this.#afterChange();
  }

  #suspend(job: JobRecord): void {
    if (job.state !== "R") throw new SimError(PBSE.BADSTATE, job.id);
    const now = this.now();
    job.remainingRuntime = Math.max(0, job.behaviour.runtimeSeconds - this.usedWalltime(job));
    job.suspendedAt = now;
    job.state = "S";
    job.substate = 43;
    job.mtime = now;
    job.runToken++;
    job.endAt = undefined;
  }

  #resume(job: JobRecord): void {
    if (job.state !== "S") throw new SimError(PBSE.BADSTATE, job.id);
    const now = this.now();
    job.suspendedSeconds += now - job.suspendedAt!;
    job.suspendedAt = undefined;
    job.state = "R";
    job.substate = 42;
    job.mtime = now;
    job.runToken++;
    this.#planEnd(job, job.remainingRuntime ?? 0);
  }

  rerunJob(caller: Caller, id: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    if (!this.#isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
    if (job.state !== "R" && job.state !== "S") throw new SimError(PBSE.BADSTATE, job.id);
    if (!job.rerunnable) throw new SimError(PBSE.NORERUN, job.id);
    const now = this.now();
    this.#refreshUsage(job);
    this.pool.release(job.id, job.takes, now);
    this.#holding.delete(job);
    job.runToken++;
    job.takes = [];
    job.endAt = undefined;
    job.obittime = now;
    job.used = zeroUsage(Number(job.resources.ncpus ?? 1));
    job.state = "Q";
    this.#settle(job);
    this.#afterChange();
  }

  runJob(caller: Caller, id: string): void {
    this.#requireUp();
    const job = this.#lookup(id);
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    if (!this.#isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
    if (job.state === "R" || job.state === "S" || job.state === "E" || job.array) {
      throw new SimError(PBSE.BADSTATE, job.id);
    }
    const takes = this.#forcePlacement(job);
    if (!takes) throw new SimError(PBSE.RESCUNAV, job.id);
    job.holds = "";
    this.#start(job, takes);
    this.#afterChange();
  }

  /** qrun ignores queue state, holds and top-job promises; only capacity counts. */
  #forcePlacement(job: JobRecord): NodeTake[] | undefined {
    return findPlacementNow(this.pool, job);
  }

  // -------------------------------------------------------------------------
  // Nodes.

  markNode(
    caller: Caller,
    name: string,
    action: "offline" | "clear" | "comment",
    comment?: string,
  ): void {
    this.#requireUp();
    const i = this.pool.index.get(name);
    if (i === undefined) throw new SimError(PBSE.UNKNODE, name);
    if (!this.#isPrivileged(caller)) throw new SimError(PBSE.PERM, name);
    const node = this.pool.nodes[i];
    const now = this.now();
    if (action !== "comment") {
      if (this.pool.setFlag(i, "offline", action === "offline")) node.lastStateChangeTime = now;
    }
    if (comment !== undefined) node.comment = comment === "" ? undefined : comment;
    this.#afterChange();
  }

  /** A mom going down or coming back (not a PBS command; scenarios and tests use it). */
  setNodeDown(name: string, down: boolean, comment = "node down: communication closed"): void {
    const i = this.pool.index.get(name);
    if (i === undefined) throw new SimError(PBSE.UNKNODE, name);
    const node = this.pool.nodes[i];
    if (this.pool.setFlag(i, "down", down)) node.lastStateChangeTime = this.now();
    if (down) node.comment = comment;
    else if (node.comment === comment) node.comment = undefined;
    this.#afterChange();
  }

  // -------------------------------------------------------------------------
  // Reservations.

  submitReservation(caller: Caller, request: ReservationRequest): SimReservation {
    this.#requireUp();
    if (caller.user === "root") throw new SimError(PBSE.R_UID);
    const now = this.now();
    if (request.start < now || request.end <= request.start) throw new SimError(PBSE.BADTSPEC);
    const requested = validateResources(request.resources);
    const resources = completeResources(requested, {
      queue: {},
      server: {},
      defaultChunk: this.defaultChunk,
    }).resources;
    if (requested.place === undefined) resources.place = "free";
    resources.walltime = formatDuration(request.end - request.start);
    const seq = this.#nextSeq();
    const prefix = request.rrule ? "S" : "R";
    const owner = `${caller.user}@${caller.host}`;
    const resv: ResvRecord = {
      id: `${prefix}${seq}.${this.server.name}`,
      name: request.name,
      owner,
      state: "RESV_UNCONFIRMED",
      substate: 1,
      start: request.start,
      end: request.end,
      queue: `${prefix}${seq}`,
      resources: orderedResvResources(resources),
      nodes: [],
      authorizedUsers: request.users?.length ? request.users : [owner],
      ctime: now,
      mtime: now,
      rrule: request.rrule,
      takes: [],
      chunks: chunksOf(String(resources.select), this.defaultChunk),
      placement: parsePlace(String(resources.place)),
      index: 1,
      count: request.rrule ? occurrenceCount(request.rrule) : 1,
      submitHost: caller.host,
      user: caller.user,
    };
    this.#reservations.set(resv.id, resv);
    this.#queues.set(resv.queue, {
      ...buildQueue({ name: resv.queue, started: false, aclUsers: resv.authorizedUsers }),
      reservation: resv.id,
    });
    const snapshot: SimReservation = { ...resv, nodes: [] };
    this.#afterChange();
    return snapshot;
  }

  deleteReservation(caller: Caller, id: string): void {
    this.#requireUp();
    const resv = this.findReservation(id) as ResvRecord;
    if (resv.user !== caller.user && !this.#isPrivileged(caller)) {
      throw new SimError(PBSE.PERM, resv.id);
    }
    this.#endReservation(resv, `${caller.user}@${caller.host}`);
    this.#afterChange();
  }

  alterReservation(
    caller: Caller,
    id: string,
    change: { start?: number; end?: number; duration?: number },
  ): "CONFIRMED" | "DENIED" {
    this.#requireUp();
    const resv = this.findReservation(id) as ResvRecord;
    if (resv.user !== caller.user && !this.#isPrivileged(caller)) {
      throw new SimError(PBSE.PERM, resv.id);
    }
    const running = resv.state === "RESV_RUNNING";
    if (running && change.start !== undefined && change.start !== resv.start) {
      throw new SimError(PBSE.BADTSPEC);
    }
    const start = change.start ?? resv.start;
    // A moved start keeps the length unless a new end or duration is given.
    const end = change.end ??
      (change.duration !== undefined ? start + change.duration : start + (resv.end - resv.start));
    if ((!running && start < this.now()) || end <= start) throw new SimError(PBSE.BADTSPEC);
    if (resv.state === "RESV_CONFIRMED" || running) {
      const trial = { ...resv, start, end };
      const takes = confirmReservation(
        this.pool,
        trial,
        running ? [] : [...this.#holding],
        this.#reservationWindows(),
      );
      const sameNodes = takes !== undefined &&
        takes.every((t) => resv.takes.some((own) => own.node === t.node));
      if (!sameNodes) return "DENIED";
    }
    resv.start = start;
    resv.end = end;
    resv.resources.walltime = formatDuration(end - start);
    resv.mtime = this.now();
    // Re-arm the event of the new window (the old one checks the time it was armed for).
    if (resv.state === "RESV_CONFIRMED") {
      const begin = resv.start;
      this.#events.push(
        begin,
        () => this.#reservations.get(resv.id) === resv && resv.start === begin,
        () => this.#beginReservation(resv),
      );
    } else if (running) {
      this.#events.push(
        end,
        () => this.#reservations.get(resv.id) === resv && resv.end === end,
        () => this.#endReservation(resv),
      );
    }
    this.#afterChange();
    return "CONFIRMED";
  }

  #confirmReservations(): void {
    for (const resv of this.#reservations.values()) {
      if (resv.state !== "RESV_UNCONFIRMED") continue;
      const takes = confirmReservation(
        this.pool,
        resv,
        [...this.#holding],
        this.#reservationWindows(),
      );
      if (!takes) {
        // PBS's scheduler denies it; the server deletes it without a trace (golden).
        this.#dropReservation(resv);
        continue;
      }
      this.#adoptReservation(resv, takes);
    }
  }

  #adoptReservation(resv: ResvRecord, takes: NodeTake[]): void {
    resv.takes = takes;
    resv.nodes = takes.map((t) => ({
      node: this.pool.nodes[t.node].name,
      ncpus: t.ncpus,
      ngpus: t.ngpus,
      memBytes: t.memBytes,
    }));
    resv.state = "RESV_CONFIRMED";
    resv.substate = 2;
    resv.mtime = this.now();
    for (const node of new Set(takes.map((t) => t.node))) this.pool.addResv(node, resv.id);
    const begin = resv.start;
    this.#events.push(
      begin,
      () => this.#reservations.get(resv.id) === resv && resv.start === begin,
      () => {
        this.#beginReservation(resv);
      },
    );
  }

  #beginReservation(resv: ResvRecord): void {
    resv.state = "RESV_RUNNING";
    resv.substate = 5;
    resv.mtime = this.now();
    const queue = this.#queues.get(resv.queue);
    if (queue) queue.started = true;
    const end = resv.end;
    this.#events.push(
      end,
      () => this.#reservations.get(resv.id) === resv && resv.end === end,
      () => {
        this.#endReservation(resv);
      },
    );
  }

  /** Window over (or pbs_rdel): its jobs are deleted, then the next occurrence or nothing. */
  #endReservation(resv: ResvRecord, by?: string): void {
    for (const job of [...this.#byId.values()]) {
      if (job.queue !== resv.queue || isHistory(job) || job.parentId) continue;
      if (job.array) this.#deleteArray({ user: "root", host: this.server.host }, job);
      else if (job.state === "R" || job.state === "S") this.#terminate(job, 271, "resv-end", by);
      else if (job.state !== "E") {
        this.#deleteOne({ user: "root", host: this.server.host }, job, true);
      }
    }
    if (by === undefined && resv.rrule && resv.index < resv.count) {
      this.#nextOccurrence(resv);
      return;
    }
    this.#dropReservation(resv);
  }

  #nextOccurrence(resv: ResvRecord): void {
    const period = occurrencePeriod(resv.rrule!);
    for (const node of new Set(resv.takes.map((t) => t.node))) this.pool.removeResv(node, resv.id);
    resv.start += period;
    resv.end += period;
    resv.index++;
    resv.state = "RESV_UNCONFIRMED";
    resv.substate = 1;
    const queue = this.#queues.get(resv.queue);
    if (queue) queue.started = false;
    const takes = confirmReservation(
      this.pool,
      resv,
      [...this.#holding],
      this.#reservationWindows(),
    );
    if (takes) this.#adoptReservation(resv, takes);
    else this.#dropReservation(resv);
  }

  #dropReservation(resv: ResvRecord): void {
    for (const node of new Set(resv.takes.map((t) => t.node))) this.pool.removeResv(node, resv.id);
    this.#reservations.delete(resv.id);
    this.#queues.delete(resv.queue);
    resv.state = "RESV_DELETED";
  }

  // -------------------------------------------------------------------------
  // Server.

  stopServer(caller: Caller): void {
    if (this.privilegeOf(caller.user) !== "manager") throw new SimError(PBSE.PERM);
    this.server.up = false;
  }

  startServer(caller: Caller): void {
    if (caller.user !== "root") throw new SimError(PBSE.PERM);
    this.server.up = true;
    this.#afterChange();
  }

  // -------------------------------------------------------------------------
  // Scenario building: make a freshly submitted job look older.

  /** A running job started `secondsAgo`; its end is re-planned accordingly. */
  backdateRun(job: SimJob, secondsAgo: number): void {
    const record = job as JobRecord;
    if (record.state !== "R") return;
    const stime = this.now() - secondsAgo;
    const waited = this.rng.int(30, 4 * 3600);
    record.stime = stime;
    record.ctime = record.qtime = record.etime = stime - waited;
    record.mtime = stime;
    record.cpuLoad = 0.6 + this.rng.next() * 0.4;
    record.comment = `Job run at ${jobRunDate(stime)} on ${record.execVnode}`;
    record.runToken++;
    const left = record.behaviour.runtimeSeconds - secondsAgo;
    this.#planEnd(record, left > 0 ? left : this.rng.int(1, 900));
  }

  /**
   * Runs a just-submitted job on the given vnodes as if it started at
   * `startedAt`, ending `runtimeLeft` seconds from now (loading a snapshot:
   * the exec_vnode PBS recorded, sim/snapshot.ts).
   */
  startOn(
    job: SimJob,
    shares: ReadonlyArray<{ node: string; ncpus: number; ngpus: number; memBytes: number }>,
    startedAt: number,
    runtimeLeft: number,
  ): void {
    const record = job as JobRecord;
    const takes: NodeTake[] = shares.map((share) => {
      const node = this.pool.index.get(share.node);
      if (node === undefined) throw new SimError(PBSE.UNKNODE, share.node);
      return { node, ncpus: share.ncpus, ngpus: share.ngpus, memBytes: share.memBytes };
    });
    this.#start(record, takes);
    record.stime = startedAt;
    record.comment = `Job run at ${jobRunDate(startedAt)} on ${record.execVnode}`;
    record.runToken++;
    this.#planEnd(record, Math.max(1, runtimeLeft));
  }

  /** A queued/held job submitted `secondsAgo`. */
  backdateQueued(job: SimJob, secondsAgo: number): void {
    const record = job as JobRecord;
    const t = this.now() - secondsAgo;
    record.ctime = record.qtime = record.mtime = t;
    if (record.etime !== undefined) record.etime = t;
  }

  /** Turns a just-submitted job into a history record that ended at `endedAt`. */
  fabricateFinished(job: SimJob, endedAt: number): void {
    const record = job as JobRecord;
    if (record.array || isHistory(record)) return;
    const b = record.behaviour;
    const killed = record.walltime !== undefined &&
      b.runtimeSeconds > record.walltime + WALLTIME_POLL_SECONDS;
    const runtime = killed ? record.walltime! + WALLTIME_POLL_SECONDS : b.runtimeSeconds;
    const stime = endedAt - runtime;
    const takes = this.#fabricatedTakes(record);
    record.ctime = record.qtime = record.etime = stime - this.rng.int(30, 6 * 3600);
    record.stime = stime;
    record.takes = [];
    record.execVnode = execVnodeText(this.pool, takes);
    record.execHost = takes.map((t) => `${this.pool.nodes[t.node].name}/0*${t.ncpus}`).join("+");
    record.runCount = 1;
    record.sessionId = this.rng.int(1000, 65000);
    record.cpuLoad = 0.6 + this.rng.next() * 0.4;
    record.memUsedKb = this.rng.int(1_000_000, 200_000_000);
    record.vmemUsedKb = record.memUsedKb + this.rng.int(0, 5_000_000);
    record.used = resourcesUsed(record, runtime);
    record.exitStatus = killed ? -29 : b.exitCode;
    record.endKind = killed ? "walltime" : "normal";
    record.comment = `Job run at ${jobRunDate(stime)} on ${record.execVnode}${endSuffix(record)}`;
    record.obittime = record.mtime = endedAt;
    record.stagedOut = true;
    record.state = "F";
    record.substate = record.exitStatus === 0 ? 92 : 93;
    record.historyTime = endedAt;
    this.#listing = undefined;
    const expires = endedAt + this.server.jobHistoryDuration;
    this.#events.push(
      expires,
      () => this.#jobs.get(record.seq) === record,
      () => this.#forget(record),
    );
  }

  #fabricatedTakes(job: JobRecord): NodeTake[] {
    const takes: NodeTake[] = [];
    let node = this.rng.int(0, this.pool.size - 1);
    for (const c of job.chunks) {
      for (let k = 0; k < c.count; k++) {
        takes.push({ node, ncpus: c.ncpus, ngpus: c.ngpus, memBytes: c.memBytes });
        node = (node + 1) % this.pool.size;
      }
    }
    return takes;
  }

  // -------------------------------------------------------------------------
  // Attribute views.

  jobAttributes(job: SimJob): AttrList {
    const record = job as JobRecord;
    if (record.state === "R" || record.state === "S") this.#refreshUsage(record);
    return jobAttributes(this, record);
  }

  queueAttributes(queue: SimQueue): AttrList {
    return queueAttributes(this, queue);
  }

  serverAttributes(): AttrList {
    return serverAttributes(this);
  }

  nodeAttributes(node: SimNode): AttrList {
    return nodeAttributes(this, node);
  }

  reservationAttributes(resv: SimReservation): AttrList {
    return reservationAttributes(this, resv as ResvRecord);
  }
}

// ---------------------------------------------------------------------------
// Helpers.

export function isHistory(job: SimJob): boolean {
  return job.state === "F" || job.state === "X";
}

function* queuedSubjobs(parent: JobRecord): Iterable<JobRecord> {
  for (const sub of parent.array!.subjobs.values()) if (sub.state === "Q") yield sub as JobRecord;
}

function dependencySatisfied(type: string, target: SimJob): boolean {
  const ran = target.exitStatus !== undefined;
  const ok = ran && target.exitStatus === 0;
  if (type === "afterok") return ok;
  if (type === "afternotok") return !ok;
  return true; // after, afterany
}

function removeDependId(job: JobRecord, type: string, id: string, server: string): void {
  if (!job.depend) return;
  const clauses = parseDepend(job.depend, server).map((c) =>
    c.type === type ? { type, ids: c.ids.filter((x) => x !== id) } : c
  );
  job.depend = formatDepend(clauses, server) || undefined;
}

function removeDependClause(job: JobRecord, type: string, server: string): void {
  if (!job.depend) return;
  const clauses = parseDepend(job.depend, server).filter((c) => c.type !== type);
  job.depend = formatDepend(clauses, server) || undefined;
}

function appendDepend(job: JobRecord, type: string, id: string, server: string): void {
  const clauses = job.depend ? parseDepend(job.depend, server) : [];
  const clause = clauses.find((c) => c.type === type);
  if (clause) {
    if (!clause.ids.includes(id)) clause.ids.push(id);
  } else {
    clauses.push({ type, ids: [id] });
  }
  job.depend = formatDepend(clauses, server);
}

function endSuffix(job: JobRecord): string {
  switch (job.endKind) {
    case "walltime":
      return " and exceeded resource walltime";
    case "deleted":
    case "resv-end":
      return job.terminatedBy ? ` and terminated by ${job.terminatedBy}` : " and terminated";
    default:
      return job.exitStatus === 0 ? " and finished" : " and failed";
  }
}

function canonicalHolds(holds: string): string {
  // PBS prints system before operator before user ("so", "su"...).
  return ["s", "o", "u"].filter((h) => holds.includes(h)).join("");
}

function signalNumber(signal: string): number | undefined {
  if (/^\d+$/.test(signal)) {
    const n = Number(signal);
    return n <= 64 ? n : undefined;
  }
  const name = signal.toUpperCase().replace(/^SIG/, "");
  return SIGNALS[name];
}

function formatCtime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${
    p(d.getHours())
  }:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

function zeroUsage(ncpus: number): Record<string, string | number> {
  return { cpupercent: 0, cput: "00:00:00", mem: "0kb", ncpus, vmem: "0kb", walltime: "00:00:00" };
}

function parseDurationOr(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const [h, m, s] = String(value).split(":").map(Number);
  return s === undefined ? fallback : h * 3600 + m * 60 + s;
}

function orderedResvResources(resources: ResourceMap): ResourceMap {
  const ordered: ResourceMap = {};
  for (const name of ["ncpus", "ngpus", "mem", "nodect", "select", "place", "walltime"]) {
    if (resources[name] !== undefined) ordered[name] = resources[name];
  }
  return ordered;
}

function occurrenceCount(rrule: string): number {
  const m = /COUNT=(\d+)/i.exec(rrule);
  return m ? Number(m[1]) : 1;
}

function occurrencePeriod(rrule: string): number {
  const freq = /FREQ=(\w+)/i.exec(rrule)?.[1]?.toUpperCase();
  const interval = Number(/INTERVAL=(\d+)/i.exec(rrule)?.[1] ?? 1);
  const unit = freq === "HOURLY" ? 3600 : freq === "WEEKLY" ? 7 * 86400 : 86400;
  return unit * interval;
}

function findPlacementNow(pool: NodePool, job: JobRecord): NodeTake[] | undefined {
  return findPlacement(pool, pool.free, {
    chunks: job.chunks,
    placement: job.placement,
    eligible: (n) => pool.usable(n),
  });
}

/** `resources_used` after `seconds` of running, from the job's simulated load and memory. */
function resourcesUsed(job: JobRecord, seconds: number): JobRecord["used"] {
  const ncpus = Number(job.resources.ncpus ?? 1);
  return {
    cpupercent: Math.round(job.cpuLoad * 100 * ncpus),
    cput: formatDuration(Math.round(seconds * job.cpuLoad * ncpus)),
    mem: `${job.memUsedKb}kb`,
    ncpus,
    vmem: `${job.vmemUsedKb}kb`,
    walltime: formatDuration(seconds),
  };
}

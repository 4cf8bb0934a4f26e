/**
 * A simulated OpenPBS complex: server, queues, vnodes, jobs and reservations
 * on a virtual clock. Implements `ComplexApi` (model.ts) with OpenPBS 23.06's
 * behaviour as recorded in tests/fixtures/golden (INDEX.md sections 1-6).
 *
 * This class is the face: it holds the server's state (`EngineState`,
 * engine/state.ts) and hands each operation to the module of `sim/engine/`
 * that owns the concept (the module map is in sim/README.md). The scheduling
 * policy is in scheduler.ts/placement.ts; the attribute views in attributes.ts.
 */
import type { QueuejobHook } from "./hooks.ts";
import {
  jobAttributes,
  nodeAttributes,
  queueAttributes,
  reservationAttributes,
  serverAttributes,
} from "./attributes.ts";
import type { ComplexConfig, ComplexOptions } from "./config.ts";
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
import type { NodePool } from "./nodes.ts";
import type { Random } from "./random.ts";
import type { ResourceMap } from "./resources.ts";
import type { ResvRecord } from "./reservations.ts";
import { EngineState } from "./engine/state.ts";
import { advance, configureScheduler, schedule } from "./engine/cycle.ts";
import { isHistory } from "./engine/job_state.ts";
import { submit } from "./engine/submit.ts";
import { deleteJob } from "./engine/delete.ts";
import { holdJob, releaseJob } from "./engine/holds.ts";
import { alterJob } from "./engine/modify.ts";
import { moveJob, orderJobs } from "./engine/move.ts";
import { signalJob } from "./engine/signal.ts";
import { rerunJob, runJob } from "./engine/run.ts";
import { refreshUsage, usedWalltime } from "./engine/lifecycle.ts";
import { markNode, setNodeDown } from "./engine/nodes.ts";
import { alterReservation, deleteReservation, submitReservation } from "./engine/reservations.ts";
import { startServer, stopServer } from "./engine/server.ts";
import {
  backdateQueued,
  backdateRun,
  fabricateFinished,
  startOn,
  submitForHistory,
} from "./engine/fabricate.ts";

export { isHistory };

export class Complex implements ComplexApi {
  readonly server: SimServer;
  readonly config: ComplexConfig;
  readonly outputDir?: string;
  readonly pool: NodePool;
  readonly rng: Random;
  readonly defaultChunk: ResourceMap;
  readonly mailer: string;
  readonly mailFrom: string;

  readonly #s: EngineState;

  constructor(config: ComplexConfig, options: ComplexOptions) {
    const s = this.#s = new EngineState(config, options);
    this.server = s.server;
    this.config = s.config;
    this.outputDir = s.outputDir;
    this.pool = s.pool;
    this.rng = s.rng;
    this.defaultChunk = s.defaultChunk;
    this.mailer = s.mailer;
    this.mailFrom = s.mailFrom;
  }

  // -------------------------------------------------------------------------
  // Clock and scheduler.

  now(): number {
    return this.#s.now();
  }

  advance(seconds: number): void {
    advance(this.#s, seconds);
  }

  queuejobHooks(): readonly QueuejobHook[] {
    return this.config.queuejobHooks ?? [];
  }

  configureScheduler(settings: { strictOrdering?: boolean; backfillDepth?: number }): void {
    configureScheduler(this.#s, settings);
  }

  schedule(): void {
    schedule(this.#s);
  }

  /** Builds state without cycles (scenarios): `fn` runs with scheduling suppressed. */
  quietly<T>(fn: () => T): T {
    this.#s.quiet = true;
    try {
      return fn();
    } finally {
      this.#s.quiet = false;
    }
  }

  // -------------------------------------------------------------------------
  // Identity.

  homeDir(user: string): string {
    return this.#s.homeDir(user);
  }

  privilegeOf(user: string): Privilege {
    return this.#s.privilegeOf(user);
  }

  // -------------------------------------------------------------------------
  // Queries.

  findJob(id: string, query: JobQuery = {}): SimJob {
    const job = this.#s.lookup(id);
    if (isHistory(job) && !query.history) throw new SimError(PBSE.HISTJOBID, job.id);
    return job;
  }

  listJobs(query: JobQuery = {}): SimJob[] {
    const out: SimJob[] = [];
    for (const job of this.#s.ranked()) {
      if (isHistory(job) && !query.history) continue;
      out.push(job);
      if (query.subjobs && job.array) {
        for (const index of job.array.indices) out.push(job.array.subjobs.get(index)!);
      }
    }
    return out;
  }

  queues(): SimQueue[] {
    return [...this.#s.queues.values()];
  }

  findQueue(name: string): SimQueue {
    const queue = this.#s.queues.get(name);
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
    return [...this.#s.reservations.values()];
  }

  findReservation(id: string): SimReservation {
    return this.#s.findReservation(id);
  }

  /** Jobs currently holding nodes (running or suspended). */
  holdingJobs(): Iterable<JobRecord> {
    return this.#s.holding;
  }

  /** Whether the server still has this job (by full id), history included; never throws. */
  hasJob(id: string): boolean {
    return this.#s.byId.has(id);
  }

  /** Every job record including subjobs (attributes and tests). */
  allJobs(): Iterable<JobRecord> {
    return this.#s.byId.values();
  }

  assignedSeen(queue: string): Set<string> {
    return this.#s.assignedSeen(queue);
  }

  /** Seconds the current/last run has been executing (suspension excluded). */
  usedWalltime(job: JobRecord): number {
    return usedWalltime(this.#s, job);
  }

  // -------------------------------------------------------------------------
  // Jobs.

  submit(caller: Caller, request: SubmitRequest): SimJob {
    return submit(this.#s, caller, request);
  }

  deleteJob(
    caller: Caller,
    id: string,
    options: { force?: boolean; purgeHistory?: boolean } = {},
  ): void {
    deleteJob(this.#s, caller, id, options);
  }

  holdJob(caller: Caller, id: string, holdTypes: string): void {
    holdJob(this.#s, caller, id, holdTypes);
  }

  releaseJob(caller: Caller, id: string, holdTypes: string): void {
    releaseJob(this.#s, caller, id, holdTypes);
  }

  alterJob(caller: Caller, id: string, request: AlterRequest): void {
    alterJob(this.#s, caller, id, request);
  }

  moveJob(caller: Caller, id: string, destination: string): void {
    moveJob(this.#s, caller, id, destination);
  }

  orderJobs(caller: Caller, first: string, second: string): void {
    orderJobs(this.#s, caller, first, second);
  }

  signalJob(caller: Caller, id: string, signal: string): void {
    signalJob(this.#s, caller, id, signal);
  }

  rerunJob(caller: Caller, id: string): void {
    rerunJob(this.#s, caller, id);
  }

  runJob(caller: Caller, id: string): void {
    runJob(this.#s, caller, id);
  }

  // -------------------------------------------------------------------------
  // Nodes, reservations, server.

  markNode(
    caller: Caller,
    name: string,
    action: "offline" | "clear" | "comment",
    comment?: string,
  ): void {
    markNode(this.#s, caller, name, action, comment);
  }

  /** A mom going down or coming back (not a PBS command; scenarios and tests use it). */
  setNodeDown(name: string, down: boolean, comment?: string): void {
    setNodeDown(this.#s, name, down, comment);
  }

  submitReservation(caller: Caller, request: ReservationRequest): SimReservation {
    return submitReservation(this.#s, caller, request);
  }

  deleteReservation(caller: Caller, id: string): void {
    deleteReservation(this.#s, caller, id);
  }

  alterReservation(
    caller: Caller,
    id: string,
    change: { start?: number; end?: number; duration?: number },
  ): "CONFIRMED" | "DENIED" {
    return alterReservation(this.#s, caller, id, change);
  }

  stopServer(caller: Caller): void {
    stopServer(this.#s, caller);
  }

  startServer(caller: Caller): void {
    startServer(this.#s, caller);
  }

  // -------------------------------------------------------------------------
  // Scenario building and snapshots (engine/fabricate.ts).

  /** A running job started `secondsAgo`; its end is re-planned accordingly. */
  backdateRun(job: SimJob, secondsAgo: number): void {
    backdateRun(this.#s, job, secondsAgo);
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
    startOn(this.#s, job, shares, startedAt, runtimeLeft);
  }

  /** A queued/held job submitted `secondsAgo`. */
  backdateQueued(job: SimJob, secondsAgo: number): void {
    backdateQueued(this.#s, job, secondsAgo);
  }

  /**
   * Submits a job to be turned into history at once (`fabricateFinished`):
   * as `submit`, cheaper while building a scenario. Undefined when no routing
   * destination accepts it.
   */
  submitForHistory(caller: Caller, request: SubmitRequest): SimJob | undefined {
    return submitForHistory(this.#s, caller, request);
  }

  /** Turns a just-submitted job into a history record that ended at `endedAt`. */
  fabricateFinished(job: SimJob, endedAt: number): void {
    fabricateFinished(this.#s, job, endedAt);
  }

  // -------------------------------------------------------------------------
  // Attribute views.

  jobAttributes(job: SimJob): AttrList {
    const record = job as JobRecord;
    if (record.state === "R" || record.state === "S") refreshUsage(this.#s, record);
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

/**
 * The server's state, as OpenPBS's `server` structure holds it: settings,
 * queues, the job index (top-level jobs by sequence number, every job and
 * subjob by id), the scheduling order, reservations, the node pool, and the
 * virtual clock with its event queue. Behaviour lives in the other modules of
 * `sim/engine/`, each a function of this state; `Complex` (sim/complex.ts) is
 * the `ComplexApi` face over it.
 */
import { EventQueue, VirtualClock } from "../clock.ts";
import {
  buildNode,
  buildQueue,
  type ComplexConfig,
  type ComplexOptions,
  TWO_WEEKS,
} from "../config.ts";
import { parseJobId } from "../ids.ts";
import type { JobRecord } from "../job_record.ts";
import {
  type Caller,
  PBSE,
  type Privilege,
  SimError,
  type SimJob,
  type SimQueue,
  type SimReservation,
  type SimServer,
} from "../model.ts";
import { NodePool } from "../nodes.ts";
import { Random } from "../random.ts";
import type { ResourceMap } from "../resources.ts";
import type { ResvRecord } from "../reservations.ts";

/** What Variable_List takes from the job's owner (engine/submit.ts `variables`). */
export interface UserVariables {
  home: string;
  homePair: [string, string];
  lognamePair: [string, string];
}

export class EngineState {
  readonly server: SimServer;
  readonly config: ComplexConfig;
  readonly outputDir?: string;
  readonly pool: NodePool;
  readonly rng: Random;
  readonly defaultChunk: ResourceMap;
  readonly mailer: string;
  readonly mailFrom: string;

  readonly clock: VirtualClock;
  readonly events = new EventQueue();
  readonly queues = new Map<string, SimQueue>();
  /** Resource names ever assigned per queue (`""` = server), for resources_assigned. */
  readonly assignedSeenByQueue = new Map<string, Set<string>>();
  /** Top-level jobs (plain jobs and array parents) by sequence number. */
  readonly jobs = new Map<number, JobRecord>();
  /** Every job including subjobs, by full id. */
  readonly byId = new Map<string, JobRecord>();
  /** Top-level jobs in submission (rank) order, rebuilt on demand. */
  listing: JobRecord[] | undefined;
  /** Top-level jobs in scheduling order (queue priority, Priority, rank). */
  schedOrder: JobRecord[] = [];
  schedOrderDirty = false;
  /** A job in the scheduling order went to history, or lost its seq to another, since compaction. */
  schedOrderStale = false;
  /**
   * A job lost its seq to another since compaction: only then can the order
   * hold a job the index no longer has (`forget` takes jobs out of it).
   */
  schedOrderSeqReused = false;
  /** Jobs holding nodes (running or suspended). */
  readonly holding = new Set<JobRecord>();
  readonly reservations = new Map<string, ResvRecord>();
  nextRank = 1;
  lastCycle = -Infinity;
  cycleQueued = false;
  /** While building a scenario: no cycles, no output files. */
  quiet = false;
  /** Variable_List pairs shared by the jobs that have them (never changed in place). */
  readonly #pairs = new Map<string, Map<string, [string, string]>>();
  /** Per user: home directory and its PBS_O_HOME and PBS_O_LOGNAME pairs. */
  readonly #users = new Map<string, UserVariables>();

  constructor(config: ComplexConfig, options: ComplexOptions) {
    this.config = config;
    this.outputDir = options.outputDir;
    this.rng = new Random(options.seed);
    const start = options.startTime ?? 1795488269;
    this.clock = new VirtualClock(start);
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
    for (const q of config.queues) this.queues.set(q.name, buildQueue(q));
    this.pool = new NodePool(config.nodes.map((n) => buildNode(n, start)));
  }

  now(): number {
    return this.clock.now();
  }

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

  isPrivileged(caller: Caller): boolean {
    return this.privilegeOf(caller.user) !== "user";
  }

  ownerOrPrivileged(caller: Caller, job: SimJob): void {
    if (job.user !== caller.user && !this.isPrivileged(caller)) {
      throw new SimError(PBSE.PERM, job.id);
    }
  }

  requireUp(): void {
    if (!this.server.up) throw new SimError(PBSE.SYSTEM);
  }

  lookup(id: string): JobRecord {
    const parsed = parseJobId(id);
    const suffixOk = parsed.suffix === undefined || parsed.suffix === this.server.name ||
      parsed.suffix === this.server.host;
    const top = suffixOk ? this.jobs.get(parsed.seq) : undefined;
    if (!top) throw new SimError(PBSE.UNKJOBID, this.displayId(id));
    if (typeof parsed.index === "number") {
      const sub = top.array?.subjobs.get(parsed.index) as JobRecord | undefined;
      if (!sub) throw new SimError(PBSE.UNKJOBID, this.displayId(id));
      return sub;
    }
    return top;
  }

  displayId(id: string): string {
    return id.includes(".") ? id : `${id}.${this.server.name}`;
  }

  ranked(): JobRecord[] {
    this.listing ??= [...this.jobs.values()].sort((a, b) => a.rank - b.rank);
    return this.listing;
  }

  assignedSeen(queue: string): Set<string> {
    let set = this.assignedSeenByQueue.get(queue);
    if (!set) this.assignedSeenByQueue.set(queue, set = new Set());
    return set;
  }

  /** A user's home directory and PBS_O_HOME / PBS_O_LOGNAME pairs, made once per user. */
  userVariables(user: string): UserVariables {
    let found = this.#users.get(user);
    if (!found) {
      const home = this.homeDir(user);
      found = { home, homePair: ["PBS_O_HOME", home], lognamePair: ["PBS_O_LOGNAME", user] };
      this.#users.set(user, found);
    }
    return found;
  }

  /** One `[name, value]` array per distinct pair, shared read-only by every job with it. */
  sharedPair(name: string, value: string): [string, string] {
    let byValue = this.#pairs.get(name);
    if (!byValue) this.#pairs.set(name, byValue = new Map());
    let pair = byValue.get(value);
    if (!pair) byValue.set(value, pair = [name, value]);
    return pair;
  }

  nextSeq(): number {
    return this.server.nextSeq++;
  }

  /** Indexes a job; `scheduled: false` leaves it out of the scheduling order (history at once). */
  register(job: JobRecord, options: { scheduled: boolean } = { scheduled: true }): void {
    if (this.jobs.has(job.seq)) this.schedOrderStale = this.schedOrderSeqReused = true;
    this.jobs.set(job.seq, job);
    this.byId.set(job.id, job);
    if (job.array) {
      for (const sub of job.array.subjobs.values()) this.byId.set(sub.id, sub as JobRecord);
    }
    this.listing = undefined;
    if (options.scheduled) this.insertSchedOrder(job);
  }

  forget(job: JobRecord): void {
    this.jobs.delete(job.seq);
    this.byId.delete(job.id);
    if (job.array) { for (const sub of job.array.subjobs.values()) this.byId.delete(sub.id); }
    this.listing = undefined;
    const at = this.schedOrder.indexOf(job);
    if (at >= 0) this.schedOrder.splice(at, 1);
  }

  insertSchedOrder(job: JobRecord): void {
    const order = this.schedOrder;
    if (this.quiet) {
      order.push(job);
      this.schedOrderDirty = true;
      return;
    }
    let lo = 0, hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.schedBefore(order[mid], job)) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, job);
  }

  schedBefore(a: JobRecord, b: JobRecord): boolean {
    const qa = this.queues.get(a.queue)?.priority ?? 0;
    const qb = this.queues.get(b.queue)?.priority ?? 0;
    if (qa !== qb) return qa > qb;
    if (a.priority !== b.priority) return a.priority > b.priority;
    return a.rank < b.rank;
  }

  findReservation(id: string): SimReservation {
    const full = id.includes(".") ? id : `${id}.${this.server.name}`;
    const resv = this.reservations.get(full);
    if (!resv) throw new SimError(PBSE.UNKRESVID, full);
    return resv;
  }
}

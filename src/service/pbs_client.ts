/**
 * PbsClient: every PBS operation the MCP layer offers, built on a Runner.
 *
 * Command plans are kept minimal and written next to each method, because a
 * PBS server is shared by a whole machine and agents poll far more than
 * people do. Reads go through a short-lived cache with single-flight; every
 * write clears it. Known costs (tests/fixtures/golden/INDEX.md, notes 6-7):
 * qstat sleeps 200 ms when the same user ran it within the same second;
 * `qstat -f -F json ID1 ID2` returns only the first job on current OpenPBS
 * builds (so ids are queried one per call); qselect and pbsnodes are cheap.
 */
import { checkResult } from "../pbs/catalogue.ts";
import * as cmd from "../pbs/commands/mod.ts";
import type { PbsCommand } from "../pbs/commands/mod.ts";
import { invalidInput, isPbsError, PbsError } from "../pbs/errors.ts";
import { parseJobsJson } from "../pbs/parse/jobs.ts";
import { parseNodesJsonDetailed } from "../pbs/parse/nodes.ts";
import { parseQueuesJson } from "../pbs/parse/queues.ts";
import { parseReservations, parseRsubOutput } from "../pbs/parse/reservations.ts";
import { parseServerJson } from "../pbs/parse/server.ts";
import {
  parseQmgrList,
  parseQselect,
  parseQsubJobId,
  parseTracejob,
  type TraceEntry,
} from "../pbs/parse/simple.ts";
import { describeJobState, isFinished, isPending } from "../pbs/model/states.ts";
import type { Job, Node, Queue, Reservation, ServerInfo } from "../pbs/model/types.ts";
import type { PbsInstallation, Runner, RunResult } from "../pbs/runner.ts";
import { firstSubjobId } from "./array_jobs.ts";
import { ReadCache } from "./cache.ts";
import type { Config } from "./config.ts";
import {
  MAX_SCRIPT_FILE_BYTES,
  readScript,
  readTail,
  resolveAllowed,
  stripHost,
  tailOfEnd,
} from "./files.ts";
import { Metrics } from "./metrics.ts";
import type {
  HoldType,
  JobListFilter,
  ModifyJobRequest,
  ReservationRequest,
  SubmitJobRequest,
  WaitTarget,
} from "./requests.ts";
import type {
  Identity,
  JobOutput,
  Role,
  SubmissionPlan,
  SubmitResult,
  WaitResult,
} from "./results.ts";
import { filterJobs, parseStateFilter, resolveUser } from "./job_filter.ts";
import { type JobRow, parseJobTable } from "../pbs/parse/job_table.ts";
import { buildSubmission, type SubmissionContext, withSiteFix } from "./submission.ts";
import { builtInProfiles, type SiteProfile } from "./profiles.ts";
import { type Allocation, parseAllocations } from "./allocations.ts";
import { checkQueue, fittingQueues, isUnroutable, type QueueFit } from "./queue_fit.ts";
import {
  jobDiscardedError,
  namedLimitError,
  noDestinationError,
  unroutableNote,
} from "./fit_errors.ts";
import { RecordingRunner } from "./audit.ts";
import { CommandGate } from "./limits.ts";
import { type Policy, policyFromConfig } from "./policy.ts";

export interface PbsClientOptions {
  runner: Runner;
  /** The caller's user name: `me` in filters, owner checks, privilege. */
  user: string;
  config: Config;
  /** The active site profile (service/profiles.ts), if any. */
  profile?: SiteProfile;
  metrics?: Metrics;
  /** Sleep used between polls, and the clock (epoch ms) that measures waits; tests simulate both. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ProgressUpdate {
  state: string;
  waitedSeconds: number;
  message: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PbsClient {
  readonly user: string;
  readonly config: Config;
  /** The active site profile: required resources, MPI launch, allocation command. */
  readonly profile?: SiteProfile;
  readonly metrics: Metrics;
  /** Confirmation, limits and audit for state-changing calls (enforced by the MCP layer). */
  readonly policy: Policy;
  readonly #runner: Runner;
  /** The runner as given (the installation it describes), under the gate and recorder. */
  readonly #pbs: Runner;
  readonly #cache: ReadCache;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;

  constructor(options: PbsClientOptions) {
    this.#pbs = options.runner;
    // Every command is noted for the audit line of the call it belongs to, and
    // at most maxConcurrentCommands run at once, however many calls arrive.
    this.#runner = new CommandGate(
      new RecordingRunner(options.runner),
      options.config.limits.maxConcurrentCommands,
    );
    this.policy = policyFromConfig(options.config, options.now);
    this.user = options.user;
    this.config = options.config;
    this.profile = options.profile;
    this.metrics = options.metrics ?? new Metrics();
    this.#cache = new ReadCache(options.config.cacheTtlMs);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? Date.now;
  }

  // -------------------------------------------------------------------------
  // Running commands.

  /** Runs one PBS command, records it, and turns a failure into a PbsError. */
  async #exec(command: PbsCommand): Promise<RunResult> {
    const name = command.argv[0];
    const env: Record<string, string> = {};
    if (this.config.pbsServer) env.PBS_SERVER = this.config.pbsServer;
    const started = performance.now();
    let result: RunResult | undefined;
    try {
      result = await this.#runner.run(command.argv, {
        stdin: command.stdin,
        timeoutMs: this.config.timeoutMs,
        maxOutputBytes: this.config.maxOutputBytes,
        env,
        // PBS writes a job's output to the directory qsub ran in: keep that defined.
        cwd: name === "qsub" ? this.config.submitDir : undefined,
      });
      return checkResult(command.argv, result);
    } finally {
      const failed = result === undefined || result.code !== 0 || result.timedOut;
      this.metrics.recordCommand(
        name,
        performance.now() - started,
        failed,
        result?.timedOut ?? false,
      );
    }
  }

  #read<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.#cache.get(key, load);
  }

  /** Every write goes through here so the cache can never show state older than our change. */
  async #write(command: PbsCommand): Promise<RunResult> {
    this.#assertWritable();
    try {
      return await this.#exec(command);
    } finally {
      this.#cache.clear();
    }
  }

  #assertWritable(): void {
    if (this.config.readOnly) {
      throw new PbsError({
        kind: "permission_denied",
        message: "this server runs in read-only mode",
        hint: "Unset PBS_MCP_READ_ONLY (or set it to false) to allow submitting and changing jobs.",
      });
    }
  }

  /**
   * The clock this client measures time with (epoch ms): the host's, or the
   * simulated one in tests. Windows such as "finished in the last 7 days" use it.
   */
  now(): number {
    return this.#now();
  }

  cacheStats(): { hits: number; misses: number } {
    const { hits, misses } = this.#cache.stats();
    return { hits, misses };
  }

  // -------------------------------------------------------------------------
  // Cluster reads.

  /** Runs: `qstat -Bf -F json`. */
  server(): Promise<ServerInfo> {
    return this.#read("server", async () => {
      const result = await this.#exec(cmd.qstatServer());
      return parseServerJson(result.stdout);
    });
  }

  /** Runs: `qstat -Qf -F json`. */
  queues(): Promise<Queue[]> {
    return this.#read("queues", async () => {
      const result = await this.#exec(cmd.qstatQueues());
      return parseQueuesJson(result.stdout);
    });
  }

  /** Runs: `qstat -Qf -F json` (shared with queues()). */
  async queue(name: string): Promise<Queue> {
    const queues = await this.queues();
    const queue = queues.find((q) => q.name === name);
    if (!queue) {
      throw new PbsError({
        kind: "unknown_queue",
        message: `queue ${name} does not exist`,
        hint: `Known queues: ${queues.map((q) => q.name).join(", ")}.`,
      });
    }
    return queue;
  }

  /** Runs: `pbsnodes -a -F json`. */
  nodes(): Promise<Node[]> {
    return this.#read("nodes", async () => {
      const result = await this.#exec(cmd.pbsnodesAll());
      return parseNodesJsonDetailed(result.stdout).nodes;
    });
  }

  /** Runs: `pbsnodes -a -F json` (shared with nodes()). */
  async node(name: string): Promise<Node> {
    const nodes = await this.nodes();
    const node = nodes.find((n) => n.name === name);
    if (!node) {
      throw new PbsError({
        kind: "unknown_node",
        message: `node ${name} does not exist`,
        hint: "List nodes with list_nodes; names are vnode names as pbsnodes prints them.",
      });
    }
    return node;
  }

  /** Runs: `pbs_rstat -f`. */
  reservations(): Promise<Reservation[]> {
    return this.#read("reservations", async () => {
      const result = await this.#exec(cmd.pbsRstat());
      return parseReservations(result.stdout);
    });
  }

  /**
   * Names of the queues that belong to a reservation (R123, S45), to mark
   * them in queue answers. Runs: `pbs_rstat -f` (shared with reservations());
   * when it fails, no queue is marked rather than the answer failing.
   */
  async reservationQueues(): Promise<Set<string>> {
    try {
      const all = await this.reservations();
      return new Set(all.flatMap((r) => (r.queue ? [r.queue] : [])));
    } catch {
      return new Set();
    }
  }

  /** Runs: `pbs_rstat -f` (shared with reservations()). */
  async reservation(id: string): Promise<Reservation> {
    const all = await this.reservations();
    const short = id.split(".")[0];
    const found = all.find((r) => r.id === id || r.id.split(".")[0] === short);
    if (!found) {
      throw new PbsError({
        kind: "unknown_reservation",
        message: `reservation ${id} does not exist`,
        hint: all.length
          ? `Current reservations: ${all.map((r) => r.id).join(", ")}.`
          : "There are no reservations; list_reservations shows them when there are.",
      });
    }
    return found;
  }

  /** Which PBS installation answers (nothing is run). */
  installation(): PbsInstallation {
    return this.#pbs.describeInstallation?.() ??
      { source: "unknown", description: "the runner does not say which PBS it runs" };
  }

  /**
   * Who the caller is to PBS. Runs: `qmgr -c 'list server'` (managers and
   * operators are listed there when set; root is always a manager).
   */
  identity(): Promise<Identity> {
    return this.#read("identity", async () => {
      const result = await this.#exec(cmd.qmgrRead({ object: "server" }));
      const server = parseQmgrList(result.stdout)[0];
      const list = (attr: string) =>
        (server?.attributes[attr] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
      const managers = list("managers");
      const operators = list("operators");
      const matches = (entries: string[]) =>
        entries.some((e) => {
          const [user] = e.split("@");
          return user === this.user || user === "*";
        });
      const role: Role = this.user === "root" || matches(managers)
        ? "manager"
        : matches(operators)
        ? "operator"
        : "user";
      return { user: this.user, role, managers, operators, ...describeRole(role) };
    });
  }

  // -------------------------------------------------------------------------
  // Job reads.

  /**
   * Compact rows for listings, filtered by PBS itself where it can. Runs:
   * `qstat -a -w [-x] [-u USER] [QUEUE]` — about 100 bytes a job where
   * `qstat -f -F json` costs kilobytes (tens of MB of history at Aurora scale).
   * Every job listing uses it; full jobs are read one id at a time (job()).
   */
  async listJobRows(filter: JobListFilter): Promise<JobRow[]> {
    // Asking for finished states (F, X) is asking for history.
    const states = parseStateFilter(filter.states);
    const history = (filter.includeFinished ?? false) || (states?.has("F") ?? false) ||
      (states?.has("X") ?? false);
    const user = resolveUser(filter.user, this.user);
    const rows = await this.#read(
      `rows:${history}:${user ?? ""}:${filter.queue ?? ""}`,
      async () => {
        const result = await this.#exec(cmd.qstatJobTable({ history, user, queue: filter.queue }));
        return parseJobTable(result.stdout);
      },
    );
    // User and queue were filtered by PBS (a long user name may be printed cut).
    return filterJobs(rows, { states: filter.states, includeFinished: history }, this.user);
  }

  /**
   * Every live job in full (the forecast's snapshot: exec_vnode, select,
   * start times). Runs: `qstat -f -F json` — heavy (about 7 MB for 4,000
   * jobs); listings use listJobRows.
   */
  liveJobs(): Promise<Job[]> {
    return this.#read("live-jobs", async () => {
      const result = await this.#exec(cmd.qstatAllJobs());
      return parseJobsJson(result.stdout);
    });
  }

  /**
   * One job, found in history automatically. Runs: `qstat -fx -F json ID`
   * (`-x` returns live and finished jobs alike, so one command suffices).
   */
  job(id: string): Promise<Job> {
    return this.#read(`job:${id}`, async () => {
      const result = await this.#exec(cmd.qstatJob(id, { history: true }));
      const jobs = parseJobsJson(result.stdout);
      if (jobs.length === 0) {
        throw new PbsError({
          kind: "unknown_job",
          message: `job ${id} does not exist`,
          hint: "Check the id with list_jobs (include_finished: true for old jobs).",
        });
      }
      return jobs[0];
    });
  }

  /**
   * A user's jobs that finished since `since` (epoch seconds), newest first,
   * in full for the newest `limit` (of those `keepSequence` keeps, when given).
   * Runs: `qselect -x -s F -u USER [-q QUEUE] -t m.ge.DATE`
   * (ids only: cheap at any scale, where the full history JSON of a big
   * machine runs to hundreds of MB), then `qstat -fx -F json ID` per shown job.
   */
  async finishedJobs(
    user: string,
    since: number,
    limit: number,
    options: { queue?: string; keepSequence?: (sequence: number) => boolean } = {},
  ): Promise<{ jobs: Job[]; total: number }> {
    const command = cmd.qselect({
      users: user,
      queue: options.queue,
      states: "F",
      history: true,
      time: { field: "m", op: "ge", at: new Date(since * 1000) },
    });
    const all = await this.#read(`finished:${user}:${since}:${options.queue ?? ""}`, async () => {
      return parseQselect((await this.#exec(command)).stdout);
    });
    const keep = options.keepSequence;
    const ids = keep ? all.filter((id) => keep(sequenceOf(id))) : all;
    const newest = [...ids].sort((a, b) => sequenceOf(b) - sequenceOf(a)).slice(0, limit);
    const jobs: Job[] = [];
    // One at a time: a burst of qstat calls is what PBS's own throttle punishes.
    for (const id of newest) jobs.push(await this.job(id));
    return { jobs, total: ids.length };
  }

  /**
   * A job's lines in the PBS logs of this host for the last `days` days.
   * Runs: `tracejob -n DAYS ID`. tracejob reads local log files only: on a
   * host without them it fails with "Couldn't find Job Id" (an unknown_job
   * PbsError) even for a job PBS knows (tests/fixtures/golden/INDEX.md).
   */
  jobLog(id: string, days: number): Promise<TraceEntry[]> {
    return this.#read(`tracejob:${id}:${days}`, async () => {
      const result = await this.#exec(cmd.tracejob(id, { days }));
      return parseTracejob(result.stdout);
    });
  }

  /** An array job's subjobs. Runs: `qstat -fx -t -F json ID[]`. */
  subjobs(arrayId: string): Promise<Job[]> {
    return this.#read(`subjobs:${arrayId}`, async () => {
      const result = await this.#exec(
        cmd.qstatJob(arrayId, { history: true, subjobs: true }),
      );
      return parseJobsJson(result.stdout).filter((j) => j.arrayParent !== undefined);
    });
  }

  /**
   * The caller's allocations from the site profile's allocation command
   * (ALCF: `sbank-list-allocations -r SYSTEM`), or undefined when the profile
   * defines none. Runs (cached): the profile's command.
   */
  async allocations(): Promise<{ unit: string; rows: Allocation[] } | undefined> {
    const allocation = this.profile?.allocation;
    if (!allocation) return undefined;
    return await this.#read("allocations", async () => {
      const result = await this.#exec({ argv: allocation.command });
      return { unit: allocation.unit, rows: parseAllocations(result.stdout, allocation.columns) };
    });
  }

  // -------------------------------------------------------------------------
  // Job writes.

  /**
   * The server and queues a submission is checked against, or undefined when
   * PBS cannot list them (qsub then reports the problem itself). Runs (cached):
   * `qstat -Bf -F json`, `qstat -Qf -F json`.
   */
  async #submissionContext(): Promise<SubmissionContext | undefined> {
    try {
      // One after the other: a burst of qstat calls is what PBS's own throttle punishes.
      const server = await this.server();
      const queues = await this.queues();
      return { server, queues, user: this.user };
    } catch {
      return undefined;
    }
  }

  /**
   * The queues a request (its `-l` values) fits as it is: enabled and started
   * execution queues, routing queues with a fitting destination. Runs
   * (cached): `qstat -Bf -F json`, `qstat -Qf -F json`.
   */
  async queuesFitting(requested: Record<string, string>): Promise<QueueFit[]> {
    const context = await this.#submissionContext();
    return context ? fittingQueues(requested, context) : [];
  }

  /**
   * The exact qsub command a request becomes, with the queue it goes to and
   * whether it fits there; nothing is submitted. Runs (cached): `qstat -Bf`,
   * `qstat -Qf`.
   */
  async planSubmission(request: SubmitJobRequest): Promise<SubmissionPlan> {
    let scriptText = request.script;
    if (request.scriptPath !== undefined) {
      scriptText = await this.#readScriptFile(request.scriptPath);
    }
    const context = await this.#submissionContext();
    const submission = buildSubmission(
      request,
      this.config.defaultAccount,
      scriptText,
      context,
      this.profile,
    );
    const notes = [...submission.notes];
    const fit = submission.fit;
    if (fit?.routesTo) {
      notes.push(`${fit.queue} is a routing queue: this request goes to ${fit.routesTo}.`);
    }
    if (fit && isUnroutable(fit) && context) {
      notes.push(unroutableNote(fit, fittingQueues(submission.requested, context)));
    }
    return {
      argv: submission.command.argv,
      stdinScript: submission.command.stdin,
      scriptPath: request.scriptPath,
      script: scriptText ?? "",
      effective: submission.effective,
      directives: submission.directives,
      notes,
      requested: submission.requested,
      ...(submission.target ? { target: submission.target } : {}),
      ...(fit?.routesTo ? { routesTo: fit.routesTo } : {}),
      ...(fit ? { fit } : {}),
    };
  }

  /**
   * Submits and confirms. Before qsub, a request for a routing queue that no
   * destination accepts is refused: PBS would print an id and drop the job —
   * at once, or (held, dependent, deferred jobs wait in the routing queue)
   * long after any later check. After qsub the job is looked up; a job PBS
   * already dropped is a `job_discarded` error, never an id.
   * Runs: `qstat -Bf`, `qstat -Qf` (cached), `qsub ...`, `qstat -fx -F json ID`.
   */
  async submitJob(request: SubmitJobRequest): Promise<SubmitResult> {
    const plan = await this.planSubmission(request);
    const fit = plan.fit;
    if (fit && isUnroutable(fit)) {
      throw noDestinationError(fit, await this.queuesFitting(plan.requested));
    }
    let result: RunResult;
    try {
      result = await this.#write({ argv: plan.argv, stdin: plan.stdinScript });
    } catch (error) {
      const named = await this.#nameBrokenLimit(error, plan.requested, plan.target, plan.fit);
      const profiles = this.profile ? [this.profile, ...builtInProfiles()] : builtInProfiles();
      throw withSiteFix(named, profiles, this.profile);
    }
    const jobId = parseQsubJobId(result.stdout);
    let job: Job;
    try {
      job = await this.job(jobId);
    } catch (error) {
      // Only a routing queue drops a job silently; otherwise say what we could not see.
      if (!isPbsError(error) || error.kind !== "unknown_job" || fit?.destinations === undefined) {
        const why = error instanceof Error ? error.message : String(error);
        const note = `PBS accepted ${jobId}, but looking it up right after failed: ${why}`;
        return { jobId, plan: { ...plan, notes: [...plan.notes, note] } };
      }
      const context = await this.#submissionContext();
      const queue = context?.queues.find((q) => q.name === plan.target);
      const fresh = queue && context ? checkQueue(plan.requested, queue, context) : undefined;
      throw jobDiscardedError(
        jobId,
        plan.target ?? "its routing queue",
        fresh,
        context ? fittingQueues(plan.requested, context) : [],
      );
    }
    const notes = [...plan.notes];
    if (job.queue === fit?.queue && fit.routesTo) {
      notes.push(
        `It waits in routing queue ${job.queue} (state ${job.state}): PBS routes held, dependent ` +
          `and deferred jobs once they may run; this request fits ${fit.routesTo}.`,
      );
    }
    return { jobId, queue: job.queue, state: job.state, plan: { ...plan, notes } };
  }

  /**
   * On "Job violates queue and/or server resource limits" only: the same
   * error naming the limit broken and a value that would fit. Reads the
   * queues and server again unless the plan's check already found the limit.
   */
  async #nameBrokenLimit(
    error: unknown,
    requested: Record<string, string>,
    target: string | undefined,
    known?: QueueFit,
  ): Promise<unknown> {
    if (!isPbsError(error) || error.kind !== "resource_limit" || target === undefined) return error;
    if (!/violates queue and\/or server resource limits/.test(error.pbsMessage ?? "")) return error;
    const context = await this.#submissionContext();
    if (!context) return error;
    const queue = context.queues.find((q) => q.name === target);
    const fit = known?.violations.length ? known : queue && checkQueue(requested, queue, context);
    return namedLimitError(error, fit, fittingQueues(requested, context));
  }

  /**
   * #nameBrokenLimit for qmove (into `queue`) and qalter (`changes` in the
   * job's own queue): the job's own request is its Resource_List without what
   * its current queue's defaults filled in — PBS drops and re-applies those
   * (golden qmove_default_walltime_reapplied). Runs: `qstat -fx -F json ID`.
   */
  async #nameBrokenLimitOfJob(
    error: unknown,
    id: string,
    queue: string | undefined,
    changes: Record<string, string>,
  ): Promise<unknown> {
    if (!isPbsError(error) || error.kind !== "resource_limit") return error;
    try {
      const job = await this.job(id);
      const current = (await this.queues()).find((q) => q.name === job.queue);
      const own: Record<string, string> = {};
      for (const [name, value] of Object.entries(job.requested)) {
        const dflt = current?.resourcesDefault[name];
        if (dflt !== undefined && String(dflt) === String(value)) continue;
        own[name] = String(value);
      }
      return await this.#nameBrokenLimit(error, { ...own, ...changes }, queue ?? job.queue);
    } catch {
      return error;
    }
  }

  /** Runs: `qdel [-W force] [-x] ID`. */
  async deleteJob(id: string, options: { force?: boolean; purgeHistory?: boolean } = {}) {
    await this.#write(cmd.qdel(id, options));
  }

  /** Runs: `qhold -h TYPE ID`. */
  async holdJob(id: string, holdType: HoldType = "u") {
    await this.#write(cmd.qhold(id, { types: holdType }));
  }

  /** Runs: `qrls -h TYPE ID`. */
  async releaseJob(id: string, holdType: HoldType = "u") {
    await this.#write(cmd.qrls(id, { types: holdType }));
  }

  /**
   * Runs: `qmove QUEUE ID` when the queue changes, then `qalter ... ID` for
   * the rest (so new limits are checked against the new queue).
   */
  async modifyJob(id: string, request: ModifyJobRequest): Promise<string[]> {
    const { queue, ...rest } = request;
    const alterations = describeAlter(rest);
    if (queue === undefined && alterations.length === 0) {
      throw invalidInput(
        "nothing to change",
        "Give at least one of walltime, job_name, queue, priority, select, extra_resources, depend, start_after.",
      );
    }
    // Build (and so validate) everything before changing anything.
    const alter = alterations.length === 0 ? undefined : cmd.qalter(id, {
      walltime: rest.walltime,
      name: rest.jobName,
      priority: rest.priority,
      select: rest.select,
      resources: rest.extraResources,
      depend: rest.depend,
      startAfter: rest.startAfter,
    });
    const move = queue === undefined ? undefined : cmd.qmove(queue, id);
    const applied: string[] = [];
    if (move) {
      try {
        await this.#write(move);
      } catch (error) {
        throw await this.#nameBrokenLimitOfJob(error, id, queue!, {});
      }
      applied.push(`queue → ${queue}`);
    }
    if (alter) {
      try {
        await this.#write(alter);
      } catch (error) {
        throw await this.#nameBrokenLimitOfJob(error, id, undefined, alterationResources(rest));
      }
      applied.push(...alterations);
    }
    return applied;
  }

  // -------------------------------------------------------------------------
  // Output and waiting.

  /** Reads the tail of a job's output file. Runs: `qstat -fx -F json ID` (for the paths). */
  async jobOutput(
    id: string,
    stream: "stdout" | "stderr",
    tailLines: number,
    maxBytes: number,
  ): Promise<JobOutput> {
    const job = await this.job(id);
    if (job.array && !job.arrayParent) {
      throw new PbsError({
        kind: "invalid_state",
        message: `job ${job.id} is an array parent, which has no output of its own`,
        hint: `Ask for one subjob's output, e.g. job_id ${firstSubjobId(job)} (list_jobs ` +
          "shows the array; get_job_status of the parent shows its indices).",
      });
    }
    if (isPending(job.state)) throw outputNotYet(job, "has not started yet");
    const joined = stream === "stderr" && job.joinPath === "oe";
    const pbsPath = stream === "stdout" || joined ? job.outputPath : job.errorPath;
    if (!pbsPath) {
      throw new PbsError({
        kind: "invalid_input",
        message: `job ${job.id} has no ${stream} path`,
        hint: "Check the job's Output_Path and Error_Path with get_job_status detail: full.",
      });
    }
    const tail = await this.#readOutput(job, stripHost(pbsPath), tailLines, maxBytes);
    return { jobId: job.id, stream, ...tail, joined: joined || undefined };
  }

  /**
   * A script_path's text, read where the runner's commands run when the
   * runner offers that (a login node: qsub runs there), else from this
   * machine; within the allowed directories, a regular file of at most
   * MAX_SCRIPT_FILE_BYTES either way.
   */
  async #readScriptFile(path: string): Promise<string> {
    const files = this.#runner.remoteFiles;
    if (!files) {
      const real = await resolveAllowed(path, this.config.allowedDirs);
      return await readScript(real, MAX_SCRIPT_FILE_BYTES);
    }
    const end = await files.readEnd(path, {
      allowedDirs: this.config.allowedDirs,
      maxBytes: MAX_SCRIPT_FILE_BYTES + 1,
      timeoutMs: this.config.timeoutMs,
    });
    if (!end) {
      throw new PbsError({
        kind: "invalid_input",
        message: `script ${path} does not exist or cannot be read ${files.where}`,
        hint: "Give the absolute path of a job script there, or pass the script's text as script.",
      });
    }
    if (end.sizeBytes > MAX_SCRIPT_FILE_BYTES || end.bytes.length > MAX_SCRIPT_FILE_BYTES) {
      throw new PbsError({
        kind: "invalid_input",
        message: `script ${path} is over ${MAX_SCRIPT_FILE_BYTES} bytes (${end.sizeBytes})`,
        hint: "A job script is a short shell script; keep data in other files that it reads.",
      });
    }
    return new TextDecoder().decode(end.bytes);
  }

  /**
   * The tail of a job's output file: read where the runner's commands run
   * when the runner offers that (a login node), else from this machine. PBS
   * writes output on the execution host and copies it to this path when the
   * job ends (unless the site stages it live), so a running job's file is
   * usually not there yet: say so instead of "does not exist".
   */
  async #readOutput(job: Job, path: string, tailLines: number, maxBytes: number) {
    // Through the gate: a read on a login node is one more process there.
    const files = this.#runner.remoteFiles;
    if (!files) {
      if (!isFinished(job.state) && !(await exists(path))) {
        throw outputNotYet(job, "has not ended yet");
      }
      const real = await resolveAllowed(path, this.config.allowedDirs);
      return await readTail(real, tailLines, maxBytes);
    }
    const end = await files.readEnd(path, {
      allowedDirs: this.config.allowedDirs,
      // One byte more, to see whether the window starts a line (tailOfEnd).
      maxBytes: maxBytes + 1,
      timeoutMs: this.config.timeoutMs,
    });
    if (end) return tailOfEnd(end, tailLines, maxBytes);
    if (!isFinished(job.state)) throw outputNotYet(job, "has not ended yet");
    throw new PbsError({
      kind: "invalid_input",
      message: `file ${path} does not exist or cannot be read ${files.where}`,
      hint: "PBS copies a job's output there when the job ends; check the job's Output_Path " +
        "and Error_Path with get_job_status detail: full.",
    });
  }

  /**
   * Polls the job until it runs or finishes, with backoff (2 s → 15 s) so a
   * long wait costs a few qstat calls a minute. Runs: `qstat -fx -F json ID`
   * per poll (bypassing the cache).
   */
  async waitForJob(
    id: string,
    until: WaitTarget,
    timeoutSeconds: number,
    onProgress?: (update: ProgressUpdate) => Promise<void> | void,
  ): Promise<WaitResult> {
    const started = this.#now();
    let delayMs = 2_000;
    let polls = 0;
    for (;;) {
      this.#cache.clear();
      const job = await this.job(id);
      polls++;
      const waitedSeconds = Math.round((this.#now() - started) / 1000);
      const reached = until === "running"
        ? job.state === "R" || isFinished(job.state)
        : isFinished(job.state);
      if (reached || waitedSeconds >= timeoutSeconds) {
        return { jobId: job.id, reached, state: job.state, waitedSeconds, polls, job };
      }
      await onProgress?.({
        state: job.state,
        waitedSeconds,
        message: `job ${job.id} is ${job.state}; waiting until ${until}`,
      });
      const remainingMs = timeoutSeconds * 1000 - (this.#now() - started);
      await this.#sleep(Math.max(0, Math.min(delayMs, remainingMs)));
      delayMs = Math.min(delayMs * 1.5, 15_000);
    }
  }

  // -------------------------------------------------------------------------
  // Reservations.

  /** Runs: `pbs_rsub ...`. */
  async createReservation(request: ReservationRequest): Promise<{ id: string; state: string }> {
    if (request.start === undefined) {
      throw invalidInput(
        "a reservation needs a start time",
        'Give start as an ISO time, e.g. "2026-11-24T15:00", and end or duration.',
      );
    }
    const command = cmd.pbsRsub({
      start: request.start,
      end: request.end,
      duration: request.duration,
      select: request.select,
      name: request.name,
      users: request.users,
    });
    const result = await this.#write(command);
    return parseRsubOutput(result.stdout);
  }

  /**
   * Runs: `pbs_ralter [-R] [-E] [-D] ID`, which answers `pbs_ralter: ID
   * CONFIRMED` (or UNCONFIRMED, ALTER REQUESTED) and, exit code 0 all the same,
   * `DENIED` when the scheduler cannot fit the new window: the old one stays.
   */
  async modifyReservation(id: string, request: ReservationRequest): Promise<string> {
    const result = await this.#write(cmd.pbsRalter(id, request));
    const outcome = /^pbs_ralter:\s+\S+\s+(.+?)\s*$/m.exec(result.stdout)?.[1] ?? "";
    if (outcome === "DENIED") {
      throw new PbsError({
        kind: "resource_limit",
        message: `PBS denied the change to reservation ${id}; it keeps its old window`,
        hint:
          "The reserved nodes are not free for the new window (other reservations or running jobs). " +
          "Try another time, or delete it and create a new reservation.",
        pbsMessage: result.stdout.trim(),
        command: "pbs_ralter",
        exitCode: result.code,
      });
    }
    return outcome || "CONFIRMED";
  }

  /** Runs: `pbs_rdel ID`. */
  async deleteReservation(id: string): Promise<void> {
    await this.#write(cmd.pbsRdel(id));
  }
}

/** The error for output asked for too early: the job's state and what to do. */
function outputNotYet(job: Job, what: string): PbsError {
  const state = describeJobState(job.state);
  return new PbsError({
    kind: "invalid_state",
    message: `job ${job.id} ${what} (state ${job.state}, ${state.name}); PBS copies its ` +
      "output files into place when it ends",
    hint: `Call wait_for_job with job_id ${job.id} and until: finished, then get_job_output ` +
      "again; diagnose_job explains a job that waits.",
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `-l` values a qalter request changes. */
function alterationResources(request: ModifyJobRequest): Record<string, string> {
  const changed: Record<string, string> = { ...request.extraResources };
  if (request.walltime) changed.walltime = request.walltime;
  if (request.select) changed.select = request.select;
  return changed;
}

function describeAlter(request: ModifyJobRequest): string[] {
  const out: string[] = [];
  if (request.walltime) out.push(`walltime → ${request.walltime}`);
  if (request.jobName) out.push(`job_name → ${request.jobName}`);
  if (request.priority !== undefined) out.push(`priority → ${request.priority}`);
  if (request.select) out.push(`select → ${request.select}`);
  for (const [k, v] of Object.entries(request.extraResources ?? {})) out.push(`${k} → ${v}`);
  if (request.depend) out.push(`depend → ${request.depend}`);
  if (request.startAfter) out.push(`start_after → ${request.startAfter}`);
  return out;
}

function describeRole(role: Role): { allowed: string[]; notAllowed: string[] } {
  const own = [
    "submit jobs",
    "query jobs, queues, nodes and reservations",
    "delete, hold (user hold), release (user hold) and modify your own jobs",
    "lower the walltime of your own running jobs",
    "create and delete your own reservations",
  ];
  const operator = [
    "set and release operator holds",
    "raise walltime of running jobs",
    "suspend and resume jobs",
    "mark nodes offline and back online",
    "act on other users' jobs",
  ];
  const manager = ["set and release system holds", "change server and queue configuration (qmgr)"];
  switch (role) {
    case "manager":
      return { allowed: [...own, ...operator, ...manager], notAllowed: [] };
    case "operator":
      return { allowed: [...own, ...operator], notAllowed: manager };
    default:
      return { allowed: own, notAllowed: [...operator, ...manager] };
  }
}

/** `1234.server` / `12[].server` → 1234 / 12, for newest-first ordering. */
function sequenceOf(id: string): number {
  return Number.parseInt(id, 10) || 0;
}

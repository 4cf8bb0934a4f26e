/**
 * Limits a site or user sets on what the assistant may do, on top of PBS's
 * own: how many PBS commands run at once, how many jobs one call and one
 * minute may submit, how big one submission may be. A refusal names the limit
 * and the variable that changes it.
 */
import { PbsError } from "../pbs/errors.ts";
import type { Runner, RunnerFiles, RunOptions, RunResult } from "../pbs/runner.ts";

export interface Limits {
  /** PBS commands running at once; the rest wait their turn (PBS_MCP_MAX_CONCURRENT_COMMANDS). */
  maxConcurrentCommands: number;
  /** Jobs one submit_batch_jobs / submit_dependent_jobs call may hold (PBS_MCP_MAX_BATCH_JOBS). */
  maxBatchJobs: number;
  /** Jobs submitted in any 60 s (PBS_MCP_MAX_SUBMITS_PER_MINUTE). */
  maxSubmitsPerMinute: number;
  /** Nodes one job may ask for; unset = PBS's own limits only (PBS_MCP_MAX_NODES). */
  maxNodesPerJob?: number;
  /** Walltime one job may ask for, in seconds; unset = PBS's own limits only (PBS_MCP_MAX_WALLTIME). */
  maxWalltimeSeconds?: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxConcurrentCommands: 4,
  maxBatchJobs: 100,
  maxSubmitsPerMinute: 120,
};

export function limitExceeded(what: string, variable: string, value: number | string): PbsError {
  return new PbsError({
    kind: "limit_exceeded",
    message: `${what} (limit ${value}, set by ${variable})`,
    hint: `Ask for less, or raise ${variable} in the server's environment and restart it.`,
  });
}

/**
 * A runner that lets at most `max` commands run at once and queues the rest
 * in arrival order: 50 concurrent status calls start at most `max` qstat
 * processes, not 50.
 */
export class CommandGate implements Runner {
  readonly #inner: Runner;
  readonly #max: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(inner: Runner, max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("max must be a positive integer");
    this.#inner = inner;
    this.#max = max;
  }

  /** Commands running now and waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.#inSlot(() => this.#inner.run(argv, options));
  }

  /** The inner runner's remote file reads, which take a slot too (each is an ssh process). */
  get remoteFiles(): RunnerFiles | undefined {
    const files = this.#inner.remoteFiles;
    return files && {
      where: files.where,
      readEnd: (path, options) => this.#inSlot(() => files.readEnd(path, options)),
    };
  }

  async #inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `running` stays counted.
      if (next) next();
      else this.#running--;
    }
  }
}

/** A sliding one-minute window of submissions. */
export class SubmissionRate {
  readonly #max: number;
  readonly #now: () => number;
  readonly #times: number[] = [];

  constructor(maxPerMinute: number, now: () => number = Date.now) {
    this.#max = maxPerMinute;
    this.#now = now;
  }

  /** Reserves `count` submissions now, or throws `limit_exceeded` saying when to retry. */
  take(count: number): void {
    const now = this.#now();
    while (this.#times.length > 0 && now - this.#times[0] >= 60_000) this.#times.shift();
    if (this.#times.length + count > this.#max) {
      const retryIn = this.#times.length > 0
        ? Math.max(1, Math.ceil((this.#times[0] + 60_000 - now) / 1000))
        : 60;
      const error = limitExceeded(
        `${count} more submission${count === 1 ? "" : "s"} would exceed ` +
          `${this.#max} per minute (${this.#times.length} in the last minute); ` +
          `retry in ${retryIn} s`,
        "PBS_MCP_MAX_SUBMITS_PER_MINUTE",
        this.#max,
      );
      throw error;
    }
    for (let i = 0; i < count; i++) this.#times.push(now);
  }
}

/** Checks one job's size against the configured caps (PBS applies its own limits after). */
export function checkJobSize(
  limits: Limits,
  job: { nodes?: number; walltimeSeconds?: number },
): void {
  if (limits.maxNodesPerJob !== undefined && job.nodes !== undefined) {
    if (job.nodes > limits.maxNodesPerJob) {
      throw limitExceeded(
        `the job asks for ${job.nodes} nodes, more than this server allows per job`,
        "PBS_MCP_MAX_NODES",
        limits.maxNodesPerJob,
      );
    }
  }
  if (limits.maxWalltimeSeconds !== undefined && job.walltimeSeconds !== undefined) {
    if (job.walltimeSeconds > limits.maxWalltimeSeconds) {
      throw limitExceeded(
        `the job asks for ${job.walltimeSeconds} s of walltime, more than this server allows`,
        "PBS_MCP_MAX_WALLTIME",
        `${limits.maxWalltimeSeconds} s`,
      );
    }
  }
}

/** Checks how many jobs one batch or graph submission holds. */
export function checkBatchSize(limits: Limits, count: number): void {
  if (count > limits.maxBatchJobs) {
    throw limitExceeded(
      `${count} jobs in one call is more than this server allows`,
      "PBS_MCP_MAX_BATCH_JOBS",
      limits.maxBatchJobs,
    );
  }
}

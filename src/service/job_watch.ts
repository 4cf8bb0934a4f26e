/**
 * Watching jobs for state changes: what backs MCP resource subscriptions
 * (`pbs://job/{job_id}`).
 *
 * Every poll reads one job table per job owner (`qstat -a -w -x -u USER`,
 * through the PbsClient read cache) and compares each watched job's state
 * with the last one seen; a job missing from the table has left PBS (its
 * history expired, or it was purged). Never one command per job: a hundred
 * watched jobs of one user cost one command per interval. The number of
 * distinct owners is bounded (MAX_WATCHED_OWNERS), so a poll costs at most
 * that many commands.
 *
 * The timer runs only while something is watched, and `stop()` ends it: no
 * timer outlives the watch. Time comes from a Ticker, so tests drive polls
 * themselves.
 */
import { invalidInput } from "../pbs/errors.ts";
import type { JobStateLetter } from "../pbs/model/types.ts";
import type { JobRow } from "../pbs/parse/job_table.ts";

/** Shortest poll interval a site may configure (each poll is a qstat per owner). */
export const MIN_WATCH_INTERVAL_S = 5;
export const DEFAULT_WATCH_INTERVAL_S = 30;
/** Distinct job owners one watch follows: each costs one table read per poll. */
export const MAX_WATCHED_OWNERS = 8;
/** Subscriptions one watch holds. */
export const MAX_WATCHED_JOBS = 1000;

/** The state a job was last seen in; `gone` once PBS no longer lists it. */
export type WatchedState = JobStateLetter | "gone";

export interface WatchedJob {
  /** The job's full id, as PBS printed it when the watch began. */
  id: string;
  /** Its owner: whose table shows it. */
  user: string;
  state: WatchedState;
}

export interface JobChange {
  /** The key the job was watched under (the subscribed URI). */
  key: string;
  id: string;
  from: WatchedState;
  to: WatchedState;
}

/**
 * The part of a job id every listing agrees on: the sequence number with its
 * array brackets (`123[4].server` → `123[4]`). `qstat -a -w` may cut the
 * server suffix of a long id (see commandJobId), never the sequence number.
 */
export function sequenceKey(id: string): string {
  const dot = id.indexOf(".");
  return dot < 0 ? id : id.slice(0, dot);
}

/**
 * What changed between the watched states and fresh tables (owner → rows).
 * Owners whose table could not be read are absent from `tables`: their jobs
 * are left as they were (a failed read is not a disappearance).
 */
export function detectChanges(
  watched: ReadonlyMap<string, WatchedJob>,
  tables: ReadonlyMap<string, readonly JobRow[]>,
): JobChange[] {
  const stateBySequence = new Map<string, Map<string, JobStateLetter>>();
  for (const [user, rows] of tables) {
    stateBySequence.set(user, new Map(rows.map((row) => [sequenceKey(row.id), row.state])));
  }
  const changes: JobChange[] = [];
  for (const [key, job] of watched) {
    const states = stateBySequence.get(job.user);
    if (states === undefined || job.state === "gone") continue;
    const now = states.get(sequenceKey(job.id)) ?? "gone";
    if (now !== job.state) changes.push({ key, id: job.id, from: job.state, to: now });
  }
  return changes;
}

/** Repeats an async task every interval until stopped; a run never overlaps the next. */
export interface Ticker {
  /** Starts repeating `tick`; returns the function that stops it. */
  start(intervalMs: number, tick: () => Promise<void>): () => void;
}

/** The real clock: a setTimeout chain re-armed after each tick finishes. */
export const timerTicker: Ticker = {
  start(intervalMs, tick) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const arm = () => {
      timer = setTimeout(async () => {
        await tick();
        if (!stopped) arm();
      }, intervalMs);
    };
    arm();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  },
};

export interface JobWatchOptions {
  /** One job in full, to learn its owner and state when a watch begins. */
  lookup: (jobId: string) => Promise<{ id: string; user: string; state: JobStateLetter }>;
  /** One owner's jobs, finished ones included (`qstat -a -w -x -u USER`). */
  readTable: (user: string) => Promise<JobRow[]>;
  /** Called for each change a poll finds. */
  onChange: (change: JobChange) => void;
  /** Called when an owner's table cannot be read (the poll goes on with the others). */
  onError?: (user: string, error: unknown) => void;
  intervalMs: number;
  ticker?: Ticker;
}

export class JobWatch {
  readonly #watched = new Map<string, WatchedJob>();
  readonly #options: JobWatchOptions;
  #stopTicker: (() => void) | undefined;
  #stopped = false;

  constructor(options: JobWatchOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#watched.size;
  }

  /** Whether the background poll is armed (only while something is watched). */
  get polling(): boolean {
    return this.#stopTicker !== undefined;
  }

  /**
   * Starts watching `jobId` under `key` (idempotent). Reads the job once
   * (`qstat -fx` through the lookup): an unknown job fails here, with
   * PBS's error, rather than being reported gone at the first poll.
   */
  async watch(key: string, jobId: string): Promise<WatchedJob> {
    const known = this.#watched.get(key);
    if (known !== undefined) return known;
    if (this.#watched.size >= MAX_WATCHED_JOBS) {
      throw invalidInput(
        `this connection already watches ${MAX_WATCHED_JOBS} jobs`,
        "Unsubscribe from finished jobs before subscribing to more.",
      );
    }
    const job = await this.#options.lookup(jobId);
    const owners = new Set([...this.#watched.values()].map((w) => w.user));
    if (!owners.has(job.user) && owners.size >= MAX_WATCHED_OWNERS) {
      throw invalidInput(
        `this connection already watches the jobs of ${MAX_WATCHED_OWNERS} users ` +
          `(${[...owners].join(", ")}); each costs one qstat per poll`,
        "Unsubscribe from other users' jobs first, or use wait_for_job for this one.",
      );
    }
    // A watch begun while stopped (a subscribe racing the close) arms nothing.
    if (this.#stopped) return { id: job.id, user: job.user, state: job.state };
    const watched: WatchedJob = { id: job.id, user: job.user, state: job.state };
    this.#watched.set(key, watched);
    this.#arm();
    return watched;
  }

  /** Whether `key` is still followed (a job gone from PBS is forgotten once reported). */
  has(key: string): boolean {
    return this.#watched.has(key);
  }

  unwatch(key: string): void {
    this.#watched.delete(key);
    if (this.#watched.size === 0) this.#disarm();
  }

  /** Ends the watch for good: forgets every job and stops the timer. */
  stop(): void {
    this.#stopped = true;
    this.#watched.clear();
    this.#disarm();
  }

  /**
   * One poll: reads each owner's table once, reports and records the
   * changes. Jobs gone from PBS are reported once, then forgotten.
   */
  async poll(): Promise<JobChange[]> {
    // Only jobs watched before the reads began are compared: a job submitted
    // and subscribed while a table was being read is not in that table.
    const subjects = new Map(this.#watched);
    const owners = new Set([...subjects.values()].map((w) => w.user));
    const tables = new Map<string, JobRow[]>();
    for (const user of owners) {
      try {
        tables.set(user, await this.#options.readTable(user));
      } catch (error) {
        this.#options.onError?.(user, error);
      }
    }
    // Unsubscribed (or re-subscribed) while the tables were read: not reported.
    const changes = detectChanges(subjects, tables)
      .filter((change) => this.#watched.get(change.key) === subjects.get(change.key));
    for (const change of changes) {
      const job = subjects.get(change.key)!;
      job.state = change.to;
      if (change.to === "gone") this.unwatch(change.key);
      this.#options.onChange(change);
    }
    return changes;
  }

  #arm(): void {
    if (this.#stopTicker !== undefined || this.#stopped) return;
    const ticker = this.#options.ticker ?? timerTicker;
    this.#stopTicker = ticker.start(this.#options.intervalMs, async () => {
      await this.poll();
    });
  }

  #disarm(): void {
    this.#stopTicker?.();
    this.#stopTicker = undefined;
  }
}

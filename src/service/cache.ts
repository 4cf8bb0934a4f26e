/**
 * A short-lived read cache with single-flight.
 *
 * Agents poll far more than people do and a PBS server is shared by a whole
 * machine, so identical reads within a short window are served once: a second
 * caller asking while the first command is still running waits for the same
 * promise instead of starting another `qstat`. Any write through the service
 * calls `clear()` so a read never returns state older than our own change.
 */

interface Entry<T> {
  promise: Promise<T>;
  /** Epoch ms after which a settled value is stale; undefined while in flight. */
  expiresAt?: number;
}

export class ReadCache {
  readonly #entries = new Map<string, Entry<unknown>>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  #hits = 0;
  #misses = 0;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** Returns the cached value for `key`, or runs `load` once for all concurrent callers. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key) as Entry<T> | undefined;
    if (entry && (entry.expiresAt === undefined || entry.expiresAt > this.#now())) {
      this.#hits++;
      return entry.promise;
    }
    this.#misses++;
    const fresh: Entry<T> = { promise: load() };
    this.#entries.set(key, fresh);
    fresh.promise.then(
      () => {
        // Only the entry we created may be stamped: clear() may have replaced it.
        if (this.#entries.get(key) === fresh) fresh.expiresAt = this.#now() + this.#ttlMs;
      },
      () => {
        // Failures are never cached: the next caller retries.
        if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      },
    );
    return fresh.promise;
  }

  /** Drops everything (called after any write). In-flight loads still resolve for their callers. */
  clear(): void {
    this.#entries.clear();
  }

  stats(): { hits: number; misses: number; entries: number } {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size };
  }
}

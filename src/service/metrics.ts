/**
 * Counters for the server's own behaviour: tool calls, failures, latency and
 * PBS command runs. Shown by `get_server_info` so an operator can see how hard
 * the assistant is leaning on the PBS server.
 */

export interface CallStats {
  calls: number;
  failures: number;
  totalMs: number;
  maxMs: number;
}

export interface MetricsSnapshot {
  startedAt: string;
  toolCalls: Record<string, CallStats & { meanMs: number }>;
  pbsCommands: Record<string, CallStats & { meanMs: number; timeouts: number }>;
  cache: { hits: number; misses: number };
}

function emptyStats(): CallStats {
  return { calls: 0, failures: 0, totalMs: 0, maxMs: 0 };
}

function record(stats: CallStats, ms: number, failed: boolean): void {
  stats.calls++;
  if (failed) stats.failures++;
  stats.totalMs += ms;
  stats.maxMs = Math.max(stats.maxMs, ms);
}

function withMean<T extends CallStats>(stats: T): T & { meanMs: number } {
  const meanMs = stats.calls === 0 ? 0 : Math.round((stats.totalMs / stats.calls) * 10) / 10;
  return { ...stats, totalMs: Math.round(stats.totalMs), maxMs: Math.round(stats.maxMs), meanMs };
}

export class Metrics {
  readonly #startedAt = new Date();
  readonly #tools = new Map<string, CallStats>();
  readonly #commands = new Map<string, CallStats & { timeouts: number }>();

  recordToolCall(tool: string, ms: number, failed: boolean): void {
    let stats = this.#tools.get(tool);
    if (!stats) this.#tools.set(tool, stats = emptyStats());
    record(stats, ms, failed);
  }

  recordCommand(command: string, ms: number, failed: boolean, timedOut: boolean): void {
    let stats = this.#commands.get(command);
    if (!stats) this.#commands.set(command, stats = { ...emptyStats(), timeouts: 0 });
    record(stats, ms, failed);
    if (timedOut) stats.timeouts++;
  }

  snapshot(cache: { hits: number; misses: number }): MetricsSnapshot {
    return {
      startedAt: this.#startedAt.toISOString(),
      toolCalls: Object.fromEntries([...this.#tools].map(([k, v]) => [k, withMean(v)])),
      pbsCommands: Object.fromEntries([...this.#commands].map(([k, v]) => [k, withMean(v)])),
      cache,
    };
  }
}

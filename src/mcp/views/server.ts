/**
 * What get_server_info and pbs://system/status show of the PBS server and of
 * this MCP server's own metrics.
 */
import { z } from "zod";
import type { ServerInfo } from "../../pbs/model/types.ts";
import type { MetricsSnapshot } from "../../service/metrics.ts";
import { defined, nonZero, resourceMap } from "./values.ts";

export const ServerViewShape = z.object({
  name: z.string(),
  version: z.string().optional(),
  state: z.string().optional(),
  host: z.string().optional(),
  default_queue: z.string().optional(),
  scheduling: z.boolean().optional(),
  history: z.object({
    enabled: z.boolean(),
    duration: z.string().optional(),
  }),
  total_jobs: z.number().optional().describe(
    "Every job PBS holds: history and array subjobs included",
  ),
  jobs_by_state: z.record(z.string(), z.number()).describe(
    "Unfinished jobs (array subjobs counted)",
  ),
  max_array_size: z.number().optional(),
  resources_assigned: resourceMap.optional(),
});
export type ServerView = z.infer<typeof ServerViewShape>;

export function serverView(server: ServerInfo): ServerView {
  return defined({
    name: server.name,
    version: server.version,
    state: server.state,
    host: server.host,
    default_queue: server.defaultQueue,
    scheduling: server.scheduling,
    history: defined({
      enabled: server.jobHistoryEnable,
      // PBS's default when unset is two weeks.
      duration: server.jobHistoryDuration ??
        (server.jobHistoryEnable ? "336:00:00 (PBS default)" : undefined),
    }),
    total_jobs: server.totalJobs,
    jobs_by_state: nonZero(server.stateCount),
    max_array_size: server.maxArraySize,
    resources_assigned: Object.keys(server.resourcesAssigned).length
      ? server.resourcesAssigned
      : undefined,
  });
}

/**
 * What the server's job counts mean, said in the text so the model does not
 * compare unlike numbers: `state_count` counts unfinished jobs and every
 * array subjob besides its parent, `total_jobs` also the finished jobs kept
 * in history (every job the server holds), while list_jobs and
 * get_job_summary show an array as one row.
 */
function jobCountsText(view: ServerView): string {
  const current = Object.values(view.jobs_by_state).reduce((n, c) => n + c, 0);
  const jobs = Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ");
  const total = view.total_jobs === undefined
    ? ""
    : `; total_jobs ${view.total_jobs} adds the finished jobs kept in history`;
  return `PBS counts ${current} unfinished jobs (${jobs || "none"}), each array subjob ` +
    `counted besides its parent${total}. list_jobs and get_job_summary show an array as one ` +
    "row, so their totals are smaller when arrays are queued.";
}

export function serverText(view: ServerView): string {
  return [
    `PBS server ${view.name}${view.version ? ` (PBS ${view.version})` : ""}, state ${
      view.state ?? "unknown"
    }, scheduling ${view.scheduling === false ? "OFF" : "on"}`,
    `default queue ${view.default_queue ?? "none"}; history ${
      view.history.enabled ? `kept ${view.history.duration ?? ""}`.trim() : "disabled"
    }`,
    jobCountsText(view),
  ].join("\n");
}

const StatsShape = z.object({
  calls: z.number(),
  failures: z.number(),
  mean_ms: z.number(),
  max_ms: z.number(),
});

export const MetricsShape = z.object({
  started_at: z.string(),
  tool_calls: z.record(z.string(), StatsShape),
  pbs_commands: z.record(z.string(), StatsShape.extend({ timeouts: z.number() })),
  cache: z.object({ hits: z.number(), misses: z.number() }),
});

export function metricsView(snapshot: MetricsSnapshot): z.infer<typeof MetricsShape> {
  const stats = (s: { calls: number; failures: number; meanMs: number; maxMs: number }) => ({
    calls: s.calls,
    failures: s.failures,
    mean_ms: s.meanMs,
    max_ms: s.maxMs,
  });
  return {
    started_at: snapshot.startedAt,
    tool_calls: Object.fromEntries(
      Object.entries(snapshot.toolCalls).map(([name, s]) => [name, stats(s)]),
    ),
    pbs_commands: Object.fromEntries(
      Object.entries(snapshot.pbsCommands).map((
        [name, s],
      ) => [name, { ...stats(s), timeouts: s.timeouts }]),
    ),
    cache: snapshot.cache,
  };
}

/** The metrics as text: one entry per tool and per PBS command, busiest first. */
export function metricsText(metrics: z.infer<typeof MetricsShape>): string {
  type Stats = { calls: number; failures: number; mean_ms: number; timeouts?: number };
  const entries = (record: Record<string, Stats>) =>
    Object.entries(record).sort(([, a], [, b]) => b.calls - a.calls).map(([name, s]) =>
      `${name} ${s.calls}${s.failures ? ` (${s.failures} failed)` : ""}${
        s.timeouts ? ` (${s.timeouts} timed out)` : ""
      } ~${Math.round(s.mean_ms)} ms`
    ).join(", ") || "none";
  return [
    `tool calls: ${entries(metrics.tool_calls)}`,
    `PBS commands: ${entries(metrics.pbs_commands)}`,
    `cache: ${metrics.cache.hits} hits, ${metrics.cache.misses} misses`,
  ].join("\n");
}

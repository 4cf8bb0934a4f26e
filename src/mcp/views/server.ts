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
  total_jobs: z.number().optional(),
  jobs_by_state: z.record(z.string(), z.number()),
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

export function serverText(view: ServerView): string {
  const jobs = Object.entries(view.jobs_by_state).map(([s, n]) => `${s} ${n}`).join(", ");
  return [
    `PBS server ${view.name}${view.version ? ` (PBS ${view.version})` : ""}, state ${
      view.state ?? "unknown"
    }, scheduling ${view.scheduling === false ? "OFF" : "on"}`,
    `default queue ${view.default_queue ?? "none"}; history ${
      view.history.enabled ? `kept ${view.history.duration ?? ""}`.trim() : "disabled"
    }`,
    `jobs: ${view.total_jobs ?? 0} (${jobs || "none"})`,
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

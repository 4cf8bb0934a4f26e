/** get_job_summary: counts of current jobs by state, overall and per queue. */
import { z } from "zod";
import type { JobRow } from "../../pbs/parse/job_table.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { countByState, formatCounts } from "../views/jobs.ts";

const QueueCountsShape = z.object({
  queue: z.string(),
  total: z.number(),
  by_state: z.record(z.string(), z.number()),
});

export const getJobSummary = defineTool({
  name: "get_job_summary",
  title: "Job counts by state",
  description: "Counts current (not finished) jobs by state, overall and per queue: how busy the " +
    "system, a queue or a user is.",
  input: {
    user_filter: s.userFilter.optional().describe("A user name, or me"),
    queue_filter: s.queue.optional(),
  },
  output: {
    total: z.number(),
    by_state: z.record(z.string(), z.number()),
    queues: z.array(QueueCountsShape),
  },
  annotations: { readOnlyHint: true },
  async run(args, context) {
    const jobs = await context.client.listJobRows({
      user: args.user_filter,
      queue: args.queue_filter,
    });
    const queues = countPerQueue(jobs);
    const byState = countByState(jobs);
    const lines = [`${jobs.length} jobs: ${formatCounts(byState)}`];
    for (const q of queues) lines.push(`${q.queue}: ${q.total} (${formatCounts(q.by_state)})`);
    return {
      structured: { total: jobs.length, by_state: byState, queues },
      text: lines.join("\n"),
    };
  },
});

function countPerQueue(jobs: readonly JobRow[]): z.infer<typeof QueueCountsShape>[] {
  const byQueue = new Map<string, JobRow[]>();
  for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
  return [...byQueue].sort(([a], [b]) => a.localeCompare(b)).map(([queue, list]) => ({
    queue,
    total: list.length,
    by_state: countByState(list),
  }));
}

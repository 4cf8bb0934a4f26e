/** get_job_status: one job, in summary or full detail (views/jobs.ts decides what is shown). */
import { z } from "zod";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { JobStatusShape, jobStatusText, jobStatusView } from "../views/jobs.ts";

export const getJobStatus = defineTool({
  name: "get_job_status",
  title: "Status of one job",
  description:
    "Shows one job (runs qstat -fx ID; finished jobs are found in history automatically): " +
    "name, owner, state letter with its meaning, queue, account, requested and used " +
    "resources, times (created, eligible, started, finished; ISO 8601 UTC), node count and " +
    "first hosts, the scheduler's comment (why it waits), holds, dependencies, array " +
    "progress, output/error paths, and for finished jobs the exit status with its meaning. " +
    "detail: full adds exec_vnode, environment variables and every PBS attribute (capped). " +
    "Use it after submit_job, or to see why a job does not start (see comment).",
  input: {
    job_id: s.jobId,
    detail: z.enum(["summary", "full"], {
      error: 'detail must be "summary" (default) or "full".',
    }).default("summary").describe("summary (default) or full (adds bulky attributes)"),
  },
  output: JobStatusShape,
  annotations: { readOnlyHint: true },
  async run(args, context) {
    const view = jobStatusView(await context.client.job(args.job_id), args.detail);
    return { structured: view, text: jobStatusText(view) };
  },
});

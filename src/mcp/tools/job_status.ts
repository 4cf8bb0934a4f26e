/** get_job_status: one job, in summary or full detail (views/jobs.ts decides what is shown). */
import { z } from "zod";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { JobStatusShape, jobStatusText, jobStatusView } from "../views/jobs.ts";

export const getJobStatus = defineTool({
  name: "get_job_status",
  title: "Status of one job",
  description: "Shows one job, finished ones included (qstat -fx): state and its meaning, queue, " +
    "resources requested and used, times (UTC), hosts, the scheduler's comment (why it " +
    "waits), holds, dependencies, array progress, output paths and the exit status " +
    "explained. detail: full adds exec_vnode, variables and every attribute.",
  input: {
    job_id: s.jobId,
    detail: z.enum(["summary", "full"], {
      error: 'detail must be "summary" (default) or "full".',
    }).default("summary"),
  },
  output: JobStatusShape,
  annotations: { readOnlyHint: true },
  async run(args, context) {
    const view = jobStatusView(await context.client.job(args.job_id), args.detail);
    return { structured: view, text: jobStatusText(view) };
  },
});

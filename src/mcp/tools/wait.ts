/** wait_for_job: polls until a job runs or finishes, sending MCP progress notifications. */
import { z } from "zod";
import { describeJobState } from "../../pbs/model/states.ts";
import type { ProgressUpdate } from "../../service/pbs_client.ts";
import * as s from "../schemas.ts";
import { defineTool, type ToolExtra } from "../tool_kit.ts";
import { exitView } from "../views/jobs.ts";

export const waitForJob = defineTool({
  name: "wait_for_job",
  title: "Wait for a job",
  description: "Waits until a job runs or finishes, polling qstat (2 s growing to 15 s) " +
    "with progress notifications. Returns whether that was reached, the state and, for " +
    "finished jobs, the exit status explained. On timeout call it again; diagnose_job " +
    "says why a job waits.",
  input: {
    job_id: s.jobId,
    until: z.enum(["running", "finished"], {
      error: 'until must be "running" or "finished" (default).',
    }).default("finished").describe("The state to wait for"),
    timeout_seconds: s.boundedInt("timeout_seconds", 1, 600, 60).default(60).describe(
      "Give up after this long",
    ),
  },
  output: {
    job_id: z.string(),
    reached: z.boolean(),
    state: z.string(),
    state_name: z.string(),
    waited_seconds: z.number(),
    polls: z.number(),
    exit: z.object({ code: z.number(), category: z.string(), meaning: z.string() }).optional(),
    comment: z.string().optional(),
  },
  annotations: { readOnlyHint: true },
  async run(args, { extra, ...context }) {
    const result = await context.client.waitForJob(
      args.job_id,
      args.until,
      args.timeout_seconds,
      progressReporter(extra),
    );
    const stateName = describeJobState(result.state).name;
    const exitStatus = result.job?.exitStatus;
    const structured = {
      job_id: result.jobId,
      reached: result.reached,
      state: result.state,
      state_name: stateName,
      waited_seconds: result.waitedSeconds,
      polls: result.polls,
      ...(exitStatus !== undefined ? { exit: exitView(exitStatus) } : {}),
      ...(result.job?.comment ? { comment: result.job.comment } : {}),
    };
    const outcome = result.reached ? "reached" : `timed out before ${args.until}`;
    const exitText = structured.exit ? `; exit ${exitStatus}: ${structured.exit.meaning}` : "";
    return {
      structured,
      text: [
        `${result.jobId} ${outcome}: ${result.state} (${stateName}) after ${result.waitedSeconds} s, ${result.polls} polls${exitText}`,
        ...(structured.comment ? [`comment: ${structured.comment}`] : []),
      ].join("\n"),
    };
  },
});

/**
 * Turns wait updates into MCP progress notifications when the caller asked for
 * them. Progress counts polls: it must grow with every notification, which
 * rounded seconds would not.
 */
function progressReporter(
  extra: ToolExtra,
): ((update: ProgressUpdate) => Promise<void>) | undefined {
  const progressToken = extra.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return async (update) => {
    progress++;
    await extra.mcpReq.notify({
      method: "notifications/progress",
      params: {
        progressToken,
        progress,
        message: `${update.message} (${update.waitedSeconds} s so far)`,
      },
    });
  };
}

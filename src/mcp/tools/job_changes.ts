/**
 * The tools that change a job after submission: delete_job, hold_job,
 * release_job and modify_job. Each answers with the job's state afterwards.
 */
import { z } from "zod";
import type { PbsClient } from "../../service/pbs_client.ts";
import type { HoldType } from "../../service/requests.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { stringValues } from "./submit.ts";

export const deleteJob = defineTool({
  name: "delete_job",
  title: "Delete a job",
  description:
    "Deletes a job (qdel): a queued job is removed, a running one is killed. Only your " +
    "own jobs unless you are an operator or manager. Returns its state afterwards.",
  input: {
    job_id: s.jobId,
    force: z.boolean().default(false).describe("qdel -W force: host does not answer"),
    purge_history: z.boolean().default(false).describe("qdel -x: also from history"),
  },
  output: {
    job_id: z.string(),
    deleted: z.boolean(),
    state: z.string().optional(),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  async run(args, context) {
    await context.client.deleteJob(args.job_id, {
      force: args.force,
      purgeHistory: args.purge_history,
    });
    const { state } = await stateAfter(context.client, args.job_id);
    return {
      structured: { job_id: args.job_id, deleted: true, ...(state ? { state } : {}) },
      text: `Deleted ${args.job_id}${state ? ` (now ${state})` : ""}.`,
    };
  },
});

/** The job's state and holds after a change; best effort (a purged job is simply gone). */
async function stateAfter(
  client: PbsClient,
  id: string,
): Promise<{ state?: string; holds?: string }> {
  try {
    const job = await client.job(id);
    return { state: job.state, holds: job.holdTypes };
  } catch {
    return {};
  }
}

const HOLD_NAMES: Record<HoldType, string> = { u: "user", o: "operator", s: "system" };
const HOLD_ARTICLES: Record<HoldType, string> = { u: "a", o: "an", s: "a" };

const holdInput = { job_id: s.jobId, hold_type: s.holdType.default("u") };
const holdOutput = {
  job_id: z.string(),
  hold_type: z.string(),
  state: z.string().optional(),
  holds: z.string().optional(),
};

export const holdJob = defineTool({
  name: "hold_job",
  title: "Hold a job",
  description: "Holds a queued job (qhold) so it does not start until released. Users " +
    "may set user holds on their own jobs. Returns the state and holds afterwards.",
  input: holdInput,
  output: holdOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(args, context) {
    await context.client.holdJob(args.job_id, args.hold_type);
    const after = await stateAfter(context.client, args.job_id);
    return {
      structured: { job_id: args.job_id, hold_type: args.hold_type, ...after },
      text: `Placed ${HOLD_ARTICLES[args.hold_type]} ${
        HOLD_NAMES[args.hold_type]
      } hold on ${args.job_id}${after.state ? ` (now ${after.state})` : ""}.`,
    };
  },
});

export const releaseJob = defineTool({
  name: "release_job",
  title: "Release a held job",
  description:
    "Removes a hold of the given type (qrls; get_job_status lists holds). Dependency holds " +
    "end by themselves. Returns the state and remaining holds.",
  input: holdInput,
  output: holdOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(args, context) {
    await context.client.releaseJob(args.job_id, args.hold_type);
    const after = await stateAfter(context.client, args.job_id);
    return {
      structured: { job_id: args.job_id, hold_type: args.hold_type, ...after },
      text: `Released the ${HOLD_NAMES[args.hold_type]} hold on ${args.job_id}${
        after.state ? ` (now ${after.state})` : ""
      }.`,
    };
  },
});

export const modifyJob = defineTool({
  name: "modify_job",
  title: "Change a queued job",
  description:
    "Changes a job that has not started (qalter; qmove for queue). Parameters mean what " +
    "they mean in submit_job; depend replaces the list. Of a running job users may only " +
    "lower the walltime. Returns what was applied.",
  input: {
    job_id: s.jobId,
    walltime: s.walltime.optional().describe("HH:MM:SS"),
    job_name: s.jobName.optional(),
    queue: s.queue.optional().describe("Move it here (qmove)"),
    priority: s.priority.optional(),
    select: s.select.optional(),
    extra_resources: s.extraResources.optional(),
    depend: s.depend.optional(),
    start_after: s.startAfter.optional(),
  },
  output: {
    job_id: z.string(),
    applied: z.array(z.string()),
    state: z.string().optional(),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  async run(args, context) {
    const applied = await context.client.modifyJob(args.job_id, {
      walltime: args.walltime,
      jobName: args.job_name,
      queue: args.queue,
      priority: args.priority,
      select: args.select,
      extraResources: args.extra_resources && stringValues(args.extra_resources),
      depend: args.depend,
      startAfter: args.start_after,
    });
    const after = await stateAfter(context.client, args.job_id);
    return {
      structured: {
        job_id: args.job_id,
        applied,
        ...(after.state ? { state: after.state } : {}),
      },
      text: `Changed ${args.job_id}: ${applied.join("; ")}.`,
    };
  },
});

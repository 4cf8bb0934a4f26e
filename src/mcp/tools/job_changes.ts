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
    "Deletes a job with qdel: a queued job is removed, a running job is killed (its state " +
    "goes through E to F). force: true (qdel -W force) removes a job whose execution host " +
    "does not answer. purge_history: true (qdel -x) also removes a finished job from " +
    "history. You may delete only your own jobs unless you are an operator or manager. " +
    "Returns the job's state afterwards when PBS still knows it.",
  input: {
    job_id: s.jobId,
    force: z.boolean().default(false).describe("qdel -W force: for jobs on unreachable hosts"),
    purge_history: z.boolean().default(false).describe("qdel -x: also purge it from history"),
  },
  output: {
    job_id: z.string(),
    deleted: z.boolean(),
    state: z.string().optional().describe("State after the deletion, if still known"),
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

const holdInput = { job_id: s.jobId, hold_type: s.holdType.default("u") };
const holdOutput = {
  job_id: z.string(),
  hold_type: z.string(),
  state: z.string().optional().describe("The job's state afterwards"),
  holds: z.string().optional().describe("Hold_Types afterwards (n = none)"),
};

export const holdJob = defineTool({
  name: "hold_job",
  title: "Hold a job",
  description: "Puts a hold on a queued job with qhold so it will not start until released " +
    "(release_job). hold_type: u (user, default; you may hold your own jobs), o (operator) " +
    "or s (system, managers). Holding a running job only takes effect if it is rerun. " +
    "Returns the job's state and holds afterwards (a held job shows state H).",
  input: holdInput,
  output: holdOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async run(args, context) {
    await context.client.holdJob(args.job_id, args.hold_type);
    const after = await stateAfter(context.client, args.job_id);
    return {
      structured: { job_id: args.job_id, hold_type: args.hold_type, ...after },
      text: `Placed a ${HOLD_NAMES[args.hold_type]} hold on ${args.job_id}${
        after.state ? ` (now ${after.state})` : ""
      }.`,
    };
  },
});

export const releaseJob = defineTool({
  name: "release_job",
  title: "Release a held job",
  description:
    "Removes a hold from a job with qrls so it can be scheduled again. hold_type: u (user, " +
    "default), o (operator) or s (system); remove the type that was set (get_job_status " +
    "lists holds). A job held by a dependency is released by PBS itself when the dependency " +
    "is met. Returns the job's state and remaining holds.",
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
    "Changes a job that has not started, with qalter (and qmove when queue is given, which " +
    "moves the job; new limits are checked against the new queue). Give job_id and any of " +
    "walltime, job_name, queue, priority, select, extra_resources, depend (replaces the " +
    "dependency list), start_after. Most changes are refused for running jobs; users may " +
    "only lower the walltime of a running job. Returns what was applied.",
  input: {
    job_id: s.jobId,
    walltime: s.walltime.optional(),
    job_name: s.jobName.optional(),
    queue: s.queue.optional().describe("Move the job to this queue (qmove)"),
    priority: s.priority.optional(),
    select: s.select.optional(),
    extra_resources: s.extraResources.optional(),
    depend: s.depend.optional(),
    start_after: s.startAfter.optional(),
  },
  output: {
    job_id: z.string(),
    applied: z.array(z.string()).describe("Each change made, e.g. 'walltime → 02:00:00'"),
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

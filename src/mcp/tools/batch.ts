/**
 * Submitting several jobs in one call: independent ones (`submit_batch_jobs`)
 * and a graph of dependent ones (`submit_dependent_jobs`).
 *
 * A dependency graph is checked whole (cycles, unknown keys) before anything
 * is submitted, and by default a failure part-way deletes what was already
 * submitted: a half-submitted pipeline whose later stages will never exist is
 * worse than none.
 */
import { z } from "zod";
import { invalidInput, isPbsError, PbsError } from "../../pbs/errors.ts";
import {
  type DependencyGraph,
  dependValue,
  submissionOrder,
} from "../../service/dependency_graph.ts";
import type { PbsClient } from "../../service/pbs_client.ts";
import { closedObject } from "../parameters.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { type SubmitJobArgs, submitOne } from "./submit.ts";

const MAX_BATCH = 100;
const MAX_GRAPH = 50;
/** Error texts in per-job results are cut so a batch of failures stays within the size budget. */
const MAX_ERROR_TEXT = 300;

const ItemErrorShape = z.object({
  kind: z.string(),
  message: z.string(),
  hint: z.string().optional().describe("Given once per batch"),
});
type ItemError = z.infer<typeof ItemErrorShape>;

/** A thrown error as a per-item error; `seenHints` lets repeated hints be given once. */
function itemError(error: unknown, seenHints: Set<string>): ItemError {
  const pbs = isPbsError(error) ? error : new PbsError({
    kind: "pbs_error",
    message: error instanceof Error ? error.message : String(error),
    hint: "This is unexpected; retry, and report it if it persists.",
  });
  const message = cut(pbs.pbsMessage ? `${pbs.message} (PBS: ${pbs.pbsMessage})` : pbs.message);
  const repeated = seenHints.has(pbs.hint);
  seenHints.add(pbs.hint);
  return { kind: pbs.kind, message, ...(repeated ? {} : { hint: cut(pbs.hint) }) };
}

function cut(text: string): string {
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT - 1)}…`;
}

// ---------------------------------------------------------------------------
// submit_batch_jobs

const BatchItemShape = z.object({
  index: z.number(),
  ok: z.boolean(),
  job_id: z.string().optional(),
  queue: z.string().optional(),
  command: z.string().optional().describe("dry_run items"),
  error: ItemErrorShape.optional(),
});
type BatchItem = z.infer<typeof BatchItemShape>;

export const submitBatchJobs = defineTool({
  name: "submit_batch_jobs",
  title: "Submit several independent jobs",
  description: `Submits up to ${MAX_BATCH} independent jobs in order. Each item of jobs takes ` +
    "submit_job's parameters (same names and meaning). Returns one result per job: job_id " +
    "and queue, or the error. stop_on_error: true stops at the first failure (the rest are " +
    "skipped); submitted jobs are never deleted. For near-identical jobs prefer one array " +
    "job (submit_job array_range).",
  input: {
    jobs: z.array(closedObject(s.submitJobFields), {
      error: 'jobs must be a list of submit_job arguments, e.g. [{"script": "..."}].',
    }).min(1, "jobs is empty; give at least one job.")
      .max(
        MAX_BATCH,
        `jobs has more than ${MAX_BATCH} items; split the batch or use an array job.`,
      ),
    stop_on_error: z.boolean().default(false),
  },
  output: {
    submitted: z.number(),
    failed: z.number(),
    skipped: z.number(),
    results: z.array(BatchItemShape),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(args, context) {
    const results = await submitEach(context.client, args.jobs, args.stop_on_error);
    const submitted = results.filter((r) => r.ok && r.job_id).length;
    const failed = results.filter((r) => !r.ok).length;
    const skipped = args.jobs.length - results.length;
    return {
      structured: { submitted, failed, skipped, results },
      text: batchText(results, skipped),
    };
  },
});

async function submitEach(
  client: PbsClient,
  jobs: SubmitJobArgs[],
  stopOnError: boolean,
): Promise<BatchItem[]> {
  const results: BatchItem[] = [];
  const seenHints = new Set<string>();
  for (const [index, job] of jobs.entries()) {
    try {
      const answer = await submitOne(client, job);
      results.push({
        index,
        ok: true,
        ...(answer.job_id ? { job_id: answer.job_id } : { command: answer.command }),
        ...(answer.queue ? { queue: answer.queue } : {}),
      });
    } catch (error) {
      results.push({ index, ok: false, error: itemError(error, seenHints) });
      if (stopOnError) break;
    }
  }
  return results;
}

function batchText(results: BatchItem[], skipped: number): string {
  const lines = results.map((r) =>
    r.ok
      ? `#${r.index}: ${r.job_id ?? "dry run"}${r.queue ? ` (${r.queue})` : ""}`
      : `#${r.index}: failed, ${r.error?.kind}: ${r.error?.message}`
  );
  if (skipped) lines.push(`${skipped} skipped after the first failure.`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------
// submit_dependent_jobs

const jobKey = z.string().regex(
  /^[A-Za-z0-9_.-]{1,64}$/,
  "key must be 1-64 letters, digits, '_', '.' or '-', e.g. preprocess.",
);

const EdgeShape = closedObject({
  on: jobKey,
  type: z.enum(["afterok", "afternotok", "afterany"], {
    error: "type must be afterok (after success), afternotok (after failure) or afterany.",
  }),
});

const RollbackShape = z.object({
  key: z.string(),
  job_id: z.string(),
  deleted: z.boolean(),
  error: z.string().optional(),
});
type Rollback = z.infer<typeof RollbackShape>;

type KeyedJob = SubmitJobArgs & { key: string };

interface GraphOutcome {
  jobIds: Map<string, string>;
  failed?: { key: string; error: unknown };
}

export const submitDependentJobs = defineTool({
  name: "submit_dependent_jobs",
  title: "Submit a pipeline of dependent jobs",
  description:
    `Submits up to ${MAX_GRAPH} jobs that depend on each other (e.g. prep → sim → post) ` +
    "in dependency order. Each item of jobs is {key, ...submit_job's parameters} (no " +
    'dry_run). dependency_graph: {key: [{on: otherKey, type: "afterok"}]}. Cycles and ' +
    "unknown keys are refused before anything is submitted. When a submission fails, " +
    "rollback_on_error (default true) deletes the jobs already submitted; otherwise ok: " +
    "false lists what is left in PBS. Returns key → job id.",
  input: {
    jobs: z.array(closedObject({ key: jobKey, ...s.submitJobFields }), {
      error: 'jobs must be a list of {key, ...submit_job arguments}, e.g. [{"key": "a", ' +
        '"script": "..."}].',
    }).min(1, "jobs is empty; give at least one job.")
      .max(MAX_GRAPH, `jobs has more than ${MAX_GRAPH} items; split the pipeline.`),
    dependency_graph: z.record(jobKey, z.array(EdgeShape)).default({}),
    rollback_on_error: z.boolean().default(true),
  },
  output: {
    ok: z.boolean(),
    job_ids: z.record(z.string(), z.string()).describe("key → job id"),
    order: z.array(z.string()),
    failed: z.object({ key: z.string(), error: ItemErrorShape }).optional(),
    not_submitted: z.array(z.string()).optional(),
    rolled_back: z.array(RollbackShape).optional(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(args, context) {
    const jobs = args.jobs as KeyedJob[];
    const graph = args.dependency_graph as DependencyGraph;
    const order = submissionOrder(jobs.map((j) => j.key), graph);
    refuseDryRun(jobs);
    const outcome = await submitInOrder(context.client, jobs, graph, order);
    if (!outcome.failed) {
      const jobIds = Object.fromEntries(outcome.jobIds);
      return {
        structured: { ok: true, job_ids: jobIds, order },
        text: order.map((key) => `${key}: ${jobIds[key]}`).join("\n"),
      };
    }
    const rolledBack = args.rollback_on_error ? await rollBack(context.client, outcome.jobIds) : [];
    if (args.rollback_on_error && rolledBack.every((r) => r.deleted)) {
      throw failureError(outcome.failed, rolledBack);
    }
    return partialAnswer(outcome, order, rolledBack);
  },
});

function refuseDryRun(jobs: KeyedJob[]): void {
  const dry = jobs.find((j) => j.dry_run);
  if (dry) {
    throw invalidInput(
      `job ${JSON.stringify(dry.key)} asks for dry_run, which submit_dependent_jobs cannot do ` +
        "(later jobs need the ids of earlier ones)",
      "Remove dry_run, or check each job alone with submit_job dry_run: true first.",
    );
  }
}

/** Submits in order until one fails; stops there (its dependants could never be built). */
async function submitInOrder(
  client: PbsClient,
  jobs: KeyedJob[],
  graph: DependencyGraph,
  order: string[],
): Promise<GraphOutcome> {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const jobIds = new Map<string, string>();
  for (const key of order) {
    const { key: _key, ...job } = byKey.get(key)!;
    const fromGraph = dependValue(graph[key] ?? [], jobIds);
    const depend = [fromGraph, job.depend].filter((d) => d !== undefined).join(",") || undefined;
    try {
      const answer = await submitOne(client, { ...job, depend });
      jobIds.set(key, answer.job_id!);
    } catch (error) {
      return { jobIds, failed: { key, error } };
    }
  }
  return { jobIds };
}

/** Deletes what was submitted, newest first (dependants before what they wait for). */
async function rollBack(client: PbsClient, jobIds: Map<string, string>): Promise<Rollback[]> {
  const results: Rollback[] = [];
  for (const [key, jobId] of [...jobIds].reverse()) {
    try {
      await client.deleteJob(jobId);
      results.push({ key, job_id: jobId, deleted: true });
    } catch (error) {
      results.push({
        key,
        job_id: jobId,
        deleted: false,
        error: error instanceof Error ? cut(error.message) : String(error),
      });
    }
  }
  return results;
}

/** Everything was undone: the call failed cleanly, so it is an error naming the cause. */
function failureError(failed: { key: string; error: unknown }, rolledBack: Rollback[]): PbsError {
  const cause = isPbsError(failed.error) ? failed.error : undefined;
  const undone = rolledBack.length
    ? `; rolled back (deleted): ${rolledBack.map((r) => `${r.key}=${r.job_id}`).join(", ")}`
    : "; nothing had been submitted yet";
  const reason = cause?.message ??
    (failed.error instanceof Error ? failed.error.message : String(failed.error));
  return new PbsError({
    kind: cause?.kind ?? "pbs_error",
    message: `submitting job ${JSON.stringify(failed.key)} failed: ${reason}${undone}`,
    hint: `${cause?.hint ?? "Retry, and report it if it persists."} ` +
      "No job from this request is left queued; fix it and submit the whole pipeline again.",
    pbsMessage: cause?.pbsMessage,
    command: cause?.command,
    exitCode: cause?.exitCode,
  });
}

/** Some jobs remain in PBS: an answer (not an error) so their ids are not lost. */
function partialAnswer(outcome: GraphOutcome, order: string[], rolledBack: Rollback[]) {
  const failed = outcome.failed!;
  const jobIds = Object.fromEntries(outcome.jobIds);
  const notSubmitted = order.filter((key) => !outcome.jobIds.has(key));
  const error = itemError(failed.error, new Set());
  const kept = rolledBack.length
    ? rolledBack.filter((r) => !r.deleted).map((r) => `${r.key}=${r.job_id}`)
    : Object.entries(jobIds).map(([key, id]) => `${key}=${id}`);
  return {
    structured: {
      ok: false,
      job_ids: jobIds,
      order,
      failed: { key: failed.key, error },
      not_submitted: notSubmitted,
      ...(rolledBack.length ? { rolled_back: rolledBack } : {}),
    },
    text: [
      `Job ${failed.key} failed (${error.kind}): ${error.message}`,
      `Still in PBS: ${kept.join(", ") || "none"}. Not submitted: ${notSubmitted.join(", ")}.`,
    ].join("\n"),
  };
}

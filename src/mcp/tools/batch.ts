/**
 * Submitting several jobs in one call: independent ones (`submit_batch_jobs`)
 * and a graph of dependent ones (`submit_dependent_jobs`). The orchestration
 * (order, checks before any qsub, rollback) is the service's
 * (src/service/batch.ts); these adapters map arguments and shape answers.
 */
import { z } from "zod";
import { invalidInput, isPbsError, PbsError } from "../../pbs/errors.ts";
import {
  type BatchEntry,
  type BatchOutcome,
  type GraphEntry,
  graphFailureError,
  type GraphOutcome,
  leftNothing,
  submitBatch,
  submitGraph,
} from "../../service/batch.ts";
import type { DependencyGraph } from "../../service/dependency_graph.ts";
import { shellCommand } from "../../service/shell_quote.ts";
import * as s from "../schemas.ts";
import { defineTool, type ToolRunContext } from "../tool_kit.ts";
import { type SubmitJobArgs, toSubmitRequest } from "./submit.ts";

const MAX_BATCH = 100;
const MAX_GRAPH = 50;
/** Error texts in per-job results are cut so a batch of failures stays within the size budget. */
const MAX_ERROR_TEXT = 300;

const ItemErrorShape = z.object({
  kind: z.string(),
  message: z.string(),
  hint: z.string().optional().describe("Omitted when an earlier item already gave the same hint"),
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
  index: z.number().describe("Position in jobs, from 0"),
  ok: z.boolean(),
  job_id: z.string().optional(),
  queue: z.string().optional().describe("The queue the job landed in (dry_run: would go to)"),
  state: z.string().optional().describe("The job's state letter right after submission"),
  command: z.string().optional().describe("The qsub command (dry_run items)"),
  error: ItemErrorShape.optional(),
});
type BatchItem = z.infer<typeof BatchItemShape>;

export const submitBatchJobs = defineTool({
  name: "submit_batch_jobs",
  title: "Submit several independent jobs",
  description:
    `Submits up to ${MAX_BATCH} independent jobs, one qsub each, in order. Each item of jobs ` +
    "takes exactly the arguments of submit_job (script or script_path, queue, walltime, " +
    "select, ...; dry_run per item). Returns one result per job: ok with job_id, queue and state, " +
    "or the error (kind, message, hint; a hint repeated by later items is given once). " +
    "stop_on_error: true stops at the first failure (the rest are counted as skipped); " +
    "the default submits every job it can. Jobs already submitted are never deleted here. " +
    "For many near-identical jobs prefer one array job (submit_job array_range); for jobs " +
    "that must run in order use submit_dependent_jobs.",
  input: {
    jobs: z.array(z.object(s.submitJobInput), {
      error: 'jobs must be a list of submit_job arguments, e.g. [{"script": "..."}].',
    }).min(1, "jobs is empty; give at least one job.")
      .max(
        MAX_BATCH,
        `jobs has more than ${MAX_BATCH} items; split the batch or use an array job.`,
      ),
    stop_on_error: z.boolean().default(false).describe("Stop at the first failure"),
  },
  output: {
    submitted: z.number(),
    failed: z.number(),
    skipped: z.number().describe("Not attempted because stop_on_error stopped the batch"),
    results: z.array(BatchItemShape),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(args, context) {
    const results = await submitEach(context, args.jobs, args.stop_on_error);
    const submitted = results.filter((r) => r.ok && r.job_id).length;
    const failed = results.filter((r) => !r.ok).length;
    const skipped = args.jobs.length - results.length;
    return {
      structured: { submitted, failed, skipped, results },
      text: batchText(results, skipped),
    };
  },
});

/** Submits each job (arguments mapped here, orchestration in the service) and shapes the rows. */
async function submitEach(
  context: ToolRunContext,
  jobs: SubmitJobArgs[],
  stopOnError: boolean,
): Promise<BatchItem[]> {
  const entries: BatchEntry[] = jobs.map((job) => {
    try {
      return { request: toSubmitRequest(job), dryRun: job.dry_run };
    } catch (refused) {
      return { request: {}, refused };
    }
  });
  const seenHints = new Set<string>();
  const outcomes = await submitBatch(context.client, entries, stopOnError);
  return outcomes.map((outcome) => itemView(outcome, seenHints));
}

function itemView(outcome: BatchOutcome, seenHints: Set<string>): BatchItem {
  if (!outcome.ok) {
    return { index: outcome.index, ok: false, error: itemError(outcome.error, seenHints) };
  }
  const { result, plan } = outcome;
  if (result) {
    return {
      index: outcome.index,
      ok: true,
      job_id: result.jobId,
      ...(result.queue ? { queue: result.queue } : {}),
      ...(result.state ? { state: result.state } : {}),
    };
  }
  const queue = plan?.routesTo ?? plan?.target;
  return {
    index: outcome.index,
    ok: true,
    command: shellCommand(plan!.argv),
    ...(queue ? { queue } : {}),
  };
}

function batchText(results: BatchItem[], skipped: number): string {
  const lines = results.map((r) =>
    r.ok
      ? `#${r.index}: ${r.job_id ?? "dry run"}${r.queue ? ` queue ${r.queue}` : ""}${
        r.state ? ` state ${r.state}` : ""
      }`
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
).describe("Your name for this job, used in dependency_graph");

const EdgeShape = z.object({
  on: jobKey.describe("Key of the job this one waits for"),
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

const LandedShape = z.object({
  key: z.string(),
  job_id: z.string(),
  queue: z.string().optional().describe("The queue the job landed in"),
  state: z.string().optional().describe("Its state letter right after submission"),
});
type Landed = z.infer<typeof LandedShape>;

export const submitDependentJobs = defineTool({
  name: "submit_dependent_jobs",
  title: "Submit a pipeline of dependent jobs",
  description:
    `Submits up to ${MAX_GRAPH} jobs that depend on each other, e.g. preprocess → simulate ` +
    "→ postprocess. jobs: [{key, ...submit_job arguments}] (dry_run not supported here); " +
    'dependency_graph: {key: [{on: otherKey, type: "afterok" | "afternotok" | "afterany"}]}. ' +
    "Jobs are submitted in dependency order with -W depend= built from the new ids (merged " +
    "with any depend a job gives itself). Cycles, unknown keys, bad values and jobs no " +
    "destination of their routing queue accepts (PBS would drop them once their dependency " +
    "is met) are rejected before anything is submitted. If a submission fails and rollback_on_error is true (default), " +
    "the jobs already submitted are deleted and the call fails with the error, naming what " +
    "was rolled back; with rollback_on_error false (or if a deletion fails), the answer has " +
    "ok: false and lists the job ids left in PBS. Returns key → job id, and each job's queue and state.",
  input: {
    jobs: z.array(z.object({ key: jobKey, ...s.submitJobInput }), {
      error: 'jobs must be a list of {key, ...submit_job arguments}, e.g. [{"key": "a", ' +
        '"script": "..."}].',
    }).min(1, "jobs is empty; give at least one job.")
      .max(MAX_GRAPH, `jobs has more than ${MAX_GRAPH} items; split the pipeline.`),
    dependency_graph: z.record(jobKey, z.array(EdgeShape)).default({}).describe(
      'Edges per job key, e.g. {"post": [{"on": "sim", "type": "afterok"}]}',
    ),
    rollback_on_error: z.boolean().default(true).describe(
      "Delete already-submitted jobs when a later submission fails (default true)",
    ),
  },
  output: {
    ok: z.boolean(),
    job_ids: z.record(z.string(), z.string()).describe("key → job id of what was submitted"),
    order: z.array(z.string()).describe("Keys in submission order"),
    jobs: z.array(LandedShape).describe("Each submitted job with the queue and state it has"),
    failed: z.object({ key: z.string(), error: ItemErrorShape }).optional(),
    not_submitted: z.array(z.string()).optional(),
    rolled_back: z.array(RollbackShape).optional(),
    rollback_declined: z.boolean().optional().describe(
      "The user declined deleting the submitted jobs",
    ),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(args, context) {
    const jobs = args.jobs as KeyedJob[];
    refuseDryRun(jobs);
    const graph = args.dependency_graph as DependencyGraph;
    const outcome = await submitGraphArgs(context, jobs, graph, args.rollback_on_error);
    if (!outcome.failed) {
      const landed = landedView(outcome);
      return {
        structured: {
          ok: true,
          job_ids: Object.fromEntries(landed.map((j) => [j.key, j.job_id])),
          order: outcome.order,
          jobs: landed,
        },
        text: landed.map(landedText).join("\n"),
      };
    }
    if (args.rollback_on_error && leftNothing(outcome)) throw graphFailureError(outcome);
    return partialAnswer(outcome);
  },
});

/** Maps each job's arguments (a refused one fails the graph before anything is submitted). */
function submitGraphArgs(
  context: ToolRunContext,
  jobs: KeyedJob[],
  graph: DependencyGraph,
  rollbackOnError: boolean,
): Promise<GraphOutcome> {
  const entries: GraphEntry[] = jobs.map(({ key, ...job }) => {
    try {
      return { key, request: toSubmitRequest(job) };
    } catch (refused) {
      return { key, request: {}, refused };
    }
  });
  return submitGraph(context.client, entries, graph, rollbackOnError, context.confirm);
}

function landedView(outcome: GraphOutcome): Landed[] {
  return outcome.order.filter((key) => outcome.submitted.has(key)).map((key) => {
    const r = outcome.submitted.get(key)!;
    return {
      key,
      job_id: r.jobId,
      ...(r.queue ? { queue: r.queue } : {}),
      ...(r.state ? { state: r.state } : {}),
    };
  });
}

function landedText(j: Landed): string {
  return `${j.key}: ${j.job_id}${j.queue ? ` queue ${j.queue}` : ""}${
    j.state ? ` state ${j.state}` : ""
  }`;
}

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

/** Some jobs remain in PBS: an answer (not an error) so their ids are not lost. */
function partialAnswer(outcome: GraphOutcome) {
  const failed = outcome.failed!;
  const landed = landedView(outcome);
  const notSubmitted = outcome.order.filter((key) =>
    key === failed.key || (!outcome.submitted.has(key) &&
      !outcome.rolledBack.some((r) => r.key === key))
  );
  const error = itemError(failed.error, new Set());
  const rolledBack: Rollback[] = outcome.rolledBack.map((r) => ({
    key: r.key,
    job_id: r.jobId,
    deleted: r.deleted,
    ...(r.error ? { error: cut(r.error) } : {}),
  }));
  return {
    structured: {
      ok: false,
      job_ids: Object.fromEntries(landed.map((j) => [j.key, j.job_id])),
      order: outcome.order,
      jobs: landed,
      failed: { key: failed.key, error },
      not_submitted: notSubmitted,
      ...(rolledBack.length ? { rolled_back: rolledBack } : {}),
      ...(outcome.rollbackDeclined ? { rollback_declined: true } : {}),
    },
    text: [
      `Job ${failed.key} failed (${error.kind}): ${error.message}`,
      `Still in PBS: ${landed.map(landedText).join(", ") || "none"}. Not submitted: ${
        notSubmitted.join(", ")
      }.`,
      ...(outcome.rollbackDeclined
        ? ["The user declined deleting them (no rollback); delete_job removes any you do not want."]
        : []),
    ].join("\n"),
  };
}

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
import { closedObject } from "../parameters.ts";
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
  state: z.string().optional(),
  command: z.string().optional().describe("dry_run items"),
  error: ItemErrorShape.optional(),
});
type BatchItem = z.infer<typeof BatchItemShape>;

export const submitBatchJobs = defineTool({
  name: "submit_batch_jobs",
  title: "Submit several independent jobs",
  description: `Submits up to ${MAX_BATCH} independent jobs in order. Each item of jobs takes ` +
    "submit_job's parameters (same names and meaning). Returns one result per job: job_id, " +
    "queue and state, or the error. stop_on_error: true stops at the first failure (the rest " +
    "are skipped); submitted jobs are never deleted. For near-identical jobs prefer one array " +
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
    `Submits up to ${MAX_GRAPH} jobs that depend on each other (e.g. prep → sim → post) ` +
    "in dependency order. Each item of jobs is {key, ...submit_job's parameters} (no " +
    'dry_run). dependency_graph: {key: [{on: otherKey, type: "afterok"}]}. Cycles, unknown ' +
    "keys and jobs no routing destination accepts are refused before anything is submitted. " +
    "When a submission fails, rollback_on_error (default true) deletes the jobs already " +
    "submitted; otherwise ok: false lists what is left in PBS. Returns key → job id, queue " +
    "and state.",
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
    jobs: z.array(LandedShape),
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

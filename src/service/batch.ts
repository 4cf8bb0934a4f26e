/**
 * Submitting several jobs: independent ones (a batch) and a graph of
 * dependent ones (a pipeline), on top of PbsClient's single submission.
 *
 * A dependency graph is checked whole before anything is submitted: cycles
 * and unknown keys, every request's values, and — since a dependent job waits
 * in a routing queue and is discarded there later, long after any check made
 * after qsub — that each job fits a destination of its routing queue. By
 * default a failure part-way deletes what was already submitted: a
 * half-submitted pipeline whose later stages will never exist is worse than
 * none.
 */
import { isPbsError, PbsError } from "../pbs/errors.ts";
import { type DependencyGraph, dependValue, edgesOf, submissionOrder } from "./dependency_graph.ts";
import { noDestinationError } from "./fit_errors.ts";
import { isUnroutable } from "./queue_fit.ts";
import type { PbsClient } from "./pbs_client.ts";
import type { SubmitJobRequest } from "./requests.ts";
import type { SubmissionPlan, SubmitResult } from "./results.ts";

export interface BatchEntry {
  request: SubmitJobRequest;
  /** Plan only (the exact qsub command), submit nothing. */
  dryRun?: boolean;
  /** Already refused by the caller's own argument checks: fails in its place. */
  refused?: unknown;
}

export type BatchOutcome =
  | { index: number; ok: true; result?: SubmitResult; plan?: SubmissionPlan }
  | { index: number; ok: false; error: unknown };

/** Submits (or plans) each entry in order; with `stopOnError`, stops at the first failure. */
export async function submitBatch(
  client: PbsClient,
  entries: readonly BatchEntry[],
  stopOnError: boolean,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const [index, entry] of entries.entries()) {
    try {
      if (entry.refused !== undefined) throw entry.refused;
      if (entry.dryRun) {
        outcomes.push({ index, ok: true, plan: await client.planSubmission(entry.request) });
      } else {
        outcomes.push({ index, ok: true, result: await client.submitJob(entry.request) });
      }
    } catch (error) {
      outcomes.push({ index, ok: false, error });
      if (stopOnError) break;
    }
  }
  return outcomes;
}

export interface GraphEntry {
  key: string;
  request: SubmitJobRequest;
  /** Already refused by the caller's own argument checks: the graph fails before any qsub. */
  refused?: unknown;
}

export interface Rollback {
  key: string;
  jobId: string;
  deleted: boolean;
  error?: string;
}

export interface GraphOutcome {
  /** Keys in submission order. */
  order: string[];
  /** key → what PBS answered, for every job submitted (and not rolled back). */
  submitted: Map<string, SubmitResult>;
  failed?: { key: string; error: unknown };
  /** The jobs deleted (or that could not be) after a failure, newest first. */
  rolledBack: Rollback[];
  /** The user was asked before deleting several submitted jobs and said no: they remain. */
  rollbackDeclined?: boolean;
}

/** Asks before a rollback deletes several jobs; true: go ahead. */
export type ConfirmRollback = (question: string) => Promise<boolean>;

/**
 * Checks the whole graph, then submits in dependency order with `-W depend=`
 * built from the new ids (merged with any depend a job gives itself), stopping
 * at the first failure; with `rollbackOnError`, deletes what was submitted.
 */
export async function submitGraph(
  client: PbsClient,
  entries: readonly GraphEntry[],
  graph: DependencyGraph,
  rollbackOnError: boolean,
  confirmRollback: ConfirmRollback = () => Promise.resolve(true),
): Promise<GraphOutcome> {
  const order = submissionOrder(entries.map((e) => e.key), graph);
  const byKey = new Map(entries.map((e) => [e.key, e.request]));
  const submitted = new Map<string, SubmitResult>();
  const failedCheck = await checkAll(client, order, entries);
  if (failedCheck) return { order, submitted, failed: failedCheck, rolledBack: [] };

  for (const key of order) {
    const request = byKey.get(key)!;
    const ids = new Map([...submitted].map(([k, r]) => [k, r.jobId]));
    const fromGraph = dependValue(edgesOf(graph, key), ids);
    const depend = [fromGraph, request.depend].filter((d) => d !== undefined).join(",") ||
      undefined;
    try {
      submitted.set(key, await client.submitJob({ ...request, depend }));
    } catch (error) {
      // Deleting one job this call just made is the rollback's whole point;
      // deleting several is destructive enough to ask first.
      const ids = [...submitted.values()].map((r) => r.jobId);
      const declined = rollbackOnError && ids.length > 1 &&
        !await confirmRollback(
          `Job ${key} could not be submitted; delete the ${ids.length} jobs of this pipeline ` +
            `already submitted (${ids.join(", ")})?`,
        );
      const rolledBack = rollbackOnError && !declined ? await rollBack(client, submitted) : [];
      for (const r of rolledBack) if (r.deleted) submitted.delete(r.key);
      return {
        order,
        submitted,
        failed: { key, error },
        rolledBack,
        ...(declined ? { rollbackDeclined: true } : {}),
      };
    }
  }
  return { order, submitted, rolledBack: [] };
}

/** Plans every job before any is submitted; the first that cannot be submitted, if any. */
async function checkAll(
  client: PbsClient,
  order: string[],
  entries: readonly GraphEntry[],
): Promise<{ key: string; error: unknown } | undefined> {
  const refused = entries.find((e) => e.refused !== undefined);
  if (refused) return { key: refused.key, error: refused.refused };
  const byKey = new Map(entries.map((e) => [e.key, e.request]));
  for (const key of order) {
    try {
      const plan = await client.planSubmission(byKey.get(key)!);
      if (plan.fit && isUnroutable(plan.fit)) {
        const fitting = await client.queuesFitting(plan.requested);
        return { key, error: noDestinationError(plan.fit, fitting) };
      }
    } catch (error) {
      return { key, error };
    }
  }
  return undefined;
}

/** Deletes what was submitted, newest first (dependants before what they wait for). */
async function rollBack(
  client: PbsClient,
  submitted: Map<string, SubmitResult>,
): Promise<Rollback[]> {
  const results: Rollback[] = [];
  for (const [key, { jobId }] of [...submitted].reverse()) {
    try {
      await client.deleteJob(jobId);
      results.push({ key, jobId, deleted: true });
    } catch (error) {
      results.push({
        key,
        jobId,
        deleted: false,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}

/** A graph failure after which nothing is left in PBS: one error naming cause and rollback. */
export function graphFailureError(outcome: GraphOutcome): PbsError {
  const failed = outcome.failed!;
  const cause = isPbsError(failed.error) ? failed.error : undefined;
  const undone = outcome.rolledBack.length
    ? `; rolled back (deleted): ${outcome.rolledBack.map((r) => `${r.key}=${r.jobId}`).join(", ")}`
    : "; nothing had been submitted yet";
  const reason = (cause?.message ??
    (failed.error instanceof Error ? failed.error.message : String(failed.error)))
    .replace(/\.$/, "");
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

/** True when a failed graph left nothing behind in PBS. */
export function leftNothing(outcome: GraphOutcome): boolean {
  return outcome.failed !== undefined && outcome.submitted.size === 0 &&
    outcome.rolledBack.every((r) => r.deleted);
}

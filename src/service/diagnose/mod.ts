/**
 * Why a job is not running, or why it failed.
 *
 * Pure functions over what PBS reports (the job, its queue, the server,
 * reservations, the jobs it depends on, the tail of its output), so every
 * rule is unit-testable without PBS or MCP. The `diagnose_job` tool gathers
 * the inputs and renders the result.
 *
 * Facts used (from OpenPBS and the goldens, in our own words):
 * - The scheduler explains a queued job in its `comment`: `Not Running: REASON`
 *   when it may run later, `Can Never Run: REASON` when it cannot run as
 *   requested on this complex (REASON from the scheduler's fail-code table,
 *   e.g. `Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)` =
 *   requested, available, total).
 * - A dependency wait is job state H with `Hold_Types` `s` and substate 22.
 * - Exit_status -29 is a walltime kill; MoM writes
 *   `=>> PBS: job killed: walltime 308 exceeded limit 300` to the job's stderr.
 * - A reservation's queue is not started until the reservation begins.
 *
 * This module is the public entry: the diagnosis itself, and re-exports of the
 * rules and types the adapter and tests use. The rules live one concept per
 * module beside it (types, scheduler comments, dependencies, output
 * signatures, resource usage, and the pending, running and finished verdicts).
 */
import { describeJobState, isFinished, isPending } from "../../pbs/model/states.ts";
import { dependencyCondition } from "./dependencies.ts";
import { diagnoseFinished } from "./finished.ts";
import { findSignatures } from "./output_signatures.ts";
import { diagnosePending } from "./pending.ts";
import { compareResources } from "./resource_usage.ts";
import { diagnoseRunning } from "./running.ts";
import { readSchedulerComment } from "./scheduler_comments.ts";
import { jobTimeline, timelineFindings } from "./timeline.ts";
import type { Diagnosis, DiagnosisInput } from "./types.ts";

export type {
  ClusterCapacity,
  DependencyStatus,
  DependencyTarget,
  Diagnosis,
  DiagnosisCategory,
  DiagnosisInput,
  Finding,
  OutputSignature,
  OutputTail,
  ResourceUsage,
  SchedulerReason,
  Severity,
  SignatureKind,
} from "./types.ts";
export { parseRequestedAvailableTotal, readSchedulerComment } from "./scheduler_comments.ts";
export { dependencyCondition, parseDependencies } from "./dependencies.ts";
export { findSignatures } from "./output_signatures.ts";
export { compareResources } from "./resource_usage.ts";
export { jobTimeline, timelineFindings } from "./timeline.ts";
export type { JobTimeline, TimelineEvent, TimelineKind } from "./timeline.ts";

/** Diagnoses one job: pending, running or finished. */
export function diagnoseJob(input: DiagnosisInput): Diagnosis {
  const { job } = input;
  const state = describeJobState(job.state);
  const base: Diagnosis = {
    jobId: job.id,
    state: job.state,
    stateName: state.name,
    phase: isFinished(job.state) ? "finished" : isPending(job.state) ? "pending" : "running",
    category: "running",
    summary: "",
    findings: [],
    nextSteps: [],
    schedulerComment: job.comment,
    estimatedStart: job.times.estimatedStart,
    resources: compareResources(job),
    signatures: findSignatures(input.outputs ?? []),
    dependencies: (input.dependencies ?? []).map((d) => ({
      ...d,
      condition: dependencyCondition(d),
    })),
  };
  if (job.comment) base.scheduler = readSchedulerComment(job.comment);
  for (const problem of input.outputProblems ?? []) {
    base.findings.push({ topic: "output", severity: "info", message: problem });
  }
  const verdict = base.phase === "pending"
    ? diagnosePending(input, base)
    : base.phase === "running"
    ? diagnoseRunning(input, base)
    : diagnoseFinished(input, base);
  return withTimeline(input, verdict);
}

/** The log timeline and what it explains (deletions, requeues, signals), after the verdict. */
function withTimeline(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  if (input.trace !== undefined) {
    d.timeline = jobTimeline(input.trace, input.job);
    d.findings.push(...timelineFindings(input.trace, input.job));
  } else if (input.traceProblem !== undefined) {
    d.timeline = { events: [], omitted: 0, note: input.traceProblem };
  }
  return d;
}

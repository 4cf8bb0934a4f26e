/**
 * diagnose_job: why a job waits, or why it failed, with next steps.
 *
 * This adapter only gathers evidence (the job, its queue, the server,
 * reservations, the jobs it depends on, the tail of its output) and renders
 * the verdict; the rules live in service/diagnose/. Every piece of evidence
 * but the job itself is optional: a diagnosis with less context beats an error.
 */
import { z } from "zod";
import { isPbsError } from "../../pbs/errors.ts";
import { isPending } from "../../pbs/model/states.ts";
import { parseSize } from "../../pbs/model/time.ts";
import type { Job, Node } from "../../pbs/model/types.ts";
import {
  type ClusterCapacity,
  type DependencyTarget,
  diagnoseJob,
  type Diagnosis,
  type OutputTail,
  parseDependencies,
} from "../../service/diagnose/mod.ts";
import type { PbsClient } from "../../service/pbs_client.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { isoTime } from "../views/jobs.ts";
import { defined } from "../views/values.ts";

/** Dependencies looked up one by one (one qstat each); more are listed unresolved. */
const MAX_DEPENDENCIES = 10;
/** Output read per stream: error signatures sit at the end. */
const TAIL_LINES = 80;
const TAIL_BYTES = 32 * 1024;

const FindingShape = z.object({
  topic: z.string(),
  severity: z.enum(["blocking", "warning", "info"]),
  message: z.string(),
});

export const DiagnoseOutput = {
  job_id: z.string(),
  state: z.string(),
  state_name: z.string(),
  phase: z.enum(["pending", "running", "finished"]),
  category: z.string(),
  summary: z.string(),
  findings: z.array(FindingShape),
  next_steps: z.array(z.string()),
  scheduler_comment: z.string().optional(),
  scheduler_reason: z.object({
    verdict: z.enum(["not_running", "can_never_run"]),
    reason: z.string(),
    resource: z.object({
      name: z.string(),
      scope: z.string(),
      requested: z.string().optional(),
      available: z.string().optional(),
      total: z.string().optional(),
    }).optional(),
  }).optional(),
  estimated_start: z.string().optional(),
  exit: z.object({
    code: z.number(),
    category: z.string(),
    meaning: z.string(),
    signal: z.string().optional(),
  }).optional(),
  resources: z.array(z.object({
    resource: z.string(),
    requested: z.string(),
    used: z.string(),
    percent: z.number().optional(),
  })),
  output_signatures: z.array(z.object({
    kind: z.string(),
    stream: z.string(),
    line: z.string(),
  })),
  dependencies: z.array(z.object({
    type: z.string(),
    job_id: z.string(),
    state: z.string().optional(),
    exit_status: z.number().optional(),
    condition: z.enum(["met", "waiting", "impossible", "unknown"]),
  })),
  output_read: z.array(z.string()),
};
type DiagnoseAnswer = z.infer<z.ZodObject<typeof DiagnoseOutput>>;

export const diagnoseJobTool = defineTool({
  name: "diagnose_job",
  title: "Diagnose a job",
  description:
    "Explains why a job waits or failed, and what to do next. Waiting: the scheduler's " +
    "comment, holds, dependencies, queue and server state, reservations, estimated start. " +
    "Finished: the exit status explained, resources used against requested, and error " +
    "signatures in the end of its output (out of memory, walltime, segfault, missing file, " +
    "module, Python, MPI). Running: walltime nearly used up.",
  input: { job_id: s.jobId },
  output: DiagnoseOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const diagnosis = await diagnose(client, args.job_id);
    return {
      structured: diagnosisView(diagnosis.result, diagnosis.read),
      text: diagnosisText(diagnosis.result),
    };
  },
});

/** Gathers the evidence for one job and diagnoses it. Shared with the diagnose prompt. */
export async function diagnose(
  client: PbsClient,
  jobId: string,
): Promise<{ result: Diagnosis; read: string[] }> {
  const job = await client.job(jobId);
  const pending = isPending(job.state);
  const [queues, server, reservations, identity, dependencies, capacity, outputs] = await Promise
    .all([
      optional(client.queues()),
      optional(client.server()),
      optional(client.reservations()),
      optional(client.identity()),
      dependencyTargets(client, job),
      pending ? optional(client.nodes()).then((n) => n && capacityOf(n)) : undefined,
      pending ? { tails: [], problems: [] } : readOutputs(client, job),
    ]);
  const result = diagnoseJob({
    job,
    queues,
    server,
    reservations,
    dependencies,
    outputs: outputs.tails,
    outputProblems: outputs.problems,
    capacity,
    callerRole: identity?.role,
    caller: client.user,
    readOnly: client.config.readOnly,
    now: client.now() / 1000,
  });
  return { result, read: outputs.tails.map((t) => t.stream) };
}

/** Evidence that is nice to have: a failure to get it must not fail the diagnosis. */
async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}

async function dependencyTargets(client: PbsClient, job: Job): Promise<DependencyTarget[]> {
  if (!job.depend) return [];
  const wanted = parseDependencies(job.depend).slice(0, MAX_DEPENDENCIES);
  return await Promise.all(wanted.map(async ({ type, jobId }) => {
    try {
      const target = await client.job(jobId);
      return defined({
        type,
        jobId: target.id,
        state: target.state,
        exitStatus: target.exitStatus,
      });
    } catch (error) {
      if (isPbsError(error) && error.kind === "unknown_job") return { type, jobId };
      throw error;
    }
  }));
}

/** The largest node decides whether a chunk can ever fit. */
export function capacityOf(nodes: readonly Node[]): ClusterCapacity {
  const capacity: ClusterCapacity = {
    maxNodeNcpus: 0,
    maxNodeNgpus: 0,
    maxNodeMemBytes: 0,
    totalNcpus: 0,
    usableNodes: 0,
  };
  for (const node of nodes) {
    const ncpus = Number(node.resourcesAvailable.ncpus ?? 0) || 0;
    const ngpus = Number(node.resourcesAvailable.ngpus ?? 0) || 0;
    const mem = parseSize(String(node.resourcesAvailable.mem ?? "0")) ?? 0;
    capacity.maxNodeNcpus = Math.max(capacity.maxNodeNcpus, ncpus);
    capacity.maxNodeNgpus = Math.max(capacity.maxNodeNgpus, ngpus);
    capacity.maxNodeMemBytes = Math.max(capacity.maxNodeMemBytes, mem);
    capacity.totalNcpus += ncpus;
    if (!node.states.some((s) => /down|offline|unknown|stale/i.test(s))) capacity.usableNodes++;
  }
  return capacity;
}

/** The tails of stderr and stdout (one stream when joined); unreadable ones are noted, not fatal. */
async function readOutputs(
  client: PbsClient,
  job: Job,
): Promise<{ tails: OutputTail[]; problems: string[] }> {
  const tails: OutputTail[] = [];
  const problems: string[] = [];
  if (job.array && !job.arrayParent) {
    problems.push("An array parent has no output of its own; diagnose a subjob (e.g. 12[1]).");
    return { tails, problems };
  }
  const streams: ("stderr" | "stdout")[] = job.joinPath === "oe"
    ? ["stdout"]
    : ["stderr", "stdout"];
  for (const stream of streams) {
    try {
      const output = await client.jobOutput(job.id, stream, TAIL_LINES, TAIL_BYTES);
      tails.push({ stream, text: output.text });
    } catch (error) {
      const why = isPbsError(error) ? error.message : String(error);
      problems.push(
        `Could not read the job's ${stream} (${why}); the diagnosis uses PBS's records only.`,
      );
    }
  }
  return { tails, problems };
}

export function diagnosisView(d: Diagnosis, read: string[]): DiagnoseAnswer {
  return defined({
    job_id: d.jobId,
    state: d.state,
    state_name: d.stateName,
    phase: d.phase,
    category: d.category,
    summary: d.summary,
    findings: d.findings,
    next_steps: d.nextSteps,
    scheduler_comment: d.schedulerComment,
    scheduler_reason: d.scheduler
      ? defined({
        verdict: d.scheduler.verdict,
        reason: d.scheduler.reason,
        resource: d.scheduler.resource,
      })
      : undefined,
    estimated_start: isoTime(d.estimatedStart),
    exit: d.exit
      ? defined({
        code: d.exit.code,
        category: d.exit.category,
        meaning: d.exit.meaning,
        signal: d.exit.signal?.name,
      })
      : undefined,
    resources: d.resources,
    output_signatures: d.signatures,
    dependencies: d.dependencies.map((dep) =>
      defined({
        type: dep.type,
        job_id: dep.jobId,
        state: dep.state,
        exit_status: dep.exitStatus,
        condition: dep.condition,
      })
    ),
    output_read: read,
  });
}

export function diagnosisText(d: Diagnosis): string {
  const lines = [`${d.jobId} (${d.state} ${d.stateName}): ${d.category}`, d.summary];
  const others = d.findings.filter((f) => f.severity !== "info" && !d.summary.includes(f.message));
  for (const finding of others.slice(0, 6)) lines.push(`- ${finding.message}`);
  if (d.nextSteps.length) {
    lines.push("Next steps:");
    for (const step of d.nextSteps) lines.push(`- ${step}`);
  }
  return lines.join("\n");
}

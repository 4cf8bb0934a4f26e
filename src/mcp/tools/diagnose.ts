/**
 * diagnose_job: why a job waits, or why it failed, with next steps.
 *
 * This adapter only renders the verdict: service/diagnose/gather.ts gathers
 * the evidence (the job, its queue, the server, reservations, the jobs it
 * depends on, the tail of its output) and service/diagnose/ holds the rules.
 */
import { z } from "zod";
import { gatherDiagnosis } from "../../service/diagnose/gather.ts";
import type { Diagnosis } from "../../service/diagnose/mod.ts";
import { TIMELINE_FIRST } from "../../service/diagnose/timeline.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { isoTime } from "../views/jobs.ts";
import { defined } from "../views/values.ts";

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
  timeline: z.array(z.string()).optional(),
};
type DiagnoseAnswer = z.infer<z.ZodObject<typeof DiagnoseOutput>>;

export const diagnoseJobTool = defineTool({
  name: "diagnose_job",
  title: "Diagnose a job",
  description:
    "Explains why a job waits or failed, and what to do next: the scheduler's comment, holds, " +
    "dependencies, queue and server state, reservations; for a finished job the exit status, " +
    "resources used against requested and error signatures in its output (out of memory, " +
    "segfault, missing module, MPI, ...); a tracejob timeline where this host has the logs.",
  input: { job_id: s.jobId },
  output: DiagnoseOutput,
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const diagnosis = await gatherDiagnosis(client, args.job_id);
    return {
      structured: diagnosisView(diagnosis.result, diagnosis.read),
      text: diagnosisText(diagnosis.result, diagnosis.read),
    };
  },
});

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
    timeline: d.timeline ? timelineEvents(d.timeline) : undefined,
  });
}

/**
 * The diagnosis as text, complete on its own (some clients forward only the
 * text): verdict, every finding, the scheduler's words, the exit, and one
 * line per dependency, resource and error line found.
 */
export function diagnosisText(d: Diagnosis, read: string[] = []): string {
  const lines = [`${d.jobId} (${d.state} ${d.stateName}): ${d.category}`, d.summary];
  const others = d.findings.filter((f) => !d.summary.includes(f.message));
  for (const finding of others) lines.push(`- [${finding.severity}] ${finding.message}`);
  if (d.schedulerComment) lines.push(`Scheduler comment: ${d.schedulerComment}`);
  if (d.estimatedStart !== undefined) {
    lines.push(`Estimated start: ${isoTime(d.estimatedStart)}`);
  }
  if (d.exit) {
    const signal = d.exit.signal ? ` (${d.exit.signal.name})` : "";
    lines.push(`Exit ${d.exit.code}${signal}: ${d.exit.meaning}`);
  }
  if (d.dependencies.length) {
    lines.push("Dependencies:");
    for (const dep of d.dependencies) {
      const state = dep.state ? `state ${dep.state}` : "unknown to PBS";
      const exit = dep.exitStatus !== undefined ? `, exit ${dep.exitStatus}` : "";
      lines.push(`- ${dep.type} ${dep.jobId}: ${state}${exit} → ${dep.condition}`);
    }
  }
  if (d.resources.length) {
    lines.push(
      `Used / requested: ${
        d.resources.map((r) =>
          `${r.resource} ${r.used} / ${r.requested}${
            r.percent !== undefined ? ` (${r.percent}%)` : ""
          }`
        ).join("; ")
      }`,
    );
  }
  if (d.signatures.length) {
    lines.push("Error lines in the output:");
    for (const sig of d.signatures) lines.push(`- ${sig.kind} (${sig.stream}): ${sig.line}`);
  }
  if (read.length) lines.push(`Output read: ${read.join(", ")}`);
  if (d.timeline) lines.push(...timelineLines(d.timeline));
  if (d.nextSteps.length) {
    lines.push("Next steps:");
    for (const step of d.nextSteps) lines.push(`- ${step}`);
  }
  return lines.join("\n");
}

/**
 * One line per event (`TIME what (by whom)`), a `… N more` line where events
 * were left out, and the note (why there are no log lines) last.
 */
function timelineEvents(t: NonNullable<Diagnosis["timeline"]>): string[] {
  const lines: string[] = [];
  t.events.forEach((e, i) => {
    if (t.omitted > 0 && i === TIMELINE_FIRST) lines.push(`… ${t.omitted} more event(s)`);
    lines.push(`${isoTime(e.time)} ${e.text}${e.by ? ` (by ${e.by})` : ""}`);
  });
  if (t.note) lines.push(t.note);
  return lines;
}

function timelineLines(t: NonNullable<Diagnosis["timeline"]>): string[] {
  return ["Timeline (PBS logs on this host):", ...timelineEvents(t).map((l) => `- ${l}`)];
}

/**
 * submit_job: one qsub (or, on dry_run, its plan). The argument mapping and
 * the answer are shared with the batch tools (batch.ts).
 */
import { z } from "zod";
import { invalidInput } from "../../pbs/errors.ts";
import { shellCommand } from "../../service/shell_quote.ts";
import type { PbsClient } from "../../service/pbs_client.ts";
import type { SubmitJobRequest } from "../../service/requests.ts";
import { requestFromArguments } from "../../service/submit_parameters.ts";
import type { SubmissionPlan, SubmitResult } from "../../service/results.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";

export type SubmitJobArgs = z.infer<z.ZodObject<typeof s.submitJobInput>>;

/** snake_case tool arguments → the service request; checks what spans several fields. */
export function toSubmitRequest(args: SubmitJobArgs): SubmitJobRequest {
  if ((args.script === undefined) === (args.script_path === undefined)) {
    throw invalidInput(
      args.script === undefined
        ? "neither script nor script_path was given"
        : "both script and script_path were given",
      "Give exactly one: script (the job script's text) or script_path (an existing file).",
    );
  }
  return requestFromArguments(args);
}

export function stringValues(record: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
}

const DirectiveShape = z.object({
  option: z.string(),
  value: z.string(),
  overridden_by: z.string().optional(),
});

export const SubmitOutput = {
  dry_run: z.boolean(),
  job_id: z.string().optional(),
  queue: z.string().optional(),
  state: z.string().optional(),
  command: z.string(),
  script_via: z.enum(["stdin", "file"]),
  script: z.string().optional(),
  effective: z.record(z.string(), z.string()),
  directives: z.array(DirectiveShape).describe("#PBS lines of the script"),
  notes: z.array(z.string()).optional(),
};
type SubmitAnswer = z.infer<z.ZodObject<typeof SubmitOutput>>;

/** Longest script echoed back by a dry run. */
const MAX_DRY_RUN_SCRIPT = 10_000;

/** Runs (or, on dry_run, only plans) one submission. */
export async function submitOne(client: PbsClient, args: SubmitJobArgs): Promise<SubmitAnswer> {
  const request = toSubmitRequest(args);
  if (args.dry_run) {
    const plan = await client.planSubmission(request);
    const queue = plan.routesTo ?? plan.target;
    return {
      ...planView(plan),
      dry_run: true,
      ...(queue ? { queue } : {}),
      script: dryRunScript(plan),
    };
  }
  const result = await client.submitJob(request);
  return submitView(result);
}

function submitView(result: SubmitResult): SubmitAnswer {
  return {
    ...planView(result.plan),
    dry_run: false,
    job_id: result.jobId,
    ...(result.queue ? { queue: result.queue } : {}),
    ...(result.state ? { state: result.state } : {}),
  };
}

function planView(plan: SubmissionPlan) {
  return {
    command: shellCommand(plan.argv),
    script_via: plan.stdinScript !== undefined ? "stdin" as const : "file" as const,
    effective: plan.effective,
    directives: plan.directives.map((d) => ({
      option: d.option,
      value: d.value,
      ...(d.overriddenBy ? { overridden_by: d.overriddenBy } : {}),
    })),
    ...(plan.notes.length ? { notes: plan.notes } : {}),
  };
}

/** The script a dry run shows: what qsub would read, capped. */
function dryRunScript(plan: SubmissionPlan): string {
  const text = plan.script;
  return text.length <= MAX_DRY_RUN_SCRIPT
    ? text
    : `${text.slice(0, MAX_DRY_RUN_SCRIPT)}\n… (${
      text.length - MAX_DRY_RUN_SCRIPT
    } more characters)`;
}

export function submitText(answer: SubmitAnswer): string {
  const lines = answer.dry_run
    ? [
      `Dry run, nothing submitted. Would run: ${answer.command}${
        answer.script_via === "stdin" ? " < script" : ""
      }${answer.queue ? ` (queue ${answer.queue})` : ""}`,
    ]
    : [
      `Submitted ${answer.job_id}${answer.queue ? ` to queue ${answer.queue}` : ""}${
        answer.state ? ` (state ${answer.state})` : ""
      }.`,
    ];
  lines.push(...answer.notes ?? []);
  for (const d of answer.directives.filter((d) => d.overridden_by)) {
    lines.push(`#PBS ${d.option} ${d.value} was overridden by ${d.overridden_by}.`);
  }
  return lines.join("\n");
}

export const submitJob = defineTool({
  name: "submit_job",
  title: "Submit a PBS job",
  description:
    "Submits one job with qsub; returns its id, the queue it landed in, its state and the " +
    "effective request. Give script or script_path (exactly one). node_count, ncpus, ngpus " +
    "and mem build the select (node_count > 1 adds place=scatter), or give select itself. " +
    "A request no routing destination accepts is refused before qsub. Parameters override " +
    "the script's #PBS lines (the answer lists which). dry_run: true shows the qsub command " +
    "without submitting. array_range makes an array job; depend chains jobs.",
  input: s.submitJobInput,
  output: SubmitOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async run(args, context) {
    const answer = await submitOne(context.client, args);
    return { structured: answer, text: submitText(answer) };
  },
});

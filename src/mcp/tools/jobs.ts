/**
 * The job tools: submit, inspect, list, change, wait for and read the output
 * of PBS jobs. Each tool is a thin adapter: zod checks the arguments, the
 * PbsClient runs PBS, and views/jobs.ts decides what of the answer is shown.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { invalidInput } from "../../pbs/errors.ts";
import { describeJobState } from "../../pbs/model/states.ts";
import type { JobRow } from "../../pbs/parse/job_table.ts";
import { shellCommand } from "../../service/shell_quote.ts";
import type { PbsClient, ProgressUpdate } from "../../service/pbs_client.ts";
import type { HoldType, SubmitJobRequest } from "../../service/requests.ts";
import { requestFromArguments } from "../../service/submit_parameters.ts";
import type { SubmissionPlan, SubmitResult } from "../../service/results.ts";
import {
  continuationHint,
  decodeCursor,
  encodeCursor,
  type Page,
  PaginationOutput,
} from "../pagination.ts";
import * as s from "../schemas.ts";
import { registerTool, type ToolContext, type ToolExtra } from "../tool_kit.ts";
import {
  countByState,
  exitView,
  formatCounts,
  jobRow,
  JobRowShape,
  type JobRowView,
  JobStatusShape,
  jobStatusText,
  jobStatusView,
} from "../views/jobs.ts";

export function registerJobTools(server: McpServer, context: ToolContext): void {
  registerSubmitJob(server, context);
  registerGetJobStatus(server, context);
  registerListJobs(server, context);
  registerGetJobSummary(server, context);
  registerDeleteJob(server, context);
  registerHoldTools(server, context);
  registerModifyJob(server, context);
  registerWaitForJob(server, context);
  registerGetJobOutput(server, context);
}

// ---------------------------------------------------------------------------
// submit_job (its argument mapping and answer are shared with batch.ts).

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

function stringValues(record: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
}

const DirectiveShape = z.object({
  option: z.string(),
  value: z.string(),
  overridden_by: z.string().optional().describe("The parameter that replaced this #PBS line"),
});

export const SubmitOutput = {
  dry_run: z.boolean(),
  job_id: z.string().optional().describe("The new job's id (absent on dry_run)"),
  queue: z.string().optional().describe(
    "The queue the job landed in, after routing (dry_run: the queue it would go to)",
  ),
  state: z.string().optional().describe("The job's state letter right after submission"),
  command: z.string().describe("The qsub command line, shell-quoted"),
  script_via: z.enum(["stdin", "file"]),
  script: z.string().optional().describe("The job script (dry_run only)"),
  effective: z.record(z.string(), z.string()).describe("What the parameters requested"),
  directives: z.array(DirectiveShape).describe("#PBS lines found in the script"),
  notes: z.array(z.string()).optional().describe("Adjustments made to the request"),
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

function registerSubmitJob(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "submit_job",
    title: "Submit a PBS job",
    description:
      "Submits one batch job with qsub and returns its job id, the queue it landed in (after " +
      "routing) and the effective request. Give the script inline (script) or as a file " +
      "(script_path), exactly one. Resources: walltime, node_count, ncpus, ngpus and mem (per " +
      "node) build the select; or give a raw select, which replaces those four. #PBS lines in " +
      "the script keep working; explicit parameters win over them and the answer lists which " +
      "directives were overridden. Use dry_run: true to see the exact qsub command and script " +
      "without submitting (a good first step when unsure). Related: array_range for many " +
      "similar jobs, depend (afterok:ID) to chain jobs, hold to submit held; then " +
      "get_job_status or wait_for_job to follow the job.",
    input: s.submitJobInput,
    output: SubmitOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    async run(args) {
      const answer = await submitOne(context.client, args);
      return { structured: answer, text: submitText(answer) };
    },
  });
}

// ---------------------------------------------------------------------------
// Reading jobs.

function registerGetJobStatus(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "get_job_status",
    title: "Status of one job",
    description:
      "Shows one job (runs qstat -fx ID; finished jobs are found in history automatically): " +
      "name, owner, state letter with its meaning, queue, account, requested and used " +
      "resources, times (created, eligible, started, finished; ISO 8601 UTC), node count and " +
      "first hosts, the scheduler's comment (why it waits), holds, dependencies, array " +
      "progress, output/error paths, and for finished jobs the exit status with its meaning. " +
      "detail: full adds exec_vnode, environment variables and every PBS attribute (capped). " +
      "Use it after submit_job, or to see why a job does not start (see comment).",
    input: {
      job_id: s.jobId,
      detail: z.enum(["summary", "full"], {
        error: 'detail must be "summary" (default) or "full".',
      }).default("summary").describe("summary (default) or full (adds bulky attributes)"),
    },
    output: JobStatusShape,
    annotations: { readOnlyHint: true },
    async run(args) {
      const view = jobStatusView(await context.client.job(args.job_id), args.detail);
      return { structured: view, text: jobStatusText(view) };
    },
  });
}

const ListJobsOutput = {
  ...PaginationOutput,
  by_state: z.record(z.string(), z.number()).describe("Matching jobs per state letter"),
  jobs: z.array(JobRowShape),
};

function registerListJobs(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "list_jobs",
    title: "List jobs",
    description:
      "Lists jobs as compact rows (runs qstat -a -w, with -x for finished jobs and -u/queue " +
      "filters passed to PBS): id, name, user, state letter, queue, nodes requested, " +
      "walltime requested and time elapsed (HH:MM). For one job's details, exit status or " +
      "why it waits, use get_job_status or diagnose_job. Filters: state_filter (all, PBS letters such as QH, or words " +
      "such as running, queued, held, finished), user_filter (a user, or me for yourself), " +
      "queue_filter, include_finished (default false; history jobs, implied by a finished state filter). limit: rows per page " +
      "(default 50, max 500; a page is cut shorter if it would be too large to return). " +
      "Returns total count, counts per state and next_cursor; pass it back as cursor (with " +
      "the same filters) for the next page. For counts only use get_job_summary; for one job use get_job_status.",
    input: {
      state_filter: z.string().max(100, "state_filter is too long; use e.g. QH or running.")
        .default("all").describe('"all" (default), PBS letters ("QH") or words ("running")'),
      user_filter: s.userFilter.optional(),
      queue_filter: s.queue.optional(),
      include_finished: z.boolean().default(false).describe("Include finished (history) jobs"),
      limit: s.boundedInt("limit", 1, 500, 50).default(50).describe("Rows per page (max 500)"),
      cursor: z.string().optional().describe("next_cursor from the previous page"),
    },
    output: ListJobsOutput,
    annotations: { readOnlyHint: true },
    async run(args) {
      const filter = {
        states: args.state_filter,
        user: args.user_filter,
        queue: args.queue_filter,
        includeFinished: args.include_finished,
      };
      const jobs = await context.client.listJobRows(filter);
      const page = pageWithinBudget(jobs, args.limit, args.cursor, filter);
      const byState = countByState(jobs);
      const shortened = page.items.length < Math.min(args.limit, page.total - page.offset)
        ? ` Page cut to ${page.items.length} rows to stay within the size limit.`
        : "";
      return {
        structured: {
          total: page.total,
          returned: page.items.length,
          ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
          by_state: byState,
          jobs: page.items,
        },
        text: `${continuationHint(page, "jobs")} By state: ${formatCounts(byState)}.${shortened}`,
      };
    },
  });
}

/** Characters the rows of one list_jobs page may take (the rest of the answer is small). */
const ROWS_BUDGET = 20_000;
/**
 * Characters each requested row may take on average: a typical row is ~130,
 * so a page is cut only when names and ids run long, and the default page
 * of 50 stays under 8,000 characters in all.
 */
const ROW_ALLOWANCE = 145;

/**
 * One page of rows, cut short when `limit` rows would not fit the size budget
 * (500 rows of a busy site would); the cursor then continues after the last
 * row shown, so nothing is skipped.
 */
function pageWithinBudget(
  jobs: JobRow[],
  limit: number,
  cursor: string | undefined,
  filter: unknown,
): Page<JobRowView> & { offset: number } {
  const offset = decodeCursor(cursor, filter);
  const budget = Math.min(ROWS_BUDGET, limit * ROW_ALLOWANCE);
  const rows: JobRowView[] = [];
  let used = 0;
  for (const job of jobs.slice(offset, offset + limit)) {
    const row = jobRow(job);
    used += JSON.stringify(row).length + 1;
    if (used > budget && rows.length > 0) break;
    rows.push(row);
  }
  const next = offset + rows.length;
  return {
    items: rows,
    total: jobs.length,
    offset,
    nextCursor: next < jobs.length ? encodeCursor(next, filter) : undefined,
  };
}

const QueueCountsShape = z.object({
  queue: z.string(),
  total: z.number(),
  by_state: z.record(z.string(), z.number()),
});

function registerGetJobSummary(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "get_job_summary",
    title: "Job counts by state",
    description:
      "Counts current (not finished) jobs by state, overall and per queue (runs qstat -a -w " +
      "once). Optional user_filter (a user, or me) and queue_filter. Use it for a quick view " +
      "of how busy the system or a user is before listing jobs with list_jobs.",
    input: {
      user_filter: s.userFilter.optional(),
      queue_filter: s.queue.optional(),
    },
    output: {
      total: z.number(),
      by_state: z.record(z.string(), z.number()),
      queues: z.array(QueueCountsShape),
    },
    annotations: { readOnlyHint: true },
    async run(args) {
      const jobs = await context.client.listJobRows({
        user: args.user_filter,
        queue: args.queue_filter,
      });
      const queues = countPerQueue(jobs);
      const byState = countByState(jobs);
      const lines = [`${jobs.length} jobs: ${formatCounts(byState)}`];
      for (const q of queues) lines.push(`${q.queue}: ${q.total} (${formatCounts(q.by_state)})`);
      return {
        structured: { total: jobs.length, by_state: byState, queues },
        text: lines.join("\n"),
      };
    },
  });
}

function countPerQueue(jobs: readonly JobRow[]): z.infer<typeof QueueCountsShape>[] {
  const byQueue = new Map<string, JobRow[]>();
  for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
  return [...byQueue].sort(([a], [b]) => a.localeCompare(b)).map(([queue, list]) => ({
    queue,
    total: list.length,
    by_state: countByState(list),
  }));
}

// ---------------------------------------------------------------------------
// Changing jobs.

function registerDeleteJob(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
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
    async run(args) {
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
}

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

function registerHoldTools(server: McpServer, context: ToolContext): void {
  const input = { job_id: s.jobId, hold_type: s.holdType.default("u") };
  const output = {
    job_id: z.string(),
    hold_type: z.string(),
    state: z.string().optional().describe("The job's state afterwards"),
    holds: z.string().optional().describe("Hold_Types afterwards (n = none)"),
  };
  registerTool(server, context, {
    name: "hold_job",
    title: "Hold a job",
    description: "Puts a hold on a queued job with qhold so it will not start until released " +
      "(release_job). hold_type: u (user, default; you may hold your own jobs), o (operator) " +
      "or s (system, managers). Holding a running job only takes effect if it is rerun. " +
      "Returns the job's state and holds afterwards (a held job shows state H).",
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    async run(args) {
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
  registerTool(server, context, {
    name: "release_job",
    title: "Release a held job",
    description:
      "Removes a hold from a job with qrls so it can be scheduled again. hold_type: u (user, " +
      "default), o (operator) or s (system); remove the type that was set (get_job_status " +
      "lists holds). A job held by a dependency is released by PBS itself when the dependency " +
      "is met. Returns the job's state and remaining holds.",
    input,
    output,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    async run(args) {
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
}

function registerModifyJob(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
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
    async run(args) {
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
}

// ---------------------------------------------------------------------------
// Waiting and output.

function registerWaitForJob(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "wait_for_job",
    title: "Wait for a job",
    description:
      "Waits until a job is running (until: running) or finished (until: finished, the " +
      "default), or until timeout_seconds pass (default 60, max 600), polling qstat with " +
      "backoff (2 s growing to 15 s). Sends progress notifications while waiting when the " +
      "request carries a progressToken. Returns whether the state was reached, the state it " +
      "ended in and, for finished jobs, the exit status with its meaning. On timeout, call " +
      "it again or check get_job_status (its comment says why a job waits).",
    input: {
      job_id: s.jobId,
      until: z.enum(["running", "finished"], {
        error: 'until must be "running" or "finished" (default).',
      }).default("finished"),
      timeout_seconds: s.boundedInt("timeout_seconds", 1, 600, 60).default(60),
    },
    output: {
      job_id: z.string(),
      reached: z.boolean().describe("false when the timeout came first"),
      state: z.string(),
      state_name: z.string(),
      waited_seconds: z.number(),
      polls: z.number(),
      exit: z.object({ code: z.number(), category: z.string(), meaning: z.string() }).optional(),
      comment: z.string().optional(),
    },
    annotations: { readOnlyHint: true },
    async run(args, extra) {
      const result = await context.client.waitForJob(
        args.job_id,
        args.until,
        args.timeout_seconds,
        progressReporter(extra),
      );
      const stateName = describeJobState(result.state).name;
      const exitStatus = result.job?.exitStatus;
      const structured = {
        job_id: result.jobId,
        reached: result.reached,
        state: result.state,
        state_name: stateName,
        waited_seconds: result.waitedSeconds,
        polls: result.polls,
        ...(exitStatus !== undefined ? { exit: exitView(exitStatus) } : {}),
        ...(result.job?.comment ? { comment: result.job.comment } : {}),
      };
      const outcome = result.reached ? "reached" : `timed out before ${args.until}`;
      const exitText = structured.exit ? `; exit ${exitStatus}: ${structured.exit.meaning}` : "";
      return {
        structured,
        text:
          `${result.jobId} ${outcome}: ${result.state} (${stateName}) after ${result.waitedSeconds} s${exitText}`,
      };
    },
  });
}

/**
 * Turns wait updates into MCP progress notifications when the caller asked for
 * them. Progress counts polls: it must grow with every notification, which
 * rounded seconds would not.
 */
function progressReporter(
  extra: ToolExtra,
): ((update: ProgressUpdate) => Promise<void>) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return async (update) => {
    progress++;
    await extra.sendNotification({
      method: "notifications/progress",
      params: {
        progressToken,
        progress,
        message: `${update.message} (${update.waitedSeconds} s so far)`,
      },
    });
  };
}

/** Bytes of output returned by default and at most: the answer carries them twice (text + data). */
const DEFAULT_OUTPUT_BYTES = 8_000;
const MAX_OUTPUT_BYTES = 10_000;

function registerGetJobOutput(server: McpServer, context: ToolContext): void {
  registerTool(server, context, {
    name: "get_job_output",
    title: "Read a job's output",
    description:
      "Returns the last lines of a job's stdout or stderr file, read directly from the path " +
      "PBS records (Output_Path / Error_Path) when this host can see it and it lies inside " +
      "the allowed directories (PBS_MCP_ALLOWED_DIRS). PBS usually copies output there only " +
      "when the job ends. stream: stdout (default) or stderr (with join_output, stderr is in " +
      `stdout). tail_lines (default 100, max 5000) and max_bytes (default ${DEFAULT_OUTPUT_BYTES}, ` +
      `max ${MAX_OUTPUT_BYTES}) bound the answer; truncated says when the file holds more. For an ` +
      "array job ask for a subjob, e.g. 12[3].server.",
    input: {
      job_id: s.jobId,
      stream: z.enum(["stdout", "stderr"], {
        error: 'stream must be "stdout" (default) or "stderr".',
      }).default("stdout"),
      tail_lines: s.boundedInt("tail_lines", 1, 5_000, 100).default(100),
      max_bytes: s.boundedInt("max_bytes", 1, MAX_OUTPUT_BYTES, DEFAULT_OUTPUT_BYTES)
        .default(DEFAULT_OUTPUT_BYTES),
    },
    output: {
      job_id: z.string(),
      stream: z.enum(["stdout", "stderr"]),
      path: z.string(),
      text: z.string(),
      lines: z.number(),
      size_bytes: z.number().describe("Size of the whole file"),
      truncated: z.boolean().describe("true when the file holds more than returned"),
      joined: z.boolean().optional().describe("stderr was joined into stdout"),
    },
    annotations: { readOnlyHint: true },
    async run(args) {
      const out = await context.client.jobOutput(
        args.job_id,
        args.stream,
        args.tail_lines,
        args.max_bytes,
      );
      const structured = {
        job_id: out.jobId,
        stream: out.stream,
        path: out.path,
        text: out.text,
        lines: out.lines,
        size_bytes: out.sizeBytes,
        truncated: out.truncated,
        ...(out.joined ? { joined: true } : {}),
      };
      const header = `${out.stream} of ${out.jobId} (${out.path}, last ${out.lines} lines${
        out.truncated ? ", truncated" : ""
      }):`;
      return { structured, text: `${header}\n${out.text}` };
    },
  });
}

/** list_jobs: compact job rows, paginated within the size budget. */
import { z } from "zod";
import { continuationHint, pageOfRows, PaginationOutput, type RowBudget } from "../pagination.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import {
  countByState,
  formatCounts,
  JOB_LINE_HEADER,
  jobLine,
  jobRow,
  JobRowShape,
} from "../views/jobs.ts";

const ListJobsOutput = {
  ...PaginationOutput,
  by_state: z.record(z.string(), z.number()).describe("Matching jobs per state letter"),
  jobs: z.array(JobRowShape),
};

export const listJobs = defineTool({
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
  async run(args, context) {
    const filter = {
      states: args.state_filter,
      user: args.user_filter,
      queue: args.queue_filter,
      includeFinished: args.include_finished,
    };
    const jobs = await context.client.listJobRows(filter);
    const page = pageOfRows(jobs, {
      limit: args.limit,
      cursor: args.cursor,
      filter,
      row: jobRow,
      line: jobLine,
      budget: JOB_ROWS_BUDGET,
    });
    const byState = countByState(jobs);
    const text = [
      `${continuationHint(page, "jobs")} By state: ${formatCounts(byState)}.`,
      ...(page.items.length ? [JOB_LINE_HEADER, ...page.lines] : []),
      ...(page.cut ? [`Page cut to ${page.items.length} rows to stay within the size limit.`] : []),
    ];
    return {
      structured: {
        total: page.total,
        returned: page.items.length,
        ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
        by_state: byState,
        jobs: page.items,
      },
      text: text.join("\n"),
    };
  },
});

/**
 * Rows of one list_jobs page, per half (text, structured). A typical row is
 * ~130 characters of JSON and ~70 of text, so the default page of 50 stays
 * under 8,000 characters in each half on Aurora, a page is cut only when
 * names and ids run long, and the largest page (500) is cut to what fits the
 * 25,000-character answer.
 */
const JOB_ROWS_BUDGET: RowBudget = { perRow: 150, max: 11_500 };

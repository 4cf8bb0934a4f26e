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
  by_state: z.record(z.string(), z.number()),
  jobs: z.array(JobRowShape),
};

export const listJobs = defineTool({
  name: "list_jobs",
  title: "List jobs",
  description:
    "Lists jobs, one row each: id, name, user, state, queue, nodes, walltime and elapsed " +
    "(qstat -a -w). Returns the total, counts per state and next_cursor: pass it back as " +
    "cursor with the same filters for the next page (a page may be cut short to fit). " +
    "Counts only: get_job_summary; one job: get_job_status.",
  input: {
    state_filter: z.string().max(100, "state_filter is too long; use e.g. QH or running.")
      .default("all").describe("all, PBS letters (QH) or words (running, queued, held, finished)"),
    user_filter: s.userFilter.optional().describe("A user name, or me"),
    queue_filter: s.queue.optional(),
    include_finished: z.boolean().default(false).describe("Also finished (history) jobs"),
    limit: s.boundedInt("limit", 1, 500, 50).default(50),
    cursor: z.string().optional(),
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

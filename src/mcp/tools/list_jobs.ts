/** list_jobs: compact job rows, paginated within the size budget. */
import { z } from "zod";
import type { JobRow } from "../../pbs/parse/job_table.ts";
import {
  continuationHint,
  decodeCursor,
  encodeCursor,
  type Page,
  PaginationOutput,
} from "../pagination.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { countByState, formatCounts, jobRow, JobRowShape, type JobRowView } from "../views/jobs.ts";

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

/**
 * analyze_history: how a user's finished jobs used what they requested, how
 * they ended, and what to request next time. The figures and rules live in
 * service/history_analysis.ts; views/history.ts renders them.
 */
import { resolveUser } from "../../service/job_filter.ts";
import { analyzeHistory } from "../../service/history_analysis.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import { HistoryShape, historyText, historyView } from "../views/history.ts";

/** Newest finished jobs read in full (one `qstat -fx -F json` each). */
export const HISTORY_ANALYSED = 50;

export const analyzeHistoryTool = defineTool({
  name: "analyze_history",
  title: "Analyse finished jobs",
  description:
    "Efficiency and failures over finished jobs: walltime, CPU and memory used against " +
    "requested, node-hours by queue and exit class (success, failed, walltime, oom, deleted, " +
    "signal), the jobs leaving most cpus idle, and what to request next time. Reads the " +
    `newest ${HISTORY_ANALYSED} in full (one qstat each).`,
  input: {
    user: s.userFilter.default("me"),
    days: s.boundedInt("days", 1, 90, 7).default(7).describe("Days back (1-90)"),
    queue: s.queue.optional(),
    job_name: s.boundedText(100).optional().describe("Glob, e.g. train_*"),
  },
  output: HistoryShape,
  annotations: { readOnlyHint: true },
  async run(args, { client }) {
    const analysis = await analyzeHistory(client, {
      user: resolveUser(args.user, client.user) ?? client.user,
      days: args.days,
      queue: args.queue,
      jobName: args.job_name,
      limit: HISTORY_ANALYSED,
    });
    const view = historyView(analysis);
    return { structured: view, text: historyText(view) };
  },
});

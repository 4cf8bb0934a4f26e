/**
 * What an answer shows of a history analysis (service/history_analysis.ts):
 * the structured summary of analyze_history and its text, which the history
 * resource shows too. Every id and name of the structured half is in the text.
 */
import { z } from "zod";
import { formatDuration, formatSizeApprox } from "../../pbs/model/time.ts";
import {
  type HistoryAnalysis,
  type JobUsage,
  percent,
  plural,
} from "../../service/history_analysis.ts";
import { isoTime } from "./jobs.ts";

const Tally = z.object({ jobs: z.number(), node_hours: z.number() });

/**
 * Lean on purpose: every conversation pays for output schemas (tests/mcp/surface.test.ts),
 * so the idlest jobs and the recommendations are lines of text, as in the text answer, and
 * the totals are left to the sums of `by_queue` (jobs analysed, node-hours).
 */
export const HistoryShape = {
  user: z.string(),
  since: z.string(),
  finished: z.number(),
  cost: z.string(),
  gpu_jobs: z.number(),
  by_queue: z.record(z.string(), Tally),
  by_exit: z.record(z.string(), Tally),
  wasteful: z.array(z.string()),
  recommendations: z.array(z.string()),
};
export type HistoryView = z.infer<z.ZodObject<typeof HistoryShape>>;

/** The exit-class rules of service/history_analysis.ts exitClassOf, in one line. */
const EXIT_CLASS_LEGEND = "(walltime: Exit_status -29; oom: -27/-26, 137/271 with an " +
  "out-of-memory line in the output, or any failure with memory used ≥ 95 % of mem; deleted: " +
  "qdel'd or never ran; signal: 128+N or 256+N; failed: any other non-zero code.)";

const hours = (h: number) => Math.round(h * 100) / 100;

export function historyView(a: HistoryAnalysis): HistoryView {
  const s = a.summary;
  const tallies = <K extends string>(m: Map<K, { jobs: number; nodeHours: number }>) =>
    Object.fromEntries(
      [...m].map(([key, t]) => [key, { jobs: t.jobs, node_hours: hours(t.nodeHours) }]),
    );
  return {
    user: a.user,
    since: isoTime(a.since)!,
    finished: a.finished,
    cost: a.cost,
    gpu_jobs: s.gpuJobs,
    by_queue: tallies(s.byQueue),
    by_exit: tallies(s.byExitClass),
    wasteful: s.wasteful.map(wastefulLine),
    recommendations: s.recommendations.map((r) => `${r.message} (e.g. ${r.jobIds.join(", ")})`),
  };
}

/** The summary as lines of text (markdown-friendly), complete without the structured half. */
export function historyText(v: HistoryView): string {
  const queues = Object.values(v.by_queue);
  const analysed = queues.reduce((n, t) => n + t.jobs, 0);
  const nodeHours = hours(queues.reduce((n, t) => n + t.node_hours, 0));
  const lines = [
    `Finished jobs of ${v.user} since ${v.since}: ${v.finished} ` +
    `finished; ${analysed === v.finished ? "all" : `the newest ${analysed}`} analysed.`,
    `PBS commands: ${v.cost}.`,
  ];
  if (analysed === 0) {
    lines.push(
      "Nothing to analyse. PBS keeps finished jobs only for the server's job_history_duration.",
    );
    return lines.join("\n");
  }
  lines.push(
    `Node-hours: ${nodeHours}` +
      (v.gpu_jobs > 0
        ? ` (${v.gpu_jobs} GPU job(s), not ranked by CPU efficiency: PBS does not report GPU use).`
        : "."),
    `By queue: ${
      Object.entries(v.by_queue).map(([q, t]) => `${q} ${t.jobs} job(s), ${t.node_hours} node-h`)
        .join("; ")
    }.`,
    `By exit class: ${
      Object.entries(v.by_exit).map(([c, t]) => `${c} ${t.jobs} (${t.node_hours} node-h)`)
        .join("; ")
    }.`,
    EXIT_CLASS_LEGEND,
  );
  if (v.wasteful.length > 0) {
    lines.push("Most idle cpu-hours (ncpus × walltime − cput):");
    for (const w of v.wasteful) lines.push(`- ${w}`);
  }
  if (v.recommendations.length > 0) {
    lines.push("Recommendations:");
    for (const r of v.recommendations) lines.push(`- ${r}`);
  } else {
    lines.push(
      "No recommendations: no name group of 3 or more successful runs used under half its " +
        "walltime or memory, no CPU job ran under 25 % efficiency, none hit a limit.",
    );
  }
  return lines.join("\n");
}

/** `12.vm train_3 (success): walltime 00:42:00 of 06:00:00, CPU 6 % of 8 cpus, ...`. */
function wastefulLine(j: JobUsage): string {
  const of = (used: string, requested: string | undefined) =>
    requested === undefined ? used : `${used} of ${requested}`;
  const parts = [
    `walltime ${
      of(
        formatDuration(j.walltimeUsed),
        j.walltimeRequested === undefined ? undefined : formatDuration(j.walltimeRequested),
      )
    }`,
    j.cpuEfficiency === undefined
      ? plural(j.ncpus, "cpu")
      : `CPU ${percent(j.cpuEfficiency)} of ${plural(j.ncpus, "cpu")}`,
    ...(j.memUsedBytes === undefined ? [] : [
      `mem ${
        of(
          formatSizeApprox(j.memUsedBytes),
          j.memRequestedBytes === undefined ? undefined : formatSizeApprox(j.memRequestedBytes),
        )
      }`,
    ]),
    `${hours(j.idleCoreHours)} idle cpu-h`,
  ];
  return `${j.id} ${j.name} (${j.queue}, ${j.exitClass}): ${parts.join(", ")}`;
}

/**
 * What an answer shows of a history analysis (service/history_analysis.ts):
 * the structured summary of analyze_history and its text, which the history
 * resource shows too. Every id and name of the structured half is in the text.
 */
import { z } from "zod";
import { formatDuration, formatSizeApprox } from "../../pbs/model/time.ts";
import { type HistoryAnalysis, type JobUsage, percent } from "../../service/history_analysis.ts";
import { isoTime } from "./jobs.ts";
import { defined } from "./values.ts";

const tally = { jobs: z.number(), node_hours: z.number() };

export const HistoryShape = {
  user: z.string(),
  days: z.number(),
  since: z.string(),
  finished: z.number(),
  analysed: z.number(),
  cost: z.string(),
  node_hours: z.number(),
  gpu_jobs: z.number(),
  by_queue: z.array(z.object({ queue: z.string(), ...tally })),
  by_exit_class: z.array(z.object({ exit_class: z.string(), ...tally })),
  wasteful: z.array(z.object({
    job_id: z.string(),
    name: z.string(),
    queue: z.string(),
    exit_class: z.string(),
    ncpus: z.number(),
    walltime_used: z.string(),
    walltime_requested: z.string().optional(),
    cpu_efficiency_percent: z.number().optional(),
    mem_used: z.string().optional(),
    mem_requested: z.string().optional(),
    idle_cpu_hours: z.number(),
  })),
  recommendations: z.array(z.object({
    kind: z.string(),
    message: z.string(),
    job_ids: z.array(z.string()),
  })),
};
export type HistoryView = z.infer<z.ZodObject<typeof HistoryShape>>;

/** The exit-class rules of service/history_analysis.ts exitClassOf, in one line. */
const EXIT_CLASS_LEGEND = "(walltime: Exit_status -29; oom: -27/-26, 137/271 with an " +
  "out-of-memory line in the output, or any failure with memory used ≥ 95 % of mem; deleted: " +
  "qdel'd or never ran; signal: 128+N or 256+N; failed: any other non-zero code.)";

const hours = (h: number) => Math.round(h * 100) / 100;

export function historyView(a: HistoryAnalysis): HistoryView {
  const s = a.summary;
  return {
    user: a.user,
    days: a.days,
    since: isoTime(a.since)!,
    finished: a.finished,
    analysed: s.analysed,
    cost: a.cost,
    node_hours: hours(s.nodeHours),
    gpu_jobs: s.gpuJobs,
    by_queue: [...s.byQueue].map(([queue, t]) => ({
      queue,
      jobs: t.jobs,
      node_hours: hours(t.nodeHours),
    })),
    by_exit_class: [...s.byExitClass].map(([exitClass, t]) => ({
      exit_class: exitClass,
      jobs: t.jobs,
      node_hours: hours(t.nodeHours),
    })),
    wasteful: s.wasteful.map(wastefulRow),
    recommendations: s.recommendations.map((r) => ({
      kind: r.kind,
      message: r.message,
      job_ids: r.jobIds,
    })),
  };
}

function wastefulRow(j: JobUsage): HistoryView["wasteful"][number] {
  return defined({
    job_id: j.id,
    name: j.name,
    queue: j.queue,
    exit_class: j.exitClass,
    ncpus: j.ncpus,
    walltime_used: formatDuration(j.walltimeUsed),
    walltime_requested: j.walltimeRequested === undefined
      ? undefined
      : formatDuration(j.walltimeRequested),
    cpu_efficiency_percent: j.cpuEfficiency === undefined
      ? undefined
      : Math.round(j.cpuEfficiency * 1000) / 10,
    mem_used: j.memUsedBytes === undefined ? undefined : formatSizeApprox(j.memUsedBytes),
    mem_requested: j.memRequestedBytes === undefined
      ? undefined
      : formatSizeApprox(j.memRequestedBytes),
    idle_cpu_hours: hours(j.idleCoreHours),
  });
}

/** The summary as lines of text (markdown-friendly), complete without the structured half. */
export function historyText(v: HistoryView): string {
  const lines = [
    `Finished jobs of ${v.user}, last ${v.days} day(s) (since ${v.since}): ${v.finished} ` +
    `finished; ${v.analysed === v.finished ? "all" : `the newest ${v.analysed}`} analysed.`,
    `PBS commands: ${v.cost}.`,
  ];
  if (v.analysed === 0) {
    lines.push(
      "Nothing to analyse. PBS keeps finished jobs only for the server's job_history_duration.",
    );
    return lines.join("\n");
  }
  lines.push(
    `Node-hours: ${v.node_hours}` +
      (v.gpu_jobs > 0
        ? ` (${v.gpu_jobs} GPU job(s), not ranked by CPU efficiency: PBS does not report GPU use).`
        : "."),
    `By queue: ${
      v.by_queue.map((q) => `${q.queue} ${q.jobs} job(s), ${q.node_hours} node-h`).join("; ")
    }.`,
    `By exit class: ${
      v.by_exit_class.map((c) => `${c.exit_class} ${c.jobs} (${c.node_hours} node-h)`).join("; ")
    }.`,
    EXIT_CLASS_LEGEND,
  );
  if (v.wasteful.length > 0) {
    lines.push("Most idle cpu-hours (ncpus × walltime − cput):");
    for (const w of v.wasteful) lines.push(`- ${wastefulLine(w)}`);
  }
  if (v.recommendations.length > 0) {
    lines.push("Recommendations:");
    for (const r of v.recommendations) {
      lines.push(`- ${r.message} (e.g. ${r.job_ids.join(", ")})`);
    }
  } else {
    lines.push(
      "No recommendations: no name group of 3 or more successful runs used under half its " +
        "walltime or memory, no CPU job ran under 25 % efficiency, none hit a limit.",
    );
  }
  return lines.join("\n");
}

function wastefulLine(w: HistoryView["wasteful"][number]): string {
  const parts = [
    `walltime ${w.walltime_used}${w.walltime_requested ? ` of ${w.walltime_requested}` : ""}`,
    w.cpu_efficiency_percent === undefined
      ? `${w.ncpus} cpus`
      : `CPU ${percent(w.cpu_efficiency_percent / 100)} of ${w.ncpus} cpus`,
    ...(w.mem_used ? [`mem ${w.mem_used}${w.mem_requested ? ` of ${w.mem_requested}` : ""}`] : []),
    `${w.idle_cpu_hours} idle cpu-h`,
  ];
  return `${w.job_id} ${w.name} (${w.queue}, ${w.exit_class}): ${parts.join(", ")}`;
}

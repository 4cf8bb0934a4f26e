/**
 * estimate_start: when a queued job, or a request not yet submitted, would
 * start — a forecast from a model of the live complex (service/forecast.ts).
 */
import { z } from "zod";
import { formatDuration } from "../../pbs/model/time.ts";
import { commandsRead, type Forecast } from "../../service/forecast.ts";
import { type Estimate, estimateStart } from "../../service/start_estimate.ts";
import { requestFromArguments } from "../../service/submit_parameters.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";

const iso = (epochSeconds: number) =>
  new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");

const EstimateShape = z.object({
  queue: z.string(),
  runs_in: z.string().optional().describe("The queue it runs from, when routed"),
  start: z.string().optional().describe("Forecast start (ISO); absent: not within 14 days"),
  wait_seconds: z.number().optional(),
  node_count: z.number().optional(),
  blocked_by: z.array(z.string()).describe(
    "Reservations in the way, then jobs whose end frees its nodes",
  ),
  reason: z.string().optional().describe("Why it waits: the scheduler's comment, and notes"),
  pbs_estimate: z.string().optional().describe("PBS's own estimated.start_time"),
});
type EstimateView = z.infer<typeof EstimateShape>;

const SuggestionShape = z.object({
  change: z.string(),
  queue: z.string(),
  start: z.string(),
  wait_seconds: z.number(),
});

const { walltime, node_count, ncpus, ngpus, mem, select, place } = s.submitJobInput;

export const estimateStartTool = defineTool({
  name: "estimate_start",
  title: "Forecast when a job starts",
  description: "Forecasts when a queued job (job_id) or a request would start, per queue " +
    "(default: every queue it fits), by running a model of the live cluster: start, wait, " +
    "nodes, what it waits for, PBS's own estimate, a request that starts sooner, and the " +
    "model's assumptions.",
  input: {
    job_id: s.jobId.optional(),
    queue: s.queue.optional(),
    candidate_queues: z.array(s.queue).min(1).max(8).optional().describe("Queues to compare"),
    walltime,
    node_count,
    ncpus,
    ngpus,
    mem,
    select,
    place,
  },
  output: {
    at: z.string().describe("When the live state was read (ISO)"),
    estimates: z.array(EstimateShape),
    suggestion: SuggestionShape.optional(),
    assumptions: z.array(z.string()),
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const { job_id, queue, candidate_queues, ...resources } = args;
    const request = requestFromArguments(resources);
    const asked = Object.keys(request).length > 0 || queue !== undefined ||
      candidate_queues !== undefined;
    const estimate = await estimateStart(client, {
      jobId: job_id,
      request: asked ? request : undefined,
      queues: queue !== undefined ? [queue, ...(candidate_queues ?? [])] : candidate_queues,
    });
    const view = estimateView(estimate);
    return { structured: view, text: estimateText(view, estimate) };
  },
});

/** The forecast's notes, then the scheduler's comment on why it waits. */
function reasonOf(f: Forecast): string | undefined {
  const parts = [...f.notes, ...(f.reason ? [`waits: ${f.reason}`] : [])];
  return parts.length ? parts.join("; ") : undefined;
}

function forecastView(f: Forecast): EstimateView {
  return {
    queue: f.queue,
    ...(f.runsIn && f.runsIn !== f.queue ? { runs_in: f.runsIn } : {}),
    ...(f.start !== undefined ? { start: iso(f.start) } : {}),
    ...(f.waitSeconds !== undefined ? { wait_seconds: f.waitSeconds } : {}),
    ...(f.nodeCount !== undefined ? { node_count: f.nodeCount } : {}),
    blocked_by: f.blockedBy,
    ...(reasonOf(f) ? { reason: reasonOf(f) } : {}),
    ...(f.pbsEstimate !== undefined ? { pbs_estimate: iso(f.pbsEstimate) } : {}),
  };
}

function estimateView(e: Estimate) {
  return {
    at: iso(e.at),
    estimates: e.estimates.map(forecastView),
    ...(e.suggestion
      ? {
        suggestion: {
          change: e.suggestion.change,
          queue: e.suggestion.queue,
          start: iso(e.suggestion.start),
          wait_seconds: e.suggestion.waitSeconds,
        },
      }
      : {}),
    assumptions: [
      ...e.assumptions,
      commandsRead(e.commands),
      ...(e.skipped > 0
        ? [`${e.skipped} live jobs could not be modelled (finished, exiting, begun arrays)`]
        : []),
    ],
  };
}

function estimateLine(v: EstimateView, f: Forecast): string {
  const where = v.runs_in ? `${v.queue} (runs in ${v.runs_in})` : v.queue;
  const head = v.start === undefined
    ? `${where}: no start forecast`
    : `${where}: starts ${v.start}, wait ${
      formatDuration(v.wait_seconds ?? 0)
    }, on ${v.node_count} node${v.node_count === 1 ? "" : "s"}`;
  const parts = [head];
  if (v.pbs_estimate) parts.push(`PBS's own estimate: ${v.pbs_estimate}`);
  if (v.reason) parts.push(v.reason);
  if (v.blocked_by.length > 0) {
    const more = f.blockingJobs > v.blocked_by.length ? ` (${f.blockingJobs} in all)` : "";
    parts.push(`waits for ${v.blocked_by.join(", ")}${more} to end`);
  }
  return `- ${parts.join("; ")}`;
}

function estimateText(v: ReturnType<typeof estimateView>, e: Estimate): string {
  const lines = [
    `Forecast from the cluster's state at ${v.at}:`,
    ...v.estimates.map((view, i) => estimateLine(view, e.estimates[i])),
  ];
  if (v.suggestion) {
    lines.push(
      `Sooner: with ${v.suggestion.change} in ${v.suggestion.queue} it would start ` +
        `${v.suggestion.start} (wait ${formatDuration(v.suggestion.wait_seconds)}).`,
    );
  }
  lines.push(`Model: ${v.assumptions.join("; ")}.`);
  return lines.join("\n");
}

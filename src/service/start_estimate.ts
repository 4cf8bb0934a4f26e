/**
 * The question a user asks of the start forecast (forecast.ts): when would
 * this job, or this request in each queue it fits, start, and what smaller
 * request would start sooner. Each answer is one model run on the same
 * snapshot of the live complex.
 */
import { formatDuration, parseDuration } from "../pbs/model/time.ts";
import { PbsError } from "../pbs/errors.ts";
import {
  type Forecast,
  forecastStart,
  inferPolicy,
  type LiveReads,
  type LiveState,
  modelAssumptions,
  modelCycleSeconds,
  type ModelledPolicy,
  readLiveState,
} from "./forecast.ts";
import type { QueueFit } from "./queue_fit.ts";
import type { SubmitJobRequest } from "./requests.ts";
import type { SubmissionPlan } from "./results.ts";

/** A variant of the request to try for a sooner start, and its words. */
export interface Variant {
  request: SubmitJobRequest;
  change: string;
}

/**
 * Smaller asks that may start sooner: half the nodes, half the walltime
 * (never below five minutes). Other queues are tried by the caller.
 */
export function smallerVariants(request: SubmitJobRequest, walltime?: string): Variant[] {
  const variants: Variant[] = [];
  if (request.select === undefined && (request.nodeCount ?? 1) > 1) {
    const nodeCount = Math.ceil(request.nodeCount! / 2);
    variants.push({ request: { ...request, nodeCount }, change: `node_count ${nodeCount}` });
  }
  const seconds = parseDuration(request.walltime ?? walltime ?? "");
  if (seconds !== undefined && seconds >= 600) {
    const half = Math.max(300, Math.round(seconds / 2 / 60) * 60);
    const text = formatDuration(half);
    variants.push({ request: { ...request, walltime: text }, change: `walltime ${text}` });
  }
  return variants;
}

/** The client side a whole estimate needs: the live reads and the submission planner. */
export interface EstimateClient extends LiveReads {
  planSubmission(request: SubmitJobRequest): Promise<SubmissionPlan>;
  queuesFitting(requested: Record<string, string>): Promise<QueueFit[]>;
}

export interface EstimateInput {
  jobId?: string;
  /** The request's resources (queue ignored: see queues). */
  request?: SubmitJobRequest;
  /** Queues to try; absent: every queue the request fits. */
  queues?: string[];
}

export interface Suggestion {
  change: string;
  queue: string;
  start: number;
  waitSeconds: number;
}

export interface Estimate {
  /** Epoch seconds of the snapshot. */
  at: number;
  estimates: Forecast[];
  suggestion?: Suggestion;
  policy: ModelledPolicy;
  assumptions: string[];
  commands: string[];
  /** Live jobs the model could not restore. */
  skipped: number;
}

/**
 * Smaller requests are tried only while the estimate has taken less than
 * this (each costs one more model run; at Aurora scale a run over days of
 * waiting takes seconds: BENCHMARKS.md "Start forecasts").
 */
export const SUGGESTION_BUDGET_MS = 10_000;
/** Candidates beyond this many are not tried (each costs one model run). */
export const MAX_CANDIDATE_QUEUES = 4;
/** The script a modelled request carries: it never runs. */
const MODEL_SCRIPT = "#!/bin/sh\ntrue\n";

export async function estimateStart(
  client: EstimateClient,
  input: EstimateInput,
): Promise<Estimate> {
  if ((input.jobId === undefined) === (input.request === undefined)) {
    throw new PbsError({
      kind: "invalid_input",
      message: input.jobId === undefined
        ? "neither job_id nor a request was given"
        : "job_id and a request were both given",
      hint: "Give job_id for a queued job, or the request (walltime, node_count, ...) to try.",
    });
  }
  const began = performance.now();
  const live = await readLiveState(client, { jobId: input.jobId });
  const policy = inferPolicy(live.snapshot);
  const base = {
    at: live.snapshot.time,
    policy,
    assumptions: modelAssumptions(live.history, policy),
    commands: live.commands,
  };
  if (input.jobId !== undefined) {
    const forecast = await forecastStart(live, { kind: "job", jobId: input.jobId }, client.user);
    return { ...base, estimates: [forecast], skipped: forecast.skipped };
  }
  const request = { ...input.request!, queue: undefined };
  const queues = [...new Set(input.queues ?? await fittingCandidates(client, request))];
  const estimates: Forecast[] = [];
  for (const queue of queues.slice(0, MAX_CANDIDATE_QUEUES)) {
    estimates.push(await forecastRequest(client, live, { ...request, queue }));
  }
  const left = SUGGESTION_BUDGET_MS - (performance.now() - began);
  const suggestion = left > 0
    ? await soonerRequest(client, live, request, estimates, input.queues)
    : undefined;
  if (left <= 0) {
    base.assumptions.push(
      "no smaller request was tried: the forecasts above already took " +
        `${Math.round((performance.now() - began) / 1000)} s`,
    );
  }
  if (queues.length > MAX_CANDIDATE_QUEUES) {
    base.assumptions.push(
      `only the first ${MAX_CANDIDATE_QUEUES} queues were tried (not: ` +
        `${queues.slice(MAX_CANDIDATE_QUEUES).join(", ")})`,
    );
  }
  return {
    ...base,
    estimates,
    ...(suggestion ? { suggestion } : {}),
    skipped: Math.max(0, ...estimates.map((e) => e.skipped)),
  };
}

/** Queues the request fits; a routing queue stands for the destination it routes to. */
async function fittingCandidates(client: EstimateClient, request: SubmitJobRequest) {
  const plan = await client.planSubmission({ ...request, script: MODEL_SCRIPT });
  const fits = await client.queuesFitting(plan.requested);
  const routed = new Set(fits.flatMap((f) => (f.routesTo ? [f.routesTo] : [])));
  const names = fits.filter((f) => !routed.has(f.queue)).map((f) => f.queue);
  if (names.length === 0) {
    throw new PbsError({
      kind: "invalid_input",
      message: "the request fits no queue that is enabled and started",
      hint: "list_queues shows each queue's limits; submit_job dry_run: true names the broken one.",
    });
  }
  return names;
}

async function forecastRequest(
  client: EstimateClient,
  live: LiveState,
  request: SubmitJobRequest,
): Promise<Forecast> {
  const plan = await client.planSubmission({ ...request, script: MODEL_SCRIPT });
  return forecastStart(
    live,
    { kind: "request", argv: plan.argv, stdin: plan.stdinScript, queue: request.queue! },
    client.user,
  );
}

/** A smaller request, or a queue not tried, that starts clearly sooner than the best candidate. */
async function soonerRequest(
  client: EstimateClient,
  live: LiveState,
  request: SubmitJobRequest,
  estimates: readonly Forecast[],
  given: string[] | undefined,
): Promise<Suggestion | undefined> {
  const best = [...estimates].filter((e) => e.start !== undefined)
    .sort((a, b) => a.start! - b.start!)[0];
  const bestWait = best?.waitSeconds ?? Infinity;
  if (bestWait <= modelCycleSeconds(bestWait)) return undefined;
  const tries: Array<{ request: SubmitJobRequest; change: string }> = [];
  const queue = best?.queue ?? estimates[0]?.queue;
  for (const v of smallerVariants(request)) tries.push({ ...v, request: { ...v.request, queue } });
  if (given !== undefined) {
    const others = (await fittingCandidates(client, request).catch(() => []))
      .filter((q) => !given.includes(q));
    for (const q of others.slice(0, 2)) {
      tries.push({ request: { ...request, queue: q }, change: `queue ${q}` });
    }
  }
  let found: Suggestion | undefined;
  for (const t of tries) {
    const fit = (await client.planSubmission({ ...t.request, script: MODEL_SCRIPT })).fit;
    if (fit && !fit.fits) continue;
    let forecast: Forecast;
    try {
      forecast = await forecastRequest(client, live, t.request);
    } catch {
      continue;
    }
    if (forecast.start === undefined) continue;
    const gain = bestWait - forecast.waitSeconds!;
    const clear = gain >=
      Math.max(2 * modelCycleSeconds(bestWait), 0.1 * (bestWait === Infinity ? 0 : bestWait));
    if (clear && (found === undefined || forecast.start < found.start)) {
      found = {
        change: t.change,
        queue: t.request.queue!,
        start: forecast.start,
        waitSeconds: forecast.waitSeconds!,
      };
    }
  }
  return found;
}

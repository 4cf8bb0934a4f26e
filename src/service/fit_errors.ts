/**
 * The errors a request that fits no queue earns, in words a user can act on:
 * which limits refused it (from `qstat -Qf`/`-Bf`, via queue_fit.ts) and what
 * to change — a parameter value that would fit, or a queue it fits.
 */
import { PbsError } from "../pbs/errors.ts";
import { describeFit, fixFor, type QueueFit } from "./queue_fit.ts";

/** At most this many alternative queues are named in a hint. */
const MAX_ALTERNATIVES = 4;

/** Each destination of a routing queue and why it refuses (or that it fits). */
export function destinationReport(fit: QueueFit): string {
  return (fit.destinations ?? []).map(describeFit).join("; ");
}

/**
 * What to change: the smallest edits that satisfy the target (for a routing
 * queue, one destination), then queues the request fits as it is.
 */
export function whatToChange(fit: QueueFit | undefined, alternatives: readonly QueueFit[]): string {
  const edits: string[] = [];
  if (fit?.destinations) {
    for (const dest of fit.destinations) {
      if (dest.refusal || dest.violations.length === 0) continue;
      edits.push(`${dest.violations.map(fixFor).join(" and ")} (routes to ${dest.queue})`);
    }
  } else if (fit && !fit.refusal && fit.violations.length > 0) {
    edits.push(fit.violations.map(fixFor).join(" and "));
  }
  const others = alternatives.filter((a) => a.queue !== fit?.queue).map((a) => a.queue);
  const parts: string[] = [];
  if (edits.length) parts.push(`change the request: ${edits.slice(0, 3).join("; or ")}`);
  if (others.length) {
    const more = others.slice(1, MAX_ALTERNATIVES);
    parts.push(
      `name a queue it fits: queue: ${others[0]}${more.length ? ` (or ${more.join(", ")})` : ""}`,
    );
  }
  if (parts.length === 0) {
    return "No queue takes this request as it is; list_queues shows the limits.";
  }
  const text = parts.join("; or ");
  return `To submit it, ${text}.`;
}

/** Before qsub: the target is a routing queue none of whose destinations takes the request. */
export function noDestinationError(fit: QueueFit, alternatives: readonly QueueFit[]): PbsError {
  return new PbsError({
    kind: "resource_limit",
    message: `Not submitted: no destination of routing queue ${fit.queue} accepts this request ` +
      `(PBS would accept the job and then silently discard it). ${destinationReport(fit)}`,
    hint: whatToChange(fit, alternatives),
  });
}

/** After qsub: PBS printed an id, then dropped the job (golden qsub_route_no_destination_accepted). */
export function jobDiscardedError(
  jobId: string,
  queue: string,
  fit: QueueFit | undefined,
  alternatives: readonly QueueFit[],
): PbsError {
  const why = fit?.destinations
    ? ` Its destinations: ${destinationReport(fit)}.`
    : fit
    ? ` ${describeFit(fit)}.`
    : "";
  return new PbsError({
    kind: "job_discarded",
    message: `PBS accepted job ${jobId} into ${queue} and then discarded it: no destination ` +
      `of the routing queue took it, so the job does not exist.${why}`,
    hint: whatToChange(fit, alternatives),
    command: "qsub",
  });
}

/**
 * qsub/qalter/qmove said "Job violates queue and/or server resource limits":
 * the same error, naming the limit it broke and the value that would fit.
 */
export function namedLimitError(
  cause: PbsError,
  fit: QueueFit | undefined,
  alternatives: readonly QueueFit[],
): PbsError {
  const broken = fit
    ? [...fit.violations, ...(fit.destinations ?? []).flatMap((d) => d.violations)]
    : [];
  if (broken.length === 0) return cause;
  const named = fit!.destinations ? destinationReport(fit!) : describeFit(fit!);
  return new PbsError({
    kind: cause.kind,
    message: `${cause.message}: ${named}`,
    hint: whatToChange(fit, alternatives),
    pbsMessage: cause.pbsMessage,
    command: cause.command,
    exitCode: cause.exitCode,
    pbsErrno: cause.pbsErrno,
  });
}

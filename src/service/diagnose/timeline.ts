/**
 * A job's short timeline from its PBS log lines (tracejob), and what the
 * timeline explains: who deleted the job, why and how often it was requeued,
 * which signals it got.
 *
 * The log messages read here are the server's and MoM's (OpenPBS
 * src/lib/Liblog/pbs_messages.c; goldens tracejob_*): `Job Queued at request
 * of U@H, owner = ..., job name = ..., queue = Q` (msg_jobnew), `Job Run at
 * request of ... on exec_vnode V`, `Holds T set|released at request of U@H`,
 * `job signaled with SIG by U@H` (msg_signal_job), `Job sent signal SIG on
 * delete` (msg_delrunjobsig), `Job to be deleted at request of U@H`
 * (msg_deletejob), `Job deleted as result of dependency on job J`
 * (msg_registerdel), `Job Rerun at request of U@H` (msg_jobrerun),
 * `Requeued in queue: Q` (msg_init_queued, at server start), `Job moved to D`,
 * `Exit_status=N` (msg_job_end_stat), MoM's `walltime N exceeded limit M`,
 * `Deleting job history upon request from U@H`. Scheduler (L) lines repeat
 * every cycle and accounting (A) lines are hidden from users, so neither is
 * used.
 */
import { describeExitStatus } from "../../pbs/model/exit_status.ts";
import type { Job } from "../../pbs/model/types.ts";
import type { TraceEntry } from "../../pbs/parse/simple.ts";
import type { Finding } from "./types.ts";

export type TimelineKind =
  | "queued"
  | "eligible"
  | "held"
  | "released"
  | "moved"
  | "started"
  | "signal"
  | "deleted"
  | "requeued"
  | "walltime"
  | "ended"
  | "history_deleted";

export interface TimelineEvent {
  /** Epoch seconds (tracejob prints local time, to the second). */
  time: number;
  kind: TimelineKind;
  text: string;
  /** Who asked for it (`alice@login1`), when the log says. */
  by?: string;
}

export interface JobTimeline {
  events: TimelineEvent[];
  /** Events left out of the middle to keep the timeline short. */
  omitted: number;
  /** Why there is no timeline, or what it cannot show. */
  note?: string;
}

/** Events kept: the first and the last ones, which say how it began and ended. */
export const MAX_EVENTS = 12;
/** Of a bounded timeline, this many events come from its start (the rest from its end). */
export const TIMELINE_FIRST = 5;
/** Hosts named per start before the rest are counted. */
const MAX_HOSTS = 4;

interface LineRule {
  source: "S" | "M";
  pattern: RegExp;
  event: (m: RegExpExecArray) => Omit<TimelineEvent, "time">;
}

/** One rule per log message the timeline shows; lines no rule matches are left out. */
const LINE_RULES: readonly LineRule[] = [
  {
    source: "S",
    pattern: /^Job Queued at request of (\S+), owner = \S+, job name = .*, queue = (\S+)$/,
    event: (m) => ({ kind: "queued", text: `queued in ${m[2]}`, by: m[1] }),
  },
  {
    source: "S",
    pattern: /^Job Run at request of \S+ on exec_vnode (.*)$/,
    event: (m) => ({ kind: "started", text: `started on ${hostList(m[1])}` }),
  },
  {
    source: "S",
    pattern: /^Holds (\S+) set at request of (\S+)$/,
    event: (m) => ({ kind: "held", text: `hold ${m[1]} set`, by: m[2] }),
  },
  {
    source: "S",
    pattern: /^Holds (\S+) released at request of (\S+)$/,
    event: (m) => ({ kind: "released", text: `hold ${m[1]} released`, by: m[2] }),
  },
  {
    source: "S",
    pattern: /^Job moved to (\S+)/,
    event: (m) => ({ kind: "moved", text: `moved to ${m[1]}` }),
  },
  {
    source: "S",
    pattern: /^job signaled with (\S+) by (\S+)$/,
    event: (m) => ({ kind: "signal", text: `sent ${m[1]}`, by: m[2] }),
  },
  {
    source: "S",
    pattern: /^Job sent signal (\S+) on delete$/,
    event: (m) => ({ kind: "signal", text: `sent ${m[1]} to end it for the delete` }),
  },
  {
    source: "S",
    pattern: /^Job to be deleted at request of (\S+)$/,
    event: (m) => ({ kind: "deleted", text: "deleted (qdel)", by: m[1] }),
  },
  {
    source: "S",
    pattern: /^Job deleted as result of dependency on job (\S+)$/,
    event: (m) => ({
      kind: "deleted",
      text: `deleted by PBS: its dependency on ${m[1]} can no longer be met`,
    }),
  },
  {
    source: "S",
    pattern: /^Job Rerun at request of (\S+)$/,
    event: (m) => ({ kind: "requeued", text: "requeued to run again (qrerun)", by: m[1] }),
  },
  {
    source: "S",
    pattern: /^Requeued in queue: (\S+)/,
    event: (m) => ({ kind: "requeued", text: `requeued in ${m[1]} when the PBS server restarted` }),
  },
  {
    source: "M",
    pattern: /walltime (\d+) exceeded limit (\d+)/,
    event: (m) => ({
      kind: "walltime",
      text: `killed by MoM: walltime ${m[1]} s exceeded the limit of ${m[2]} s`,
    }),
  },
  {
    source: "S",
    pattern: /^Exit_status=(-?\d+)/,
    event: (m) => ({
      kind: "ended",
      text: `ended, Exit_status ${m[1]}: ${describeExitStatus(Number(m[1])).meaning}`,
    }),
  },
  {
    source: "S",
    pattern: /^Deleting job history upon request from (\S+)$/,
    event: (m) => ({ kind: "history_deleted", text: "finished record deleted", by: m[1] }),
  },
];

/** `(a:ncpus=1)+(b:ncpus=2)+(a:mem=1gb)` → `a, b`; long lists end with `and N more`. */
function hostList(execVnode: string): string {
  const hosts = [...new Set([...execVnode.matchAll(/\(([^:()+]+)/g)].map((m) => m[1]))];
  if (hosts.length === 0) return execVnode.trim() || "(no host named)";
  const shown = hosts.slice(0, MAX_HOSTS).join(", ");
  return hosts.length > MAX_HOSTS ? `${shown} and ${hosts.length - MAX_HOSTS} more` : shown;
}

/** One event per log line a rule matches, in log order, repeats dropped. */
export function timelineEvents(entries: readonly TraceEntry[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const entry of entries) {
    for (const rule of LINE_RULES) {
      if (entry.source !== rule.source) continue;
      const m = rule.pattern.exec(entry.message);
      if (!m) continue;
      const event: TimelineEvent = { time: Math.floor(entry.time), ...rule.event(m) };
      const last = events.at(-1);
      if (!last || last.kind !== event.kind || last.text !== event.text) events.push(event);
      break;
    }
  }
  return events;
}

/**
 * The timeline of one job: its log events, the eligible time from the job's
 * own record added when it differs from the queue time, bounded to
 * MAX_EVENTS (the first and the last kept).
 */
export function jobTimeline(entries: readonly TraceEntry[], job?: Job): JobTimeline {
  const events = timelineEvents(entries);
  const eligible = job?.times.eligible;
  const queued = job?.times.queued ?? job?.times.created;
  if (
    events.length > 0 && eligible !== undefined && queued !== undefined && eligible > queued
  ) {
    events.push({
      time: eligible,
      kind: "eligible",
      text: "eligible to run (holds and dependencies cleared)",
    });
    events.sort((a, b) => a.time - b.time);
  }
  if (events.length <= MAX_EVENTS) return { events, omitted: 0 };
  const keepLast = MAX_EVENTS - TIMELINE_FIRST;
  return {
    events: [...events.slice(0, TIMELINE_FIRST), ...events.slice(-keepLast)],
    omitted: events.length - MAX_EVENTS,
  };
}

/**
 * What the timeline explains: deletions (by whom, and whether that was the
 * owner), requeues (how often, why), signals. Counted over every event, also
 * those left out of a long timeline.
 */
export function timelineFindings(
  entries: readonly TraceEntry[],
  job: Job,
): Finding[] {
  const all = timelineEvents(entries);
  const findings: Finding[] = [];
  const owner = job.owner.split("@")[0];
  for (const deleted of all.filter((e) => e.kind === "deleted")) {
    const who = deleted.by?.split("@")[0];
    const byOther = who !== undefined && who !== owner;
    findings.push({
      topic: "deletion",
      severity: byOther ? "warning" : "info",
      message: deleted.by
        ? `Deleted at ${isoTime(deleted.time)} at the request of ${deleted.by}` +
          (byOther ? ` (not the owner ${owner}: an operator, a manager or a site tool).` : ".")
        : `${capitalised(deleted.text)} (${isoTime(deleted.time)}).`,
    });
  }
  const requeues = all.filter((e) => e.kind === "requeued");
  if (requeues.length > 0) {
    const why = [...new Set(requeues.map((e) => e.by ? `${e.text} by ${e.by}` : e.text))];
    findings.push({
      topic: "requeue",
      severity: "warning",
      message: `Requeued ${requeues.length} time(s): ${why.join("; ")}. A requeued job ` +
        `starts over from the beginning of its script unless it restarts from its own checkpoints.`,
    });
  }
  const signals = all.filter((e) => e.kind === "signal");
  if (signals.length > 0) {
    findings.push({
      topic: "signals",
      severity: "info",
      message: `Signals: ${
        signals.map((e) => `${e.text}${e.by ? ` by ${e.by}` : ""}`).join("; ")
      }.`,
    });
  }
  return findings;
}

function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(".000Z", "Z");
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

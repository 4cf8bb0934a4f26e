/**
 * Scheduler comments: what the scheduler says about a queued job.
 *
 * The scheduler explains a queued job in its `comment`: `Not Running: REASON`
 * when it may run later, `Can Never Run: REASON` when it cannot run as
 * requested on this complex (REASON from the scheduler's fail-code table).
 * These rules turn that text into a category and a plain explanation.
 */
import type { DiagnosisCategory, SchedulerReason } from "./types.ts";

interface CommentRule {
  pattern: RegExp;
  category: DiagnosisCategory;
  explanation: string;
}

/**
 * Reasons the scheduler gives, most specific first. The wording of each
 * pattern follows the scheduler's fail-code table; `%s` parts are matched loosely.
 */
const COMMENT_RULES: readonly CommentRule[] = [
  {
    pattern: /^Queue not started/i,
    category: "queue_not_started",
    explanation: "The job's queue is stopped: jobs in it are kept but none are started.",
  },
  {
    pattern: /^Queue not an execution queue/i,
    category: "in_routing_queue",
    explanation: "The job sits in a routing queue, which never runs jobs itself.",
  },
  {
    pattern: /^Not enough free nodes available|^Not enough of the right type of nodes/i,
    category: "waiting_for_nodes",
    explanation: "Not enough suitable nodes are free right now; the job starts when some are.",
  },
  {
    pattern: /^Not enough total nodes available|^No available resources on nodes/i,
    category: "waiting_for_nodes",
    explanation: "The nodes the job asks for are not there (down, offline or too few in total).",
  },
  {
    pattern: /reservation|top job|dedicated time|strict sorted order/i,
    category: "reservation_conflict",
    explanation:
      "Starting now would overlap a confirmed reservation, dedicated time, or the start the scheduler has planned for a higher-priority (top) job.",
  },
  {
    pattern:
      /limit (?:has been )?reached|running job limit|running limit|would exceed .*limit|run limit|concurrent running subjobs/i,
    category: "run_limit",
    explanation:
      "A limit on running jobs or resources (per user, group, project, queue or server) is reached; the job starts when enough of the counted jobs end.",
  },
  {
    pattern:
      /^Node is in an ineligible state|^Node is of an ineligible type|exclusive node and node is in use|^Node has reached|has too few free resources|can't fit in the largest placement set/i,
    category: "node_unavailable",
    explanation:
      "The nodes that could take the job are down, offline, in use exclusively or too small.",
  },
  {
    pattern: /primetime|nonprimetime|Job will cross into/i,
    category: "run_limit",
    explanation: "The site's prime-time policy does not allow the job to start now.",
  },
];

const INSUFFICIENT_RE =
  /^Insufficient amount of (?:(queue|server) )?resource: (\S+)(?: \(([^)]*)\))?/i;

/**
 * Reads a scheduler comment. Undefined for comments that are not scheduler
 * verdicts (`Job held by ...`, `Job run at ...`).
 */
export function readSchedulerComment(comment: string): SchedulerReason | undefined {
  const m = /^(Not Running|Can Never Run):\s*(.*)$/s.exec(comment.trim());
  if (!m) return undefined;
  const verdict = m[1] === "Can Never Run" ? "can_never_run" : "not_running";
  const reason = m[2].trim();
  const insufficient = INSUFFICIENT_RE.exec(reason);
  if (insufficient) return insufficientResource(verdict, reason, insufficient);
  const rule = COMMENT_RULES.find((r) => r.pattern.test(reason));
  const category = verdict === "can_never_run"
    ? "can_never_run"
    : rule?.category ?? "scheduler_other";
  const explanation = rule?.explanation ??
    "The scheduler gave a reason this server does not classify; it is quoted as is.";
  return { verdict, category, reason, explanation };
}

function insufficientResource(
  verdict: SchedulerReason["verdict"],
  reason: string,
  m: RegExpExecArray,
): SchedulerReason {
  const scope = (m[1]?.toLowerCase() ?? "node") as "node" | "queue" | "server";
  const counts = parseRequestedAvailableTotal(m[3] ?? "");
  const name = m[2];
  const where = scope === "node" ? "on the nodes" : `in the ${scope}'s limits`;
  const explanation = verdict === "can_never_run"
    ? `The job asks for more ${name} than exists ${where}${
      counts.total ? ` (asks ${counts.requested ?? "?"}, total ${counts.total})` : ""
    }: it will never start as requested.`
    : `Not enough ${name} is free ${where} right now${
      counts.available ? ` (asks ${counts.requested ?? "?"}, ${counts.available} free)` : ""
    }; it starts when enough is released.`;
  return {
    verdict,
    category: verdict === "can_never_run" ? "can_never_run" : "insufficient_resources",
    reason,
    explanation,
    resource: { name, scope, ...counts },
  };
}

/** `R: 16 A: 8 T: 8` → requested 16, available 8, total 8. */
export function parseRequestedAvailableTotal(
  text: string,
): { requested?: string; available?: string; total?: string } {
  const pick = (letter: string) => new RegExp(`\\b${letter}:\\s*(\\S+)`).exec(text)?.[1];
  const out: { requested?: string; available?: string; total?: string } = {};
  const [r, a, t] = [pick("R"), pick("A"), pick("T")];
  if (r !== undefined) out.requested = r;
  if (a !== undefined) out.available = a;
  if (t !== undefined) out.total = t;
  return out;
}

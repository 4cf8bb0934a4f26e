/**
 * The policy every state-changing tool call passes through, in this order:
 *
 * 1. confirmation: destructive calls ask the human (MCP elicitation) as
 *    `--confirm` says; a refusal changes nothing;
 * 2. limits: submissions per call, per minute, and per job (nodes, walltime);
 * 3. the audit log must be writable, or nothing is done;
 * 4. the call runs, its PBS commands are recorded, and one audit line is
 *    written and flushed before the result is returned.
 *
 * Which calls need what is a table keyed by tool name (GUARDS), so the tools
 * themselves stay free of policy.
 */
import {
  acceptedContent,
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  inputRequired,
  type InputRequiredResult,
  inputResponse,
  type McpServer,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { isPbsError } from "../pbs/errors.ts";
import { isActive } from "../pbs/model/states.ts";
import { parseSelect, selectTotals } from "../pbs/model/select.ts";
import { parseDuration } from "../pbs/model/time.ts";
import { type AuditCommand, auditEntry, recordCommands } from "../service/audit.ts";
import { type Asker, confirmAction, type Confirmation } from "../service/confirm.ts";
import { checkBatchSize, checkJobSize } from "../service/limits.ts";
import { redactText, redactValue } from "../service/redact.ts";
import type { PbsClient } from "../service/pbs_client.ts";
import type { ToolExtra } from "./tool_kit.ts";

type Args = Record<string, unknown>;

interface JobSize {
  nodes?: number;
  walltimeSeconds?: number;
}

interface Guard {
  /** The jobs this call would submit (none on a dry run). */
  submissions?(args: Args): JobSize[];
  /** The question to put to the human, when this call needs one. */
  question?(args: Args, client: PbsClient): Promise<string | undefined>;
}

function jobSize(args: Args): JobSize {
  let nodes = typeof args.node_count === "number" ? args.node_count : undefined;
  if (typeof args.select === "string") {
    try {
      nodes = selectTotals(parseSelect(args.select)).nodes;
    } catch {
      // An invalid select is the tool's to report; the limit cannot judge it.
    }
  }
  const walltime = typeof args.walltime === "string" ? parseDuration(args.walltime) : undefined;
  return { nodes, walltimeSeconds: walltime };
}

function batchJobs(args: Args): Args[] {
  return Array.isArray(args.jobs) ? args.jobs as Args[] : [];
}

/** A job's one-line description for a question, or its id when PBS no longer knows it. */
async function runningJob(client: PbsClient, id: string) {
  try {
    const job = await client.job(id);
    return isActive(job.state) ? job : undefined;
  } catch {
    return undefined;
  }
}

const GUARDS: Record<string, Guard> = {
  submit_job: { submissions: (args) => args.dry_run ? [] : [jobSize(args)] },
  submit_batch_jobs: {
    submissions: (args) => batchJobs(args).filter((j) => !j.dry_run).map(jobSize),
  },
  submit_dependent_jobs: { submissions: (args) => batchJobs(args).map(jobSize) },
  delete_job: {
    async question(args, client) {
      const id = String(args.job_id);
      if (args.purge_history) return `Purge job ${id} from PBS's history for good?`;
      if (args.force) return `Force-delete job ${id} (qdel -W force, even if its host is down)?`;
      const job = await runningJob(client, id);
      return job
        ? `Kill running job ${job.id} (${job.name}, owner ${job.user}, state ${job.state})?`
        : undefined;
    },
  },
  modify_job: {
    async question(args, client) {
      const job = await runningJob(client, String(args.job_id));
      return job ? `Change running job ${job.id} (${job.name})?` : undefined;
    },
  },
  manage_reservation: {
    question(args) {
      if (args.action === "delete") {
        return Promise.resolve(`Delete reservation ${args.reservation_id} and its jobs?`);
      }
      if (args.action === "modify") {
        return Promise.resolve(`Change reservation ${args.reservation_id}?`);
      }
      return Promise.resolve(undefined);
    },
  },
};

/** Whether this tool may ask the human before acting (its answer then says what was asked). */
export function asksConfirmation(tool: string): boolean {
  return GUARDS[tool]?.question !== undefined;
}

/**
 * Tools whose answers may carry a secret the caller legitimately wants to see
 * (environment variables, job output): they take `reveal_secrets`. Every other
 * answer is always masked.
 */
const MAY_REVEAL = new Set(["get_job_status", "get_job_output", "diagnose_job"]);

export function mayRevealSecrets(tool: string): boolean {
  return MAY_REVEAL.has(tool);
}

export const RevealSecretsInput = z.boolean().optional().describe(
  "Show values that look like secrets (tokens, passwords, keys); masked by default",
);

/** A result with secrets masked in its text and structured content alike. */
export function maskSecrets(result: CallToolResult): CallToolResult {
  return {
    ...result,
    content: result.content.map((c: CallToolResult["content"][number]) =>
      c.type === "text" ? { ...c, text: redactText(c.text) } : c
    ),
    ...(result.structuredContent
      ? { structuredContent: redactValue(result.structuredContent) }
      : {}),
    ...(result._meta ? { _meta: redactValue(result._meta) } : {}),
  };
}

/** The `confirmation` field of answers of tools that may ask. */
export const ConfirmationShape = z.object({
  /** not_needed, confirmed, unconfirmed (the client cannot ask), declined or refused. */
  outcome: z.string(),
  question: z.string().optional(),
  /** accept, decline or cancel. */
  answer: z.string().optional(),
}).optional();

/**
 * The question is on its way to the client as an input-required result; the
 * client retries the call with the answer. Not a failure: nothing was done,
 * and nothing is audited until the retried call settles.
 */
export class InputNeeded extends Error {
  constructor(readonly result: InputRequiredResult) {
    super("waiting for the user's answer");
  }
}

/** The form every confirmation question is put in. */
function confirmForm(question: string) {
  return {
    message: question,
    requestedSchema: {
      type: "object" as const,
      properties: {
        confirm: { type: "boolean" as const, title: "Go ahead", description: question },
      },
      required: ["confirm"],
    },
  };
}

/** Where the answer travels in `inputResponses`. */
const CONFIRM_KEY = "confirm";
const ConfirmContent = z.object({ confirm: z.boolean() });

/** The first protocol revision without server-to-client requests (input-required results instead). */
const FIRST_STATELESS_REVISION = "2026-07-28";

/** Whether this request comes from a 2026-07-28 (or later) client. */
function isModernRequest(server: McpServer): boolean {
  const version = server.server.getNegotiatedProtocolVersion();
  return version !== undefined && version >= FIRST_STATELESS_REVISION;
}

/**
 * A 2025-era client's user, asked with a server-to-client `elicitation/create`
 * request on the connection (stdio, or the HTTP session), any time during the call.
 */
function pushAsker(server: McpServer, extra: ToolExtra): Asker {
  return {
    canAsk: () => Boolean(server.server.getClientCapabilities()?.elicitation),
    async ask(question) {
      const result = await extra.mcpReq.elicitInput(confirmForm(question));
      if (result.action !== "accept") return result.action;
      return result.content?.confirm === true ? "accept" : "decline";
    },
  };
}

/**
 * A 2026-07-28 client's user, asked before the call does anything: the call
 * returns an input-required result carrying the question (and the question
 * itself as `requestState`); the client asks, then retries the call with the
 * answer, which is read here. An answer only counts for the question it was
 * given to: when the question changed between the rounds (the job started
 * meanwhile), it is asked again.
 */
function inputRequiredAsker(extra: ToolExtra): Asker {
  return {
    // 2026-07-28 requests carry the client's capabilities in their own `_meta`.
    canAsk() {
      const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
      const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as
        | ClientCapabilities
        | undefined;
      return Boolean(capabilities?.elicitation);
    },
    ask(question) {
      const responses = extra.mcpReq.inputResponses;
      const view = inputResponse(responses, CONFIRM_KEY);
      if (view.kind === "elicit" && extra.mcpReq.requestState() === question) {
        if (view.action !== "accept") return Promise.resolve(view.action);
        const content = acceptedContent(responses, CONFIRM_KEY, ConfirmContent);
        return Promise.resolve(content?.confirm === true ? "accept" : "decline");
      }
      throw new InputNeeded(inputRequired({
        inputRequests: { [CONFIRM_KEY]: inputRequired.elicit(confirmForm(question)) },
        requestState: question,
      }));
    },
  };
}

/**
 * No way to ask: a 2026-07-28 call that has started changing things cannot
 * stop to ask (an input-required result would make the client run the whole
 * call again). `--confirm` then decides as for a client that cannot ask.
 */
const CANNOT_ASK: Asker = {
  canAsk: () => false,
  ask: () => Promise.reject(new Error("internal: asked a client that cannot be asked")),
};

/** Who puts the questions of one call to the human, before it acts and while it runs. */
export interface CallAskers {
  before: Asker;
  during: Asker;
}

/** The client's user, asked through MCP elicitation in the way the client's protocol generation allows. */
export function elicitationAskers(server: McpServer, extra: ToolExtra): CallAskers {
  if (isModernRequest(server)) return { before: inputRequiredAsker(extra), during: CANNOT_ASK };
  const push = pushAsker(server, extra);
  return { before: push, during: push };
}

/** Job ids a result names (`job_id` fields at any depth), for the audit line. */
function jobIdsIn(value: unknown, found: string[] = [], depth = 0): string[] {
  if (depth > 6 || value === null || typeof value !== "object") return found;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "job_id" && typeof inner === "string") found.push(inner);
    else jobIdsIn(inner, found, depth + 1);
  }
  return found;
}

/** Asks the human mid-call; true: go ahead (confirmed, or no need/way to ask under --confirm). */
export type AskDuringCall = (question: string) => Promise<boolean>;

export interface GuardedOutcome<T> {
  value: T;
  confirmation: Confirmation;
}

/**
 * Runs one state-changing call under the policy. Throws what the call threw,
 * or the policy's own refusal (`not_confirmed`, `limit_exceeded`,
 * `audit_unavailable`); in every case but an unwritable log one audit line
 * is written.
 */
export async function runGuarded<T>(
  tool: string,
  args: Args,
  client: PbsClient,
  askers: CallAskers,
  caller: string,
  action: (confirm: AskDuringCall) => Promise<T>,
  /** The cluster's name when the server serves several: the audit line and questions say it. */
  cluster?: string,
): Promise<GuardedOutcome<T>> {
  const { policy } = client;
  const onCluster = (question: string) => cluster ? `${question} (cluster ${cluster})` : question;
  const guard = GUARDS[tool] ?? {};
  const audit = (confirmation: Confirmation, rest: {
    commands?: AuditCommand[];
    jobIds?: string[];
    error?: unknown;
  }) =>
    policy.audit.append(auditEntry({
      tool,
      caller,
      arguments: cluster ? { ...args, cluster } : args,
      commands: rest.commands ?? [],
      jobIds: rest.jobIds ?? [],
      confirmation: confirmation.outcome,
      ...(rest.error === undefined ? {} : { error: errorFields(rest.error) }),
    }));

  // No change may happen that the log cannot show.
  await policy.audit.ready();

  let confirmation: Confirmation = { outcome: "not_needed" };
  try {
    const asked = await guard.question?.(args, client);
    const question = asked ? onCluster(asked) : undefined;
    if (question) confirmation = await confirmAction(policy.confirm, question, askers.before);
    const jobs = guard.submissions?.(args) ?? [];
    if (tool !== "submit_job") checkBatchSize(policy.limits, jobs.length);
    for (const job of jobs) checkJobSize(policy.limits, job);
    if (jobs.length > 0) policy.rate.take(jobs.length);
  } catch (error) {
    if (error instanceof InputNeeded) throw error; // asked; the retried call is audited
    const refused = isPbsError(error) && error.kind === "not_confirmed";
    await audit(
      refused ? { outcome: askers.before.canAsk() ? "declined" : "refused" } : confirmation,
      { error },
    );
    throw error;
  }

  // A question a call asks while it runs (a rollback that deletes jobs it
  // submitted): a refusal means "do not", not an error; its outcome is audited.
  const confirmDuringCall: AskDuringCall = async (asked) => {
    const question = onCluster(asked);
    try {
      confirmation = await confirmAction(policy.confirm, question, askers.during);
      return true;
    } catch (error) {
      if (!isPbsError(error) || error.kind !== "not_confirmed") throw error;
      confirmation = { outcome: askers.during.canAsk() ? "declined" : "refused", question };
      return false;
    }
  };
  const { commands, outcome } = await recordCommands(() => action(confirmDuringCall));
  if ("error" in outcome) {
    await audit(confirmation, { commands, error: outcome.error });
    throw outcome.error;
  }
  await audit(confirmation, { commands, jobIds: jobIdsIn(outcome.value) });
  return { value: outcome.value, confirmation };
}

function errorFields(error: unknown): { kind: string; message: string } {
  return isPbsError(error)
    ? { kind: error.kind, message: error.message }
    : { kind: "pbs_error", message: error instanceof Error ? error.message : String(error) };
}

/**
 * One way to define a tool: a value (`defineTool`) with zod input and output
 * shapes, explicit annotations, and a handler returning structured data plus
 * the same answer as compact text. tools/inventory.ts lists every such value; server.ts
 * registers them with `registerTool`.
 *
 * The kit owns what every tool must do alike: typed errors become `isError`
 * results carrying PBS's own message and a hint (never a stack trace), every
 * call is counted and timed, no answer may exceed the size budget of a
 * model's context, and every state-changing call passes the policy
 * (confirmation, limits, audit: policy.ts).
 */
import type {
  CallToolResult,
  InputRequiredResult,
  McpServer,
  ServerContext,
  ToolAnnotations,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { isPbsError, PbsError } from "../pbs/errors.ts";
import { listedInput, listedOutput } from "./listed_schema.ts";
import type { Logger } from "./logger.ts";
import type { PbsClient } from "../service/pbs_client.ts";
import type { ClusterSet } from "../service/cluster_set.ts";
import type { Confirmation } from "../service/confirm.ts";
import {
  type AskDuringCall,
  asksConfirmation,
  ConfirmationShape,
  elicitationAskers,
  InputNeeded,
  maskSecrets,
  mayRevealSecrets,
  RevealSecretsInput,
  runGuarded,
} from "./policy.ts";

/** No tool result may be larger than this (characters of the serialised result). */
export const MAX_RESULT_CHARS = 25_000;

/** The SDK's request context: progress token, notifications, abort signal, caller, era. */
export type ToolExtra = ServerContext;

export interface ToolContext {
  /** The cluster a call is for (the default one until a call names another). */
  client: PbsClient;
  logger: Logger;
  /** Every cluster served; with several, tools take `cluster` (see registerTool). */
  clusters: ClusterSet;
}

/** What a tool's handler receives besides its arguments. */
export interface ToolRunContext extends ToolContext {
  /** The SDK's request context: progress token, notifications, abort signal. */
  extra: ToolExtra;
  /**
   * Asks the human before a destructive step the call decides on while it
   * runs (policy.ts); true means go ahead. Read tools never ask.
   */
  confirm: AskDuringCall;
}

export interface ToolAnswer<O> {
  structured: O;
  /**
   * The answer as compact text, complete on its own: some clients forward only
   * the text to the model, others only the structured content. Lists give one
   * line per row plus the continuation hint.
   */
  text: string;
}

export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  /**
   * What it does and returns, in a few sentences (under 800 characters): every
   * conversation pays for it (tests/mcp/surface.test.ts holds the budget).
   * Parameters are described in their schema, and only where the name does
   * not say it.
   */
  description: string;
  /**
   * What a read-only server lists instead, for a read tool whose description
   * sends the model to a write tool (a read-only server does not offer it).
   */
  readOnlyDescription?: string;
  input: I;
  output: O;
  /** readOnlyHint is required: true for queries, false for everything else. */
  annotations: ToolAnnotations & { readOnlyHint: boolean };
  run(
    args: z.infer<z.ZodObject<I>>,
    context: ToolRunContext,
  ): Promise<ToolAnswer<z.infer<z.ZodObject<O>>>>;
}

/** A tool of any shape, as the inventory holds them. */
export type AnyToolDefinition = ToolDefinition<z.ZodRawShape, z.ZodRawShape>;

/** Defines a tool as a value; the identity function that gives `run` its argument types. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool;
}

/** Where an error result carries the typed error (see errorResult). */
export const ERROR_META_KEY = "pbs-mcp/error";

export interface ErrorDetails {
  kind: string;
  message: string;
  hint: string;
  pbsMessage?: string;
  command?: string;
  exitCode?: number;
  /** The cluster the call was for, when the server serves several. */
  cluster?: string;
}

/**
 * A PbsError (or anything else thrown) as an isError tool result.
 *
 * The text block says everything a model needs (kind, message, PBS's own
 * words, hint). The typed error travels in `_meta`, not `structuredContent`:
 * clients validate any structuredContent against the tool's outputSchema,
 * even on errors, and an error is not the tool's normal output.
 */
export function errorResult(error: unknown): CallToolResult {
  const pbs = isPbsError(error) ? error : new PbsError({
    kind: "pbs_error",
    message: error instanceof Error ? error.message : String(error),
    hint: "This is unexpected; retry, and report it if it persists.",
  });
  // Each text appears twice (text block and _meta); the caps keep the whole
  // result inside MAX_RESULT_CHARS however much PBS or a caller wrote.
  const message = cutText(pbs.message, ERROR_TEXT_BUDGET.message);
  const hint = cutText(pbs.hint, ERROR_TEXT_BUDGET.hint);
  const pbsMessage = pbs.pbsMessage ? cutText(pbs.pbsMessage, ERROR_TEXT_BUDGET.pbs) : undefined;
  const details: ErrorDetails = {
    kind: pbs.kind,
    message,
    hint,
    ...(pbsMessage ? { pbsMessage } : {}),
    ...(pbs.command ? { command: cutText(pbs.command, ERROR_TEXT_BUDGET.command) } : {}),
    ...(pbs.exitCode !== undefined ? { exitCode: pbs.exitCode } : {}),
  };
  const lines = [`Error (${pbs.kind}): ${message}`];
  if (pbsMessage) lines.push(`PBS said: ${pbsMessage}`);
  lines.push(`Hint: ${hint}`);
  return {
    isError: true,
    content: [{ type: "text", text: lines.join("\n") }],
    _meta: { [ERROR_META_KEY]: details },
  };
}

/**
 * Serialised characters each error text may take. Twice their sum, plus the
 * fixed framing, stays well under MAX_RESULT_CHARS.
 */
const ERROR_TEXT_BUDGET = { message: 2_000, hint: 1_000, pbs: 6_000, command: 500 };

/**
 * `text` cut so that its JSON form (quotes and escapes included) takes at most
 * `maxSerialized` characters; a cut text ends with a marker saying how much
 * was left out. A surrogate pair is never split.
 */
export function cutText(text: string, maxSerialized: number): string {
  if (JSON.stringify(text).length <= maxSerialized) return text;
  const markerRoom = 60;
  let used = 2; // the quotes
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const width = code >= 0xd800 && code <= 0xdbff && end + 1 < text.length ? 2 : 1;
    const cost = JSON.stringify(text.slice(end, end + width)).length - 2;
    if (used + cost > maxSerialized - markerRoom) break;
    used += cost;
    end += width;
  }
  return `${text.slice(0, end)} …[cut: ${text.length - end} more characters]`;
}

/** The typed error of an error result, if it carries one. */
export function errorDetailsOf(result: CallToolResult): ErrorDetails | undefined {
  return result._meta?.[ERROR_META_KEY] as ErrorDetails | undefined;
}

function successResult<O>(answer: ToolAnswer<O>): CallToolResult {
  return {
    content: [{ type: "text", text: answer.text }],
    structuredContent: answer.structured as Record<string, unknown>,
  };
}

/** Says in both halves of the answer what the human was asked and answered. */
function withConfirmation<O>(answer: ToolAnswer<O>, confirmation: Confirmation): ToolAnswer<O> {
  const note = confirmation.outcome === "confirmed"
    ? `Confirmed by the user ("${confirmation.question}").`
    : confirmation.outcome === "unconfirmed"
    ? "Done without confirmation: this client cannot ask its user (MCP elicitation)."
    : undefined;
  return {
    structured: { ...answer.structured, confirmation },
    text: note ? `${answer.text}\n${note}` : answer.text,
  };
}

/**
 * With several clusters, every answer names its cluster: first in the text
 * (`[aurora] ...`), and as `cluster` in structuredContent or, for an error,
 * in the typed error of `_meta`.
 */
function namingCluster(result: CallToolResult, cluster: string): CallToolResult {
  const [first, ...rest] = result.content;
  const content = first?.type === "text"
    ? [{ ...first, text: `[${cluster}] ${first.text}` }, ...rest]
    : result.content;
  if (result.isError) {
    const details = errorDetailsOf(result);
    return details
      ? {
        ...result,
        content,
        _meta: { ...result._meta, [ERROR_META_KEY]: { ...details, cluster } },
      }
      : { ...result, content };
  }
  return {
    ...result,
    content,
    ...(result.structuredContent
      ? { structuredContent: { cluster, ...result.structuredContent } }
      : {}),
  };
}

/**
 * A list's cursor names the cluster it pages, so one replayed on another
 * cluster is refused instead of paging that one: `next_cursor` (and the text
 * that quotes it) carry `CLUSTER:CURSOR`, and `cursor` must.
 */
function clusterCursor(result: CallToolResult, cluster: string): CallToolResult {
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  const inner = structured?.next_cursor;
  if (typeof inner !== "string") return result;
  const outer = `${cluster}:${inner}`;
  return {
    ...result,
    content: result.content.map((c) =>
      c.type === "text" ? { ...c, text: c.text.replaceAll(`"${inner}"`, `"${outer}"`) } : c
    ),
    structuredContent: { ...structured, next_cursor: outer },
  };
}

function innerCursor(cursor: unknown, cluster: string): unknown {
  if (typeof cursor !== "string" || cursor === "") return cursor;
  const at = cursor.indexOf(":");
  const issuedFor = at < 0 ? undefined : cursor.slice(0, at);
  if (issuedFor !== cluster) {
    throw new PbsError({
      kind: "invalid_input",
      message: issuedFor
        ? `cursor was issued for cluster ${issuedFor.slice(0, 64)}, not ${cluster}`
        : "cursor is not one this server issued",
      hint: "Pass next_cursor exactly as returned, with the same cluster, or omit cursor.",
    });
  }
  return cursor.slice(at + 1);
}

/**
 * The `cluster` parameter of every tool when a server serves several: the
 * names from the configuration; which is the default the instructions say
 * (server.ts), once rather than in every schema.
 */
function clusterInput(clusters: ClusterSet) {
  return z.enum(clusters.names as [string, ...string[]]).optional();
}

/** Guards the size budget: an oversized answer becomes an error that says how to ask for less. */
function withinBudget(result: CallToolResult, tool: string): CallToolResult {
  const size = JSON.stringify(result).length;
  if (size <= MAX_RESULT_CHARS) return result;
  return errorResult(
    new PbsError({
      kind: "output_too_large",
      message: `the ${tool} answer would be ${size} characters, over the ${MAX_RESULT_CHARS} limit`,
      hint:
        "Ask for less: use limit/cursor, a narrower filter, detail: summary, or fewer tail_lines.",
    }),
  );
}

/**
 * Registers one tool with the kit's common behaviour: closed parameters (an
 * unknown name is refused, naming the closest real one), compact listed
 * schemas (listed_schema.ts), typed errors as results, the size budget,
 * metrics and debug logging. Which tools are registered at
 * all (read-only mode) is the inventory's choice (tools/inventory.ts).
 */
export function registerTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  server: McpServer,
  context: ToolContext,
  tool: ToolDefinition<I, O>,
): void {
  const guarded = !tool.annotations.readOnlyHint;
  const confirms = asksConfirmation(tool.name);
  const reveals = mayRevealSecrets(tool.name);
  // A tool about the clusters themselves (list_clusters) spans them all.
  const routed = context.clusters.several && tool.name !== "list_clusters";
  const input = {
    ...tool.input,
    ...(reveals ? { reveal_secrets: RevealSecretsInput } : {}),
    ...(routed ? { cluster: clusterInput(context.clusters) } : {}),
  };
  const output = {
    ...tool.output,
    ...(confirms ? { confirmation: ConfirmationShape } : {}),
    ...(routed ? { cluster: z.string() } : {}),
  };
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: (context.client.config.readOnly ? tool.readOnlyDescription : undefined) ??
        tool.description,
      inputSchema: listedInput(input),
      outputSchema: listedOutput(output),
      annotations: { ...tool.annotations, openWorldHint: false },
    },
    // The SDK's callback type is generic over the shape; the kit's typing is the contract.
    (async (
      given: z.infer<z.ZodObject<I>> & { cluster?: string },
      extra: ToolExtra,
    ): Promise<CallToolResult | InputRequiredResult> => {
      const { cluster: named, ...rest } = given;
      const target = routed ? context.clusters.pick(named) : context.clusters.default;
      let args = (routed ? rest : given) as z.infer<z.ZodObject<I>>;
      const named_ = (result: CallToolResult) =>
        routed ? namingCluster(clusterCursor(result, target.name), target.name) : result;
      if (routed && "cursor" in args) {
        try {
          args = {
            ...args,
            cursor: innerCursor((args as { cursor?: unknown }).cursor, target.name),
          };
        } catch (error) {
          return named_(errorResult(error));
        }
      }
      const callContext = { ...context, client: target.client };
      // The size budget counts the cluster's name; an oversized answer's error names it too.
      const bounded = (result: CallToolResult) => {
        const answer = named_(result);
        const checked = withinBudget(answer, tool.name);
        return checked === answer ? answer : named_(checked);
      };
      const started = performance.now();
      let failed = false;
      let asking = false;
      const masked = (result: CallToolResult) =>
        reveals && (args as { reveal_secrets?: boolean }).reveal_secrets === true
          ? result
          : maskSecrets(result);
      try {
        const run = (confirm: AskDuringCall = () => Promise.resolve(true)) =>
          tool.run(args, { ...callContext, extra, confirm });
        if (!guarded) return bounded(masked(successResult(await run())));
        const { value, confirmation } = await runGuarded(
          tool.name,
          args as Record<string, unknown>,
          target.client,
          elicitationAskers(server, extra),
          extra.http?.authInfo?.clientId ?? target.client.user,
          run,
          routed ? target.name : undefined,
        );
        const answer = confirms ? withConfirmation(value, confirmation) : value;
        return bounded(masked(successResult(answer)));
      } catch (error) {
        if (error instanceof InputNeeded) {
          // The question goes to the client; the call runs again with the answer.
          asking = true;
          return error.result;
        }
        failed = true;
        if (!isPbsError(error)) {
          context.logger.error("tool failed unexpectedly", {
            tool: tool.name,
            error: error instanceof Error ? error.stack ?? error.message : String(error),
          });
        }
        return named_(masked(errorResult(error)));
      } finally {
        const ms = performance.now() - started;
        if (!asking) target.client.metrics.recordToolCall(tool.name, ms, failed);
        context.logger.debug("tool call", {
          tool: tool.name,
          ms: Math.round(ms),
          failed,
          ...(asking ? { asking: true } : {}),
          ...(routed ? { cluster: target.name } : {}),
        });
      }
      // deno-lint-ignore no-explicit-any
    }) as any,
  );
}

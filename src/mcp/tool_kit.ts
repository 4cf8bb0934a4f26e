/**
 * One way to define a tool: a value (`defineTool`) with zod input and output
 * shapes, explicit annotations, and a handler returning structured data plus a
 * short text summary. tools/inventory.ts lists every such value; server.ts
 * registers them with `registerTool`.
 *
 * The kit owns what every tool must do alike: typed errors become `isError`
 * results carrying PBS's own message and a hint (never a stack trace), every
 * call is counted and timed, and no answer may exceed the size budget of a
 * model's context.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { isPbsError, PbsError } from "../pbs/errors.ts";
import { listedInput, listedOutput } from "./listed_schema.ts";
import type { Logger } from "./logger.ts";
import type { PbsClient } from "../service/pbs_client.ts";

/** No tool result may be larger than this (characters of the serialised result). */
export const MAX_RESULT_CHARS = 25_000;

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  client: PbsClient;
  logger: Logger;
}

/** What a tool's handler receives besides its arguments. */
export interface ToolRunContext extends ToolContext {
  /** The SDK's request context: progress token, notifications, abort signal. */
  extra: ToolExtra;
}

export interface ToolAnswer<O> {
  structured: O;
  /** A short human-readable summary (a few lines); the structured content carries the data. */
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
  const details: ErrorDetails = {
    kind: pbs.kind,
    message: pbs.message,
    hint: pbs.hint,
    ...(pbs.pbsMessage ? { pbsMessage: pbs.pbsMessage } : {}),
    ...(pbs.command ? { command: pbs.command } : {}),
    ...(pbs.exitCode !== undefined ? { exitCode: pbs.exitCode } : {}),
  };
  const lines = [`Error (${pbs.kind}): ${pbs.message}`];
  if (pbs.pbsMessage) lines.push(`PBS said: ${pbs.pbsMessage}`);
  lines.push(`Hint: ${pbs.hint}`);
  return {
    isError: true,
    content: [{ type: "text", text: lines.join("\n") }],
    _meta: { [ERROR_META_KEY]: details },
  };
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
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: (context.client.config.readOnly ? tool.readOnlyDescription : undefined) ??
        tool.description,
      inputSchema: listedInput(tool.input),
      outputSchema: listedOutput(tool.output),
      annotations: { ...tool.annotations, openWorldHint: false },
    },
    // The SDK's callback type is generic over the shape; the kit's typing is the contract.
    (async (args: z.infer<z.ZodObject<I>>, extra: ToolExtra): Promise<CallToolResult> => {
      const started = performance.now();
      let failed = false;
      try {
        const answer = await tool.run(args, { ...context, extra });
        return withinBudget(successResult(answer), tool.name);
      } catch (error) {
        failed = true;
        if (!isPbsError(error)) {
          context.logger.error("tool failed unexpectedly", {
            tool: tool.name,
            error: error instanceof Error ? error.stack ?? error.message : String(error),
          });
        }
        return errorResult(error);
      } finally {
        const ms = performance.now() - started;
        context.client.metrics.recordToolCall(tool.name, ms, failed);
        context.logger.debug("tool call", { tool: tool.name, ms: Math.round(ms), failed });
      }
      // deno-lint-ignore no-explicit-any
    }) as any,
  );
}

/**
 * The checks every request passes before the SDK sees it, and every answer
 * after, whatever the transport:
 *
 * - malformed params (e.g. `tools/call` with `"arguments": 5`, or
 *   `resources/read` with `"uri": 7`) are JSON-RPC -32602 Invalid params, not
 *   -32603 Internal error (the SDK validates a request's params and throws a
 *   plain Error when they are wrong);
 * - tool arguments are bounded in total (MAX_ARGUMENT_BYTES), so no request
 *   the server accepts can come near a transport's message limit, and a key
 *   named `__proto__` (which a JavaScript object cannot hold as data) is
 *   refused instead of silently dropped;
 * - every tool result, the SDK's own input-validation errors included, fits
 *   MAX_RESULT_CHARS, and every JSON-RPC error message is cut short.
 */
import {
  type CallToolResult,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type SpecTypeName,
  specTypeSchemas,
} from "@modelcontextprotocol/server";
import { PbsError } from "../pbs/errors.ts";
import { cutText, errorResult, MAX_RESULT_CHARS } from "./tool_kit.ts";

/**
 * Largest tool arguments accepted, as UTF-8 JSON. Transports accept messages
 * of at least MAX_MESSAGE_BYTES, which leaves room for a client that escapes
 * every non-ASCII character (`\uXXXX`, 6 bytes for at most 3) and for the
 * JSON-RPC envelope.
 */
export const MAX_ARGUMENT_BYTES = 4 * 1024 * 1024;

/** The largest message a transport must accept (see MAX_ARGUMENT_BYTES). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** JSON-RPC error messages are cut to this many characters. */
const MAX_ERROR_MESSAGE_CHARS = 2_000;

type RequestHandler = (request: RawRequest, context: unknown) => Promise<unknown>;

interface RawRequest {
  method: string;
  params?: unknown;
}

/**
 * Wraps every request handler the server has registered. Call it once, after
 * every tool, resource and prompt is registered.
 */
export function guardRequests(server: McpServer): void {
  // The SDK (v2 as v1) keeps its handlers in a private map and offers no
  // public way to wrap them (`_wrapHandler` is a hook for subclasses of its
  // own Server, which McpServer builds itself); the check below fails loudly,
  // at start-up, if a new SDK changes that.
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map)) {
    throw new Error("internal: the MCP SDK's request handler table was not found");
  }
  const table = handlers as Map<string, RequestHandler>;
  for (const [method, handler] of table) {
    table.set(method, guarded(method, handler));
  }
}

function guarded(method: string, handler: RequestHandler): RequestHandler {
  return async (request, context) => {
    if (method === "tools/call") {
      const refusal = argumentsRefusal(request.params);
      if (refusal) return refusal;
    }
    let result: unknown;
    try {
      result = await handler(request, context);
    } catch (error) {
      throw protocolError(method, request, error);
    }
    return method === "tools/call" ? boundedToolResult(result as CallToolResult) : result;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Arguments that must not reach the tool: not an object (-32602, thrown), too
 * large or holding a `__proto__` key (an invalid_input tool error, like any
 * other argument the schema refuses, so a model can correct itself).
 */
function argumentsRefusal(params: unknown): CallToolResult | undefined {
  if (!isPlainObject(params)) return undefined; // the SDK's own parse reports it (see protocolError)
  const args = params.arguments;
  if (args === undefined) return undefined;
  if (!isPlainObject(args)) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `tools/call arguments must be an object of named parameters, got ${
        Array.isArray(args) ? "an array" : args === null ? "null" : typeof args
      }`,
    );
  }
  const bytes = new TextEncoder().encode(JSON.stringify(args)).length;
  if (bytes > MAX_ARGUMENT_BYTES) {
    return errorResult(
      new PbsError({
        kind: "invalid_input",
        message: `the arguments are ${bytes} bytes as JSON, over the ${MAX_ARGUMENT_BYTES} ` +
          "byte limit of one call",
        hint: "Save long job scripts to files and pass script_path, or split a batch into " +
          "several calls.",
      }),
    );
  }
  const protoPath = findProtoKey(args);
  if (protoPath !== undefined) {
    return errorResult(
      new PbsError({
        kind: "invalid_input",
        message: `the key "__proto__" (at ${cutText(protoPath, 200)}) cannot be used as a name`,
        hint: "Rename it: job keys, environment variable and resource names may not be " +
          '"__proto__".',
      }),
    );
  }
  return undefined;
}

/** The path of the first own `__proto__` key in a JSON value, if any (iterative: no recursion). */
function findProtoKey(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, "arguments"]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push([child, `${path}[${i}]`]));
      continue;
    }
    if (Object.hasOwn(node, "__proto__")) return `${path}.__proto__`;
    for (const [key, child] of Object.entries(node)) stack.push([child, `${path}.${key}`]);
  }
  return undefined;
}

/**
 * Any tool result within MAX_RESULT_CHARS. The kit's own results already are;
 * this catches the SDK's input-validation errors, whose text lists every zod
 * issue with its path (and a path holds the caller's keys, of any length).
 */
function boundedToolResult(result: CallToolResult): CallToolResult {
  if (!isPlainObject(result) || JSON.stringify(result).length <= MAX_RESULT_CHARS) return result;
  if (!result.isError) {
    return errorResult(
      new PbsError({
        kind: "output_too_large",
        message: `the answer would be over the ${MAX_RESULT_CHARS} character limit`,
        hint: "Ask for less: use limit/cursor, a narrower filter, or detail: summary.",
      }),
    );
  }
  const blocks = Array.isArray(result.content) ? result.content : [];
  const text = blocks
    .map((block: { type: string; text?: unknown }) =>
      block.type === "text" && typeof block.text === "string" ? block.text : ""
    )
    .join("\n");
  return {
    isError: true,
    content: [{ type: "text", text: cutText(text, MAX_RESULT_CHARS - 2_000) }],
  };
}

/** The spec type of each request method this server answers (for telling bad params from a fault). */
const REQUEST_TYPES: Record<string, SpecTypeName> = {
  "initialize": "InitializeRequest",
  "ping": "PingRequest",
  "tools/list": "ListToolsRequest",
  "tools/call": "CallToolRequest",
  "resources/list": "ListResourcesRequest",
  "resources/templates/list": "ListResourceTemplatesRequest",
  "resources/read": "ReadResourceRequest",
  "prompts/list": "ListPromptsRequest",
  "prompts/get": "GetPromptRequest",
  "completion/complete": "CompleteRequest",
  "logging/setLevel": "SetLevelRequest",
};

/**
 * A handler's failure as the JSON-RPC error to send, its message cut short.
 * The SDK validates params before calling a handler and throws a plain Error
 * (which would go out as -32603 Internal error) when they are wrong: when the
 * request fails its spec schema, it is the caller's params that are wrong.
 */
function protocolError(method: string, request: RawRequest, error: unknown): unknown {
  if (error instanceof ProtocolError) {
    if (error.message.length <= MAX_ERROR_MESSAGE_CHARS) return error;
    return new ProtocolError(
      error.code,
      cutText(error.message, MAX_ERROR_MESSAGE_CHARS),
      error.data,
    );
  }
  const issues = paramIssues(method, request);
  if (issues !== undefined) {
    return new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      cutText(`Invalid params for ${method}: ${issues}`, MAX_ERROR_MESSAGE_CHARS),
    );
  }
  if (error instanceof Error && error.message.length > MAX_ERROR_MESSAGE_CHARS) {
    return new ProtocolError(
      ProtocolErrorCode.InternalError,
      cutText(error.message, MAX_ERROR_MESSAGE_CHARS),
    );
  }
  return error;
}

/** What is wrong with a request's params by the spec (first five issues), or undefined. */
function paramIssues(method: string, request: RawRequest): string | undefined {
  const type = Object.hasOwn(REQUEST_TYPES, method) ? REQUEST_TYPES[method] : undefined;
  if (type === undefined) return undefined;
  const checked = specTypeSchemas[type]["~standard"].validate(request);
  if (checked instanceof Promise || checked.issues === undefined) return undefined;
  return checked.issues
    .slice(0, 5)
    .map((issue) => {
      const path = (issue.path ?? []).map((part) =>
        typeof part === "object" ? String(part.key) : String(part)
      );
      return `${issue.message}${path.length ? ` at ${path.join(".")}` : ""}`;
    })
    .join("; ");
}

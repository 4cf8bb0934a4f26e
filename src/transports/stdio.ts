/**
 * The stdio transport: the MCP protocol on stdin/stdout (one JSON-RPC message
 * per line), logs on stderr.
 *
 * The SDK's StdioServerTransport closes itself, silently, when more than
 * 10 MiB are buffered, and drops lines that are not JSON-RPC without a reply;
 * either way the client waits forever or loses the server. This transport
 * answers every bad line with a JSON-RPC error and keeps serving: a line over
 * MAX_MESSAGE_BYTES is discarded as it streams in (never held whole), and the
 * request id is recovered from its edges when it can be, so the client's
 * pending call fails at once instead of timing out.
 *
 * Both protocol generations are served: the SDK's stdio entry reads the
 * connection's first message (a 2025 `initialize`, or a 2026-07-28 request
 * carrying its `_meta` envelope) and pins the connection to that era, with
 * one McpServer from the factory.
 */
import process from "node:process";
import {
  type JSONRPCMessage,
  type McpServer,
  parseJSONRPCMessage,
  ProtocolErrorCode,
  type Transport,
} from "@modelcontextprotocol/server";
import { serveStdio as serveStdioEntry } from "@modelcontextprotocol/server/stdio";
import type { Logger } from "../mcp/logger.ts";
import { MAX_MESSAGE_BYTES } from "../mcp/request_guard.ts";

const NEWLINE = 0x0a;
/** Bytes kept from each end of an oversized line to find its id. */
const EDGE_BYTES = 256;

type RequestId = string | number | null;

/** A JSON-RPC error reply with no request behind it (id null when unknown). */
function errorReply(id: RequestId, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage;
}

/**
 * Splits a byte stream into lines of at most `maxBytes`. A longer line is
 * reported once, with its first and last bytes, when its newline arrives.
 */
export class LineSplitter {
  #parts: Uint8Array[] = [];
  #size = 0;
  #oversized = false;
  #head: Uint8Array = new Uint8Array(0);
  #tail: Uint8Array = new Uint8Array(0);
  #total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: Uint8Array) => void,
    private readonly onOversized: (head: Uint8Array, tail: Uint8Array, bytes: number) => void,
  ) {}

  push(data: Uint8Array): void {
    // A plain view: on a Node Buffer, slice() would not copy.
    const chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end));
      if (newline < 0) return;
      this.#finishLine();
      start = newline + 1;
    }
  }

  #append(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (!this.#oversized && this.#size + piece.length <= this.maxBytes) {
      // Copied: the stream may reuse its chunk buffers.
      this.#parts.push(piece.slice());
      this.#size += piece.length;
      return;
    }
    if (!this.#oversized) {
      const whole = this.#joined();
      this.#oversized = true;
      this.#total = whole.length;
      this.#head = whole.slice(0, EDGE_BYTES);
      this.#tail = whole.slice(-EDGE_BYTES);
      this.#parts = [];
      this.#size = 0;
    }
    this.#total += piece.length;
    if (this.#head.length < EDGE_BYTES) {
      this.#head = concat(this.#head, piece.subarray(0, EDGE_BYTES - this.#head.length));
    }
    this.#tail = concat(this.#tail, piece.subarray(-EDGE_BYTES)).slice(-EDGE_BYTES);
  }

  #finishLine(): void {
    if (this.#oversized) {
      this.onOversized(this.#head, this.#tail, this.#total);
    } else {
      this.onLine(this.#joined());
    }
    this.#parts = [];
    this.#size = 0;
    this.#oversized = false;
    this.#head = new Uint8Array(0);
    this.#tail = new Uint8Array(0);
    this.#total = 0;
  }

  #joined(): Uint8Array {
    return this.#parts.length === 1 ? this.#parts[0] : concat(...this.#parts);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The id of a request seen only by its first and last bytes. Clients put
 * `"jsonrpc"` and `"id"` either first or last (the SDK's client writes
 * `{"method":…,"params":…,"jsonrpc":"2.0","id":N}`); an id is only taken from
 * the very start or the very end of the object, where it cannot be nested.
 */
export function recoverId(head: string, tail: string): RequestId {
  const value = String.raw`(-?\d{1,15}|"(?:[^"\\]|\\.){0,100}")`;
  const atEnd = new RegExp(String.raw`[{,]\s*"id"\s*:\s*${value}\s*}\s*$`).exec(tail);
  const atStart = new RegExp(
    String.raw`^\s*{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${value}\s*[,}]`,
  ).exec(head);
  const raw = atEnd?.[1] ?? atStart?.[1];
  if (raw === undefined) return null;
  try {
    const id = JSON.parse(raw);
    return typeof id === "string" || typeof id === "number" ? id : null;
  } catch {
    return null;
  }
}

/** The id of a parsed but invalid message, if it has a usable one. */
function idOf(value: unknown): RequestId {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}

/** Newline-delimited JSON-RPC over a pair of Node-style streams (stdin/stdout by default). */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  #splitter: LineSplitter;
  #decoder = new TextDecoder();
  #started = false;
  #closed = false;
  #markClosed: () => void = () => {};
  /** Settles when the transport has closed, whoever owns `onclose`. */
  readonly closed = new Promise<void>((resolve) => (this.#markClosed = resolve));

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {
    this.#splitter = new LineSplitter(
      maxMessageBytes,
      (line) => this.#onLine(line),
      (head, tail, bytes) => {
        const id = recoverId(this.#decoder.decode(head), this.#decoder.decode(tail));
        this.#reply(errorReply(
          id,
          ProtocolErrorCode.InvalidRequest,
          `Invalid Request: the message is ${bytes} bytes, over this server's limit of ` +
            `${maxMessageBytes}; it was discarded. Keep calls smaller (pass long job scripts ` +
            "as script_path).",
        ));
      },
    );
  }

  #ondata = (chunk: Uint8Array | string) => {
    this.#splitter.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  };
  #onerror = (error: Error) => this.onerror?.(error);

  start(): Promise<void> {
    if (this.#started) throw new Error("LineTransport already started");
    this.#started = true;
    this.input.on("data", this.#ondata);
    this.input.on("error", this.#onerror);
    return Promise.resolve();
  }

  #onLine(bytes: Uint8Array): void {
    const line = this.#decoder.decode(bytes).replace(/\r$/, "");
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      this.#reply(errorReply(
        null,
        ProtocolErrorCode.ParseError,
        `Parse error: the line is not JSON (${error instanceof Error ? error.message : error})`
          .slice(0, 300),
      ));
      return;
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      this.#reply(errorReply(
        idOf(value),
        ProtocolErrorCode.InvalidRequest,
        "Invalid Request: not a JSON-RPC 2.0 request, notification or response",
      ));
      return;
    }
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #reply(message: JSONRPCMessage): void {
    this.send(message).catch((error) => this.onerror?.(error));
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once("drain", () => resolve());
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.input.off("data", this.#ondata);
    this.input.off("error", this.#onerror);
    if (this.input.listenerCount("data") === 0) this.input.pause();
    this.onclose?.();
    this.#markClosed();
    return Promise.resolve();
  }
}

/**
 * Serves until the client goes away. A client closing our stdin (the normal
 * way to stop a stdio server) is caught here, as are SIGINT and SIGTERM.
 * `factory` builds the server for the connection once its era is known (a
 * client probing with `server/discover` before falling back to `initialize`
 * gets a second one).
 */
export async function serveStdio(factory: () => McpServer, logger: Logger): Promise<void> {
  const transport = new LineTransport();
  const connection = serveStdioEntry(factory, {
    transport,
    // Protocol errors (a bad line, a failed write) are logged; they never end the server.
    onerror: (error: Error) =>
      logger.warn("transport error", { error: error.message.slice(0, 500) }),
  });
  const shutdown = (why: string) => {
    logger.info("shutting down", { why });
    connection.close().catch(() => {});
  };
  process.stdin.once("end", () => shutdown("stdin closed"));
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handlers = signals.map((signal) => {
    const handler = () => shutdown(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  logger.info("serving MCP on stdio");
  await transport.closed;
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
}

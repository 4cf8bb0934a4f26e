/**
 * main.ts over a real stdio pipe, sent what a hostile or broken client sends:
 * every bad line gets a JSON-RPC answer and the server keeps serving.
 */
import assert from "node:assert/strict";
import { MAX_MESSAGE_BYTES } from "../../src/mcp/request_guard.ts";
import { MAX_RESULT_CHARS } from "../../src/mcp/tool_kit.ts";
import { taskFlags } from "./task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

interface Reply {
  id: string | number | null;
  result?: { isError?: boolean; content?: { text: string }[] };
  error?: { code: number; message: string };
}

/** The demo server as a subprocess, spoken to in raw JSON-RPC lines. */
function startServer() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskFlags("demo", Deno.env.get("HOME") ?? "/"), MAIN, "--demo"],
    env: { USER: "alice", PBS_MCP_LOG_LEVEL: "error" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const encoder = new TextEncoder();
  return {
    child,
    /** Writes one line, in 1 MiB pieces (as a real pipe delivers it). */
    async send(line: string) {
      const bytes = encoder.encode(`${line}\n`);
      for (let at = 0; at < bytes.length; at += 1 << 20) {
        await writer.write(bytes.subarray(at, at + (1 << 20)));
      }
    },
    /** The next line the server writes, parsed; undefined when stdout ends. */
    async next(): Promise<Reply | undefined> {
      for (;;) {
        const newline = buffered.indexOf("\n");
        if (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          return JSON.parse(line);
        }
        const { value, done } = await lines.read();
        if (done) return undefined;
        buffered += value;
      }
    },
    async stop() {
      await writer.close().catch(() => {});
      await lines.cancel().catch(() => {});
      await child.status;
    },
  };
}

function toolCall(id: number, name: string, args: unknown): string {
  // Same key order as the SDK's client: the id comes last.
  return JSON.stringify({
    method: "tools/call",
    params: { name, arguments: args },
    jsonrpc: "2.0",
    id,
  });
}

Deno.test("stdio: hostile messages are answered and the server keeps serving", async (t) => {
  const server = startServer();
  try {
    await server.send(JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "hostile", version: "1" },
      },
    }));
    assert.equal((await server.next())?.id, 0);
    await server.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));

    await t.step("a schema-valid 10.5 MiB batch is refused as a tool error", async () => {
      const script = `#!/bin/bash\n${"x".repeat(1_000_000)}\n`;
      const jobs = Array.from({ length: 11 }, () => ({ script, dry_run: true }));
      const line = toolCall(1, "submit_batch_jobs", { jobs });
      assert.ok(line.length > 10 * 1024 * 1024, "over the SDK stdio reader's 10 MiB");
      await server.send(line);
      const reply = await server.next();
      assert.equal(reply?.id, 1);
      assert.equal(reply?.result?.isError, true);
      assert.match(reply!.result!.content![0].text, /over the \d+ byte limit of one call/);
      assert.ok(JSON.stringify(reply).length <= MAX_RESULT_CHARS + 100);
    });

    await t.step("a line over the transport limit is discarded and answered by id", async () => {
      const args = { script: "y".repeat(MAX_MESSAGE_BYTES + 1024) };
      await server.send(toolCall(2, "submit_job", args));
      const reply = await server.next();
      assert.equal(reply?.id, 2);
      assert.equal(reply?.error?.code, -32600);
      assert.match(reply!.error!.message, /over this server's limit/);
    });

    await t.step("a line that is not JSON gets a parse error", async () => {
      await server.send("this is not json {");
      const reply = await server.next();
      assert.equal(reply?.id, null);
      assert.equal(reply?.error?.code, -32700);
    });

    await t.step("JSON that is not JSON-RPC gets Invalid Request with its id", async () => {
      await server.send(JSON.stringify({ id: 3, hello: "world" }));
      const reply = await server.next();
      assert.equal(reply?.id, 3);
      assert.equal(reply?.error?.code, -32600);
    });

    await t.step("a request whose params are not an object gets Invalid Request", async () => {
      await server.send(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: 7 }));
      const reply = await server.next();
      assert.equal(reply?.id, 9);
      assert.equal(reply?.error?.code, -32600);
    });

    for (const [id, args] of [[4, 5], [5, ["a"]], [6, "text"], [7, null]] as const) {
      await t.step(`arguments ${JSON.stringify(args)} are -32602 Invalid params`, async () => {
        await server.send(toolCall(id, "list_jobs", args));
        const reply = await server.next();
        assert.equal(reply?.id, id);
        assert.equal(reply?.error?.code, -32602, JSON.stringify(reply));
      });
    }

    await t.step("after all that, a normal call still works", async () => {
      await server.send(toolCall(8, "get_server_info", {}));
      const reply = await server.next();
      assert.equal(reply?.id, 8);
      assert.equal(reply?.result?.isError, undefined, JSON.stringify(reply));
    });
  } finally {
    await server.stop();
  }
});

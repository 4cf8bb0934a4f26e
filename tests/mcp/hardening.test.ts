/**
 * The server against what an adversarial client, or a broken PBS, sends it:
 * every answer is bounded and typed, the server never fails "unexpectedly".
 *
 * Through the SDK Client (or raw JSON-RPC over the SDK's in-memory transport)
 * against the real server; PBS is the simulator, a scripted runner returning
 * wrong-shaped JSON, or RealRunner running fake PBS executables.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import {
  type CallToolResult,
  Client,
  InMemoryTransport,
  type JSONRPCMessage,
} from "@modelcontextprotocol/client";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { silentLogger } from "../../src/mcp/logger.ts";
import { MAX_ARGUMENT_BYTES } from "../../src/mcp/request_guard.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import { cutText, errorDetailsOf, MAX_RESULT_CHARS } from "../../src/mcp/tool_kit.ts";
import type { RealRunnerOptions } from "../../src/pbs/real_runner.ts";
import { pinnedRunner } from "../e2e/pinned_pbs.ts";
import type { Runner, RunResult } from "../../src/pbs/runner.ts";
import { type Config, loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { simScript, sizeOf, startHarness, textOf } from "./harness.ts";
import { PROTO_KEYS } from "../proto_keys.ts";

/** An SDK client connected to the real server over `runner`. */
async function serverOver(runner: Runner, overrides: Partial<Config> = {}) {
  const config = { ...loadConfig({}), cacheTtlMs: 0, allowedDirs: [], ...overrides };
  const server = createMcpServer(new PbsClient({ runner, user: "alice", config }), silentLogger);
  const client = new Client({ name: "hardening", version: "0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return {
    call: async (name: string, args: Record<string, unknown>) =>
      await client.callTool({ name, arguments: args }) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** A runner answering every command with the same stdout (exit 0). */
function scriptedRunner(stdout: string): Runner {
  return {
    run: (): Promise<RunResult> =>
      Promise.resolve({
        stdout,
        stderr: "",
        code: 0,
        timedOut: false,
        truncated: false,
        durationMs: 1,
      }),
  };
}

/** A dir of fake PBS executables (shell scripts), removed by the caller. */
async function fakePbs(scripts: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-fake-pbs-" });
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${dir}/${name}`, `#!/bin/sh\n${body}\n`);
    await Deno.chmod(`${dir}/${name}`, 0o755);
  }
  return dir;
}

function realRunnerIn(dir: string, options: RealRunnerOptions = {}) {
  return pinnedRunner(dir, options);
}

function assertBounded(result: CallToolResult): void {
  assert.ok(
    sizeOf(result) <= MAX_RESULT_CHARS,
    `result is ${sizeOf(result)} characters, over ${MAX_RESULT_CHARS}`,
  );
}

Deno.test("error results fit the budget, whatever was sent or printed", async (t) => {
  await t.step("an oversized invalid select is not echoed", async () => {
    const h = await startHarness();
    try {
      // Not resource=value: the grammar error used to quote the whole spec, and the field.
      const select = `1:ncpus=4:${"x".repeat(3_000_000)}`;
      const result = await h.call("submit_job", { script: "echo", select, dry_run: true });
      assert.equal(result.isError, true);
      assertBounded(result);
      assert.match(textOf(result), /select/);
    } finally {
      await h.close();
    }
  });

  await t.step("zod issue paths holding huge keys are cut", async () => {
    const h = await startHarness();
    try {
      const env: Record<string, string> = {};
      for (let i = 0; i < 3; i++) env[`${i}${"K".repeat(1_000_000)}`] = "x";
      const result = await h.call("submit_job", { script: "echo", env, dry_run: true });
      assert.equal(result.isError, true);
      assertBounded(result);
    } finally {
      await h.close();
    }
  });

  await t.step("arguments over the call limit are refused, typed", async () => {
    const h = await startHarness();
    try {
      const script = `#!/bin/bash\n${"x".repeat(900_000)}\n`;
      const jobs = Array.from({ length: 5 }, () => ({ script, dry_run: true }));
      const result = await h.call("submit_batch_jobs", { jobs });
      assert.equal(result.isError, true);
      assertBounded(result);
      assert.equal(errorDetailsOf(result)?.kind, "invalid_input");
      assert.match(textOf(result), new RegExp(`over the ${MAX_ARGUMENT_BYTES} byte limit`));
    } finally {
      await h.close();
    }
  });

  await t.step("a PBS command flooding stderr is cut with a marker", async () => {
    const dir = await fakePbs({
      qstat: `head -c 5000000 /dev/zero | tr '\\0' 'E' >&2; exit 1`,
    });
    const server = await serverOver(realRunnerIn(dir));
    try {
      const result = await server.call("get_job_status", { job_id: "1" });
      assert.equal(result.isError, true);
      assertBounded(result);
      const pbsMessage = errorDetailsOf(result)?.pbsMessage ?? "";
      assert.match(pbsMessage, /^E{100}/);
      assert.match(pbsMessage, /…\[cut: \d+ more characters\]$/);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("a timeout names the configured limit, not the time with the kill grace", async () => {
  const dir = await fakePbs({ qstat: `trap '' TERM; while :; do sleep 1; done` });
  // PbsClient passes its configured timeout on every call; the grace comes on top of it.
  const server = await serverOver(realRunnerIn(dir, { killGraceMs: 1_500 }), { timeoutMs: 300 });
  try {
    const result = await server.call("get_job_status", { job_id: "1" });
    assert.equal(errorDetailsOf(result)?.kind, "timeout");
    assert.match(textOf(result), /did not finish within 0\.3 s/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("valid JSON of the wrong shape from PBS is a parse_error", async (t) => {
  const header = `"timestamp": 1795489511, "pbs_version": "23.06.06", "pbs_server": "vm"`;
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ["get_job_status", "Jobs is a list", { job_id: "1" }, `{${header}, "Jobs": [1, 2]}`],
    ["get_job_status", "a job is a string", { job_id: "1" }, `{${header}, "Jobs": {"1.vm": "R"}}`],
    ["get_job_status", "a job has no state", { job_id: "1" }, `{${header}, "Jobs": {"1.vm": {}}}`],
    ["get_job_status", "not PBS output", { job_id: "1" }, `{"hello": "world"}`],
    ["list_nodes", "nodes is a number", {}, `{${header}, "nodes": 5}`],
    ["list_nodes", "a node is a number", {}, `{${header}, "nodes": {"n1": 5}}`],
    ["list_nodes", "not PBS output", {}, `{"status": "ok"}`],
  ];
  for (const [tool, what, args, stdout] of cases) {
    await t.step(`${tool}: ${what}`, async () => {
      const server = await serverOver(scriptedRunner(stdout));
      try {
        const result = await server.call(tool, args);
        assert.equal(result.isError, true, `${tool} reported success: ${textOf(result)}`);
        assert.equal(errorDetailsOf(result)?.kind, "parse_error", textOf(result));
      } finally {
        await server.close();
      }
    });
  }
});

Deno.test("non-object arguments and malformed params are JSON-RPC -32602 Invalid params", async (t) => {
  const h = await startHarness();
  const server = createMcpServer(h.pbs, silentLogger);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const replies = new Map<unknown, JSONRPCMessage>();
  let arrived: () => void = () => {};
  clientSide.onmessage = (message: JSONRPCMessage) => {
    if ("id" in message) replies.set(message.id, message);
    arrived();
  };
  await server.connect(serverSide);
  await clientSide.start();
  const request = async (id: number, method: string, params: unknown) => {
    const got = new Promise<void>((resolve) => (arrived = resolve));
    await clientSide.send({ jsonrpc: "2.0", id, method, params } as JSONRPCMessage);
    while (!replies.has(id)) await got;
    return replies.get(id) as { error?: { code: number; message: string }; result?: unknown };
  };
  try {
    await request(0, "initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "0" },
    });
    let id = 1;
    for (const args of [5, "text", [1, 2], null, true]) {
      await t.step(`arguments ${JSON.stringify(args)}`, async () => {
        const reply = await request(id++, "tools/call", { name: "list_jobs", arguments: args });
        assert.equal(reply.error?.code, -32602, JSON.stringify(reply));
      });
    }
    const badParams: Array<[string, unknown]> = [
      ["resources/read", { uri: 7 }],
      ["prompts/get", { name: "submit_job_guide", arguments: 5 }],
      ["completion/complete", { ref: 5 }],
    ];
    for (const [method, params] of badParams) {
      await t.step(`${method} ${JSON.stringify(params)}`, async () => {
        const reply = await request(id++, method, params);
        assert.equal(reply.error?.code, -32602, JSON.stringify(reply));
        assert.match(reply.error!.message, new RegExp(`^Invalid params for ${method}: `));
      });
    }
    await t.step("a megabyte-long wrong uri is -32602 with a short message", async () => {
      const reply = await request(id++, "resources/read", { uri: ["u".repeat(1_000_000)] });
      assert.equal(reply.error?.code, -32602, JSON.stringify(reply).slice(0, 300));
      assert.ok(reply.error!.message.length <= 2_000);
    });
    await t.step("an unknown tool name of a megabyte is cut in the answer", async () => {
      const reply = await request(id++, "tools/call", { name: "n".repeat(1_000_000) });
      assert.ok(JSON.stringify(reply).length <= MAX_RESULT_CHARS, "bounded");
    });
  } finally {
    await clientSide.close();
    await server.close();
    await h.close();
  }
});

Deno.test("2026-07-28 requests with malformed params are -32602 too", async (t) => {
  const h = await startHarness();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const connection = serveStdio(() => createMcpServer(h.pbs, silentLogger), {
    transport: serverSide,
  });
  // The client writes valid requests; their params are spoilt on the wire.
  let spoil: ((params: Record<string, unknown>) => void) | undefined;
  const send = clientSide.send.bind(clientSide);
  clientSide.send = (message, options) => {
    const params = (message as { params?: Record<string, unknown> }).params;
    if (spoil && params && "method" in message && message.method !== "server/discover") {
      spoil(params);
    }
    return send(message, options);
  };
  const client = new Client(
    { name: "modern-raw", version: "0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  const isInvalidParams = (error: { code?: number }) => error.code === -32602;
  try {
    await client.connect(clientSide);
    assert.equal(client.getProtocolEra(), "modern");
    for (const args of [5, "text", [1, 2]]) {
      await t.step(`tools/call arguments ${JSON.stringify(args)}`, async () => {
        spoil = (params) => (params.arguments = args);
        await assert.rejects(
          client.callTool({ name: "list_jobs", arguments: {} }),
          isInvalidParams,
        );
      });
    }
    await t.step("resources/read with a number for its uri", async () => {
      spoil = (params) => (params.uri = 7);
      await assert.rejects(client.readResource({ uri: "pbs://system/status" }), isInvalidParams);
    });
    spoil = undefined;
    assert.ok(!(await client.callTool({ name: "get_server_info", arguments: {} })).isError);
  } finally {
    await client.close();
    await connection.close();
    await h.close();
  }
});

/** Either a success or a typed error about the input: never "unexpected". */
function assertNotInternal(result: CallToolResult): void {
  if (!result.isError) return;
  const details = errorDetailsOf(result);
  const text = textOf(result);
  assert.ok(!/unexpected|is not iterable|is not a function/i.test(text), text);
  if (details) assert.equal(details.kind, "invalid_input", text);
}

Deno.test("property: prototype-like user keys are data, never internals", async (t) => {
  const h = await startHarness();
  try {
    const script = simScript();
    const key = fc.constantFrom(...PROTO_KEYS);

    await t.step("list_jobs state_filter", async () => {
      await fc.assert(
        fc.asyncProperty(key, async (word) => {
          const result = await h.call("list_jobs", { state_filter: word });
          assertNotInternal(result);
          assert.equal(result.isError, true, "not a state word");
        }),
        { numRuns: 30 },
      );
    });

    await t.step("submit_dependent_jobs keys, on both ends of an edge", async () => {
      await fc.assert(
        fc.asyncProperty(key, fc.boolean(), async (name, dependsOnIt) => {
          // Built with JSON.parse so "__proto__" is an own key, as it is off the wire.
          const graph = dependsOnIt
            ? `{"b": [{"on": ${JSON.stringify(name)}, "type": "afterok"}]}`
            : `{${JSON.stringify(name)}: [{"on": "b", "type": "afterok"}]}`;
          const result = await h.call("submit_dependent_jobs", {
            jobs: [{ key: name, script }, { key: "b", script }],
            dependency_graph: JSON.parse(graph),
          });
          assertNotInternal(result);
          if (result.isError) return;
          const { order } = result.structuredContent as { order: string[] };
          assert.deepEqual(order, dependsOnIt ? [name, "b"] : ["b", name], "edge kept");
        }),
        { numRuns: 30 },
      );
    });

    await t.step("env, extra_resources and select resource names", async () => {
      await fc.assert(
        fc.asyncProperty(key, fc.constantFrom("env", "extra", "select"), async (name, where) => {
          const args = where === "env"
            ? { env: JSON.parse(`{${JSON.stringify(name)}: "1"}`) }
            : where === "extra"
            ? { extra_resources: JSON.parse(`{${JSON.stringify(name)}: "1"}`) }
            : { select: `1:ncpus=2:${name}=1` };
          const result = await h.call("submit_job", { script, dry_run: true, ...args });
          assertNotInternal(result);
          if (result.isError) return;
          // Accepted means passed on, not silently dropped.
          const { command } = result.structuredContent as { command: string };
          assert.ok(command.includes(`${name}=1`), `${name} missing from ${command}`);
        }),
        { numRuns: 40 },
      );
    });
  } finally {
    await h.close();
  }
});

Deno.test("files the server is pointed at: FIFOs, directories, long lines", async (t) => {
  const h = await startHarness();
  try {
    const fifo = h.path("pipe.sh");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);

    await t.step("submit_job script_path naming a FIFO fails at once", async () => {
      const failure = await h.fail("submit_job", { script_path: fifo, dry_run: true });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.message, /named pipe/);
    });

    await t.step("submit_job script_path naming a directory is a clear error", async () => {
      const failure = await h.fail("submit_job", { script_path: h.outputDir, dry_run: true });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.message, /is a directory/);
    });

    const output = h.path("job.out");
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 10, echo: ["hi"] }),
      output_path: output,
    });
    h.advance(60);
    await h.ok("get_job_output", { job_id });

    await t.step("get_job_output on a FIFO fails at once", async () => {
      await Deno.remove(output);
      await new Deno.Command("mkfifo", { args: [output] }).output();
      const failure = await h.fail("get_job_output", { job_id });
      assert.match(failure.error!.message, /named pipe/);
      await Deno.remove(output);
    });

    await t.step("get_job_output on a directory is a clear error", async () => {
      await Deno.mkdir(output);
      const failure = await h.fail("get_job_output", { job_id });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.message, /is a directory/);
      await Deno.remove(output);
    });

    await t.step("output with no newline at all returns its last line", async () => {
      await Deno.writeTextFile(output, "z".repeat(50_000));
      const out = await h.ok<{ text: string; lines: number }>("get_job_output", { job_id });
      assert.equal(out.lines, 1);
      assert.match(out.text, /^z+$/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("property: cutText fits any text into its budget, keeping its start", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 400 }),
      fc.integer({ min: 80, max: 300 }),
      (text, budget) => {
        const cut = cutText(text, budget);
        assert.ok(
          JSON.stringify(cut).length <= budget,
          `${JSON.stringify(cut).length} > ${budget}`,
        );
        if (cut === text) return;
        const marker = cut.lastIndexOf(" …[cut: ");
        assert.ok(marker >= 0, "a cut text says so");
        assert.ok(text.startsWith(cut.slice(0, marker)), "what is kept is the start");
      },
    ),
  );
});

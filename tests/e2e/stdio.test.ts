/**
 * The whole product as a client meets it: main.ts started as a subprocess in
 * demo mode, spoken to over stdio by the SDK's Client, through a complete
 * job lifecycle.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function structured<T>(result: unknown): T {
  const r = result as CallToolResult;
  assert.ok(!r.isError, JSON.stringify(r.content));
  return r.structuredContent as T;
}

Deno.test("main.ts --demo over stdio: submit, wait, read output, find it in history", async (t) => {
  const stderrLines: string[] = [];
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      MAIN,
      "--demo",
      "--scenario",
      "tiny",
      // 600 simulated seconds per real second: a 30 s job ends within the first poll.
      "--speed",
      "600",
    ],
    env: { ...Deno.env.toObject(), USER: "alice", PBS_MCP_LOG_LEVEL: "info" },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Uint8Array) => {
    stderrLines.push(...new TextDecoder().decode(chunk).split("\n").filter((l) => l !== ""));
  });
  const client = new Client({ name: "e2e", version: "1" });
  await client.connect(transport);
  try {
    await t.step("it announces itself and lists the contract's tools", async () => {
      assert.equal(client.getServerVersion()?.name, "pbs-mcp");
      const { tools } = await client.listTools();
      for (const name of ["submit_job", "wait_for_job", "get_job_output", "get_job_status"]) {
        assert.ok(tools.some((tool: { name: string }) => tool.name === name), name);
      }
    });

    let jobId = "";
    await t.step("submit_job", async () => {
      const submitted = structured<{ job_id: string; queue: string }>(
        await client.callTool({
          name: "submit_job",
          arguments: {
            script: "#!/bin/bash\n#SIM runtime=30 exit=0\necho over stdio\n",
            job_name: "e2e",
            walltime: "00:05:00",
          },
        }),
      );
      jobId = submitted.job_id;
      assert.match(jobId, /^\d+\.\S+$/);
    });

    await t.step("wait_for_job reaches finished", async () => {
      const waited = structured<{ reached: boolean; state: string }>(
        await client.callTool({
          name: "wait_for_job",
          arguments: { job_id: jobId, until: "finished", timeout_seconds: 60 },
        }),
      );
      assert.equal(waited.reached, true);
      assert.equal(waited.state, "F");
    });

    await t.step("get_job_output reads what the job printed", async () => {
      const output = structured<{ text: string }>(
        await client.callTool({ name: "get_job_output", arguments: { job_id: jobId } }),
      );
      assert.match(output.text, /^over stdio$/m);
    });

    await t.step("get_job_status shows the exit status from history", async () => {
      const status = structured<{ state: string; exit?: { code: number } }>(
        await client.callTool({ name: "get_job_status", arguments: { job_id: jobId } }),
      );
      assert.equal(status.state, "F");
      assert.equal(status.exit?.code, 0);
    });

    await t.step("a bad call is a clear error, and the server keeps serving", async () => {
      const bad = await client.callTool({
        name: "get_job_status",
        arguments: { job_id: "99999" },
      }) as CallToolResult;
      assert.equal(bad.isError, true);
      const text = (bad.content as { text: string }[])[0].text;
      assert.match(text, /^Error \(unknown_job\)/);
      assert.match(text, /Hint: /);
      const info = await client.callTool({ name: "get_server_info", arguments: {} });
      assert.ok(!(info as CallToolResult).isError);
    });
  } finally {
    await client.close();
  }
  // stdout carried only the protocol; logs were JSON lines on stderr.
  assert.ok(stderrLines.length > 0, "the server logged something");
  for (const line of stderrLines) JSON.parse(line);
});

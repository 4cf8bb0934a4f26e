/**
 * `main.ts --demo --state DIR`: the simulated complex outlives the server
 * process. Two servers run one after the other over stdio; a job submitted
 * through the first is known to the second, and the shims see it too.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { makeShims } from "./shims_support.ts";
import { CHILD_PATH } from "./pinned_pbs.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const DEMO_PERMISSIONS = ["--allow-env", "--allow-read", "--allow-write", "--allow-sys"];

function structured<T>(result: unknown): T {
  const r = result as CallToolResult;
  assert.ok(!r.isError, JSON.stringify(r.content));
  return r.structuredContent as T;
}

/** Starts `main.ts --demo --state DIR` over stdio, runs `fn` with a connected client, stops it. */
async function withServer<T>(state: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", ...DEMO_PERMISSIONS, MAIN, "--demo", "--scenario", "golden", "--state", state],
    env: { ...Deno.env.toObject(), USER: "root", PBS_MCP_LOG_LEVEL: "error" },
    stderr: "pipe",
  });
  const client = new Client({ name: "e2e-state", version: "1" });
  await client.connect(transport);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

Deno.test("main.ts --demo --state: a job submitted by one server process is known to the next", async () => {
  const root = await Deno.makeTempDir({ prefix: "pbs-demo-state-" });
  const state = `${root}/state`;
  try {
    const jobId = await withServer(state, async (client) => {
      const submitted = structured<{ job_id: string }>(
        await client.callTool({
          name: "submit_job",
          arguments: {
            script: "#!/bin/bash\n#SIM runtime=36000\necho kept\n",
            job_name: "persisted",
            walltime: "12:00:00",
          },
        }),
      );
      return submitted.job_id;
    });
    assert.match(jobId, /^\d+\.vm$/);

    const status = await withServer(
      state,
      async (client) =>
        structured<{ job_id: string; name: string; state: string; user: string }>(
          await client.callTool({ name: "get_job_status", arguments: { job_id: jobId } }),
        ),
    );
    assert.equal(status.name, "persisted");
    assert.ok(["Q", "R"].includes(status.state), status.state);

    // The shims of the same state see the job too.
    await makeShims(`${root}/shims`, "--state", state);
    const qstat = await new Deno.Command(`${root}/shims/bin/qstat`, {
      args: [jobId],
      clearEnv: true,
      env: { PATH: CHILD_PATH, USER: "root" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(qstat.code, 0, new TextDecoder().decode(qstat.stderr));
    assert.match(new TextDecoder().decode(qstat.stdout), /persisted/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

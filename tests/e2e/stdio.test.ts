/**
 * The whole product as a client meets it: main.ts started as a subprocess in
 * demo mode, spoken to over stdio by the SDK's Client, through a complete
 * job lifecycle.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { demoOutputBase } from "../../src/permissions.ts";
import { taskFlags } from "./task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** Deno's cache, so a child whose HOME is a temp dir finds the npm packages already there. */
const DENO_DIR = JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
  ),
).denoDir as string;

/** The permissions `deno task demo` grants, for a server whose HOME is `home`. */
function demoPermissions(home: string): string[] {
  return taskFlags("demo", home);
}

/** Names in the demo's output base under `home` (it must be empty once the server stopped). */
function entries(home: string): string[] {
  return [...Deno.readDirSync(demoOutputBase(home)!)].map((e) => e.name);
}

function structured<T>(result: unknown): T {
  const r = result as CallToolResult;
  assert.ok(!r.isError, JSON.stringify(r.content));
  return r.structuredContent as T;
}

Deno.test("main.ts --demo over stdio: submit, wait, read output, find it in history", async (t) => {
  const stderrLines: string[] = [];
  const tmp = await Deno.makeTempDir({ prefix: "pbs-mcp-stdio-home-" });
  // The demo task writes only the state directory: the audit log's default place.
  const auditLog = `${tmp}/.local/state/pbs-mcp/audit.jsonl`;
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      ...demoPermissions(tmp),
      MAIN,
      "--demo",
      "--scenario",
      "tiny",
      // 600 simulated seconds per real second: a 30 s job ends within the first poll.
      "--speed",
      "600",
    ],
    // A root shell: PBS refuses root's jobs, so the demo simulates an ordinary user.
    env: {
      ...Deno.env.toObject(),
      USER: "root",
      HOME: tmp,
      DENO_DIR,
      PBS_MCP_LOG_LEVEL: "info",
    },
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
    await t.step("root becomes the ordinary simulated user alice", async () => {
      const who = structured<{ user: string; role: string; installation: { source: string } }>(
        await client.callTool({ name: "check_privileges", arguments: {} }),
      );
      assert.equal(who.user, "alice");
      assert.equal(who.role, "user");
      assert.equal(who.installation.source, "simulator");
    });

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
      assert.equal(entries(tmp).length, 1, "job output lives in the demo's one temp dir");
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
  // Closing stdin stopped the server, and it removed its output directory.
  assert.deepEqual(entries(tmp), []);
  // The submission above left its audit line.
  const tools = (await Deno.readTextFile(auditLog)).trim().split("\n").map((l) =>
    JSON.parse(l).tool
  );
  assert.ok(tools.includes("submit_job"), tools.join(","));
  await Deno.remove(tmp, { recursive: true });
});

/** Starts the demo server with stdin held open, waits until it serves, and returns it. */
async function startDemo(tmp: string, extraArgs: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...demoPermissions(tmp), MAIN, "--demo", "--scenario", "tiny", ...extraArgs],
    env: { HOME: tmp, DENO_DIR },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("serving MCP on stdio")) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the demo server stopped before serving:\n${seen}`);
    seen += value;
  }
  return {
    child,
    banner: seen,
    /** Waits for the exit, draining what is left of stdout and stderr. */
    async finish(): Promise<Deno.CommandStatus> {
      const rest = (async () => {
        while (!(await lines.read()).done) { /* drain */ }
      })();
      const [status] = await Promise.all([child.status, child.stdout.cancel(), rest]);
      await child.stdin.close().catch(() => {});
      return status;
    },
  };
}

Deno.test("main.ts --demo leaves no temp dir behind on SIGTERM or SIGINT", async (t) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    await t.step(signal, async () => {
      const tmp = await Deno.makeTempDir({ prefix: "pbs-mcp-stdio-home-" });
      try {
        const server = await startDemo(tmp);
        assert.equal(entries(tmp).length, 1, "the demo made its output dir");
        server.child.kill(signal);
        const status = await server.finish();
        assert.equal(status.code, 0);
        assert.deepEqual(entries(tmp), []);
      } finally {
        await Deno.remove(tmp, { recursive: true });
      }
    });
  }
});

Deno.test("main.ts --demo --user NAME: the simulated caller", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "pbs-mcp-stdio-home-" });
  try {
    const server = await startDemo(tmp, ["--user", "bob"]);
    assert.match(server.banner, /caller \\"bob\\"/);
    server.child.kill("SIGTERM");
    await server.finish();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("main.ts: bad flags are a clear message and exit 2, not a stack trace", async (t) => {
  const run = async (args: string[]) => {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...demoPermissions(Deno.env.get("HOME") ?? "/"), MAIN, ...args],
      stdin: "null",
      stdout: "null",
    }).output();
    return { code, text: new TextDecoder().decode(stderr) };
  };

  await t.step("an unknown scenario names the known ones", async () => {
    const { code, text } = await run(["--demo", "--scenario", "nosuch"]);
    assert.equal(code, 2);
    assert.match(text, /^unknown scenario 'nosuch': choose one of golden, tiny, polaris, aurora\n/);
    assert.doesNotMatch(text, /Uncaught|\n\s+at /);
  });

  await t.step(
    "--user must be a user name, and --user/--state need a simulated cluster",
    async () => {
      const bad = await run(["--demo", "--user", "bob smith"]);
      assert.equal(bad.code, 2);
      assert.match(bad.text, /^--user must be a user name/);
      const real = await run(["--user", "bob"]);
      assert.equal(real.code, 2);
      assert.match(real.text, /^--user applies to simulated clusters only/);
      const state = await run(["--state", "/tmp/nowhere"]);
      assert.equal(state.code, 2);
      assert.match(state.text, /^--state applies to simulated clusters only/);
    },
  );
});

/**
 * Both MCP protocol generations against the real server (main.ts --demo), over
 * stdio and over HTTP on loopback: a 2025-11-25 client (`initialize`, a session,
 * server-to-client elicitation) and a 2026-07-28 client (no handshake, `_meta`
 * on every request, input-required results). Each lists tools, calls one,
 * receives progress notifications, and answers a confirmation both ways.
 */
import assert from "node:assert/strict";
import {
  type CallToolResult,
  Client,
  type Progress,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { announcedUrl, demoHttpFlags, DENO_DIR, MAIN } from "./demo_child.ts";
import { taskFlags } from "./task_flags.ts";

const TOKEN = "eras-test-0123456789abcdef012345";
/** Simulated seconds per real second: jobs start within a second or two. */
const SPEED = "600";
/** An hour of simulated time: still running when the test is over. */
const LONG_JOB = "#!/bin/bash\n#SIM runtime=36000 exit=0\n";

type Era = "legacy" | "modern";
const ERAS: Era[] = ["legacy", "modern"];

/** What the client's user answers when asked; the questions are recorded. */
interface User {
  answer: "accept" | "decline";
  asked: string[];
}

function newClient(era: Era, user: User): Client {
  const client = new Client(
    { name: `eras-${era}`, version: "1" },
    {
      capabilities: { elicitation: { form: {} } },
      ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
    },
  );
  client.setRequestHandler("elicitation/create", (request) => {
    user.asked.push(request.params.message);
    return user.answer === "accept"
      ? { action: "accept", content: { confirm: true } }
      : { action: "decline" };
  });
  return client;
}

function structured<T>(result: unknown): T {
  const r = result as CallToolResult;
  assert.ok(!r.isError, JSON.stringify(r.content));
  return r.structuredContent as T;
}

/** The same story for every era and transport. */
async function story(t: Deno.TestContext, client: Client, era: Era, user: User): Promise<void> {
  assert.equal(client.getProtocolEra(), era);

  await t.step(`${era}: lists tools and calls one`, async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === "delete_job"));
    const who = structured<{ user: string }>(
      await client.callTool({ name: "check_privileges", arguments: {} }),
    );
    assert.equal(who.user, "alice");
  });

  const submitRunning = async () => {
    const { job_id } = structured<{ job_id: string }>(
      await client.callTool({ name: "submit_job", arguments: { script: LONG_JOB } }),
    );
    const waited = structured<{ reached: boolean }>(
      await client.callTool({
        name: "wait_for_job",
        arguments: { job_id, until: "running", timeout_seconds: 30 },
      }),
    );
    assert.ok(waited.reached, `${job_id} should be running`);
    return job_id;
  };

  const jobId = await submitRunning();

  await t.step(`${era}: wait_for_job sends progress notifications`, async () => {
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "wait_for_job", arguments: { job_id: jobId, timeout_seconds: 1 } },
      { onprogress: (p: Progress) => progress.push(p) },
    );
    const waited = structured<{ reached: boolean; state: string }>(result);
    assert.equal(waited.reached, false, "the job runs for an hour");
    assert.ok(progress.length >= 1, "at least one progress notification");
    assert.match(progress[0].message ?? "", /s so far/);
  });

  await t.step(`${era}: a confirmed delete_job kills the running job`, async () => {
    user.answer = "accept";
    user.asked.length = 0;
    const deleted = structured<{ confirmation: { outcome: string } }>(
      await client.callTool({ name: "delete_job", arguments: { job_id: jobId } }),
    );
    assert.equal(deleted.confirmation.outcome, "confirmed");
    assert.equal(user.asked.length, 1);
    assert.match(user.asked[0], /^Kill running job /);
  });

  await t.step(`${era}: a declined delete_job leaves the job running`, async () => {
    const other = await submitRunning();
    user.answer = "decline";
    user.asked.length = 0;
    const refused = await client.callTool({
      name: "delete_job",
      arguments: { job_id: other },
    }) as CallToolResult;
    assert.equal(refused.isError, true);
    assert.match((refused.content as { text: string }[])[0].text, /not_confirmed/);
    assert.equal(user.asked.length, 1);
    const status = structured<{ state: string }>(
      await client.callTool({ name: "get_job_status", arguments: { job_id: other } }),
    );
    assert.equal(status.state, "R");
  });
}

const DEMO = ["--demo", "--scenario", "tiny", "--speed", SPEED];

/** The server's environment: HOME is a fresh temp dir, the audit log in its default place. */
function childEnv(home: string): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.PBS_MCP_HTTP_TOKENS_FILE;
  delete env.PBS_MCP_AUDIT_LOG;
  return { ...env, HOME: home, DENO_DIR, PBS_MCP_LOG_LEVEL: "warn", PBS_MCP_HTTP_TOKEN: TOKEN };
}

for (const era of ERAS) {
  Deno.test(`stdio, ${era} client: tools, progress, confirmation both ways`, async (t) => {
    const home = await Deno.makeTempDir({ prefix: "pbs-mcp-eras-" });
    const user: User = { answer: "accept", asked: [] };
    const client = newClient(era, user);
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      // Exactly the permissions `deno task demo` grants.
      args: ["run", ...taskFlags("demo", home), MAIN, ...DEMO],
      env: childEnv(home),
      stderr: "ignore",
    });
    try {
      await client.connect(transport);
      await story(t, client, era, user);
    } finally {
      await client.close();
      await Deno.remove(home, { recursive: true });
    }
  });
}

Deno.test("HTTP, one server for both generations: tools, progress, confirmation", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "pbs-mcp-eras-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...demoHttpFlags(home),
      MAIN,
      ...DEMO,
      "--http",
      "--port",
      "0",
    ],
    env: childEnv(home),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const url = new URL(await announcedUrl(child.stderr));
    for (const era of ERAS) {
      const user: User = { answer: "accept", asked: [] };
      const client = newClient(era, user);
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
      });
      try {
        await client.connect(transport);
        if (era === "legacy") assert.ok(transport.sessionId, "a 2025 client gets a session");
        else assert.equal(transport.sessionId, undefined, "2026-07-28 is served statelessly");
        await story(t, client, era, user);
      } finally {
        await client.close();
      }
    }
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0, "the server shuts down cleanly");
    await Deno.remove(home, { recursive: true });
  }
});

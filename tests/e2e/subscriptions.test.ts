/**
 * Resource subscriptions against the real server (main.ts --demo) over
 * stdio: a client subscribed to a job receives
 * `notifications/resources/updated` when the job changes state, from the
 * server's own background poll (PBS_MCP_WATCH_INTERVAL_S at its minimum).
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { MIN_WATCH_INTERVAL_S } from "../../src/service/job_watch.ts";
import { taskFlags } from "./task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
/** Simulated seconds per real second. */
const SPEED = "600";
/** Two real seconds of simulated work: it ends before the first poll. */
const SHORT_JOB = "#!/bin/bash\n#SIM runtime=1200 exit=0\n";
/** Longest real wait for a notification: a few poll intervals. */
const NOTIFY_TIMEOUT_MS = (MIN_WATCH_INTERVAL_S * 4) * 1000;

const DENO_DIR = JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
  ),
).denoDir as string;

function childEnv(home: string): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.PBS_MCP_AUDIT_LOG;
  return {
    ...env,
    HOME: home,
    DENO_DIR,
    PBS_MCP_LOG_LEVEL: "warn",
    PBS_MCP_WATCH_INTERVAL_S: String(MIN_WATCH_INTERVAL_S),
  };
}

/** Resolves with the first updated URI, or rejects after `ms`. */
function nextUpdate(client: Client, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const updated = new Promise<string>((resolve) => {
    client.setNotificationHandler("notifications/resources/updated", (notification) => {
      resolve(notification.params.uri);
    });
  });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no notification within ${ms} ms`)), ms);
  });
  return Promise.race([updated, timeout]).finally(() => clearTimeout(timer));
}

Deno.test("stdio, 2025 client: a subscribed job's end is notified", async () => {
  const home = await Deno.makeTempDir({ prefix: "pbs-mcp-subs-" });
  const client = new Client({ name: "subs-e2e", version: "1" });
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      ...taskFlags("demo", home),
      MAIN,
      "--demo",
      "--scenario",
      "tiny",
      "--speed",
      SPEED,
    ],
    env: childEnv(home),
    stderr: "ignore",
  });
  try {
    await client.connect(transport);
    assert.equal(client.getServerCapabilities()?.resources?.subscribe, true);
    const submitted = await client.callTool({
      name: "submit_job",
      arguments: { script: SHORT_JOB },
    }) as CallToolResult;
    assert.ok(!submitted.isError, JSON.stringify(submitted.content));
    const jobId = (submitted.structuredContent as { job_id: string }).job_id;
    const uri = `pbs://job/${jobId}`;
    const update = nextUpdate(client, NOTIFY_TIMEOUT_MS);
    await client.subscribeResource({ uri });
    assert.equal(await update, uri);
    const page = await client.readResource({ uri });
    assert.match((page.contents[0] as { text: string }).text, /\bF\b|finished/i);
    await client.unsubscribeResource({ uri });
  } finally {
    await client.close();
    await Deno.remove(home, { recursive: true });
  }
});

/**
 * Resource subscriptions against the real server (main.ts --demo) over
 * stdio and HTTP, for both protocol generations: a client following a job
 * (`resources/subscribe`, or `subscriptions/listen` on 2026-07-28) receives
 * `notifications/resources/updated` when the job changes state, from the
 * server's own background poll (PBS_MCP_WATCH_INTERVAL_S at its minimum).
 */
import assert from "node:assert/strict";
import {
  type CallToolResult,
  Client,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { MIN_WATCH_INTERVAL_S } from "../../src/service/job_watch.ts";
import { announcedUrl, demoHttpFlags, DENO_DIR, MAIN } from "./demo_child.ts";
import { taskFlags } from "./task_flags.ts";

const TOKEN = "subs-test-0123456789abcdef0123456";
/** Simulated seconds per real second. */
const SPEED = "600";
/** Two real seconds of simulated work: it ends before the first poll. */
const SHORT_JOB = "#!/bin/bash\n#SIM runtime=1200 exit=0\n";
/** Longest real wait for a notification: a few poll intervals. */
const NOTIFY_TIMEOUT_MS = (MIN_WATCH_INTERVAL_S * 4) * 1000;

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

type Era = "legacy" | "modern";

function newClient(era: Era): Client {
  return new Client(
    { name: `subs-e2e-${era}`, version: "1" },
    era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
  );
}

/**
 * Submits a short job and follows it: `resources/subscribe` on 2025,
 * `subscriptions/listen` on 2026-07-28; the job's end must be notified.
 */
async function story(client: Client, era: Era): Promise<void> {
  assert.equal(client.getProtocolEra(), era);
  assert.equal(client.getServerCapabilities()?.resources?.subscribe, true);
  const submitted = await client.callTool({
    name: "submit_job",
    arguments: { script: SHORT_JOB },
  }) as CallToolResult;
  assert.ok(!submitted.isError, JSON.stringify(submitted.content));
  const jobId = (submitted.structuredContent as { job_id: string }).job_id;
  const uri = `pbs://job/${jobId}`;
  const update = nextUpdate(client, NOTIFY_TIMEOUT_MS);
  if (era === "legacy") {
    await client.subscribeResource({ uri });
    assert.equal(await update, uri);
    await client.unsubscribeResource({ uri });
  } else {
    const subscription = await client.listen({ resourceSubscriptions: [uri] });
    assert.deepEqual(subscription.honoredFilter.resourceSubscriptions, [uri]);
    try {
      assert.equal(await update, uri);
    } finally {
      await subscription.close();
    }
  }
  const page = await client.readResource({ uri });
  assert.match((page.contents[0] as { text: string }).text, /\bF\b|finished/i);
}

const DEMO = ["--demo", "--scenario", "tiny", "--speed", SPEED];

for (const era of ["legacy", "modern"] as const) {
  Deno.test(`stdio, ${era} client: a followed job's end is notified`, async () => {
    const home = await Deno.makeTempDir({ prefix: "pbs-mcp-subs-" });
    const client = newClient(era);
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", ...taskFlags("demo", home), MAIN, ...DEMO],
      env: childEnv(home),
      stderr: "ignore",
    });
    try {
      await client.connect(transport);
      await story(client, era);
    } finally {
      await client.close();
      await Deno.remove(home, { recursive: true });
    }
  });
}

Deno.test("HTTP, both generations: a followed job's end is notified", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "pbs-mcp-subs-" });
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
    env: { ...childEnv(home), PBS_MCP_HTTP_TOKEN: TOKEN },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const url = new URL(await announcedUrl(child.stderr));
    for (const era of ["legacy", "modern"] as const) {
      await t.step(era, async () => {
        const client = newClient(era);
        const transport = new StreamableHTTPClientTransport(url, {
          requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
        });
        try {
          await client.connect(transport);
          await story(client, era);
        } finally {
          await client.close();
        }
      });
    }
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0, "the server shuts down cleanly");
    await Deno.remove(home, { recursive: true });
  }
});

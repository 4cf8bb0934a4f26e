/**
 * Job watches end with what they belong to over HTTP (a real listener on
 * loopback, the simulator underneath): a 2025 session that expires, a
 * 2026-07-28 listen stream the client closes, and the server shutting down
 * with a stream open. The watch's ticker is manual, so `armed` tells whether
 * a background poll is still scheduled.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { silentLogger } from "../../src/mcp/logger.ts";
import { serverFactory } from "../../src/mcp/server.ts";
import { loadConfig } from "../../src/service/config.ts";
import type { Ticker } from "../../src/service/job_watch.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { createHttpHandler, serveHttp } from "../../src/transports/http.ts";
import { TokenVerifier } from "../../src/transports/http_auth.ts";
import { HostPolicy } from "../../src/transports/http_guard.ts";
import { ALICE, TEST_LIMITS } from "./http_support.ts";

class ManualTicker implements Ticker {
  readonly ticks = new Set<() => Promise<void>>();
  start(_intervalMs: number, tick: () => Promise<void>): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }
  get armed(): number {
    return this.ticks.size;
  }
}

/** Waits (briefly, in real time) until `check` holds: stream teardown crosses the network. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), what);
}

Deno.test("HTTP: watches end with their session, their stream and the server", async (t) => {
  const outputDir = await Deno.makeTempDir({ prefix: "pbs-mcp-subs-http-" });
  const complex = createScenario("tiny", { seed: 1, outputDir });
  const config = {
    ...loadConfig({}),
    cacheTtlMs: 0,
    allowedDirs: [outputDir],
    auditLog: `${outputDir}/audit.jsonl`,
  };
  const pbs = new PbsClient({
    runner: new SimRunner({ complex, user: "alice" }),
    user: "alice",
    config,
  });
  const ticker = new ManualTicker();
  let offset = 0;
  const handler = createHttpHandler({
    factory: serverFactory(pbs, silentLogger, { ticker }),
    verifier: new TokenVerifier([ALICE]),
    hosts: new HostPolicy([]),
    limits: TEST_LIMITS,
    logger: silentLogger,
    now: () => Date.now() + offset,
  });
  const server = await serveHttp(
    handler,
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    silentLogger,
  );
  const url = new URL(server.url);
  const connect = async (era: "legacy" | "modern") => {
    const client = new Client(
      { name: `subs-http-${era}`, version: "1" },
      era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
    );
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { Authorization: `Bearer ${ALICE.token}` } },
      }),
    );
    return client;
  };
  try {
    const submitter = await connect("legacy");
    const submitted = await submitter.callTool({
      name: "submit_job",
      arguments: { script: "#SIM runtime=600\n", hold: true },
    });
    await submitter.close();
    assert.ok(!submitted.isError, JSON.stringify(submitted.content));
    const uri = `pbs://job/${(submitted.structuredContent as { job_id: string }).job_id}`;

    await t.step("2025: an expired session stops its watch", async () => {
      const client = await connect("legacy");
      await client.subscribeResource({ uri });
      assert.equal(ticker.armed, 1);
      offset += TEST_LIMITS.sessionIdleMs + 1;
      await client.listTools().catch(() => {}); // 404: the session expired
      // (The client may open a new session; the old one, and its server, are gone.)
      assert.ok(handler.sessionCount <= 1);
      assert.equal(ticker.armed, 0, "the session's server closed, and its watch with it");
      await client.close();
    });

    await t.step("2026-07-28: closing the listen stream stops the watch", async () => {
      const client = await connect("modern");
      const subscription = await client.listen({ resourceSubscriptions: [uri] });
      await eventually(() => ticker.armed === 1, "the stream's job is watched");
      await subscription.close();
      await eventually(() => ticker.armed === 0, "the watch ended with the stream");
      await client.close();
    });

    await t.step("shutting down with a stream open stops the watch", async () => {
      const client = await connect("modern");
      await client.listen({ resourceSubscriptions: [uri] });
      await eventually(() => ticker.armed === 1, "the stream's job is watched");
      await server.shutdown();
      assert.equal(ticker.armed, 0);
      await client.close();
    });
  } finally {
    await server.shutdown();
    await Deno.remove(outputDir, { recursive: true });
  }
});

/**
 * Tool answers on the Aurora-sized simulated complex, end to end through an
 * MCP client (in-memory transport): PBS command, parsing, view, JSON-RPC.
 * The read cache is off, so every iteration pays for its PBS commands.
 */
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { silentLogger } from "../src/mcp/logger.ts";
import { createMcpServer } from "../src/mcp/server.ts";
import { loadConfig } from "../src/service/config.ts";
import { PbsClient } from "../src/service/pbs_client.ts";
import { createScenario, SimRunner } from "../sim/mod.ts";

const complex = createScenario("aurora", { seed: 1 });
const pbs = new PbsClient({
  runner: new SimRunner({ complex, user: "alice" }),
  user: "alice",
  config: { ...loadConfig({}), cacheTtlMs: 0 },
});
const client = new Client({ name: "bench", version: "1" });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await createMcpServer(pbs, silentLogger).connect(serverSide);
await client.connect(clientSide);

const running = complex.listJobs().find((j) => j.state === "R")!.id;
const call = (name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args });

Deno.bench(
  "aurora: list_jobs (first page of ~4,000 live jobs)",
  { group: "mcp", n: 10 },
  async () => {
    await call("list_jobs");
  },
);
Deno.bench(
  "aurora: list_jobs include_finished (~17,000 jobs)",
  { group: "mcp", n: 5 },
  async () => {
    await call("list_jobs", { include_finished: true });
  },
);
Deno.bench("aurora: list_nodes (10,624 nodes)", { group: "mcp", n: 5 }, async () => {
  await call("list_nodes");
});
Deno.bench("aurora: get_job_status of a running job", { group: "mcp", n: 20 }, async () => {
  await call("get_job_status", { job_id: running });
});
Deno.bench("aurora: get_job_summary", { group: "mcp", n: 10 }, async () => {
  await call("get_job_summary");
});

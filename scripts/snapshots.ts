/**
 * `deno task snapshots`: rewrites tests/mcp/__snapshots__/<tool>.json, one
 * file per tool as `tools/list` returns it through the SDK Client (name,
 * title, description, input and output schemas, annotations). The public
 * surface changes only through this task, so every change shows in review;
 * tests/mcp/snapshots.test.ts fails on any difference.
 */
import { Client, InMemoryTransport, type Tool } from "@modelcontextprotocol/client";
import { silentLogger } from "../src/mcp/logger.ts";
import { createMcpServer } from "../src/mcp/server.ts";
import { loadConfig } from "../src/service/config.ts";
import { PbsClient } from "../src/service/pbs_client.ts";
import { createScenario, SimRunner } from "../sim/mod.ts";

export const SNAPSHOT_DIR = new URL("../tests/mcp/__snapshots__/", import.meta.url);

/** The fields of a listed tool a snapshot keeps, in a fixed order. */
const SNAPSHOT_FIELDS = [
  "name",
  "title",
  "description",
  "inputSchema",
  "outputSchema",
  "annotations",
] as const;

export type ToolSnapshot = Partial<Pick<Tool, typeof SNAPSHOT_FIELDS[number]>>;

export function snapshotOf(tool: Tool): ToolSnapshot {
  return Object.fromEntries(
    SNAPSHOT_FIELDS.filter((field) => tool[field] !== undefined).map((f) => [f, tool[f]]),
  );
}

/** Every tool of the full (not read-only) server, listed through a real MCP client. */
export async function listedTools(): Promise<Tool[]> {
  const complex = createScenario("tiny", { seed: 1 });
  const pbs = new PbsClient({
    runner: new SimRunner({ complex, user: "alice" }),
    user: "alice",
    config: loadConfig({}),
  });
  const server = createMcpServer(pbs, silentLogger);
  const client = new Client({ name: "pbs-mcp-snapshots", version: "0.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await server.close();
  }
}

export function snapshotFile(name: string): URL {
  return new URL(`${name}.json`, SNAPSHOT_DIR);
}

export function snapshotText(snapshot: ToolSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

if (import.meta.main) {
  const tools = await listedTools();
  await Deno.mkdir(SNAPSHOT_DIR, { recursive: true });
  const current = new Set(tools.map((t) => `${t.name}.json`));
  for (const entry of Deno.readDirSync(SNAPSHOT_DIR)) {
    if (entry.name.endsWith(".json") && !current.has(entry.name)) {
      await Deno.remove(new URL(entry.name, SNAPSHOT_DIR));
      console.error(`removed ${entry.name}`);
    }
  }
  for (const tool of tools) {
    await Deno.writeTextFile(snapshotFile(tool.name), snapshotText(snapshotOf(tool)));
  }
  console.error(
    `wrote ${tools.length} tool snapshots; review the diff (git diff tests/mcp/__snapshots__)`,
  );
}

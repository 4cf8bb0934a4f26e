/**
 * `deno task snapshots`: rewrites tests/mcp/__snapshots__/<tool>.json, one
 * file per tool as `tools/list` returns it through the SDK Client (name,
 * title, description, input and output schemas, annotations). The public
 * surface changes only through this task, so every change shows in review;
 * tests/mcp/snapshots.test.ts fails on any difference.
 */
import { Client, InMemoryTransport, type Tool } from "@modelcontextprotocol/client";
import { silentLogger } from "../src/mcp/logger.ts";
import type { McpServer } from "@modelcontextprotocol/server";
import { createMcpServer } from "../src/mcp/server.ts";
import { ClusterSet } from "../src/service/cluster_set.ts";
import { referenceClient } from "./reference.ts";

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

/**
 * Every tool of the full (not read-only) server of one cluster, listed
 * through a real MCP client, then the tools only a server of several
 * clusters offers (list_clusters; there every other tool also takes `cluster`).
 */
export async function listedTools(): Promise<Tool[]> {
  const one = await toolsOf(createMcpServer(await referenceClient(), silentLogger));
  const names = new Set(one.map((tool) => tool.name));
  const several = new ClusterSet([
    { name: "a", client: await referenceClient(), reach: "simulated" },
    { name: "b", client: await referenceClient(), reach: "simulated" },
  ]);
  const more = (await toolsOf(createMcpServer(several, silentLogger)))
    .filter((tool) => !names.has(tool.name));
  return [...one, ...more];
}

async function toolsOf(server: McpServer): Promise<Tool[]> {
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

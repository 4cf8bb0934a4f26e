/**
 * Shared by the examples: start main.ts in demo mode as a subprocess and
 * connect an MCP client to it over stdio, exactly as Claude Desktop would.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { computePermissions, demoOutputBase, permissionFlags } from "../src/permissions.ts";
import { defaultAuditPath } from "../src/service/audit.ts";

export interface DemoConnection {
  client: Client;
  close(): Promise<void>;
}

export async function connectToDemo(
  name: string,
  options: { scenario?: string; speed?: number; user?: string } = {},
): Promise<DemoConnection> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const home = Deno.env.get("HOME");
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: [
      "run",
      // Exactly what demo mode needs (what `deno task permissions --demo` prints).
      ...permissionFlags(computePermissions({
        mode: "demo",
        pbsPrograms: [],
        allowedDirs: home ? [home] : [],
        auditLog: defaultAuditPath(home),
        demoOutputBase: demoOutputBase(home),
      })),
      main,
      "--demo",
      "--scenario",
      options.scenario ?? "tiny",
      "--speed",
      String(options.speed ?? 120),
    ],
    env: {
      ...Deno.env.toObject(),
      USER: options.user ?? Deno.env.get("USER") ?? "demo",
      PBS_MCP_LOG_LEVEL: "warn",
    },
    stderr: "inherit",
  });
  const client = new Client({ name, version: "0.1.0" });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

/** The text block of a tool result (what a person would read). */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

/**
 * Pieces the end-to-end tests share when they start `main.ts --demo` as a
 * child process: Deno's cache for a child whose HOME is a temp dir, the flags
 * `main.ts permissions` computes for a demo HTTP server, the URL it
 * announces on stderr, and an MCP client on a stdio child.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { computePermissions, demoOutputBase, permissionFlags } from "../../src/permissions.ts";
import { defaultAuditPath } from "../../src/service/audit.ts";

export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Deno's cache, so a child whose HOME is a temp dir finds the npm packages already there. */
export const DENO_DIR: string = JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
  ),
).denoDir;

/** What `main.ts permissions --demo --http --port 0` grants a demo server with this HOME. */
export function demoHttpFlags(home: string): string[] {
  return permissionFlags(computePermissions({
    mode: "demo",
    http: { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    pbsPrograms: [],
    allowedDirs: [home],
    auditLog: defaultAuditPath(home),
    demoOutputBase: demoOutputBase(home),
  }));
}

/** Reads the child's stderr until the line announcing the URL; keeps draining after. */
export async function announcedUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`server exited before listening:\n${buffer}`);
    buffer += value;
    const found = /serving MCP at (http:\/\/\S+)/.exec(buffer);
    if (found) {
      (async () => {
        while (!(await lines.read()).done) { /* drain */ }
      })();
      return found[1];
    }
  }
}

/** `main.ts permissions [--json] [ARGS]` as `deno task permissions` runs it, in exactly `env`. */
export async function printedPermissions(
  env: Record<string, string>,
  json: boolean,
  serverArgs: string[] = [],
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--allow-env",
      "--allow-read",
      "--allow-sys=uid",
      MAIN,
      "permissions",
      ...(json ? ["--json"] : []),
      ...serverArgs,
    ],
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  if (code !== 0) {
    throw new Error(`main.ts permissions exited ${code}: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout);
}

/** An MCP client (not yet connected) for a server child and what the child wrote on stderr. */
export interface StdioServer {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the child wrote on stderr so far (its log, for failure messages). */
  stderr(): string;
}

/** `deno ARGS` on stdio in exactly `env` (and `cwd`), its stderr collected. */
export function stdioServer(
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; name?: string } = {},
): StdioServer {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args,
    env,
    cwd: options.cwd,
    stderr: "pipe",
  });
  const chunks: string[] = [];
  transport.stderr?.on("data", (c: Uint8Array) => chunks.push(new TextDecoder().decode(c)));
  const client = new Client({ name: options.name ?? "e2e", version: "1" });
  return { client, transport, stderr: () => chunks.join("") };
}

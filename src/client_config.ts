/**
 * `main.ts config CLIENT [--http URL] [server flags]`: a ready MCP client
 * configuration for this install. Locally (stdio) the client starts the
 * command `serverCommand()` computes (the absolute deno binary, exactly this
 * machine's permission flags, the absolute main.ts) with the settings now in
 * the environment; with `--http URL` it connects to a running server with a
 * bearer token taken from the client's environment, never written in the file.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { readEnv } from "./env.ts";
import { serverCommand } from "./permission_facts.ts";
import { serverEnvNames } from "./permissions.ts";
import { shellCommand } from "./service/shell_quote.ts";

export const CLIENTS = ["claude-desktop", "claude-code", "vscode", "cursor"] as const;
export type ClientName = typeof CLIENTS[number];

/** The client-side variable holding the HTTP token (expanded by the client, or mcp-remote). */
export const TOKEN_VARIABLE = "PBS_MCP_TOKEN";

export interface ClientConfig {
  /** The file's contents (JSON). */
  json: unknown;
  /** Where it goes and what else to do, for a person (stderr). */
  notes: string[];
}

/** A stdio server entry: what the client starts. */
interface StdioEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/**
 * Variables the started server should see as they are now: its PBS_* and
 * PBS_MCP_* settings (not HTTP tokens, which a stdio server never reads) and,
 * in real mode, PATH, where the PBS commands were found. A GUI client starts
 * servers with its own, minimal environment.
 */
function carriedEnv(demo: boolean): Record<string, string> {
  const names = serverEnvNames(demo ? "demo" : "real", false).filter((name) =>
    (name.startsWith("PBS_") && !name.startsWith("PBS_MCP_HTTP_")) || (!demo && name === "PATH")
  );
  return readEnv(names);
}

/** Each client's file shape for a stdio server and for an HTTP one. */
const SHAPES: Record<
  ClientName,
  {
    stdio(name: string, entry: StdioEntry): unknown;
    http(name: string, url: string): unknown;
    file: string;
  }
> = {
  "claude-desktop": {
    file: "merge into claude_desktop_config.json (Settings → Developer → Edit Config), restart",
    stdio: (name, entry) => ({ mcpServers: { [name]: entry } }),
    // Claude Desktop starts local (stdio) servers only: mcp-remote bridges to HTTP.
    http: (name, url) => ({
      mcpServers: {
        [name]: {
          command: "npx",
          args: ["mcp-remote", url, "--header", "Authorization:${PBS_AUTH}"],
          env: { PBS_AUTH: "Bearer <token>" },
        },
      },
    }),
  },
  "claude-code": {
    file: "save as .mcp.json in your project (Claude Code expands ${VAR} from its environment)",
    stdio: (name, entry) => ({ mcpServers: { [name]: { type: "stdio", ...entry } } }),
    http: (name, url) => ({
      mcpServers: {
        [name]: {
          type: "http",
          url,
          headers: { Authorization: `Bearer \${${TOKEN_VARIABLE}}` },
        },
      },
    }),
  },
  vscode: {
    file: "save as .vscode/mcp.json in your workspace (or run MCP: Open User Configuration)",
    stdio: (name, entry) => ({ servers: { [name]: { type: "stdio", ...entry } } }),
    http: (name, url) => ({
      servers: {
        [name]: {
          type: "http",
          url,
          headers: { Authorization: "Bearer ${input:pbs-token}" },
        },
      },
      inputs: [{
        type: "promptString",
        id: "pbs-token",
        description: "PBS MCP token",
        password: true,
      }],
    }),
  },
  cursor: {
    file: "save as ~/.cursor/mcp.json (or .cursor/mcp.json in a project)",
    stdio: (name, entry) => ({ mcpServers: { [name]: { type: "stdio", ...entry } } }),
    http: (name, url) => ({
      mcpServers: {
        [name]: { url, headers: { Authorization: `Bearer \${env:${TOKEN_VARIABLE}}` } },
      },
    }),
  },
};

/**
 * The configuration for `client`. `args` are the words after the client name:
 * `--http URL` (connect to a running server), else the server's own flags
 * (`--demo`, `--config FILE`, `--read-only`, ...). Throws on bad arguments.
 */
export async function clientConfig(
  client: string,
  args: string[],
  main: string,
): Promise<ClientConfig> {
  if (!(CLIENTS as readonly string[]).includes(client)) {
    throw new Error(`unknown client '${client}': choose one of ${CLIENTS.join(", ")}`);
  }
  const shape = SHAPES[client as ClientName];
  const { url, serverArgs } = splitArgs(args);
  const demo = serverArgs.includes("--demo");
  const name = demo ? "pbs-demo" : "pbs";
  if (url !== undefined) {
    const json = shape.http(name, url);
    return {
      json,
      notes: [
        shape.file,
        client === "claude-desktop"
          ? "replace <token> with the server's token; npx fetches mcp-remote from npm"
          : client === "vscode"
          ? "VS Code asks for the token once and stores it"
          : `set ${TOKEN_VARIABLE} to the server's token in the environment the client starts from`,
        ...(client === "claude-code"
          ? [
            `or: claude mcp add --transport http ${name} ${url} --header ` +
            `"Authorization: Bearer \$${TOKEN_VARIABLE}"`,
          ]
          : []),
      ],
    };
  }
  const computed = await serverCommand(serverArgs, main);
  const env = carriedEnv(demo);
  const entry: StdioEntry = {
    command: computed.command,
    args: computed.args,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
  const json = shape.stdio(name, entry);
  const notes = [shape.file, ...computed.notes];
  if (client === "claude-code") {
    const one = (json as { mcpServers: Record<string, unknown> }).mcpServers[name];
    notes.push(`or: ${shellCommand(["claude", "mcp", "add-json", name, JSON.stringify(one)])}`);
  }
  return { json, notes };
}

/** `--http URL` for the client; the rest are the server's flags (a --config path made absolute). */
function splitArgs(args: string[]): { url?: string; serverArgs: string[] } {
  const { values, tokens } = parseArgs({
    args,
    options: { http: { type: "string" }, config: { type: "string" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const url = typeof values.http === "string" ? values.http : undefined;
  if (values.http === true) {
    throw new Error("--http needs the server's URL, e.g. http://localhost:8765/mcp");
  }
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--http: not a URL: ${url}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new Error(`--http: the URL must be http:// or https://: ${url}`);
    }
  }
  const serverArgs: string[] = [];
  for (const token of tokens ?? []) {
    if (token.kind === "option" && token.name === "http") continue;
    if (token.kind === "option" && token.name === "config" && typeof token.value === "string") {
      serverArgs.push("--config", resolve(token.value));
      continue;
    }
    if (token.kind === "option") {
      serverArgs.push(token.rawName, ...(token.value !== undefined ? [token.value] : []));
    } else if (token.kind === "positional") {
      serverArgs.push(token.value);
    }
  }
  if (url !== undefined && serverArgs.length > 0) {
    throw new Error(
      `--http URL connects to a running server, whose flags are its own: drop ${serverArgs[0]}`,
    );
  }
  return { url, serverArgs };
}

/** Prints the configuration (stdout) and notes (stderr); 2 on bad arguments. */
export async function clientConfigMain(args: string[], main: string): Promise<number> {
  const [client, ...rest] = args;
  try {
    if (client === undefined) throw new Error(`name a client: ${CLIENTS.join(", ")}`);
    const { json, notes } = await clientConfig(client, rest, main);
    for (const note of notes) console.error(`note: ${note}`);
    console.log(JSON.stringify(json, null, 2));
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

/**
 * main.ts reading a configuration file, as a client starts it (a subprocess on
 * stdio with `deno task demo`'s permissions): the file's cluster and settings
 * apply, the environment wins over it with a warning in the log, the
 * environment alone works as before, and an SSH cluster is refused at start-up.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { taskFlags } from "../e2e/task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

interface Served {
  tools: string[];
  serverName: string;
  stderr: string;
}

/** Starts main.ts with the demo task's flags, `args` and `env`; lists tools and the server name. */
async function serve(home: string, args: string[], env: Record<string, string>): Promise<Served> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", ...taskFlags("demo", home), MAIN, ...args],
    env: { HOME: home, USER: "alice", DENO_DIR: await denoDir(), ...env },
    stderr: "pipe",
  });
  const stderr: string[] = [];
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr.push(new TextDecoder().decode(chunk)));
  const client = new Client({ name: "config-file", version: "1" });
  try {
    await client.connect(transport);
    const tools = (await client.listTools()).tools.map((tool: { name: string }) => tool.name);
    const info = await client.callTool({
      name: "get_server_info",
      arguments: {},
    }) as CallToolResult;
    const serverName = JSON.stringify(info.structuredContent).match(/"name":"([^"]+)"/)?.[1] ?? "";
    return { tools, serverName, stderr: stderr.join("") };
  } catch (error) {
    throw new Error(`${error}\nserver stderr:\n${stderr.join("")}`);
  } finally {
    await client.close();
  }
}

Deno.test("main.ts --config: cluster, settings, precedence", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "pbs-mcp-config-" });
  const file = `${home}/pbs.yaml`;
  await Deno.writeTextFile(
    file,
    "default_cluster: small\nread_only: true\nclusters:\n  small:\n    simulator: tiny\n" +
      "  big:\n    simulator: aurora\n",
  );
  try {
    // What the environment alone gives (no file anywhere under HOME).
    const envOnly = await serve(home, ["--demo"], {});
    await t.step("the environment alone configures the server as before", () => {
      assert.ok(envOnly.tools.includes("submit_job"));
      assert.equal(envOnly.serverName, "polaris-pbs-01");
      assert.doesNotMatch(envOnly.stderr, /"level":"warn"/);
    });

    await t.step("the file's default cluster and settings apply", async () => {
      const served = await serve(home, ["--config", file], {});
      assert.ok(!served.tools.includes("submit_job"), "read_only: true offers query tools only");
      assert.ok(served.tools.includes("list_jobs"));
      assert.equal(served.serverName, "tiny", "the tiny scenario is served");
      assert.doesNotMatch(served.stderr, /"level":"warn"/);
    });

    await t.step("the environment wins over the file, with a warning", async () => {
      const served = await serve(home, ["--config", file], { PBS_MCP_READ_ONLY: "false" });
      assert.ok(served.tools.includes("submit_job"));
      assert.ok(
        served.stderr.includes(
          `PBS_MCP_READ_ONLY is set in the environment and as read_only in ${file}: ` +
            "the environment's value is used",
        ),
        served.stderr,
      );
    });

    await t.step("the default file under ~/.config is read without --config", async () => {
      await Deno.mkdir(`${home}/.config/pbs-mcp`, { recursive: true });
      await Deno.copyFile(file, `${home}/.config/pbs-mcp/config.yaml`);
      const served = await serve(home, [], {});
      assert.ok(!served.tools.includes("submit_job"));
      await Deno.remove(`${home}/.config`, { recursive: true });
    });

    await t.step("an invalid file stops the start with its line and column", async () => {
      await Deno.writeTextFile(`${home}/bad.yaml`, "clusters:\n  x:\n    simulator: nope\n");
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...taskFlags("demo", home), MAIN, "--config", `${home}/bad.yaml`],
        env: { HOME: home, DENO_DIR: await denoDir() },
        clearEnv: true,
        stdin: "null",
      }).output();
      assert.equal(out.code, 2);
      assert.match(
        new TextDecoder().decode(out.stderr),
        new RegExp(`^${home}/bad\\.yaml:3:16: clusters\\.x\\.simulator: Invalid option`),
      );
    });

    await t.step("an ssh cluster is refused at start-up, saying why", async () => {
      await Deno.writeTextFile(`${home}/ssh.yaml`, "clusters:\n  a:\n    ssh: { host: login1 }\n");
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", MAIN, "--config", `${home}/ssh.yaml`],
        env: { HOME: home, DENO_DIR: await denoDir() },
        clearEnv: true,
        stdin: "null",
      }).output();
      assert.equal(out.code, 2);
      assert.match(
        new TextDecoder().decode(out.stderr),
        /cluster 'a' is reached through ssh, which this version does not serve from the configuration yet/,
      );
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

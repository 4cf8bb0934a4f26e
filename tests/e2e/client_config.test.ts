/**
 * `main.ts config CLIENT`: each client's output is valid JSON of the shape that
 * client reads, names an existing deno binary and main.ts by absolute path,
 * and grants exactly the flags `main.ts permissions --json` computes for the
 * same machine (a fake PBS installation pinned through PBS_EXEC); a demo entry
 * copied as printed starts a server an MCP client can use; `--http URL` gives
 * a token header taken from the client's environment.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { CHILD_PATH } from "./pinned_pbs.ts";
import { taskFlags } from "./task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const EXAMPLES = new URL("../../examples/clients/", import.meta.url).pathname;

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-env", "--allow-read", "--allow-sys=uid", MAIN, ...args],
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

interface Entry {
  type?: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The one server entry of a client's file, by the key that client reads. */
function entryOf(client: string, json: Record<string, unknown>, name: string): Entry {
  const key = client === "vscode" ? "servers" : "mcpServers";
  const servers = json[key] as Record<string, Entry>;
  assert.ok(servers, `${client}: no "${key}" object`);
  assert.deepEqual(Object.keys(servers), [name]);
  return servers[name];
}

Deno.test("main.ts config CLIENT", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-client-config-" });
  const home = `${root}/home`;
  const exec = `${root}/pbs`;
  await Deno.mkdir(home);
  await Deno.mkdir(`${exec}/bin`, { recursive: true });
  for (const name of ["qstat", "qsub", "qmgr"]) {
    await Deno.writeTextFile(`${exec}/bin/${name}`, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  }
  const env = {
    HOME: home,
    PATH: CHILD_PATH,
    PBS_EXEC: exec,
    PBS_CONF_FILE: `${root}/no-pbs.conf`,
    PBS_ACCOUNT: "MyProject",
    DENO_DIR: await denoDir(),
  };
  try {
    for (const demo of [false, true]) {
      const serverFlags = demo ? ["--demo"] : [];
      const permissions = await run(["permissions", "--json", ...serverFlags], env);
      assert.equal(permissions.code, 0, permissions.stderr);
      const computed = JSON.parse(permissions.stdout) as { command: string; args: string[] };
      for (const client of ["claude-desktop", "claude-code", "vscode", "cursor"]) {
        await t.step(
          `${client}${demo ? " --demo" : ""}: shape, paths, computed flags`,
          async () => {
            const { code, stdout, stderr } = await run(["config", client, ...serverFlags], env);
            assert.equal(code, 0, stderr);
            const entry = entryOf(client, JSON.parse(stdout), demo ? "pbs-demo" : "pbs");
            if (client !== "claude-desktop") assert.equal(entry.type, "stdio");
            assert.equal(entry.command, computed.command);
            assert.ok(entry.command.startsWith("/"));
            assert.ok((await Deno.stat(entry.command)).isFile);
            assert.deepEqual(entry.args, computed.args);
            const main = entry.args.find((a) => a.endsWith("/main.ts"));
            assert.equal(main, MAIN);
            assert.ok((await Deno.stat(main!)).isFile);
            if (demo) {
              assert.equal(entry.args.at(-1), "--demo");
              assert.equal(entry.env?.PBS_ACCOUNT, "MyProject");
            } else {
              const run = entry.args.find((a) => a.startsWith("--allow-run="))!;
              assert.ok(run.split("=")[1].split(",").includes(`${exec}/bin/qstat`), run);
              // The server finds its PBS and settings as now, whatever the client's environment.
              assert.deepEqual(entry.env, {
                PATH: CHILD_PATH,
                PBS_ACCOUNT: "MyProject",
                PBS_CONF_FILE: `${root}/no-pbs.conf`,
                PBS_EXEC: exec,
              });
            }
            assert.match(stderr, /^note: /);
          },
        );
      }
    }

    await t.step("the printed demo entry starts a working server", async () => {
      const { stdout } = await run(["config", "claude-code", "--demo"], env);
      const entry = entryOf("claude-code", JSON.parse(stdout), "pbs-demo");
      const transport = new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { HOME: home, DENO_DIR: env.DENO_DIR, ...entry.env },
        stderr: "pipe",
      });
      const client = new Client({ name: "client-config", version: "1" });
      try {
        await client.connect(transport);
        const tools = (await client.listTools()).tools.map((tool: { name: string }) => tool.name);
        assert.ok(tools.includes("submit_job"));
      } finally {
        await client.close();
      }
    });

    await t.step("claude-code names the equivalent claude mcp add-json line", async () => {
      const { stdout, stderr } = await run(["config", "claude-code", "--demo"], env);
      const entry = entryOf("claude-code", JSON.parse(stdout), "pbs-demo");
      const line = stderr.split("\n").find((l) => l.startsWith("note: or: claude mcp add-json"));
      assert.equal(line, `note: or: claude mcp add-json pbs-demo '${JSON.stringify(entry)}'`);
    });

    await t.step("--config is passed on as an absolute path, and granted", async () => {
      await Deno.writeTextFile(`${root}/c.yaml`, "read_only: true\n");
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", MAIN, "config", "cursor", "--config", "c.yaml"],
        env,
        clearEnv: true,
        cwd: root,
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const entry = entryOf("cursor", JSON.parse(new TextDecoder().decode(out.stdout)), "pbs");
      assert.deepEqual(entry.args.slice(-2), ["--config", `${root}/c.yaml`]);
      const read = entry.args.find((a) => a.startsWith("--allow-read="))!;
      assert.ok(read.split("=")[1].split(",").includes(`${root}/c.yaml`), read);
    });

    // Each shipped file, the client that reads it, and how it names the home directory.
    const shipped: Array<[string, string, string]> = [
      ["claude_desktop_config.json", "claude-desktop", "/home/me"],
      ["claude_code.mcp.json", "claude-code", "${HOME}"],
      ["vscode.mcp.json", "vscode", "${userHome}"],
      ["cursor.mcp.json", "cursor", "${userHome}"],
    ];
    for (const [file, client, homeWord] of shipped) {
      await t.step(`examples/clients/${file}: the tasks' flags, a demo entry`, async () => {
        const json = JSON.parse(await Deno.readTextFile(`${EXAMPLES}${file}`));
        const servers = json[client === "vscode" ? "servers" : "mcpServers"];
        assert.deepEqual(Object.keys(servers), ["pbs", "pbs-demo"]);
        const real = servers.pbs as Entry;
        const demo = servers["pbs-demo"] as Entry;
        assert.deepEqual(real.args, [
          "run",
          ...taskFlags("start", homeWord),
          "/path/to/pbs-mcp/main.ts",
        ]);
        assert.deepEqual(demo.args, [
          "run",
          ...taskFlags("demo", homeWord),
          "/path/to/pbs-mcp/main.ts",
          "--demo",
        ]);
        // Copied as the README says (the checkout's path in place of /path/to/pbs-mcp;
        // the client expands the home variable), the demo entry serves, from any directory.
        const args = demo.args.map((a) =>
          a.replace("/path/to/pbs-mcp/main.ts", MAIN).replace(homeWord, home)
        );
        const transport = new StdioClientTransport({
          command: Deno.execPath(),
          args,
          env: { HOME: home, DENO_DIR: env.DENO_DIR },
          cwd: root,
          stderr: "pipe",
        });
        const mcp = new Client({ name: "example", version: "1" });
        try {
          await mcp.connect(transport);
          assert.ok((await mcp.listTools()).tools.length > 0);
        } finally {
          await mcp.close();
        }
      });
    }

    const url = "http://localhost:8765/mcp";
    const httpShapes: Record<string, unknown> = {
      "claude-desktop": {
        mcpServers: {
          pbs: {
            command: "npx",
            args: ["mcp-remote", url, "--header", "Authorization:${PBS_AUTH}"],
            env: { PBS_AUTH: "Bearer <token>" },
          },
        },
      },
      "claude-code": {
        mcpServers: {
          pbs: { type: "http", url, headers: { Authorization: "Bearer ${PBS_MCP_TOKEN}" } },
        },
      },
      vscode: {
        servers: {
          pbs: { type: "http", url, headers: { Authorization: "Bearer ${input:pbs-token}" } },
        },
        inputs: [{
          type: "promptString",
          id: "pbs-token",
          description: "PBS MCP token",
          password: true,
        }],
      },
      cursor: {
        mcpServers: { pbs: { url, headers: { Authorization: "Bearer ${env:PBS_MCP_TOKEN}" } } },
      },
    };
    for (const [client, expected] of Object.entries(httpShapes)) {
      await t.step(`${client} --http URL: the token header, no secret in the file`, async () => {
        const { code, stdout, stderr } = await run(["config", client, "--http", url], env);
        assert.equal(code, 0, stderr);
        assert.deepEqual(JSON.parse(stdout), expected);
      });
    }

    await t.step("bad arguments: exit 2 and why", async () => {
      const cases: Array<[string[], RegExp]> = [
        [["config", "emacs"], /^unknown client 'emacs': choose one of claude-desktop, /],
        [["config"], /^name a client: /],
        [["config", "vscode", "--http", "ftp://x/mcp"], /must be http:\/\/ or https:\/\//],
        [["config", "vscode", "--http", url, "--demo"], /drop --demo/],
        [["config", "vscode", "--bogus"], /Unknown option '--bogus'/],
      ];
      for (const [args, message] of cases) {
        const { code, stdout, stderr } = await run(args, env);
        assert.equal(code, 2, args.join(" "));
        assert.equal(stdout, "");
        assert.match(stderr, message);
      }
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

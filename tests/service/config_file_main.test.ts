/**
 * main.ts reading a configuration file, as a client starts it (a subprocess on
 * stdio with `deno task demo`'s permissions): the file's cluster and settings
 * apply, the environment wins over it with a warning in the log, the
 * environment alone works as before, and every cluster of the file is
 * served (an SSH cluster that does not answer included, said to be down).
 */
import assert from "node:assert/strict";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { DENO_DIR, MAIN, stdioServer } from "../e2e/demo_child.ts";
import { taskFlags } from "../e2e/task_flags.ts";

interface Served {
  tools: string[];
  serverName: string;
  stderr: string;
}

/** Starts main.ts with the demo task's flags, `args` and `env`; lists tools and the server name. */
async function serve(home: string, args: string[], env: Record<string, string>): Promise<Served> {
  const { client, transport, stderr } = stdioServer(
    ["run", ...taskFlags("demo", home), MAIN, ...args],
    { HOME: home, USER: "alice", DENO_DIR, ...env },
    { name: "config-file" },
  );
  try {
    await client.connect(transport);
    const tools = (await client.listTools()).tools.map((tool: { name: string }) => tool.name);
    const info = await client.callTool({
      name: "get_server_info",
      arguments: {},
    }) as CallToolResult;
    const serverName = JSON.stringify(info.structuredContent).match(/"name":"([^"]+)"/)?.[1] ?? "";
    return { tools, serverName, stderr: stderr() };
  } catch (error) {
    throw new Error(`${error}\nserver stderr:\n${stderr()}`);
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
        env: { HOME: home, DENO_DIR },
        clearEnv: true,
        stdin: "null",
      }).output();
      assert.equal(out.code, 2);
      assert.match(
        new TextDecoder().decode(out.stderr),
        new RegExp(`^${home}/bad\\.yaml:3:16: clusters\\.x\\.simulator: Invalid option`),
      );
    });

    await t.step("a cluster that cannot be wired stops the start; each is named", async () => {
      await Deno.writeTextFile(
        `${home}/broken.yaml`,
        "clusters:\n  a:\n    local: true\n    submit_dir: /nonexistent/dir\n" +
          "  b:\n    simulator: tiny\n    profile: nosuchprofile\n  c:\n    simulator: tiny\n",
      );
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", MAIN, "--config", `${home}/broken.yaml`],
        env: { HOME: home, DENO_DIR, PATH: Deno.env.get("PATH")! },
        clearEnv: true,
        stdin: "null",
      }).output();
      assert.equal(out.code, 2);
      const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
      assert.equal(lines.length, 2, lines.join("\n"));
      assert.match(lines[0], /^cluster "a": .*submit_dir.* is not a directory: \/nonexistent\/dir/);
      assert.match(lines[1], /^cluster "b": .*nosuchprofile/);
    });

    await t.step(
      "an ssh cluster is served beside a simulated one; a dead one says so",
      async () => {
        // Port 1 on loopback: nothing listens, so ssh fails at once with "Connection refused".
        await Deno.writeTextFile(
          `${home}/ssh.yaml`,
          "clusters:\n  sim:\n    simulator: tiny\n" +
            "  far:\n    ssh: { host: 127.0.0.1, port: 1, user: alice }\n",
        );
        const { client, transport, stderr } = stdioServer(
          ["run", "--allow-all", MAIN, "--config", `${home}/ssh.yaml`],
          { HOME: home, USER: "alice", DENO_DIR, PATH: Deno.env.get("PATH")! },
          { name: "config-file" },
        );
        try {
          await client.connect(transport);
          const tools = (await client.listTools()).tools;
          const status = tools.find((tool) => tool.name === "get_job_status")!;
          assert.deepEqual(
            (status.inputSchema.properties?.cluster as { enum?: string[] })?.enum,
            ["sim", "far"],
          );
          const listed = await client.callTool({
            name: "list_clusters",
            arguments: {},
          }) as CallToolResult;
          const clusters = (listed.structuredContent as {
            clusters: Array<{ name: string; reachable: boolean; error?: string; user: string }>;
          }).clusters;
          assert.deepEqual(clusters.map((c) => [c.name, c.reachable]), [["sim", true], [
            "far",
            false,
          ]]);
          assert.match(clusters[1].error ?? "", /server_unreachable/);
          assert.equal(clusters[1].user, "alice", "the configured ssh user, not confirmed");
          const text = (listed.content[0] as { text: string }).text;
          assert.match(text, /^sim \(default\): reachable, PBS .*\nfar: NOT reachable/);
          const far = await client.callTool({
            name: "list_jobs",
            arguments: { cluster: "far" },
          }) as CallToolResult;
          assert.equal(far.isError, true);
          assert.match(
            (far.content[0] as { text: string }).text,
            /^\[far\] Error \(server_unreachable\)/,
          );
          assert.match(
            stderr(),
            /cluster \\"far\\": PBS on alice@127\.0\.0\.1 through ssh as alice \(not confirmed/,
          );
        } catch (error) {
          throw new Error(`${error}\nserver stderr:\n${stderr()}`);
        } finally {
          await client.close();
        }
      },
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("main.ts --demo --scenario tiny,golden serves two simulated clusters", async () => {
  const home = await Deno.makeTempDir({ prefix: "pbs-mcp-two-" });
  const state = `${home}/.local/state/pbs-mcp/two`;
  const { client, transport, stderr } = stdioServer(
    [
      "run",
      ...taskFlags("demo", home),
      MAIN,
      "--demo",
      "--scenario",
      "tiny,golden",
      "--state",
      state,
    ],
    { HOME: home, USER: "alice", DENO_DIR },
    { name: "two-demo" },
  );
  try {
    await client.connect(transport);
    assert.match(
      client.getInstructions() ?? "",
      /clusters tiny, golden; every other tool than list_clusters .* takes cluster \(default tiny\)/,
    );
    const listed = await client.callTool({
      name: "list_clusters",
      arguments: {},
    }) as CallToolResult;
    const { clusters } = listed.structuredContent as {
      clusters: Array<{ name: string; reachable: boolean; reach: string }>;
    };
    assert.deepEqual(clusters.map((c) => [c.name, c.reachable]), [["tiny", true], [
      "golden",
      true,
    ]]);
    // Each simulated cluster keeps its state under --state DIR/NAME.
    for (const name of ["tiny", "golden"]) {
      assert.ok((await Deno.stat(`${state}/${name}`)).isDirectory, name);
    }
    const info = await client.callTool({
      name: "get_server_info",
      arguments: { cluster: "golden" },
    }) as CallToolResult;
    assert.equal((info.structuredContent as { cluster: string }).cluster, "golden");
    // Answered by golden's server, not tiny's.
    const tinyInfo = await client.callTool({
      name: "get_server_info",
      arguments: {},
    }) as CallToolResult;
    const serverName = (r: CallToolResult) =>
      (r.structuredContent as { server: { name: string } }).server.name;
    assert.equal(serverName(tinyInfo), "tiny");
    assert.notEqual(serverName(info), serverName(tinyInfo));
    assert.match((info.content[0] as { text: string }).text, /^\[golden\] /);
  } catch (error) {
    throw new Error(`${error}\nserver stderr:\n${stderr()}`);
  } finally {
    await client.close();
    await Deno.remove(home, { recursive: true });
  }
});

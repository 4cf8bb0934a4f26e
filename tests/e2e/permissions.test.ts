/**
 * Least privilege, end to end: `main.ts permissions` computes the flags for a
 * fake PBS installation (found through PBS_EXEC), the server runs with exactly
 * those flags, and a tool can run the installation's commands and nothing
 * else. The decoy is a program named like a PBS command that appears on PATH
 * after start-up, in a directory the server may read: the runner finds it,
 * and only Deno's --allow-run stands between a tool and running it. The
 * control starts the same server with unrestricted --allow-run and sees the
 * decoy run, so the check fails if the computed flags were broad.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { CHILD_PATH } from "./pinned_pbs.ts";
import { printedPermissions } from "./demo_child.ts";

const GOLDEN = new URL("../fixtures/golden/", import.meta.url).pathname;
const FAKE_COMMANDS = ["qmgr", "qstat", "qsub"];

interface Machine {
  root: string;
  home: string;
  exec: string;
  /** The server's environment: PBS through PBS_EXEC, $HOME/bin first on PATH. */
  env: Record<string, string>;
}

/** Fake qstat, qmgr and qsub replaying captures; qsub records the environment it got. */
async function makeMachine(): Promise<Machine> {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-permissions-" });
  const home = `${root}/home`;
  const exec = `${root}/pbs`;
  await Deno.mkdir(`${home}/bin`, { recursive: true });
  await Deno.mkdir(`${exec}/bin`, { recursive: true });
  const scripts: Record<string, string> = {
    qstat: `case "$*" in *-Bf*) cat '${GOLDEN}qstat_Bf_json.out' ;; ` +
      `*) cat '${GOLDEN}qstat_fx_json_finished_ok.out' ;; esac`,
    qmgr: `cat '${GOLDEN}qmgr_list_server.out'`,
    qsub: `cat > /dev/null; env > '${root}/qsub_env'; cat '${GOLDEN}qsub_basic.out'`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${exec}/bin/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  const env = {
    HOME: home,
    PATH: `${home}/bin:${CHILD_PATH}`,
    PBS_EXEC: exec,
    PBS_CONF_FILE: `${root}/no-pbs.conf`,
    PBS_MCP_CACHE_TTL_MS: "0",
    PBS_MCP_LOG_LEVEL: "warn",
    // Neither read by the server nor passed to PBS.
    UNRELATED_SECRET: "hunter2-unrelated",
    DENO_DIR: await denoDir(),
  };
  return { root, home, exec, env };
}

/** Deno's cache, so the child (whose HOME is a temp dir) finds the npm packages already there. */
async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

async function computedArgs(machine: Machine): Promise<string[]> {
  const printed = JSON.parse(await printedPermissions(machine.env, true));
  assert.equal(printed.command, Deno.execPath());
  return printed.args;
}

function flagValues(args: string[], kind: string): string[] | undefined {
  const flag = args.find((a) => a.startsWith(`--allow-${kind}=`));
  return flag?.slice(`--allow-${kind}=`.length).split(",");
}

function textOf(result: CallToolResult): string {
  return (result.content as { text: string }[]).map((c) => c.text).join("\n");
}

/** Starts the server with `args` (deno run ... main.ts) and runs `body` with a client. */
async function withServer(
  machine: Machine,
  args: string[],
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args,
    env: machine.env,
    cwd: machine.root,
    stderr: "pipe",
  });
  const stderr: string[] = [];
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr.push(new TextDecoder().decode(chunk)));
  const client = new Client({ name: "e2e-permissions", version: "1" });
  try {
    await client.connect(transport);
    await body(client);
  } catch (error) {
    throw new Error(`${error}\nserver stderr:\n${stderr.join("")}`);
  } finally {
    await client.close();
  }
}

/** A program named like a PBS command, on PATH before anything else, that leaves a mark. */
async function plantDecoy(machine: Machine, name: string): Promise<string> {
  const marker = `${machine.root}/decoy-ran`;
  await Deno.writeTextFile(
    `${machine.home}/bin/${name}`,
    `#!/bin/sh\necho "$0 $*" > '${marker}'\n`,
    { mode: 0o755 },
  );
  return marker;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("with the computed permissions a tool runs the PBS commands found and nothing else", async (t) => {
  const machine = await makeMachine();
  try {
    const args = await computedArgs(machine);

    await t.step("the flags name the installation's programs and the audit directory", () => {
      assert.deepEqual(
        flagValues(args, "run")?.toSorted(),
        FAKE_COMMANDS.map((c) => `${machine.exec}/bin/${c}`),
      );
      assert.deepEqual(flagValues(args, "write"), [`${machine.home}/.local/state/pbs-mcp`]);
      assert.deepEqual(flagValues(args, "sys"), ["uid"]);
      assert.ok(args.includes("--no-prompt"));
      for (const broad of ["-A", "--allow-all", "--allow-run", "--allow-read", "--allow-write"]) {
        assert.ok(!args.includes(broad), `${broad} in ${args.join(" ")}`);
      }
      for (const kind of ["env", "read"]) assert.ok(flagValues(args, kind), kind);
      assert.equal(flagValues(args, "net"), undefined, "no network on stdio");
    });

    await t.step("without --json: the same command as one shell line", async () => {
      assert.equal(
        await printedPermissions(machine.env, false),
        `${[Deno.execPath(), ...args].join(" ")}\n`,
      );
    });

    await withServer(machine, args, async (client) => {
      await t.step("a granted PBS command runs, with the environment PBS needs", async () => {
        const result = await client.callTool({
          name: "submit_job",
          arguments: { script: "#!/bin/sh\nhostname\n" },
        }) as CallToolResult;
        assert.ok(!result.isError, textOf(result));
        const env = new Map(
          (await Deno.readTextFile(`${machine.root}/qsub_env`)).trim().split("\n")
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
        assert.equal(env.get("PBS_EXEC"), machine.exec);
        assert.equal(env.get("HOME"), machine.home);
        assert.equal(env.get("PATH"), machine.env.PATH);
        assert.equal(env.get("LC_ALL"), "C");
        const leaked = [...env.keys()].filter((name) =>
          name.startsWith("PBS_MCP_") || name === "UNRELATED_SECRET" || name === "DENO_DIR"
        );
        assert.deepEqual(leaked, []);
      });

      await t.step(
        "a program named qhold that appears on PATH later is refused by Deno",
        async () => {
          const marker = await plantDecoy(machine, "qhold");
          const result = await client.callTool({
            name: "hold_job",
            arguments: { job_id: "1001.pbs01" },
          }) as CallToolResult;
          assert.ok(result.isError, textOf(result));
          assert.match(textOf(result), /Requires run access to ".*\/home\/bin\/qhold"/);
          assert.equal(await exists(marker), false, "the decoy ran");
        },
      );
    });

    await t.step(
      "control: with unrestricted --allow-run the same call runs the decoy",
      async () => {
        const marker = await plantDecoy(machine, "qhold");
        const broad = args.map((a) => a.startsWith("--allow-run=") ? "--allow-run" : a);
        await withServer(machine, broad, async (client) => {
          await client.callTool({ name: "hold_job", arguments: { job_id: "1001.pbs01" } });
        });
        assert.match(await Deno.readTextFile(marker), /home\/bin\/qhold -h u 1001\.pbs01/);
      },
    );
  } finally {
    await Deno.remove(machine.root, { recursive: true });
  }
});

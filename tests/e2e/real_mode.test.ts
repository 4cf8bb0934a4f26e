/**
 * main.ts in real mode, as a client starts it: a subprocess spoken to over
 * stdio with the permissions of `deno task start`, its PBS a set of fake
 * commands that replay OpenPBS captures, pinned through the child's own
 * environment (PBS_EXEC set, a pbs.conf that does not exist). Checks who the server says the caller is,
 * which installation it names, and where qsub runs.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { CHILD_PATH } from "./pinned_pbs.ts";
import { taskFlags } from "./task_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const GOLDEN = new URL("../fixtures/golden/", import.meta.url).pathname;

/** Fake qstat, qmgr and qsub under `exec/bin`, replaying captures; qsub notes where it ran. */
async function fakeInstallation(exec: string, notes: string): Promise<void> {
  await Deno.mkdir(`${exec}/bin`, { recursive: true });
  const scripts: Record<string, string> = {
    qstat: `case "$*" in *-Bf*) cat '${GOLDEN}qstat_Bf_json.out' ;; ` +
      `*) cat '${GOLDEN}qstat_fx_json_finished_ok.out' ;; esac`,
    qmgr: `cat '${GOLDEN}qmgr_list_server.out'`,
    qsub: `cat > /dev/null; pwd > '${notes}/qsub_cwd'; cat '${GOLDEN}qsub_basic.out'`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${exec}/bin/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
}

async function osUserName(): Promise<string> {
  const { stdout } = await new Deno.Command("id", { args: ["-un"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

/** Deno's cache, so the child (whose HOME is a temp dir) finds the npm packages already there. */
async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

function textOf(result: CallToolResult): string {
  return (result.content as { text: string }[]).map((c) => c.text).join("\n");
}

Deno.test("main.ts on (fake) real PBS: the OS user, the installation, the submit dir", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-real-mode-" });
  const exec = `${root}/pbs`;
  const home = `${root}/home`;
  await Deno.mkdir(home);
  await fakeInstallation(exec, root);
  // The permissions of `deno task start`: writes only to the audit directory.
  const auditDir = `${home}/.local/state/pbs-mcp`;
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", ...taskFlags("start", home), MAIN],
    env: {
      // What the login shell said is not who PBS acts as.
      USER: "impostor",
      LOGNAME: "impostor",
      HOME: home,
      // The task's --allow-run names bare commands, which Deno resolves on PATH
      // at start-up; the runner still finds them through PBS_EXEC first.
      PATH: `${CHILD_PATH}:${exec}/bin`,
      PBS_EXEC: exec,
      PBS_CONF_FILE: `${root}/no-pbs.conf`,
      PBS_MCP_CACHE_TTL_MS: "0",
      DENO_DIR: await denoDir(),
    },
    // A GUI client may start the server in `/`: qsub must not run there.
    cwd: "/",
    stderr: "pipe",
  });
  const stderr: string[] = [];
  transport.stderr?.on("data", (chunk: Uint8Array) => stderr.push(new TextDecoder().decode(chunk)));
  const client = new Client({ name: "e2e", version: "1" });
  try {
    await client.connect(transport);
    const me = await osUserName();

    await t.step("check_privileges names the OS user and the installation", async () => {
      const result = await client.callTool({
        name: "check_privileges",
        arguments: {},
      }) as CallToolResult;
      assert.ok(!result.isError, textOf(result));
      const answer = result.structuredContent as {
        user: string;
        installation: { source: string; qstat?: string };
      };
      assert.equal(answer.user, me);
      assert.notEqual(answer.user, "impostor");
      assert.match(textOf(result), new RegExp(`^You are ${me}, a PBS `));
      assert.deepEqual(answer.installation, {
        source: "PBS_EXEC",
        qstat: `${exec}/bin/qstat`,
        description: `PBS commands from ${exec}/bin (found through PBS_EXEC)`,
      });
      assert.ok(textOf(result).includes(`PBS installation: PBS commands from ${exec}/bin`));
    });

    await t.step("get_server_info names the installation too", async () => {
      const result = await client.callTool({
        name: "get_server_info",
        arguments: {},
      }) as CallToolResult;
      assert.ok(!result.isError, textOf(result));
      const answer = result.structuredContent as { installation: { source: string } };
      assert.equal(answer.installation.source, "PBS_EXEC");
      assert.match(
        textOf(result),
        /PBS installation: PBS commands from .* \(found through PBS_EXEC\)/,
      );
    });

    await t.step("qsub runs in $HOME (the default submit dir), not the server's cwd", async () => {
      const result = await client.callTool({
        name: "submit_job",
        arguments: { script: "#!/bin/sh\nhostname\n" },
      }) as CallToolResult;
      assert.ok(!result.isError, textOf(result));
      assert.equal((await Deno.readTextFile(`${root}/qsub_cwd`)).trim(), home);
    });

    await t.step("the start task's one writable directory holds the audit line", async () => {
      const lines = (await Deno.readTextFile(`${auditDir}/audit.jsonl`)).trim().split("\n");
      assert.equal(lines.length, 1);
      const entry = JSON.parse(lines[0]);
      assert.equal(entry.tool, "submit_job");
      assert.equal(entry.caller, await osUserName());
      const qsub = entry.commands.find((c: { argv: string[] }) => c.argv[0] === "qsub");
      assert.equal(qsub?.exit_code, 0);
    });
  } catch (error) {
    throw new Error(`${error}\nserver stderr:\n${stderr.join("")}`);
  } finally {
    await client.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("main.ts refuses to start with a submit dir that does not exist", async () => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-real-mode-" });
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...taskFlags("start", root), MAIN],
      env: {
        HOME: root,
        PATH: CHILD_PATH,
        PBS_EXEC: `${root}/pbs`,
        PBS_CONF_FILE: `${root}/no-pbs.conf`,
        PBS_MCP_SUBMIT_DIR: `${root}/missing`,
        DENO_DIR: await denoDir(),
      },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
    }).output();
    assert.equal(code, 2);
    // Deno first notes each bare --allow-run name it found nowhere on PATH.
    const lines = new TextDecoder().decode(stderr).split("\n")
      .filter((l) => !/Info.* Failed to resolve '\w+' for allow-run/.test(l));
    assert.deepEqual(lines, [
      `PBS_MCP_SUBMIT_DIR (or HOME; submit_dir in a configuration file) is not a directory: ${root}/missing`,
      "",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/**
 * `main.ts doctor` as a person runs it (`deno task doctor`'s flags), in a
 * clean environment whose PBS is a set of fake commands replaying OpenPBS
 * captures (pinned through PBS_EXEC, a pbs.conf that does not exist and a PATH
 * without PBS): a healthy set-up, the simulator, and broken ones (no PBS, the
 * server down, history off, an unwritable audit log, a missing directory, an
 * invalid configuration file). Exact lines and exit codes.
 */
import assert from "node:assert/strict";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const GOLDEN = new URL("../fixtures/golden/", import.meta.url).pathname;
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/** The flags of `deno task doctor` (between `deno run` and `main.ts`). */
function doctorFlags(): string[] {
  const task = JSON.parse(Deno.readTextFileSync(DENO_JSON)).tasks.doctor as string;
  const words = task.split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  assert.deepEqual(words.slice(-2), ["main.ts", "doctor"]);
  return words.slice(2, -2);
}

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

async function osUserName(): Promise<string> {
  const { stdout } = await new Deno.Command("id", { args: ["-un"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

/** Fake PBS under `exec/bin`: each command a shell script body (tools by absolute path: PATH is empty). */
async function fakePbs(exec: string, scripts: Record<string, string>): Promise<void> {
  await Deno.mkdir(`${exec}/bin`, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${exec}/bin/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
}

const HEALTHY = {
  qstat: `/bin/cat '${GOLDEN}qstat_Bf_json.out'`,
  qmgr: `/bin/cat '${GOLDEN}qmgr_list_server.out'`,
};

async function doctor(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; lines: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...doctorFlags(), MAIN, "doctor", ...args],
    env: { DENO_DIR: await denoDir(), ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(new TextDecoder().decode(out.stderr), "");
  return { code: out.code, lines: stdout.trimEnd().split("\n") };
}

Deno.test("main.ts doctor", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-doctor-" });
  const home = `${root}/home`;
  const exec = `${root}/pbs`;
  const empty = `${root}/empty`;
  await Deno.mkdir(home);
  await Deno.mkdir(empty);
  const me = await osUserName();
  const audit = `${home}/.local/state/pbs-mcp/audit.jsonl`;
  const machine = (extra: Record<string, string> = {}) => ({
    HOME: home,
    PATH: empty,
    PBS_EXEC: exec,
    PBS_CONF_FILE: `${root}/no-pbs.conf`,
    ...extra,
  });
  // root is a PBS manager whatever the server lists; anyone else here is a user.
  const role = me === "root" ? "manager" : "user";
  try {
    await t.step("a healthy set-up passes every check", async () => {
      await fakePbs(exec, HEALTHY);
      const { code, lines } = await doctor(machine());
      assert.deepEqual(lines, [
        "ok   configuration: valid (the environment only; real mode)",
        `ok   PBS commands: PBS commands from ${exec}/bin (found through PBS_EXEC) (not there, ` +
        "so the tools using them fail: qsub, qselect, qdel, qhold, qrls, qalter, qmove, " +
        "pbsnodes, pbs_rsub, pbs_rstat, pbs_rdel, pbs_ralter, tracejob)",
        "ok   PBS server: vm answers (qstat -Bf)",
        "ok   PBS version: 23.06.06",
        "ok   job history: enabled (job_history_duration 336:00:00, PBS's default)",
        `ok   privileges: you are ${me}, a PBS ${role}`,
        `ok   allowed directory: ${home} is readable`,
        `ok   submit directory: qsub runs in ${home}`,
        `ok   audit log: ${audit} is writable`,
        "all checks passed",
      ]);
      assert.equal(code, 0);
    });

    await t.step("the simulator passes too (--demo)", async () => {
      const { code, lines } = await doctor({ HOME: home, USER: "bob" }, ["--demo"]);
      assert.deepEqual(lines, [
        "ok   configuration: valid (the environment only; demo mode)",
        'ok   PBS commands: simulated "polaris" complex (demo mode), as bob',
        "ok   PBS server: polaris-pbs-01 answers (qstat -Bf)",
        "ok   PBS version: 23.06.06",
        "ok   job history: enabled (job_history_duration 336:00:00, PBS's default)",
        "ok   privileges: you are bob, a PBS user",
        'ok   site profile: "polaris" (the scenario\'s own); jobs must request -l filesystems ' +
        "(default home:eagle)",
        `ok   allowed directory: ${home} is readable`,
        "skip submit directory: demo mode submits in the simulated home",
        `ok   audit log: ${audit} is writable`,
        "all checks passed",
      ]);
      assert.equal(code, 0);
    });

    await t.step("no PBS found: the fix, and the checks that need PBS skipped", async () => {
      const { code, lines } = await doctor(machine({ PBS_EXEC: `${root}/nowhere` }));
      assert.deepEqual(lines.slice(1, 6), [
        "FAIL PBS commands: no PBS installation found (qstat is not in PBS_EXEC, PATH or " +
        "pbs.conf's PBS_EXEC); fix: set PBS_EXEC (or pbs_exec: in the configuration file) to " +
        "the PBS installation directory holding bin/, or add its bin directory to PATH; " +
        "without PBS, try --demo",
        "skip PBS server: no PBS commands to ask with",
        "skip PBS version: no PBS commands to ask with",
        "skip job history: no PBS commands to ask with",
        "skip privileges: no PBS commands to ask with",
      ]);
      assert.equal(lines.at(-1), "1 check failed: fix it and run doctor again");
      assert.equal(code, 1);
    });

    await t.step("the server down, an unwritable audit log, a missing directory", async () => {
      // qstat -B with pbs_server stopped (capture server_down_qstat_B: exit 255).
      await fakePbs(exec, {
        ...HEALTHY,
        qstat: `/bin/cat '${GOLDEN}server_down_qstat_B.err' >&2; exit 255`,
      });
      const file = `${root}/a-file`;
      await Deno.writeTextFile(file, "");
      const { code, lines } = await doctor(machine({
        PBS_MCP_AUDIT_LOG: `${file}/audit.jsonl`,
        PBS_MCP_ALLOWED_DIRS: `${home}:${root}/missing`,
      }));
      assert.equal(
        lines[2],
        "FAIL PBS server: qstat -Bf failed: Cannot connect to the PBS server vm (PBS said: " +
          "Connection refused / qstat: cannot connect to server vm (errno=15010)); fix: " +
          "pbs_server is not running or not reachable, or PBS_SERVER / pbs.conf names the wrong " +
          "host: check that the server is up (qstat -B) and the MCP server's PBS configuration.",
      );
      assert.deepEqual(lines.slice(3, 6), [
        "skip PBS version: the server did not answer",
        "skip job history: the server did not answer",
        "skip privileges: the server did not answer",
      ]);
      assert.equal(lines[6], `ok   allowed directory: ${home} is readable`);
      assert.equal(
        lines[7],
        `FAIL allowed directory: ${root}/missing: does not exist; fix: create it, or remove it ` +
          "from PBS_MCP_ALLOWED_DIRS (allowed_dirs:)",
      );
      assert.match(
        lines[9],
        new RegExp(
          `^FAIL audit log: .*${file}/audit\\.jsonl.*: every change would be refused; fix: `,
        ),
      );
      assert.equal(lines.at(-1), "3 checks failed: fix them and run doctor again");
      assert.equal(code, 1);
    });

    await t.step("job history off", async () => {
      const server = JSON.parse(await Deno.readTextFile(`${GOLDEN}qstat_Bf_json.out`));
      for (const attrs of Object.values(server.Server) as Record<string, unknown>[]) {
        delete attrs.job_history_enable;
      }
      await Deno.writeTextFile(`${root}/no_history.json`, JSON.stringify(server));
      await fakePbs(exec, { ...HEALTHY, qstat: `/bin/cat '${root}/no_history.json'` });
      const { code, lines } = await doctor(machine());
      assert.equal(
        lines[4],
        "FAIL job history: job_history_enable is off: finished jobs vanish from qstat, so their " +
          "exit status, usage and output paths cannot be reported; fix: ask the PBS " +
          "administrators to run qmgr -c 'set server job_history_enable = True'",
      );
      assert.equal(code, 1);
    });

    await t.step(
      "every cluster of the file: a simulated one, and an ssh one that is down",
      async () => {
        // Port 1 on loopback: nothing listens, so ssh fails at once with "Connection refused".
        const file = `${root}/two.yaml`;
        await Deno.writeTextFile(
          file,
          "clusters:\n  sim:\n    simulator: tiny\n  far:\n    profile: aurora\n" +
            "    ssh: { host: 127.0.0.1, port: 1, user: alice }\n",
        );
        const { code, lines } = await doctor(
          { HOME: home, PATH: "/usr/bin:/bin", USER: "bob" },
          ["--config", file],
        );
        assert.deepEqual(lines.slice(0, 8), [
          `ok   configuration: valid (${file}; 2 clusters: sim (demo, default), far (ssh))`,
          'ok   [sim] PBS commands: simulated "tiny" complex (demo mode), as bob',
          "ok   [sim] PBS server: tiny answers (qstat -Bf)",
          "ok   [sim] PBS version: 23.06.06",
          "ok   [sim] job history: enabled (job_history_duration 336:00:00, PBS's default)",
          "ok   [sim] privileges: you are bob, a PBS user",
          `ok   [sim] allowed directory: ${home} is readable`,
          "skip [sim] submit directory: demo mode submits in the simulated home",
        ]);
        // Without ssh installed the reason differs; the fix says how to log in either way.
        assert.match(
          lines[8],
          /^FAIL \[far\] login node: alice@127\.0\.0\.1 did not answer through ssh: .*; fix: .*`ssh -p 1 alice@127\.0\.0\.1 id -un` must work from a terminal without a prompt: .*`ssh -fNM alice@127\.0\.0\.1`/,
        );
        assert.deepEqual(lines.slice(9), [
          "skip [far] PBS server: the login node did not answer",
          "skip [far] PBS version: the login node did not answer",
          "skip [far] job history: the login node did not answer",
          "skip [far] privileges: the login node did not answer",
          'ok   [far] site profile: "aurora"; jobs must request -l filesystems (default home:flare)',
          "skip [far] allowed directories: the login node did not answer",
          `ok   audit log: ${audit} is writable`,
          "1 check failed: fix it and run doctor again",
        ]);
        assert.equal(code, 1);
      },
    );

    await t.step("an invalid configuration file: its line and column", async () => {
      await Deno.writeTextFile(`${root}/bad.yaml`, "read_only: maybe\n");
      const { code, lines } = await doctor(machine(), ["--config", `${root}/bad.yaml`]);
      assert.equal(lines.length, 2);
      assert.match(
        lines[0],
        new RegExp(`^FAIL configuration: ${root}/bad\\.yaml:1:12: read_only: .*; fix: `),
      );
      assert.equal(code, 1);
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

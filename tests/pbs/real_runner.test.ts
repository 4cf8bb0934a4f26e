/**
 * RealRunner against real processes: fake PBS commands are small shell scripts
 * in temporary directories.
 */

import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import { lookupFromEnv, pbsExecFromConf, RealRunner } from "../../src/pbs/real_runner.ts";
import { pinnedRunner } from "../e2e/pinned_pbs.ts";

/** Every temp dir these tests create lives under one root, removed when the run ends. */
const ROOT = Deno.makeTempDirSync({ prefix: "pbs-mcp-runner-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(ROOT, { recursive: true }));

function tempDir(): string {
  return Deno.makeTempDirSync({ dir: ROOT });
}

/** A temp dir holding executable scripts `name` → body (a `#!/bin/sh` line is added). */
function fakeBin(scripts: Record<string, string>, dir = tempDir()): string {
  Deno.mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    const path = `${dir}/${name}`;
    Deno.writeTextFileSync(path, `#!/bin/sh\n${body}\n`);
    Deno.chmodSync(path, 0o755);
  }
  return dir;
}

/** A runner that sees only `dir` (the tests' pinned lookup: no PBS_EXEC, PATH or pbs.conf). */
function runnerFor(dir: string, extra: ConstructorParameters<typeof RealRunner>[0] = {}) {
  return pinnedRunner(dir, { killGraceMs: 300, ...extra });
}

/** True when pid no longer runs (gone, or a zombie nobody has reaped yet). */
function processGone(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

function assertPbsError(error: unknown, kind: string): true {
  assert.ok(isPbsError(error), `expected a PbsError, got ${error}`);
  assert.equal(error.kind, kind);
  assert.ok(error.hint.length > 0);
  return true;
}

Deno.test("RealRunner: output, exit codes, environment", async (t) => {
  const dir = fakeBin({
    qstat: `printf 'out:%s\\n' "$@"; echo "err line" >&2; exit 0`,
    qdel: `echo "qdel: Unknown Job Id 99999.vm" >&2; exit 153`,
    qsub: `cat`,
    pbsnodes: `echo "LC_ALL=$LC_ALL FOO=$FOO BAR=$BAR"`,
    qhold: `kill -USR1 $$`,
    tracejob: `printf 'caf\\351 ok\\n'`,
    qselect: `cat; echo "stdin done"`,
  });
  const runner = runnerFor(dir, { env: { FOO: "from-runner", BAR: "runner" } });

  await t.step("arguments arrive verbatim, no shell interpretation", async () => {
    const args = ["a b", "$(echo injected)", "; rm -rf /", "*", "-x"];
    const r = await runner.run(["qstat", ...args]);
    assert.equal(r.stdout, args.map((a) => `out:${a}\n`).join(""));
    assert.equal(r.stderr, "err line\n");
    assert.equal(r.code, 0);
    assert.equal(r.timedOut, false);
    assert.equal(r.truncated, false);
    assert.ok(r.durationMs >= 0);
  });

  await t.step("exit codes pass through", async () => {
    const r = await runner.run(["qdel", "99999.vm"]);
    assert.equal(r.code, 153);
    assert.equal(r.stderr, "qdel: Unknown Job Id 99999.vm\n");
  });

  await t.step("a signalled child reports 128 + signal", async () => {
    const r = await runner.run(["qhold"]);
    assert.equal(r.code, 128 + 10);
  });

  await t.step("stdin reaches the child and is closed", async () => {
    const script = "#!/bin/sh\n#PBS -N x\n" + "echo line\n".repeat(100_000);
    const r = await runner.run(["qsub"], { stdin: script });
    assert.equal(r.stdout, script);
    assert.equal(r.code, 0);
  });

  await t.step("no stdin means an empty, closed stdin", async () => {
    const r = await runner.run(["qselect"]);
    assert.equal(r.stdout, "stdin done\n");
  });

  await t.step("LC_ALL=C, runner env and per-call env are passed", async () => {
    const r = await runner.run(["pbsnodes"], { env: { BAR: "per-call" } });
    assert.equal(r.stdout, "LC_ALL=C FOO=from-runner BAR=per-call\n");
  });

  await t.step("the base environment is inherited, not the test's", async () => {
    const r = await runnerFor(dir).run(["pbsnodes"]);
    assert.equal(r.stdout, "LC_ALL=C FOO= BAR=\n");
  });

  await t.step("invalid UTF-8 is replaced, not fatal", async () => {
    const r = await runner.run(["tracejob"]);
    assert.equal(r.stdout, "caf\uFFFD ok\n");
  });
});

Deno.test("RealRunner: timeouts", async (t) => {
  const pidFile = `${tempDir()}/child.pid`;
  const dir = fakeBin({
    qstat: `sleep 30 & echo $! > "${pidFile}"; wait`,
    qsub: `trap '' TERM; echo started; while :; do sleep 1; done`,
    qdel: `echo quick`,
  });
  const runner = runnerFor(dir);

  await t.step("a hung command is killed and reported as timedOut", async () => {
    const r = await runner.run(["qstat"], { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.code, 0);
    const childPid = Number(Deno.readTextFileSync(pidFile).trim());
    assert.ok(childPid > 0);
    assert.ok(processGone(childPid), "the command's own child must be killed too");
  });

  await t.step("a command ignoring SIGTERM gets SIGKILL after the grace", async () => {
    const r = await runner.run(["qsub"], { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, 128 + 9);
    assert.equal(r.stdout, "started\n");
  });

  await t.step("a fast command is not flagged", async () => {
    const r = await runner.run(["qdel"], { timeoutMs: 10_000 });
    assert.equal(r.timedOut, false);
    assert.equal(r.stdout, "quick\n");
  });

  await t.step("the runner default timeout applies when the call gives none", async () => {
    const r = await runnerFor(dir, { defaultTimeoutMs: 200 }).run(["qstat"]);
    assert.equal(r.timedOut, true);
  });
});

Deno.test("RealRunner: output caps", async (t) => {
  const dir = fakeBin({
    qstat: `yes 'a line of output that repeats' | head -c 50000000; echo done >&2`,
    qselect: `printf '1234567890'`,
    pbsnodes: `yes err | head -c 5000000 >&2; echo fine`,
  });
  const runner = runnerFor(dir, { defaultMaxOutputBytes: 1024 * 1024 });

  await t.step("a flood is capped, flagged, and the process still exits", async () => {
    const r = await runner.run(["qstat"]);
    assert.equal(r.truncated, true);
    assert.equal(r.stdout.length, 1024 * 1024);
    assert.ok(r.stdout.startsWith("a line of output that repeats\n"));
    assert.equal(r.stderr, "done\n", "stderr is read independently of the flooded stdout");
    assert.equal(r.code, 0);
    assert.equal(r.timedOut, false);
  });

  await t.step("the cap applies to stderr as well", async () => {
    const r = await runner.run(["pbsnodes"]);
    assert.equal(r.truncated, true);
    assert.equal(r.stderr.length, 1024 * 1024);
    assert.equal(r.stdout, "fine\n");
  });

  await t.step("output exactly at the cap is not truncated; one byte over is", async () => {
    const exact = await runner.run(["qselect"], { maxOutputBytes: 10 });
    assert.equal(exact.stdout, "1234567890");
    assert.equal(exact.truncated, false);
    const over = await runner.run(["qselect"], { maxOutputBytes: 9 });
    assert.equal(over.stdout, "123456789");
    assert.equal(over.truncated, true);
  });
});

Deno.test("RealRunner: what may run and where it is found", async (t) => {
  await t.step("argv[0] must be an allow-listed bare command name", async () => {
    const dir = fakeBin({ qstat: "echo hi", ls: "echo ls" });
    const runner = runnerFor(dir);
    for (
      const argv of [["ls"], ["/bin/sh", "-c", "id"], [`${dir}/qstat`], ["../qstat"], ["QSTAT"], []]
    ) {
      await assert.rejects(runner.run(argv), (e) => assertPbsError(e, "invalid_input"));
    }
    await assert.rejects(runner.run(["qstat", "a\0b"]), (e) => assertPbsError(e, "invalid_input"));
  });

  await t.step("a missing binary is command_not_found with a hint", async () => {
    const runner = runnerFor(tempDir());
    await assert.rejects(runner.run(["qstat"]), (e) => {
      assertPbsError(e, "command_not_found");
      assert.ok(isPbsError(e) && /PBS_EXEC/.test(e.hint) && /--demo/.test(e.hint));
      return true;
    });
  });

  await t.step("a non-executable file does not count", async () => {
    const dir = tempDir();
    Deno.writeTextFileSync(`${dir}/qstat`, "#!/bin/sh\necho hi\n");
    Deno.chmodSync(`${dir}/qstat`, 0o644);
    await assert.rejects(
      runnerFor(dir).run(["qstat"]),
      (e) => assertPbsError(e, "command_not_found"),
    );
  });

  await t.step("PBS_EXEC env: bin/ and sbin/, ahead of PATH", async () => {
    const exec = tempDir();
    fakeBin({ qstat: "echo from-pbs-exec" }, `${exec}/bin`);
    fakeBin({ qmgr: "echo from-sbin" }, `${exec}/sbin`);
    const onPath = fakeBin({ qstat: "echo from-path" });
    const runner = new RealRunner({
      baseEnv: { PATH: `${onPath}:/usr/bin:/bin`, PBS_EXEC: exec, PBS_CONF_FILE: `${exec}/none` },
    });
    assert.equal((await runner.run(["qstat"])).stdout, "from-pbs-exec\n");
    assert.equal((await runner.run(["qmgr"])).stdout, "from-sbin\n");
    assert.deepEqual(runner.describeInstallation(), {
      source: "PBS_EXEC",
      qstat: `${exec}/bin/qstat`,
      description: `PBS commands from ${exec}/bin (found through PBS_EXEC)`,
    });
  });

  await t.step("PATH ahead of pbs.conf: the qstat a user at a terminal gets", async () => {
    const exec = tempDir();
    fakeBin({ qstat: "echo from-conf", qmgr: "echo qmgr-from-conf" }, `${exec}/bin`);
    const conf = `${tempDir()}/pbs.conf`;
    Deno.writeTextFileSync(conf, `PBS_EXEC=${exec}\n`);
    const onPath = fakeBin({ qstat: "echo from-path" });
    const runner = new RealRunner({
      baseEnv: { PATH: `${onPath}:/usr/bin:/bin`, PBS_CONF_FILE: conf },
    });
    assert.equal((await runner.run(["qstat"])).stdout, "from-path\n");
    // A command missing from PATH still comes from pbs.conf's installation.
    assert.equal((await runner.run(["qmgr"])).stdout, "qmgr-from-conf\n");
    const installation = runner.describeInstallation();
    assert.equal(installation.source, "PATH");
    assert.equal(installation.qstat, `${onPath}/qstat`);
  });

  await t.step("pbs.conf named by PBS_CONF_FILE is the last resort", async () => {
    const exec = tempDir();
    fakeBin({ qstat: "echo from-conf" }, `${exec}/bin`);
    const conf = `${tempDir()}/pbs.conf`;
    Deno.writeTextFileSync(conf, `PBS_SERVER=vm\nPBS_EXEC=${exec}\nPBS_HOME=/var/spool/pbs\n`);
    assert.equal(pbsExecFromConf(conf), exec);
    const runner = new RealRunner({ baseEnv: { PATH: "/usr/bin:/bin", PBS_CONF_FILE: conf } });
    assert.equal((await runner.run(["qstat"])).stdout, "from-conf\n");
    assert.deepEqual(runner.describeInstallation(), {
      source: "pbs.conf",
      qstat: `${exec}/bin/qstat`,
      description: `PBS commands from ${exec}/bin (found through PBS_EXEC in ${conf})`,
    });
  });

  await t.step("the environment's lookup: PBS_EXEC, PATH, PBS_CONF_FILE or /etc/pbs.conf", () => {
    assert.deepEqual(lookupFromEnv({}), {
      pbsExec: undefined,
      path: [],
      pbsConfFile: "/etc/pbs.conf",
    });
    assert.deepEqual(
      lookupFromEnv({ PBS_EXEC: "/opt/pbs", PATH: "/a::/b", PBS_CONF_FILE: "/x/pbs.conf" }),
      { pbsExec: "/opt/pbs", path: ["/a", "/b"], pbsConfFile: "/x/pbs.conf" },
    );
  });

  await t.step(
    "an explicit lookup ignores the environment's PBS_EXEC, PATH and pbs.conf",
    async () => {
      const exec = tempDir();
      fakeBin({ qstat: "echo from-env-exec", qsub: "echo from-env-exec" }, `${exec}/bin`);
      const conf = `${tempDir()}/pbs.conf`;
      Deno.writeTextFileSync(conf, `PBS_EXEC=${exec}\n`);
      const pinned = fakeBin({ qstat: "echo pinned" });
      const runner = pinnedRunner(pinned, {
        baseEnv: { PATH: `${exec}/bin:/usr/bin:/bin`, PBS_EXEC: exec, PBS_CONF_FILE: conf },
      });
      assert.equal((await runner.run(["qstat"])).stdout, "pinned\n");
      await assert.rejects(runner.run(["qsub"]), (e) => assertPbsError(e, "command_not_found"));
      assert.equal(runner.describeInstallation().qstat, `${pinned}/qstat`);
    },
  );

  await t.step("no installation: describeInstallation says so", () => {
    const installation = runnerFor(tempDir()).describeInstallation();
    assert.equal(installation.source, "not_found");
    assert.equal(installation.qstat, undefined);
    assert.match(installation.description, /no PBS installation found/);
  });

  await t.step("cwd: the command runs in the given directory", async () => {
    const dir = fakeBin({ qsub: "pwd" });
    const workdir = tempDir();
    assert.equal((await runnerFor(dir).run(["qsub"], { cwd: workdir })).stdout, `${workdir}\n`);
    await assert.rejects(
      runnerFor(dir).run(["qsub"], { cwd: `${workdir}/missing` }),
      (e) => {
        assertPbsError(e, "pbs_error");
        assert.ok(isPbsError(e) && /PBS_MCP_SUBMIT_DIR/.test(e.hint));
        return true;
      },
    );
  });

  await t.step("pbs.conf parsing tolerates quotes, spaces and absence", () => {
    const dir = tempDir();
    Deno.writeTextFileSync(`${dir}/a.conf`, `# comment\n PBS_EXEC = "/opt/pbs" \n`);
    assert.equal(pbsExecFromConf(`${dir}/a.conf`), "/opt/pbs");
    Deno.writeTextFileSync(`${dir}/b.conf`, "PBS_HOME=/var/spool/pbs\n");
    assert.equal(pbsExecFromConf(`${dir}/b.conf`), undefined);
    assert.equal(pbsExecFromConf(`${dir}/missing.conf`), undefined);
  });
});

/**
 * The simulator as a fake PBS installation: `main.ts sim shims DIR` run as a
 * process, its DIR/bin commands run as processes (each one a separate
 * process, so state can only be shared through the state directory), and the
 * production RealRunner + PbsClient pointed at DIR as at a PBS_EXEC.
 */
import assert from "node:assert/strict";
import { RealRunner } from "../../src/pbs/real_runner.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { SHIM_COMMANDS } from "../../sim/shims.ts";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { ensureState, PersistedSimRunner } from "../../sim/shims_state.ts";
import { parseCli, parseSimCli } from "../../src/cli_args.ts";
import { CHILD_PATH } from "./pinned_pbs.ts";
import { makeShims } from "./shims_support.ts";

interface Ran {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs one shim as a user would from a shell: environment of a root login unless told. */
async function shim(
  dir: string,
  command: string,
  args: string[],
  options: { stdin?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  const child = new Deno.Command(`${dir}/bin/${command}`, {
    args,
    cwd: options.cwd,
    clearEnv: true,
    env: { PATH: CHILD_PATH, USER: "root", ...options.env },
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { stdout: decode(out.stdout), stderr: decode(out.stderr), code: out.code };
}

Deno.test("sim shims: every command is written, and state persists across processes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    const summary = await makeShims(dir, "--scenario", "golden", "--speed", "1");
    assert.match(summary, /Wrote 14 PBS commands/);
    for (const command of SHIM_COMMANDS) {
      const info = Deno.statSync(`${dir}/bin/${command}`);
      assert.ok(info.isFile && (info.mode! & 0o111) !== 0, command);
    }
    const submitted = await shim(dir, "qsub", ["-N", "first", "-h"], {
      stdin: "#SIM runtime=600\necho one\n",
    });
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    assert.match(id, /^\d+\.vm$/);

    // Another process sees the job, held, owned by alice (root maps to alice).
    const listed = await shim(dir, "qstat", ["-f", "-F", "json", id]);
    assert.equal(listed.code, 0, listed.stderr);
    const [job] = parseJobsJson(listed.stdout);
    assert.equal(job.name, "first");
    assert.equal(job.state, "H");
    assert.equal(job.user, "alice");

    // A state change in one process is seen by the next.
    assert.equal((await shim(dir, "qdel", [id])).code, 0);
    const after = await shim(dir, "qstat", [id]);
    assert.notEqual(after.code, 0);
    assert.match(
      after.stderr,
      /qstat: .* Job has finished, use -x or -H to obtain historical job information|Unknown Job Id/,
    );

    // An error answers as the simulator does: stderr and exit code.
    const unknown = await shim(dir, "qstat", ["-Q", "nosuchqueue"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Unknown queue/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim shims: qsub reads a script file relative to the caller's directory; --user chooses the user", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    await makeShims(dir, "--scenario", "golden", "--user", "bob");
    const work = `${dir}/work`;
    Deno.mkdirSync(work);
    Deno.writeTextFileSync(`${work}/job.sh`, "#PBS -N fromfile\n#SIM runtime=600\n");
    const submitted = await shim(dir, "qsub", ["job.sh"], { cwd: work });
    assert.equal(submitted.code, 0, submitted.stderr);
    const [job] = parseJobsJson((await shim(dir, "qstat", ["-f", "-F", "json"])).stdout);
    assert.equal(job.name, "fromfile");
    assert.equal(job.user, "bob");
    assert.equal(job.variables.PBS_O_WORKDIR, work);
    const missing = await shim(dir, "qsub", ["nosuch.sh"], { cwd: work });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "qsub: script file:: No such file or directory\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim shims: concurrent qsub calls from separate processes all land, with distinct ids", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    await makeShims(dir, "--scenario", "golden");
    const count = 8;
    const results = await Promise.all(
      Array.from(
        { length: count },
        (_, i) => shim(dir, "qsub", ["-N", `c${i}`, "-h"], { stdin: "#SIM runtime=600\n" }),
      ),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const ids = new Set(results.map((r) => r.stdout.trim()));
    assert.equal(ids.size, count);
    const jobs = parseJobsJson((await shim(dir, "qstat", ["-f", "-F", "json"])).stdout);
    assert.deepEqual(new Set(jobs.map((j) => j.id)), ids);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim shims: the production RealRunner and PbsClient run against PBS_EXEC=DIR: submit, status, output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    // 3600 simulated seconds per real second: a 60 s job ends within a few real milliseconds.
    await makeShims(dir, "--scenario", "tiny", "--speed", "3600");
    const home = `${dir}/state/files/home/alice`;
    const runner = new RealRunner({
      lookup: { pbsExec: dir, path: [] },
      baseEnv: { PATH: CHILD_PATH, USER: "root" },
    });
    assert.equal(runner.describeInstallation().source, "PBS_EXEC");
    const client = new PbsClient({
      runner,
      user: "alice",
      config: loadConfig({ PBS_MCP_SUBMIT_DIR: home, PBS_MCP_ALLOWED_DIRS: dir }, home),
      sleep: () => new Promise((resolve) => setTimeout(resolve, 50)),
    });
    const submitted = await client.submitJob({
      script: "#!/bin/bash\n#SIM runtime=60 exit=3\necho through the shims\necho oops >&2\n",
      jobName: "viashims",
      walltime: "00:05:00",
    });
    assert.match(submitted.jobId, /^\d+\.\S+$/);
    const waited = await client.waitForJob(submitted.jobId, "finished", 30);
    assert.equal(waited.reached, true);
    assert.equal(waited.state, "F");
    assert.equal(waited.job?.exitStatus, 3);
    const out = await client.jobOutput(submitted.jobId, "stdout", 10, 4096);
    assert.equal(out.text, "through the shims");
    const err = await client.jobOutput(submitted.jobId, "stderr", 10, 4096);
    assert.equal(err.text, "oops");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim shims and --state: bad command lines are refused with what is wrong", () => {
  assert.throws(() => parseSimCli(["shims"]), /expected `sim shims DIR`/);
  assert.throws(() => parseSimCli(["shims", "d", "--scenario", "mars"]), /unknown scenario 'mars'/);
  assert.throws(() => parseSimCli(["shims", "d", "--speed", "0"]), /--speed must be a positive/);
  assert.throws(() => parseSimCli(["shims", "d", "--user", "a b"]), /--user must be a user name/);
  assert.deepEqual(parseSimCli(["shims", "d", "--state", "s", "--user", "bob"]), {
    dir: "d",
    scenario: "polaris",
    speed: 60,
    seed: 1,
    user: "bob",
    state: "s",
  });
  // Whether a simulated cluster is served is known once the configuration is read:
  // `resolveServing` refuses --state without one (tests/e2e/stdio.test.ts runs main.ts).
  assert.equal(parseCli(["--state", "s"]).state, "s");
  assert.equal(parseCli(["--demo", "--state", "s"]).state, "s");
});

Deno.test("sim shims: a damaged state log is reported, not replayed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    await makeShims(dir, "--scenario", "tiny");
    Deno.writeTextFileSync(`${dir}/state/log.jsonl`, '{"t":1}\n{"t":\n');
    const result = await shim(dir, "qstat", []);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /log\.jsonl line 2 is not a logged command: the state is damaged/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PersistedSimRunner: output caps as the runner contract says; a damaged state rejects", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-persisted-" });
  try {
    ensureState(dir, { scenario: "golden", seed: 1, speed: 60 });
    const runner = new PersistedSimRunner(dir, "alice");
    const full = await runner.run(["qstat", "-Q"]);
    assert.equal(full.truncated, false);
    assert.match(full.stdout, /^Queue /);
    const capped = await runner.run(["qstat", "-Q"], { maxOutputBytes: 10 });
    assert.equal(capped.truncated, true);
    assert.equal(capped.stdout, full.stdout.slice(0, 10));
    Deno.writeTextFileSync(`${dir}/log.jsonl`, "not json\n");
    await assert.rejects(runner.run(["qstat"]), /line 1 is not a logged command/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim shims: each of the 14 commands answers as the in-process simulator does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-shims-" });
  try {
    await makeShims(dir, "--scenario", "golden");
    const sim = new SimRunner({ complex: createScenario("golden"), user: "alice" });
    // Time-independent answers: the version, and a usage error (bad option) per command.
    const shimmed = await Promise.all(SHIM_COMMANDS.map(async (command) => ({
      command,
      version: await shim(dir, command, ["--version"]),
      usage: await shim(dir, command, ["-%"]),
    })));
    for (const { command, version, usage } of shimmed) {
      for (const [args, got] of [[["--version"], version], [["-%"], usage]] as const) {
        const want = await sim.run([command, ...args]);
        assert.deepEqual(
          { stdout: got.stdout, stderr: got.stderr, code: got.code },
          { stdout: want.stdout, stderr: want.stderr, code: want.code },
          `${command} ${args.join(" ")}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

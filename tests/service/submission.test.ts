import assert from "node:assert/strict";
import type { SubmitJobRequest } from "../../src/service/requests.ts";
import { buildSubmission } from "../../src/service/submission.ts";

const SCRIPT = "#!/bin/bash\nhostname\n";

/** What the user is told about their script's directives for this request. */
function directiveReport(script: string, request: SubmitJobRequest, defaultAccount?: string) {
  return buildSubmission({ ...request, script }, defaultAccount).directives;
}

Deno.test("buildSubmission", async (t) => {
  await t.step("a typical request becomes this exact qsub argv, script on stdin", () => {
    const { command } = buildSubmission({
      script: SCRIPT,
      jobName: "sim",
      queue: "workq",
      walltime: "01:00:00",
      nodeCount: 2,
      ncpus: 8,
      ngpus: 1,
      mem: "64gb",
      place: "scatter",
      account: "climate",
      depend: "afterok:12.pbs01",
      env: { OMP_NUM_THREADS: "8" },
      joinOutput: true,
      mailEvents: "abe",
      mailUsers: "alice@example.org",
      priority: -5,
      rerunnable: false,
      extraResources: { software: "vasp" },
    });
    assert.deepEqual(command.argv, [
      "qsub",
      "-N",
      "sim",
      "-q",
      "workq",
      "-l",
      "walltime=01:00:00",
      "-l",
      "select=2:ncpus=8:ngpus=1:mem=64gb",
      "-l",
      "place=scatter",
      "-l",
      "software=vasp",
      "-A",
      "climate",
      "-W",
      "depend=afterok:12.pbs01",
      "-v",
      "OMP_NUM_THREADS=8",
      "-j",
      "oe",
      "-m",
      "abe",
      "-M",
      "alice@example.org",
      "-p",
      "-5",
      "-r",
      "n",
    ]);
    assert.equal(command.stdin, SCRIPT);
  });

  await t.step("a script path is the last argument and nothing goes to stdin", () => {
    const { command } = buildSubmission({ scriptPath: "/home/alice/run.sh", hold: true });
    assert.deepEqual(command.argv, ["qsub", "-h", "/home/alice/run.sh"]);
    assert.equal(command.stdin, undefined);
  });

  await t.step("select is built from whichever counts are given", () => {
    const argv = (request: SubmitJobRequest) =>
      buildSubmission({ script: SCRIPT, ...request }).command.argv;
    assert.deepEqual(argv({ ncpus: 4 }), ["qsub", "-l", "select=1:ncpus=4"]);
    assert.deepEqual(argv({ nodeCount: 3 }), ["qsub", "-l", "select=3", "-l", "place=scatter"]);
    assert.deepEqual(argv({ mem: "8gb", ngpus: 2 }), ["qsub", "-l", "select=1:ngpus=2:mem=8gb"]);
    assert.deepEqual(argv({ select: "2:ncpus=4+1:ngpus=1" }), [
      "qsub",
      "-l",
      "select=2:ncpus=4+1:ngpus=1",
    ]);
  });

  await t.step("select replaces node_count/ncpus/ngpus/mem, and the answer says so", () => {
    for (const extra of [{ nodeCount: 2 }, { ncpus: 4 }, { mem: "1gb" }]) {
      const submission = buildSubmission({ script: SCRIPT, select: "1:ncpus=2", ...extra });
      const selects = submission.command.argv.filter((a) => a.startsWith("select="));
      assert.deepEqual(selects, ["select=1:ncpus=2"]);
      assert.equal(submission.notes.length, 1);
      assert.match(submission.notes[0], /select 1:ncpus=2 replaced (node_count|ncpus|mem)/);
    }
    assert.deepEqual(buildSubmission({ script: SCRIPT, select: "1:ncpus=2" }).notes, []);
  });

  await t.step("the default account is applied only when the request names none", () => {
    const withDefault = buildSubmission({ script: SCRIPT }, "default-proj");
    assert.deepEqual(withDefault.command.argv, ["qsub", "-A", "default-proj"]);
    assert.equal(withDefault.effective.account, "default-proj");

    const explicit = buildSubmission({ script: SCRIPT, account: "mine" }, "default-proj");
    assert.deepEqual(explicit.command.argv, ["qsub", "-A", "mine"]);
    assert.equal(explicit.explicit.get("-A")?.parameter, "account");

    assert.deepEqual(buildSubmission({ script: SCRIPT }).command.argv, ["qsub"]);
  });

  await t.step("join_output: true → -j oe, false → -j n, absent → no -j", () => {
    const join = (joinOutput?: boolean) =>
      buildSubmission({ script: SCRIPT, joinOutput }).command.argv;
    assert.deepEqual(join(true), ["qsub", "-j", "oe"]);
    assert.deepEqual(join(false), ["qsub", "-j", "n"]);
    assert.deepEqual(join(undefined), ["qsub"]);
  });

  await t.step("the effective request names each value by its parameter or -l key", () => {
    const { effective } = buildSubmission({
      script: SCRIPT,
      jobName: "sim",
      queue: "workq",
      walltime: "30:00",
      ncpus: 4,
      filesystems: "home:eagle",
      arrayRange: "1-10",
      env: { A: "1", B: "2" },
      outputPath: "/home/alice/out",
      errorPath: "/home/alice/err",
      joinOutput: false,
      keepFiles: "oe",
      hold: true,
      priority: 10,
      rerunnable: true,
      depend: "afterany:7.pbs01",
      extraResources: { software: "vasp" },
    }, "default-proj");
    assert.deepEqual(effective, {
      job_name: "sim",
      queue: "workq",
      walltime: "00:30:00",
      select: "1:ncpus=4",
      filesystems: "home:eagle",
      software: "vasp",
      account: "default-proj",
      array_range: "1-10",
      depend: "afterany:7.pbs01",
      env: "A=1,B=2",
      output_path: "/home/alice/out",
      error_path: "/home/alice/err",
      join_output: "n",
      keep_files: "oe",
      hold: "user hold",
      priority: "10",
      rerunnable: "y",
    });
  });

  await t.step("the explicit map names the parameter behind each option", () => {
    const { explicit } = buildSubmission({
      script: SCRIPT,
      jobName: "sim",
      queue: "workq",
      walltime: "1:00:00",
      nodeCount: 2,
      place: "scatter",
      joinOutput: true,
      hold: false,
      extraResources: { software: "vasp" },
    });
    assert.deepEqual([...explicit.keys()].sort(), ["-N", "-j", "-l", "-q"]);
    assert.equal(explicit.get("-N")?.parameter, "job_name");
    assert.equal(explicit.get("-q")?.parameter, "queue");
    assert.equal(explicit.get("-j")?.parameter, "join_output");
    assert.deepEqual(
      explicit.get("-l")?.keys,
      new Map([
        ["walltime", "walltime"],
        ["select", "node_count"],
        ["place", "place"],
        ["software", "extra_resources.software"],
      ]),
    );
  });

  await t.step("directives replaced by parameters are reported, others are not", () => {
    const script = [
      "#!/bin/bash",
      "#PBS -N from_script",
      "#PBS -q debug",
      "#PBS -l walltime=4:00:00",
      "#PBS -l select=1:ncpus=8",
      "#PBS -j oe",
      "hostname",
    ].join("\n");
    assert.deepEqual(directiveReport(script, { queue: "workq", walltime: "1:00:00" }), [
      { option: "-N", value: "from_script" },
      { option: "-q", value: "debug", overriddenBy: "queue" },
      { option: "-l", value: "walltime=4:00:00", overriddenBy: "walltime" },
      { option: "-l", value: "select=1:ncpus=8" },
      { option: "-j", value: "oe" },
    ]);
    assert.equal(directiveReport(script, { ncpus: 4 })[3].overriddenBy, "ncpus");
    assert.equal(
      directiveReport(script, { nodeCount: 1, mem: "1gb" })[3].overriddenBy,
      "node_count/mem",
    );
  });

  await t.step("a #PBS -A directive is not replaced by the default account", () => {
    // qsub -A on the command line would beat the script's #PBS -A and charge the
    // server's default account instead: the default must stay off the command line.
    const script = "#!/bin/bash\n#PBS -A myproj\nhostname\n";
    const submission = buildSubmission({ script }, "default-proj");
    assert.ok(!submission.command.argv.includes("-A"), submission.command.argv.join(" "));
    assert.deepEqual(submission.directives, [{ option: "-A", value: "myproj" }]);
    // Without the directive the default applies.
    const plain = buildSubmission({ script: "#!/bin/bash\nhostname\n" }, "default-proj");
    assert.deepEqual(plain.command.argv.slice(1, 3), ["-A", "default-proj"]);
  });

  await t.step("-W depend does not override a #PBS -W of another attribute", () => {
    // qsub keeps -W attributes apart (depend, group_list, umask, ...), like -l resources.
    const script =
      "#!/bin/bash\n#PBS -W group_list=physics\n#PBS -W depend=afterok:1.pbs01\nhostname\n";
    const report = directiveReport(script, { depend: "afterok:2.pbs01" });
    assert.deepEqual(report, [
      { option: "-W", value: "group_list=physics" },
      { option: "-W", value: "depend=afterok:1.pbs01", overriddenBy: "depend" },
    ]);
  });
});

import assert from "node:assert/strict";
import { parseDirectives, reportDirectives } from "../../src/service/directives.ts";

type Explicit = Parameters<typeof reportDirectives>[1];

Deno.test("parseDirectives", async (t) => {
  await t.step("reads #PBS lines after the shebang, skipping blank lines and comments", () => {
    const script = [
      "#!/bin/bash",
      "",
      "#PBS -N sim",
      "# a plain comment",
      "   ",
      "#PBS -q workq",
      "#PBS -l select=2:ncpus=4",
      "",
      "cd $PBS_O_WORKDIR",
    ].join("\n");
    assert.deepEqual(parseDirectives(script), [
      { option: "-N", value: "sim" },
      { option: "-q", value: "workq" },
      { option: "-l", value: "select=2:ncpus=4" },
    ]);
  });

  await t.step("stops at the first command line, as qsub does", () => {
    const script = "#!/bin/sh\n#PBS -N first\necho hi\n#PBS -N ignored\n#PBS -q late\n";
    assert.deepEqual(parseDirectives(script), [{ option: "-N", value: "first" }]);
  });

  await t.step("drops a trailing ` # comment`", () => {
    assert.deepEqual(parseDirectives("#PBS -l walltime=1:00:00 # one hour\n"), [
      { option: "-l", value: "walltime=1:00:00" },
    ]);
    assert.deepEqual(parseDirectives("#PBS -N run\t# the name\n"), [{
      option: "-N",
      value: "run",
    }]);
  });

  await t.step("accepts an option glued to its value and a bare flag", () => {
    assert.deepEqual(parseDirectives("#PBS -lwalltime=00:10:00\n#PBS -h\n"), [
      { option: "-l", value: "walltime=00:10:00" },
      { option: "-h", value: "" },
    ]);
  });

  await t.step("Windows line endings do not leak into values", () => {
    assert.deepEqual(parseDirectives("#!/bin/bash\r\n#PBS -N win\r\nhostname\r\n"), [
      { option: "-N", value: "win" },
    ]);
  });

  await t.step("no directives: empty script, only commands, #PBS without an option", () => {
    assert.deepEqual(parseDirectives(""), []);
    assert.deepEqual(parseDirectives("hostname\n#PBS -N late\n"), []);
    assert.deepEqual(parseDirectives("#PBS\n#PBSX -N x\n#PBS N x\n"), []);
  });
});

Deno.test("reportDirectives", async (t) => {
  const explicit: Explicit = new Map([
    ["-q", { parameter: "queue" }],
    ["-N", { parameter: "job_name" }],
    ["-l", { parameter: "resources", keys: new Map([["walltime", "walltime"]]) }],
  ]);

  await t.step("marks -q, -N and -l walltime as overridden, not -l of other resources", () => {
    const directives = parseDirectives(
      [
        "#!/bin/bash",
        "#PBS -q debug",
        "#PBS -N mine",
        "#PBS -l walltime=4:00:00",
        "#PBS -l select=1:ncpus=8",
        "#PBS -A proj",
        "hostname",
      ].join("\n"),
    );
    assert.deepEqual(reportDirectives(directives, explicit), [
      { option: "-q", value: "debug", overriddenBy: "queue" },
      { option: "-N", value: "mine", overriddenBy: "job_name" },
      { option: "-l", value: "walltime=4:00:00", overriddenBy: "walltime" },
      { option: "-l", value: "select=1:ncpus=8" },
      { option: "-A", value: "proj" },
    ]);
  });

  await t.step("a -l directive setting several resources is overridden if any of them is", () => {
    const [report] = reportDirectives(
      [{ option: "-l", value: "select=1:ncpus=2,walltime=1:00:00" }],
      explicit,
    );
    assert.equal(report.overriddenBy, "walltime");
  });

  await t.step("nothing explicit: nothing is overridden, directives are copied", () => {
    const directives = [{ option: "-q", value: "debug" }];
    const reports = reportDirectives(directives, new Map());
    assert.deepEqual(reports, [{ option: "-q", value: "debug" }]);
    assert.notEqual(reports[0], directives[0]);
  });

  await t.step("-l with no resource map marks nothing", () => {
    const reports = reportDirectives(
      [{ option: "-l", value: "walltime=1:00:00" }],
      new Map([["-l", { parameter: "resources" }]]),
    );
    assert.equal(reports[0].overriddenBy, undefined);
  });

  await t.step("several options on one #PBS line are each honoured by qsub", () => {
    // qsub splits a directive line into arguments like a command line, so this line sets
    // both select and walltime; an explicit walltime overrides the latter.
    const directives = parseDirectives("#PBS -l select=1:ncpus=4 -l walltime=2:00:00\nhostname\n");
    const reports = reportDirectives(directives, explicit);
    assert.ok(
      reports.some((r) => r.overriddenBy === "walltime"),
      `no directive marked overridden by walltime: ${JSON.stringify(reports)}`,
    );
  });
});

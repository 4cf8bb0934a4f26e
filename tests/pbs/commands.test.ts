/**
 * Exact argv for the builders in src/pbs/commands and every rejection path of
 * src/pbs/validate.ts. Expected argv follow the command lines captured from
 * OpenPBS 23.06 (tests/fixtures/golden/INDEX.md) where one exists.
 */

import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import * as cmd from "../../src/pbs/commands/mod.ts";
import * as v from "../../src/pbs/validate.ts";
import { golden } from "../golden.ts";

/** Asserts that `fn` throws PbsError invalid_input with a hint; returns it for further checks. */
function rejects(fn: () => unknown, message?: RegExp) {
  try {
    fn();
  } catch (error) {
    assert.ok(isPbsError(error), `expected PbsError, got ${error}`);
    assert.equal(error.kind, "invalid_input");
    assert.ok(error.hint.length > 0, "hint must not be empty");
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail("expected a PbsError(invalid_input), nothing was thrown");
}

/** The argv of a golden capture, split like a shell would for these simple commands. */
function goldenArgv(name: string): string[] {
  const command = golden(name).meta.command;
  const parts = command.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  return parts.map((p) => /^['"]/.test(p) ? p.slice(1, -1) : p);
}

Deno.test("qsub", async (t) => {
  await t.step("reproduces golden qsub_full_options", () => {
    const { argv, stdin } = cmd.qsub({
      script: "jobs/long.sh",
      name: "analysis1",
      queue: "workq",
      walltime: "00:30:00",
      select: "1:ncpus=2",
      account: "acct123",
    });
    assert.deepEqual(argv, goldenArgv("qsub_full_options"));
    assert.equal(stdin, undefined);
  });

  await t.step("reproduces golden qsub_array_step and qsub_held", () => {
    assert.deepEqual(
      cmd.qsub({ script: "jobs/array.sh", name: "arrstep", arrayRange: "1-10:3", hold: true }).argv,
      ["qsub", "-N", "arrstep", "-J", "1-10:3", "-h", "jobs/array.sh"],
    );
    assert.deepEqual(
      cmd.qsub({ script: "jobs/short.sh", name: "heldjob", hold: true }).argv,
      ["qsub", "-N", "heldjob", "-h", "jobs/short.sh"],
    );
  });

  await t.step("script text goes to stdin with no script operand", () => {
    const { argv, stdin } = cmd.qsub({
      scriptText: "sleep 1; echo from-stdin\n",
      name: "stdinjob",
    });
    assert.deepEqual(argv, goldenArgv("qsub_stdin").slice(-3));
    assert.equal(stdin, "sleep 1; echo from-stdin\n");
  });

  await t.step("builds select from counts, normalising walltime and mem", () => {
    const { argv } = cmd.qsub({
      script: "/home/alice/run.sh",
      nodes: 2,
      ncpus: 4,
      ngpus: 1,
      mem: "16GB",
      walltime: 5400,
    });
    assert.deepEqual(argv, [
      "qsub",
      "-l",
      "walltime=01:30:00",
      "-l",
      "select=2:ncpus=4:ngpus=1:mem=16gb",
      "/home/alice/run.sh",
    ]);
    assert.deepEqual(cmd.qsub({ script: "a.sh", nodes: 3 }).argv, [
      "qsub",
      "-l",
      "select=3",
      "a.sh",
    ]);
    assert.deepEqual(cmd.qsub({ script: "a.sh", ncpus: 8 }).argv, [
      "qsub",
      "-l",
      "select=1:ncpus=8",
      "a.sh",
    ]);
  });

  await t.step("every option, in the documented order", () => {
    const { argv } = cmd.qsub({
      script: "./-x",
      name: "full",
      queue: "debug@pbs01",
      walltime: "10:00",
      select: "2:ncpus=1",
      place: "excl:scatter",
      filesystems: ["home", "eagle"],
      resources: { software: "vasp", ncpus_extra: 2 },
      account: "proj",
      arrayRange: "0-99%5",
      depend: [{ type: "afterok", jobs: ["1.pbs01", "2[]"] }, { type: "on", count: 2 }],
      env: { OMP_NUM_THREADS: "4", LIST: "a,b", EMPTY: "" },
      output: "/home/alice/o.log",
      error: "login01:/home/alice/e.log",
      join: "oe",
      keep: "oed",
      mailEvents: "aabej",
      mailUsers: ["alice@example.org", "bob"],
      priority: -1024,
      startAfter: "202611241530.05",
      rerunnable: true,
    });
    assert.deepEqual(argv, [
      "qsub",
      "-N",
      "full",
      "-q",
      "debug@pbs01",
      "-l",
      "walltime=00:10:00",
      "-l",
      "select=2:ncpus=1",
      "-l",
      "place=scatter:excl",
      "-l",
      "filesystems=home:eagle",
      "-l",
      "software=vasp",
      "-l",
      "ncpus_extra=2",
      "-A",
      "proj",
      "-J",
      "0-99%5",
      "-W",
      "depend=afterok:1.pbs01:2[],on:2",
      "-v",
      "OMP_NUM_THREADS=4,LIST='a,b',EMPTY=",
      "-o",
      "/home/alice/o.log",
      "-e",
      "login01:/home/alice/e.log",
      "-j",
      "oe",
      "-k",
      "oed",
      "-m",
      "abej",
      "-M",
      "alice@example.org,bob",
      "-p",
      "-1024",
      "-a",
      "202611241530.05",
      "-r",
      "y",
      "./-x",
    ]);
  });

  await t.step("golden -v shapes: quoted comma, empty value", () => {
    const { argv } = cmd.qsub({ script: "jobs/short.sh", env: { COMMA: "a,b", EMPTY: "" } });
    // The capture wrote -v "COMMA='a,b',EMPTY=" through a shell.
    assert.equal(argv[2], goldenArgv("qsub_env_comma")[5]);
  });

  await t.step("rejects conflicting or missing inputs", () => {
    rejects(() => cmd.qsub({}), /exactly one of script/);
    rejects(() => cmd.qsub({ script: "a.sh", scriptText: "x" }), /exactly one/);
    rejects(() => cmd.qsub({ scriptText: "  \n" }), /empty/);
    rejects(() => cmd.qsub({ scriptText: "a\0b" }), /NUL/);
    rejects(() => cmd.qsub({ script: "a.sh", select: "1:ncpus=2", ngpus: 1 }), /replaces/);
    rejects(() => cmd.qsub({ script: "a.sh", arrayRange: "1-4", rerunnable: false }), /rerunnable/);
    rejects(() => cmd.qsub({ script: "a.sh", mailEvents: "abej" }), /array/);
    rejects(() => cmd.qsub({ script: "a.sh", resources: { walltime: "1:00:00" } }), /own field/);
    rejects(() => cmd.qsub({ script: "a.sh", resources: { select: "2" } }), /own field/);
    rejects(() => cmd.qsub({ script: "a.sh", resources: { "bad name": "1" } }), /Resource name/);
    rejects(() => cmd.qsub({ script: "a.sh", resources: { foo: "a,b" } }), /comma/);
    rejects(() => cmd.qsub({ script: "a.sh", nodes: 0 }), /positive/);
    rejects(() => cmd.qsub({ script: "a.sh", ncpus: 1.5 }), /positive/);
  });

  await t.step("rejects script paths PBS would misread", () => {
    const error = rejects(() => cmd.qsub({ script: "-x" }), /starts with '-'/);
    assert.match(error.hint, /\.\/-x/);
    rejects(() => cmd.qsub({ script: "--" }), /starts with '-'/);
    rejects(() => cmd.qsub({ script: "a\nb.sh" }), /control/);
    rejects(() => cmd.qsub({ script: "" }), /empty/);
  });

  await t.step(
    "rejects the names qsub refuses (goldens qsub_err_bad_jobname, qsub_unicode_name)",
    () => {
      for (const golden_ of ["qsub_err_bad_jobname", "qsub_unicode_name"]) {
        const name = goldenArgv(golden_)[golden_ === "qsub_unicode_name" ? 3 : 2];
        rejects(() => cmd.qsub({ script: "jobs/short.sh", name }), /Job name/);
      }
      // 12345 is accepted by qsub (golden qsub_numeric_looking_values).
      assert.equal(cmd.qsub({ script: "a.sh", name: "12345" }).argv[2], "12345");
    },
  );
});

Deno.test("qstat", async (t) => {
  await t.step("jobs as JSON, one id per call", () => {
    assert.deepEqual(cmd.qstatJob("2.vm").argv, goldenArgv("qstat_f_json_one"));
    assert.deepEqual(
      cmd.qstatJob("5[].vm", { subjobs: true }).argv,
      goldenArgv("qstat_f_json_array_t"),
    );
    assert.deepEqual(cmd.qstatJob("15.vm", { history: true }).argv, [
      "qstat",
      "-f",
      "-x",
      "-F",
      "json",
      "15.vm",
    ]);
  });

  await t.step("all jobs, queues, server", () => {
    assert.deepEqual(cmd.qstatAllJobs().argv, goldenArgv("qstat_f_json_all"));
    assert.deepEqual(cmd.qstatAllJobs({ history: true }).argv, ["qstat", "-f", "-x", "-F", "json"]);
    assert.deepEqual(
      cmd.qstatAllJobs({ queue: "debug" }).argv,
      goldenArgv("qstat_f_json_queue_dest"),
    );
    assert.deepEqual(cmd.qstatQueues().argv, goldenArgv("qstat_Qf_json"));
    assert.deepEqual(cmd.qstatQueues("workq").argv, goldenArgv("qstat_Qf_json_workq"));
    assert.deepEqual(cmd.qstatServer().argv, goldenArgv("qstat_Bf_json"));
  });

  await t.step("rejects bad ids and queues", () => {
    rejects(() => cmd.qstatJob("nonexistent.vm"), /not a PBS job id/);
    rejects(() => cmd.qstatJob("-x"), /starts with '-'/);
    rejects(() => cmd.qstatQueues("1queue"), /Queue name/);
    rejects(() => cmd.qstatAllJobs({ queue: "averyveryverylongqueue" }), /at most 15/);
  });

  await t.step("job table: qstat -a -w with history, user and queue", () => {
    assert.deepEqual(cmd.qstatJobTable().argv, ["qstat", "-a", "-w"]);
    assert.deepEqual(cmd.qstatJobTable({ history: true }).argv, ["qstat", "-a", "-w", "-x"]);
    assert.deepEqual(
      cmd.qstatJobTable({ history: true, user: "alice", queue: "workq" }).argv,
      ["qstat", "-a", "-w", "-x", "-u", "alice", "workq"],
    );
    assert.deepEqual(cmd.qstatJobTable({ queue: "debug" }).argv, ["qstat", "-a", "-w", "debug"]);
  });

  await t.step("job table rejects bad users and queues", () => {
    rejects(() => cmd.qstatJobTable({ user: "-x" }), /User name/);
    rejects(() => cmd.qstatJobTable({ user: "alice bob" }), /User name/);
    rejects(() => cmd.qstatJobTable({ queue: "-workq" }), /Queue name/);
    rejects(() => cmd.qstatJobTable({ queue: "averyveryverylongqueue" }), /at most 15/);
  });
});

Deno.test("qselect", async (t) => {
  await t.step("golden shapes", () => {
    assert.deepEqual(cmd.qselect().argv, ["qselect"]);
    assert.deepEqual(cmd.qselect({ states: "QH" }).argv, goldenArgv("qselect_state_QH"));
    assert.deepEqual(cmd.qselect({ users: "alice" }).argv, goldenArgv("qselect_user"));
    assert.deepEqual(cmd.qselect({ account: "acct123" }).argv, goldenArgv("qselect_account"));
    assert.deepEqual(cmd.qselect({ name: "analysis1" }).argv, goldenArgv("qselect_name"));
    assert.deepEqual(cmd.qselect({ queue: "workq" }).argv, goldenArgv("qselect_queue"));
    assert.deepEqual(cmd.qselect({ arraysOnly: true }).argv, goldenArgv("qselect_array"));
    assert.deepEqual(cmd.qselect({ subjobs: true }).argv, goldenArgv("qselect_subjobs"));
    assert.deepEqual(cmd.qselect({ holdTypes: "u" }).argv, goldenArgv("qselect_hold"));
    assert.deepEqual(
      cmd.qselect({ resources: [{ name: "walltime", op: "gt", value: "00:15:00" }] }).argv,
      goldenArgv("qselect_walltime"),
    );
    assert.deepEqual(cmd.qselect({ states: "F", history: true }).argv, [
      "qselect",
      "-s",
      "F",
      "-x",
    ]);
  });

  await t.step("a time condition (-t): finished jobs modified since a date", () => {
    const at = new Date(2026, 10, 17, 3, 4); // local time, as PBS reads it
    assert.deepEqual(
      cmd.qselect({
        states: "F",
        users: "alice",
        history: true,
        time: { field: "m", op: "ge", at },
      })
        .argv,
      ["qselect", "-u", "alice", "-s", "F", "-t", "m.ge.202611170304", "-x"],
    );
    assert.throws(
      () => cmd.qselect({ time: { field: "z" as "m", op: "ge", at } }),
      (e) => isPbsError(e) && e.kind === "invalid_input",
    );
    assert.throws(
      () => cmd.qselect({ time: { field: "m", op: "after" as "ge", at } }),
      (e) => isPbsError(e) && e.kind === "invalid_input",
    );
  });

  await t.step("several conditions and users", () => {
    assert.deepEqual(
      cmd.qselect({
        users: ["alice", "bob@login01"],
        resources: [{ name: "ncpus", op: "ge", value: 4 }, { name: "mem", op: "lt", value: "8gb" }],
      }).argv,
      ["qselect", "-u", "alice,bob@login01", "-l", "ncpus.ge.4,mem.lt.8gb"],
    );
  });

  await t.step("rejections", () => {
    rejects(() => cmd.qselect({ states: "Z" }), /state letters/);
    rejects(() => cmd.qselect({ states: "-R" }), /state letters/);
    rejects(() => cmd.qselect({ resources: [] }), /empty/);
    rejects(
      () => cmd.qselect({ resources: [{ name: "ncpus", op: "xx" as "eq", value: 1 }] }),
      /Comparison/,
    );
    rejects(
      () => cmd.qselect({ resources: [{ name: "a.b", op: "eq", value: 1 }] }),
      /Resource name/,
    );
    rejects(() => cmd.qselect({ users: "alice,,bob" }), /empty item/);
    rejects(() => cmd.qselect({ users: [] }), /empty list/);
  });
});

Deno.test("job operations", async (t) => {
  await t.step("qdel", () => {
    assert.deepEqual(cmd.qdel("29.vm", { force: true }).argv, goldenArgv("qdel_force"));
    assert.deepEqual(cmd.qdel("15.vm", { purgeHistory: true }).argv, goldenArgv("qdel_x_history"));
    assert.deepEqual(cmd.qdel(["99998.vm", "14.vm", "12.vm"]).argv, goldenArgv("qdel_mixed"));
    assert.deepEqual(cmd.qdel("5[4].vm").argv, goldenArgv("qdel_subjob"));
    assert.deepEqual(cmd.qdel("5[1-3].vm").argv, ["qdel", "5[1-3].vm"]);
    rejects(() => cmd.qdel([]), /No job id/);
    rejects(() => cmd.qdel("5[3-1]"), /backwards/);
    rejects(() => cmd.qdel("5[1-x]"), /array index/);
  });

  await t.step("qhold / qrls", () => {
    assert.deepEqual(cmd.qhold("13.vm").argv, goldenArgv("qhold_user_own"));
    assert.deepEqual(cmd.qhold("13.vm", { types: "o" }).argv, goldenArgv("qhold_operator_by_root"));
    assert.deepEqual(cmd.qrls("13.vm", { types: "os" }).argv, goldenArgv("qrls_os_by_root"));
    assert.deepEqual(cmd.qrls("13.vm", { types: "uuo" }).argv, ["qrls", "-h", "uo", "13.vm"]);
    rejects(() => cmd.qhold("13.vm", { types: "z" }), /Hold types/);
    rejects(() => cmd.qhold("13.vm", { types: "" }), /empty/);
  });

  await t.step("qalter", () => {
    assert.deepEqual(
      cmd.qalter("4.vm", { name: "renamed" }).argv,
      goldenArgv("qalter_name_queued"),
    );
    assert.deepEqual(
      cmd.qalter("4.vm", { walltime: "00:20:00" }).argv,
      goldenArgv("qalter_walltime_queued"),
    );
    assert.deepEqual(
      cmd.qalter("13.vm", { select: "1:ncpus=2" }).argv,
      goldenArgv("qalter_select_queued"),
    );
    assert.deepEqual(cmd.qalter("4.vm", { account: "newacct" }).argv, goldenArgv("qalter_account"));
    assert.deepEqual(cmd.qalter("4.vm", { priority: 100 }).argv, goldenArgv("qalter_priority"));
    assert.deepEqual(
      cmd.qalter(["4.vm", "5.vm"], { depend: "afterany:3.vm", startAfter: "2026-11-24T15:30" })
        .argv,
      ["qalter", "-a", "202611241530", "-W", "depend=afterany:3.vm", "4.vm", "5.vm"],
    );
    rejects(() => cmd.qalter("4.vm", {}), /nothing to change/);
    rejects(() => cmd.qalter("4.vm", { priority: 5000 }), /-1024 and 1023/);
    rejects(() => cmd.qalter("4.vm", { walltime: "xyz" }), /not a duration/);
  });

  await t.step("qmove", () => {
    assert.deepEqual(
      cmd.qmove("long", "35.vm").argv,
      goldenArgv("qmove_default_walltime_reapplied"),
    );
    assert.deepEqual(cmd.qmove("@pbs02", ["1", "2"]).argv, ["qmove", "@pbs02", "1", "2"]);
    rejects(() => cmd.qmove("workq@", "1"), /nothing after '@'/);
    rejects(() => cmd.qmove("-q", "1"), /starts with '-'/);
  });
});

Deno.test("pbsnodes", async (t) => {
  await t.step("queries", () => {
    assert.deepEqual(cmd.pbsnodesAll().argv, goldenArgv("pbsnodes_a_json"));
    assert.deepEqual(cmd.pbsnodesAll({ vnodes: true }).argv, goldenArgv("pbsnodes_av_json"));
  });
});

Deno.test("qmgr is read-only", async (t) => {
  await t.step("golden requests", () => {
    assert.deepEqual(cmd.qmgrRead({ object: "server" }).argv, goldenArgv("qmgr_list_server"));
    assert.deepEqual(
      cmd.qmgrRead({ verb: "print", object: "server" }).argv,
      goldenArgv("qmgr_print_server"),
    );
    assert.deepEqual(
      cmd.qmgrRead({ object: "queue", name: "workq" }).argv,
      goldenArgv("qmgr_list_queue_workq"),
    );
    assert.deepEqual(cmd.qmgrRead({ object: "queue" }).argv, goldenArgv("qmgr_list_queue_all"));
    assert.deepEqual(
      cmd.qmgrRead({ verb: "print", object: "queue", name: "debug" }).argv,
      goldenArgv("qmgr_print_queue_debug"),
    );
    assert.deepEqual(
      cmd.qmgrRead({ object: "node", name: "vm" }).argv,
      goldenArgv("qmgr_list_node_vm"),
    );
    assert.deepEqual(cmd.qmgrRead({ object: "resource" }).argv, goldenArgv("qmgr_list_resource"));
    assert.deepEqual(cmd.qmgrRead({ object: "sched" }).argv, goldenArgv("qmgr_list_sched"));
    assert.deepEqual(
      cmd.qmgrRead({ object: "server", attributes: ["default_queue"] }).argv,
      goldenArgv("qmgr_list_server_attr"),
    );
    assert.deepEqual(
      cmd.qmgrRead({
        object: "queue",
        name: "debug",
        attributes: ["resources_max.walltime", "enabled"],
      })
        .argv,
      ["qmgr", "-c", "list queue debug resources_max.walltime,enabled"],
    );
  });

  await t.step("cannot be turned into a write", () => {
    rejects(() => cmd.qmgrRead({ verb: "set" as "list", object: "server" }), /not allowed/);
    rejects(() => cmd.qmgrRead({ object: "hook" as "server" }), /qmgr object/);
    rejects(() => cmd.qmgrRead({ object: "queue", name: "workq; set server x=1" }), /Queue name/);
    rejects(() => cmd.qmgrRead({ object: "server", name: "pbs01" }), /no name/);
    rejects(
      () => cmd.qmgrRead({ object: "server", attributes: ["scheduling=False"] }),
      /Attribute name/,
    );
    rejects(() => cmd.qmgrRead({ verb: "print", object: "server", attributes: ["a"] }), /print/);
    rejects(() => cmd.qmgrRead({ object: "resource", attributes: ["type"] }), /need its name/);
  });
});

Deno.test("reservations", async (t) => {
  await t.step("pbs_rsub golden shapes", () => {
    assert.deepEqual(
      cmd.pbsRsub({ start: "0302", end: "0332", select: "1:ncpus=1", name: "maintwin" }).argv,
      goldenArgv("pbs_rsub_advance"),
    );
    assert.deepEqual(
      cmd.pbsRsub({ start: "202611240352", duration: "00:30:00", select: "1:ncpus=2" }).argv,
      goldenArgv("pbs_rsub_duration"),
    );
    assert.deepEqual(
      cmd.pbsRsub({
        start: "2026-11-24T03:52",
        duration: 600,
        place: "scatter",
        users: ["alice", "bob"],
      }).argv,
      [
        "pbs_rsub",
        "-R",
        "202611240352",
        "-D",
        "00:10:00",
        "-l",
        "place=scatter",
        "-U",
        "alice,bob",
      ],
    );
  });

  await t.step("pbs_rsub rejections", () => {
    rejects(() => cmd.pbsRsub({ start: "0302" }), /exactly one of end and duration/);
    rejects(() => cmd.pbsRsub({ start: "0302", end: "0332", duration: 60 }), /exactly one/);
    rejects(() => cmd.pbsRsub({ start: "99999", duration: 60 }), /ISO 8601/);
    rejects(() => cmd.pbsRsub({ start: "2460", duration: 60 }), /out of range/);
    rejects(
      () => cmd.pbsRsub({ start: "0302", duration: 60, name: "my resv" }),
      /Reservation name/,
    );
  });

  await t.step("pbs_ralter", () => {
    assert.deepEqual(cmd.pbsRalter("R44.vm", { end: "0400" }).argv, [
      "pbs_ralter",
      "-E",
      "0400",
      "R44.vm",
    ]);
    assert.deepEqual(
      cmd.pbsRalter("R44", { start: "2026-11-24T03:10", duration: "45:00", users: ["a"] }).argv,
      ["pbs_ralter", "-R", "202611240310", "-D", "00:45:00", "-U", "a", "R44"],
    );
    rejects(() => cmd.pbsRalter("R44", {}), /nothing to change/);
    rejects(() => cmd.pbsRalter("R44", { end: "0400", duration: 60 }), /not both/);
    rejects(() => cmd.pbsRalter("44", { end: "0400" }), /Reservation id/);
  });

  await t.step("pbs_rstat / pbs_rdel", () => {
    assert.deepEqual(cmd.pbsRstat().argv, goldenArgv("pbs_rstat_f"));
    assert.deepEqual(cmd.pbsRstat("R44.vm").argv, goldenArgv("pbs_rstat_f_one"));
    assert.deepEqual(cmd.pbsRstat("S51.vm").argv, goldenArgv("pbs_rstat_f_standing"));
    assert.deepEqual(cmd.pbsRdel("R45.vm").argv, goldenArgv("pbs_rdel_ok"));
    assert.deepEqual(cmd.pbsRdel(["R1", "M2.pbs01"]).argv, ["pbs_rdel", "R1", "M2.pbs01"]);
    rejects(() => cmd.pbsRdel([]), /No reservation id/);
    rejects(() => cmd.pbsRstat("44.vm"), /Reservation id/);
    rejects(() => cmd.pbsRdel("R4[1]"), /Reservation id/);
  });
});

Deno.test("tracejob", () => {
  assert.deepEqual(cmd.tracejob("15.vm").argv, goldenArgv("tracejob_root"));
  assert.deepEqual(cmd.tracejob("1.vm", { days: 2 }).argv, goldenArgv("tracejob_n2"));
  assert.deepEqual(cmd.tracejob("5[].vm").argv, goldenArgv("tracejob_array"));
  rejects(() => cmd.tracejob("1", { days: 0 }), /positive/);
  rejects(() => cmd.tracejob("1", { days: -2 }), /positive/);
});

Deno.test("validators", async (t) => {
  await t.step("job ids", () => {
    for (
      const id of [
        "123",
        "123.server",
        "123.server.domain",
        "123[]",
        "123[].srv",
        "123[4]",
        "123[1-5]",
        "1[1-9:2].s@other",
      ]
    ) {
      assert.equal(v.validateJobId(id), id);
    }
    assert.equal(v.validateJobId("  12.vm\n"), "12.vm");
    for (
      const bad of ["", "abc", "12.", "12[", "12[a]", "1234567890123", "12 13", "12.vm@", "R12"]
    ) {
      rejects(() => v.validateJobId(bad));
    }
    rejects(() => v.validateJobId(12 as unknown as string), /must be text/);
    assert.deepEqual(v.validateJobIds("1, 2.vm"), ["1", "2.vm"]);
  });

  await t.step("queues, destinations, servers, users, nodes", () => {
    assert.equal(v.validateQueueName("workq"), "workq");
    assert.equal(v.validateQueueName("R44"), "R44");
    for (const bad of ["9q", "_q", "a b", "q;x", "abcdefghijklmnop"]) {
      rejects(() => v.validateQueueName(bad));
    }
    assert.equal(v.validateDestination("workq@pbs01.example.org"), "workq@pbs01.example.org");
    rejects(() => v.validateDestination("a@b@c"), /Server name/);
    assert.equal(v.validateUserName("svc.batch-1"), "svc.batch-1");
    rejects(() => v.validateUserName("al ice"));
    rejects(() => v.validateUserName("a".repeat(257)), /at most 256/);
    assert.equal(v.validateUserList(["a", "b@h"]), "a,b@h");
    assert.equal(v.validateNodeName("x4000c0s0b0n0"), "x4000c0s0b0n0");
    rejects(() => v.validateNodeName("node[a]"));
  });

  await t.step("resources", () => {
    assert.equal(v.validateResourceName("ngpus"), "ngpus");
    rejects(() => v.validateResourceName("1gpu"));
    assert.equal(v.validateResourceValue("x", 4), "4");
    for (const bad of ["a b", "a,b", "'a'", "a=b", "a\\b", ""]) {
      rejects(() => v.validateResourceValue("x", bad));
    }
    assert.equal(v.validateMemSize("16GB"), "16gb");
    assert.equal(v.validateMemSize("4g"), "4g");
    assert.equal(v.validateMemSize("2kw"), "2kw");
    assert.equal(v.validateMemSize(1024), "1024b");
    for (const bad of ["abc", "4xb", "4 gb", "0mb", "-4gb", "4gbb"]) {
      rejects(() => v.validateMemSize(bad));
    }
    rejects(() => v.validateMemSize(-1), /whole number/);
    assert.equal(v.validateSelect("2:ncpus=4:mem=8GB+ngpus=1"), "2:ncpus=4:mem=8GB+1:ngpus=1");
    for (const bad of ["abc", "", "1:ncpus=", "1:foo=a b", "1:foo='a,b'", "-1"]) {
      rejects(() => v.validateSelect(bad));
    }
  });

  await t.step("walltime", () => {
    assert.equal(v.validateWalltime("01:30:00"), "01:30:00");
    assert.equal(v.validateWalltime("90:00"), "01:30:00");
    assert.equal(v.validateWalltime("5400"), "01:30:00");
    assert.equal(v.validateWalltime(3600), "01:00:00");
    assert.equal(v.validateWalltime("336:00:00"), "336:00:00");
    for (const bad of ["1:2:3:4", "abc", "", "1::2", "0", "00:00:00", "-5"]) {
      rejects(() => v.validateWalltime(bad));
    }
    rejects(() => v.validateWalltime(1.5), /not a duration/);
    rejects(() => v.validateWalltime(-3), /zero or negative/);
  });

  await t.step("place", () => {
    assert.equal(v.validatePlace("free"), "free");
    assert.equal(v.validatePlace("group=switch:excl:pack"), "pack:excl:group=switch");
    assert.equal(v.validatePlace("exclhost"), "exclhost");
    for (const bad of ["spread", "free:pack", "excl:shared", "group=", "group=1x", "free:"]) {
      rejects(() => v.validatePlace(bad), /Place|Resource name/);
    }
  });

  await t.step("filesystems", () => {
    assert.equal(v.validateFilesystems("home:eagle"), "home:eagle");
    assert.equal(v.validateFilesystems("home,flare"), "home:flare");
    assert.equal(v.validateFilesystems(["home", "eagle"]), "home:eagle");
    rejects(() => v.validateFilesystems("home::eagle"));
    rejects(() => v.validateFilesystems([]), /empty/);
  });

  await t.step("dependencies", () => {
    assert.equal(v.validateDependencies("afterok:1.vm"), "afterok:1.vm");
    assert.equal(
      v.validateDependencies("afterok:1:2.vm@pbs02, before:3[].vm,on:02,runone:4"),
      "afterok:1:2.vm@pbs02,before:3[].vm,on:2,runone:4",
    );
    for (
      const bad of [
        "bogus:1.vm",
        "afterok",
        "afterok:",
        "afterok:1,",
        "afterok:abc",
        "afterok:5[1].vm",
        "afterok:5[1-3]",
        "on:x",
        "on:1:2",
      ]
    ) {
      rejects(() => v.validateDependencies(bad));
    }
    rejects(() => v.validateDependencies([]), /empty/);
    rejects(() => v.validateDependencies([{ type: "afterok", jobs: [] }]), /no jobs/);
    rejects(() => v.validateDependencies([null]), /not \{type/);
  });

  await t.step("array ranges", () => {
    for (const ok of ["1-10", "1-10:2", "1-10:2%3", "0-99%5"]) {
      assert.equal(v.validateArrayRange(ok), ok);
    }
    for (const bad of ["10", "5-1", "1-1", "1-10:0", "1-10%0", "a-b", "-1-5", "1-10:2:3"]) {
      rejects(() => v.validateArrayRange(bad));
    }
  });

  await t.step("environment", () => {
    assert.equal(v.formatEnvList({ A: "1", B: "x,y", C: "" }), "A=1,B='x,y',C=");
    assert.equal(v.formatEnvList({ SP: " 42", EQ: "a=b" }), "SP= 42,EQ=a=b");
    rejects(() => v.formatEnvList({}), /empty/);
    rejects(() => v.formatEnvList({ "1A": "x" }), /variable name/);
    rejects(() => v.formatEnvList({ PBS_O_HOME: "x" }), /reserved/);
    const newline = rejects(() => v.formatEnvList({ A: "line1\nline2" }), /newline/);
    assert.match(newline.hint, /job script/);
    rejects(() => v.formatEnvList({ A: "tab\there" }), /control/);
    rejects(() => v.formatEnvList({ Q: 'say "hi"' }), /quote/);
    rejects(() => v.formatEnvList({ Q: "it's" }), /quote/);
    rejects(() => v.formatEnvList({ BS: "C:\\temp" }), /backslash/);
    rejects(() => v.formatEnvList({ N: 4 as unknown as string }), /must be text/);
  });

  await t.step("job names, accounts, mail, holds, keep, join", () => {
    assert.equal(v.validateJobName("run-42.b+c_d"), "run-42.b+c_d");
    assert.equal(v.validateJobName("x".repeat(230)).length, 230);
    rejects(() => v.validateJobName("x".repeat(231)), /at most 230/);
    rejects(() => v.validateJobName("bad name"));
    rejects(() => v.validateJobName("-name"), /starts with '-'/);
    assert.equal(v.validateAccount("00123"), "00123");
    for (const bad of ["my acct", "a,b", "a'b", "é"]) rejects(() => v.validateAccount(bad));
    assert.equal(v.validateMailEvents("eab"), "eab");
    assert.equal(v.validateMailEvents("n"), "n");
    assert.equal(v.validateMailEvents("abc", "reservation"), "abc");
    for (const bad of ["an", "x", "j", "abc"]) rejects(() => v.validateMailEvents(bad));
    assert.equal(v.validateMailUsers("a@example.org, b"), "a@example.org,b");
    rejects(() => v.validateMailUsers("a b@c"));
    rejects(() => v.validateMailUsers("a@"));
    assert.equal(v.validateKeepFiles("oe"), "oe");
    for (const bad of ["on", "d", "x"]) rejects(() => v.validateKeepFiles(bad));
    rejects(() => v.validateJoin("o"), /oe, eo or n/);
    assert.equal(v.validatePriority("-7"), "-7");
    rejects(() => v.validatePriority("1e2"));
    rejects(() => v.validatePriority(-1025));
  });

  await t.step("date-times", () => {
    assert.equal(v.validateDateTime("2026-11-24T15:30"), "202611241530");
    assert.equal(v.validateDateTime("2026-11-24 15:30:07"), "202611241530.07");
    assert.equal(v.validateDateTime("2359"), "2359");
    assert.equal(v.validateDateTime("11241530.59"), "11241530.59");
    const zoned = new Date("2026-11-24T15:30:00Z");
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${zoned.getFullYear()}${pad(zoned.getMonth() + 1)}${pad(zoned.getDate())}${
      pad(zoned.getHours())
    }${pad(zoned.getMinutes())}`;
    assert.equal(v.validateDateTime("2026-11-24T15:30:00Z"), local);
    assert.equal(v.validateDateTime(zoned), local);
    assert.equal(v.validateDateTime("2026-11-24T16:30:00+0100"), local);
    for (
      const bad of [
        "2026-02-30T10:00",
        "2026-11-24T24:00",
        "tomorrow",
        "123",
        "2460",
        "2613011200",
        "2600001200",
        "2359.60",
      ]
    ) {
      rejects(() => v.validateDateTime(bad));
    }
    rejects(() => v.validateDateTime(new Date("nope")), /invalid Date/);
  });

  await t.step("paths", () => {
    assert.equal(v.validateOutputPath("/abs/o.log"), "/abs/o.log");
    assert.equal(v.validateOutputPath("login01:/abs/o.log"), "login01:/abs/o.log");
    rejects(() => v.validateOutputPath("rel/o.log"), /not absolute/);
    rejects(() => v.validateOutputPath("host:rel"), /not absolute/);
    rejects(() => v.validateOutputPath("-o"), /starts with '-'/);
    rejects(() => v.validateOutputPath("/a\nb"), /control/);
    assert.equal(v.validateScriptPath("./-x"), "./-x");
  });
});

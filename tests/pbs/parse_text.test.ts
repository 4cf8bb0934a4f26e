import assert from "node:assert/strict";
import { PbsError } from "../../src/pbs/errors.ts";
import {
  parseReservations,
  parseReservationSummary,
  parseRsubOutput,
} from "../../src/pbs/parse/reservations.ts";
import {
  parsePbsnodesList,
  parseQmgrList,
  parseQselect,
  parseQsubJobId,
  parseTracejob,
} from "../../src/pbs/parse/simple.ts";
import { golden, goldenNames } from "../golden.ts";

/** Local wall-clock time → epoch seconds, computed independently of the parsers. */
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;

const isParseError = (e: unknown) => e instanceof PbsError && e.kind === "parse_error";

Deno.test("parseReservations: pbs_rstat -f / -F", async (t) => {
  await t.step("two confirmed reservations", () => {
    const [r44, r45, ...rest] = parseReservations(golden("pbs_rstat_f").stdout);
    assert.equal(rest.length, 0);
    assert.equal(r44.id, "R44.vm");
    assert.equal(r44.name, "maintwin");
    assert.equal(r44.owner, "alice@localhost");
    assert.equal(r44.state, "RESV_CONFIRMED");
    assert.equal(r44.substate, 2);
    assert.equal(r44.queue, "R44");
    assert.equal(r44.start, local(2026, 11, 24, 3, 2, 0));
    assert.equal(r44.end, local(2026, 11, 24, 3, 32, 0));
    assert.equal(r44.duration, 1800);
    assert.deepEqual(r44.requested, {
      ncpus: 1,
      nodect: 1,
      select: "1:ncpus=1",
      place: "free",
      walltime: "00:30:00",
    });
    assert.equal(r44.nodes, "(vm:ncpus=1)");
    assert.deepEqual(r44.authorizedUsers, ["alice@localhost"]);
    assert.equal(r44.rrule, undefined);
    assert.equal(r44.attributes["partition"], "pbs-default");
    assert.equal(r44.attributes["Variable_List"], "PBS_O_LOGNAME=alice,PBS_O_HOST=localhost");
    assert.equal(r44.attributes["ctime"], "Tue Nov 24 02:52:50 2026");

    assert.equal(r45.id, "R45.vm");
    assert.equal("name" in r45, false, "Reserve_Name = NULL means no name");
    assert.equal(r45.attributes["Reserve_Name"], "NULL");
    assert.equal(r45.requested.ncpus, 2);
    assert.equal(r45.start, local(2026, 11, 24, 3, 52, 0));
  });

  await t.step("-F prints the same as -f", () => {
    assert.deepEqual(
      parseReservations(golden("pbs_rstat_F").stdout),
      parseReservations(golden("pbs_rstat_f").stdout),
    );
  });

  await t.step("a standing reservation", () => {
    const [s51] = parseReservations(golden("pbs_rstat_f_standing").stdout);
    assert.equal(s51.id, "S51.vm");
    assert.equal(s51.rrule, "FREQ=DAILY;COUNT=3");
    assert.equal(s51.duration, 600);
    assert.equal(s51.end, local(2026, 11, 24, 4, 2, 0));
    assert.equal(s51.attributes["reserve_index"], "1");
    assert.equal(s51.attributes["reserve_count"], "3");
  });

  await t.step("a running reservation", () => {
    const [r44] = parseReservations(golden("pbs_rstat_f_running").stdout);
    assert.equal(r44.state, "RESV_RUNNING");
    assert.equal(r44.substate, 5);
    assert.equal(r44.attributes["mtime"], "Tue Nov 24 03:02:00 2026");
  });

  await t.step("-B lists ids only", () => {
    const ids = parseReservations(golden("pbs_rstat_B").stdout);
    assert.deepEqual(ids.map((r) => r.id), ["R44.vm", "R45.vm"]);
    assert.equal(ids[0].state, "");
    assert.deepEqual(ids[0].attributes, {});
  });

  await t.step("nothing to list", () => {
    assert.deepEqual(parseReservations(golden("pbs_rstat_unknown").stdout), []);
    assert.deepEqual(parseReservations(golden("final_pbs_rstat_empty").stdout), []);
  });

  await t.step("TAB continuation lines extend the previous value", () => {
    const text = "Resv ID: R7.srv\nReserve_Owner = bob@h\nAuthorized_Users = bob@h,ali\n\tce@h\n\n";
    const [r7] = parseReservations(text);
    assert.deepEqual(r7.authorizedUsers, ["bob@h", "alice@h"]);
    assert.equal(r7.owner, "bob@h");
  });
});

Deno.test("parseReservationSummary: default pbs_rstat table", () => {
  const rows = parseReservationSummary(golden("pbs_rstat_running").stdout);
  assert.deepEqual(rows, [
    {
      id: "R44.vm",
      queue: "R44",
      user: "alice@lo",
      state: "RN",
      start: "Today 03:02",
      duration: 1800,
      end: "Today 03:32",
    },
    {
      id: "S51.vm",
      queue: "S51",
      user: "alice@lo",
      state: "CO",
      start: "Today 03:52",
      duration: 600,
      end: "Today 04:02",
    },
  ]);
  assert.deepEqual(
    parseReservationSummary(golden("pbs_rstat_after_standing").stdout).map((r) => r.id),
    ["R44.vm", "R45.vm", "S51.vm"],
  );
  assert.deepEqual(parseReservationSummary(golden("pbs_rstat_S").stdout).length, 2);
  assert.deepEqual(parseReservationSummary(golden("final_pbs_rstat_empty").stdout), []);
});

Deno.test("parseRsubOutput", () => {
  assert.deepEqual(parseRsubOutput(golden("pbs_rsub_advance").stdout), {
    id: "R44.vm",
    state: "UNCONFIRMED",
  });
  assert.deepEqual(parseRsubOutput(golden("pbs_rsub_duration").stdout).id, "R45.vm");
  assert.deepEqual(parseRsubOutput(golden("pbs_rsub_standing").stdout), {
    id: "S51.vm",
    state: "UNCONFIRMED",
  });
  assert.deepEqual(parseRsubOutput(golden("pbs_rsub_too_big").stdout).id, "R49.vm");
  assert.throws(() => parseRsubOutput(golden("pbs_rsub_err_past").stdout), isParseError);
  assert.throws(() => parseRsubOutput("pbs_rsub: something else\n"), isParseError);
});

Deno.test("parseQsubJobId", async (t) => {
  await t.step("every id qsub printed", () => {
    // every successful submission, plus -W block=true (exit = the job's exit status)
    const submitted = goldenNames("qsub_")
      .map(golden)
      .filter((g) => !g.meta.command.includes("--version"))
      .filter((g) => g.meta.exit_code === 0 || g.name === "qsub_block_fail");
    assert.equal(submitted.length, 56);
    for (const g of submitted) {
      const id = parseQsubJobId(g.stdout);
      assert.match(id, /^\d+(\[\])?\.vm$/, g.name);
      assert.equal(id, g.stdout.trim(), g.name);
    }
  });

  await t.step("specific ids", () => {
    assert.equal(parseQsubJobId(golden("qsub_basic").stdout), "1.vm");
    assert.equal(parseQsubJobId(golden("qsub_array").stdout), "5[].vm");
    assert.equal(parseQsubJobId(golden("qsub_array_step").stdout), "2061[].vm");
    assert.equal(parseQsubJobId(golden("qsub_block_fail").stdout), "2059.vm");
    assert.equal(parseQsubJobId("  17.pbs.example.org \n"), "17.pbs.example.org");
  });

  await t.step("anything else is a parse error", () => {
    for (const text of [golden("qsub_version").stdout, "", "12.vm\n13.vm\n", "vm.12", "12."]) {
      assert.throws(() => parseQsubJobId(text), isParseError, JSON.stringify(text));
    }
  });
});

Deno.test("parseQselect", () => {
  const all = parseQselect(golden("qselect_all").stdout);
  assert.equal(all.length, 12);
  assert.deepEqual(all.slice(0, 3), ["2.vm", "3.vm", "5[].vm"]);
  assert.equal(all.at(-1), "32.vm");
  assert.deepEqual(parseQselect(golden("qselect_user_bob").stdout), ["11.vm", "12.vm"]);
  assert.deepEqual(parseQselect(golden("qselect_array").stdout), ["5[].vm"]);
  const subjobs = parseQselect(golden("qselect_subjobs").stdout);
  assert.deepEqual(subjobs.slice(2, 6), ["5[1].vm", "5[2].vm", "5[3].vm", "5[4].vm"]);
  assert.deepEqual(parseQselect(golden("qselect_empty").stdout), []);
  assert.deepEqual(parseQselect(golden("qselect_none_match").stdout), []);
  assert.equal(parseQselect(golden("qselect_history").stdout).length, 14);
  assert.throws(() => parseQselect("2.vm\nqselect: oops\n"), isParseError);
});

Deno.test("parsePbsnodesList", () => {
  assert.deepEqual(parsePbsnodesList(golden("pbsnodes_l_offline").stdout), [
    { name: "vm", states: ["offline"], comment: "disk replacement" },
  ]);
  assert.deepEqual(parsePbsnodesList(golden("pbsnodes_l_mom_down").stdout), [
    { name: "vm", states: ["down"], comment: "node down: communication closed" },
  ]);
  assert.deepEqual(parsePbsnodesList(golden("pbsnodes_l").stdout), []);
  assert.deepEqual(parsePbsnodesList(golden("pbsnodes_l_after_clear").stdout), []);
  assert.deepEqual(
    parsePbsnodesList(
      "a-very-long-node-name-01 down,offline \nn2                   offline x  y\n",
    ),
    [
      { name: "a-very-long-node-name-01", states: ["down", "offline"] },
      { name: "n2", states: ["offline"], comment: "x  y" },
    ],
  );
});

Deno.test("parseQmgrList", async (t) => {
  await t.step("all queues", () => {
    const queues = parseQmgrList(golden("qmgr_list_queue_all").stdout);
    assert.deepEqual(queues.map((q) => q.name), [
      "workq",
      "debug",
      "long",
      "closed",
      "stopped",
      "private",
      "route",
    ]);
    assert.ok(queues.every((q) => q.type === "Queue"));
    const debug = queues[1].attributes;
    assert.equal(debug["resources_max.walltime"], "01:00:00");
    assert.equal(debug["resources_default.walltime"], "00:10:00");
    assert.equal(queues[3].attributes["enabled"], "False");
    assert.equal(queues[5].attributes["acl_users"], "bob");
    assert.equal(queues[6].attributes["route_destinations"], "debug,long");
    assert.equal(
      queues[0].attributes["state_count"],
      "Transit:0 Queued:0 Held:8 Waiting:0 Running:6 Exiting:0 Begun:1 ",
    );
  });

  await t.step("one queue", () => {
    const [workq] = parseQmgrList(golden("qmgr_list_queue_workq").stdout);
    assert.equal(workq.name, "workq");
    assert.equal(Object.keys(workq.attributes).length, 8);
    assert.equal(workq.attributes["total_jobs"], "15");
  });

  await t.step("server", () => {
    const [server] = parseQmgrList(golden("qmgr_list_server").stdout);
    assert.deepEqual([server.type, server.name], ["Server", "vm"]);
    assert.equal(server.attributes["default_queue"], "workq");
    assert.equal(server.attributes["max_array_size"], "10000");
    assert.equal(
      server.attributes["license_count"],
      "Avail_Global:1000000 Avail_Local:1000000 Used:0 High_Use:0",
    );
    assert.equal(Object.keys(server.attributes).length, 30);
    assert.deepEqual(parseQmgrList(golden("qmgr_list_server_attr").stdout), [
      { type: "Server", name: "vm", attributes: { default_queue: "workq" } },
    ]);
  });

  await t.step("node: the wrapped jobs list is re-joined with its ', ' separators", () => {
    const [node] = parseQmgrList(golden("qmgr_list_node_vm").stdout);
    assert.deepEqual([node.type, node.name], ["Node", "vm"]);
    assert.equal(
      node.attributes["jobs"],
      "2.vm/1, 2.vm/2, 5[1].vm/3, 5[2].vm/4, 5[3].vm/5, 31.vm/6, 12.vm/7, 11.vm/10",
    );
    assert.equal(node.attributes["resources_available.ncpus"], "15");
    assert.equal(node.attributes["last_used_time"], "1795488657");
  });

  await t.step("hooks: the wrapped event list is re-joined with bare commas", () => {
    const [cgroups] = parseQmgrList(golden("qmgr_list_hook").stdout);
    assert.deepEqual([cgroups.type, cgroups.name], ["Hook", "pbs_cgroups"]);
    assert.equal(
      cgroups.attributes["event"],
      "execjob_begin,execjob_epilogue,execjob_end,execjob_launch,execjob_attach," +
        "execjob_resize,execjob_abort,execjob_postsuspend,execjob_preresume," +
        "exechost_periodic,exechost_startup",
    );
    assert.equal(cgroups.attributes["user"], "pbsadmin");
    assert.equal(cgroups.attributes["fail_action"], "offline_vnodes");

    const pbsHooks = parseQmgrList(golden("qmgr_list_pbshook").stdout);
    assert.deepEqual(pbsHooks.map((h) => h.name), [
      "PBS_alps_inventory_check",
      "PBS_power",
      "PBS_cray_atom",
    ]);
    assert.equal(
      pbsHooks[1].attributes["event"],
      "periodic,execjob_begin,execjob_prologue,execjob_epilogue,execjob_end," +
        "exechost_periodic,exechost_startup",
    );
    assert.equal(pbsHooks[1].attributes["alarm"], "180");
  });

  await t.step("scheduler and empty listings", () => {
    const [sched] = parseQmgrList(golden("qmgr_list_sched").stdout);
    assert.deepEqual([sched.type, sched.name], ["Sched", "default"]);
    assert.equal(sched.attributes["preempt_prio"], "express_queue, normal_jobs");
    assert.deepEqual(parseQmgrList(golden("qmgr_list_resource").stdout), []);
    assert.deepEqual(parseQmgrList(golden("qmgr_list_queue_unknown").stdout), []);
  });
});

Deno.test("parseTracejob", async (t) => {
  await t.step("a finished job traced as root", () => {
    const entries = parseTracejob(golden("tracejob_root").stdout);
    assert.equal(entries.length, 34);
    assert.deepEqual(entries[0], {
      job: "15.vm",
      time: local(2026, 11, 24, 2, 44, 33),
      source: "L",
      message: "Considering job to run",
    });
    assert.equal(entries.at(-1)?.message, "dequeuing from workq, state F");
    assert.equal(entries.at(-1)?.time, local(2026, 11, 24, 2, 47, 7));
    assert.deepEqual(new Set(entries.map((e) => e.source)), new Set(["L", "S", "A", "M"]));
    const accounting = entries.filter((e) => e.source === "A");
    assert.equal(accounting.length, 3);
    assert.match(accounting[2].message, /^user=alice .* Exit_status=3 .* run_count=1$/);
  });

  await t.step("other captures", () => {
    assert.equal(parseTracejob(golden("tracejob_alice").stdout).length, 31);
    const unknown = parseTracejob(golden("tracejob_unknown").stdout);
    assert.equal(unknown.length, 12);
    assert.ok(unknown.every((e) => e.source === "S" && e.job === "99999.vm"));
    assert.equal(parseTracejob(golden("tracejob_array").stdout)[0].job, "5[].vm");
    assert.deepEqual(parseTracejob(golden("tracejob_never_seen").stdout), []);
    assert.deepEqual(parseTracejob(golden("tracejob_no_args").stdout), []);
  });

  await t.step("wrapped lines, several jobs and high-resolution times", () => {
    const text = [
      "",
      "Job: 1.vm",
      "",
      "11/24/2026 02:44:29  S    Job Queued at request of alice@localhost, owner =",
      "                          alice@localhost, job name = x",
      "",
      "Job: 2.vm",
      "",
      "11/24/2026 02:44:30.250000  M    Started, pid = 7",
      "",
    ].join("\n");
    assert.deepEqual(parseTracejob(text), [
      {
        job: "1.vm",
        time: local(2026, 11, 24, 2, 44, 29),
        source: "S",
        message: "Job Queued at request of alice@localhost, owner = alice@localhost, job name = x",
      },
      {
        job: "2.vm",
        time: local(2026, 11, 24, 2, 44, 30) + 0.25,
        source: "M",
        message: "Started, pid = 7",
      },
    ]);
  });
});

import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { parseJobsJson, parseJobsText } from "../../src/pbs/parse/jobs.ts";
import { PbsError } from "../../src/pbs/errors.ts";
import type { Job } from "../../src/pbs/model/types.ts";
import { golden, goldenNames, releaseGoldenNames } from "../golden.ts";

/** Epoch seconds of a local wall-clock time, computed independently of the parser. */
function local(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
}

/** The submit host the capture's session saw: `localhost` on 2026-11-24, `vm` on 2026-11-27 (INDEX.md note 8). */
function capturedHost(name: string): string {
  const meta = golden(name).meta as { captured_at?: string };
  return meta.captured_at?.startsWith("2026-11-27") ? "vm" : "localhost";
}

function jobsJson(name: string): Job[] {
  return parseJobsJson(golden(name).stdout);
}

function jobsText(name: string): Job[] {
  return parseJobsText(golden(name).stdout);
}

function only(jobs: Job[], id: string): Job {
  const job = jobs.find((j) => j.id === id);
  assert.ok(job, `job ${id} not found among ${jobs.map((j) => j.id).join(" ")}`);
  return job;
}

/** Job-listing JSON captures (not -Q/-B), master and release client. */
const JOB_JSON_GOLDENS = [...goldenNames(), ...releaseGoldenNames()].filter((name) => {
  const command = golden(name).meta.command;
  return /^qstat /.test(command) && command.includes("-F json") && !/-[QB]/.test(command);
});

const TEXT_GOLDENS = goldenNames().filter((name) => {
  const command = golden(name).meta.command;
  return /^qstat -f[xw]? /.test(command) && !command.includes("-F");
});

Deno.test("every qstat -f -F json golden parses; job count matches the ids in it", async (t) => {
  assert.ok(JOB_JSON_GOLDENS.length >= 30, `found ${JOB_JSON_GOLDENS.length}`);
  for (const name of JOB_JSON_GOLDENS) {
    await t.step(name, () => {
      const { stdout } = golden(name);
      if (stdout.trim() === "") {
        // qstat -F json without -f: nothing on stdout.
        assert.throws(() => parseJobsJson(stdout), PbsError);
        return;
      }
      const ids = [...stdout.matchAll(/^\s+"([^"]+\.vm)":\s*\{$/gm)].map((m) => m[1]);
      const jobs = parseJobsJson(stdout);
      assert.deepEqual(jobs.map((j) => j.id), ids);
      for (const job of jobs) {
        assert.match(job.state, /^[BEFHMQRSTUWX]$/);
        assert.equal(job.owner, `${job.user}@${capturedHost(name)}`);
        assert.ok(job.times.created! > 0, `${job.id} has a creation time`);
      }
    });
  }
});

Deno.test("every qstat -f text golden parses", async (t) => {
  assert.ok(TEXT_GOLDENS.length >= 15, `found ${TEXT_GOLDENS.length}`);
  for (const name of [...TEXT_GOLDENS, "release/qstat_f_running"]) {
    await t.step(name, () => {
      const { stdout } = golden(name);
      const ids = [...stdout.matchAll(/^Job Id: (.+)$/gm)].map((m) => m[1]);
      const jobs = parseJobsText(stdout);
      assert.deepEqual(jobs.map((j) => j.id), ids);
      for (const job of jobs) {
        assert.ok(job.name !== "" && job.queue !== "");
        // No attribute name may have swallowed a wrapped continuation line.
        for (const key of Object.keys(job.attributes)) assert.match(key, /^[\w.-]+$/);
      }
    });
  }
});

Deno.test("running job 2.vm (JSON)", () => {
  const job = only(jobsJson("qstat_f_json_one"), "2.vm");
  assert.equal(job.name, "analysis1");
  assert.equal(job.user, "alice");
  assert.equal(job.state, "R");
  assert.equal(job.substate, 42);
  assert.equal(job.queue, "workq");
  assert.equal(job.server, "vm");
  assert.equal(job.account, "acct123");
  assert.equal(job.holdTypes, "n");
  assert.deepEqual(job.requested, {
    ncpus: 2,
    nodect: 1,
    place: "free",
    select: "1:ncpus=2",
    walltime: "00:30:00",
  });
  assert.equal(job.used.mem, "7516kb");
  assert.equal(job.used.walltime, "00:00:34");
  assert.equal(job.execHost, "vm/1*2");
  assert.equal(job.execVnode, "(vm:ncpus=2)");
  assert.equal(job.depend, "beforeok:3.vm@vm");
  assert.equal(job.sessionId, 10321);
  assert.equal(job.runCount, 1);
  assert.equal(job.rerunnable, true);
  assert.equal(job.priority, 0);
  assert.equal(job.exitStatus, undefined);
  assert.equal(job.workdir, "/home/alice");
  assert.equal(job.times.created, local(2026, 11, 24, 2, 44, 29));
  assert.equal(job.times.modified, local(2026, 11, 24, 2, 45, 5));
  assert.equal(job.times.started, local(2026, 11, 24, 2, 44, 29));
  assert.equal(job.times.finished, undefined);
  assert.equal(job.attributes["Resource_List.walltime"], "00:30:00");
  assert.equal(job.attributes["resources_used.cput"], "00:00:00");
  assert.equal(job.variables["PBS_O_INTERACTIVE_ENCRYPT_METHOD"], "");
});

Deno.test("all jobs: states, holds, dependencies, deferred, comments", () => {
  const jobs = jobsJson("qstat_f_json_all");
  assert.equal(jobs.length, 11);
  const dependent = only(jobs, "3.vm");
  assert.equal(dependent.state, "H");
  assert.equal(dependent.holdTypes, "s");
  assert.equal(dependent.substate, 22);
  assert.equal(dependent.depend, "afterok:2.vm@vm");
  const held = only(jobs, "4.vm");
  assert.equal(held.state, "H");
  assert.equal(held.holdTypes, "u");
  const deferred = only(jobs, "14.vm");
  assert.equal(deferred.state, "W");
  assert.equal(deferred.substate, 30);
  assert.equal(deferred.times.executeAfter, local(2026, 11, 24, 23, 59, 0));
  const toobig = only(jobsJson("qstat_f_json_queued"), "13.vm");
  assert.equal(toobig.state, "Q");
  assert.equal(
    toobig.comment,
    "Can Never Run: Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)",
  );
  assert.equal(only(jobsJson("qstat_f_json_user_hold"), "13.vm").holdTypes, "u");
  assert.equal(only(jobsJson("qstat_f_json_queue_dest"), "8.vm").queue, "debug");
});

Deno.test("finished jobs: exit status, resources used, obittime", () => {
  const failed = only(jobsJson("qstat_fx_json_finished"), "15.vm");
  assert.equal(failed.state, "F");
  assert.equal(failed.substate, 93);
  assert.equal(failed.exitStatus, 3);
  assert.ok(failed.times.finished! >= failed.times.started!);
  assert.equal(typeof failed.used.walltime, "string");
  assert.match(failed.comment!, /and failed$/);

  const ok = only(jobsJson("qstat_fx_json_finished_ok"), "1.vm");
  assert.equal(ok.exitStatus, 0);
  assert.equal(ok.substate, 92);

  const walltime = only(jobsJson("qstat_fx_json_walltime_exceeded"), "8.vm");
  assert.equal(walltime.exitStatus, -29);
  assert.equal(walltime.requested.walltime, "00:05:00");
  assert.match(walltime.comment!, /exceeded resource walltime/);

  const rejected = only(jobsJson("qstat_fx_json_depend_rejected"), "22.vm");
  assert.equal(rejected.state, "F");
  assert.equal(rejected.exitStatus, undefined);

  const inResv = only(jobsJson("qstat_fx_json_job_in_resv"), "52.vm");
  assert.equal(inResv.reservation, "R44.vm");
  assert.equal(inResv.queue, "R44");
  assert.equal(only(jobsJson("qstat_f_json_in_resv"), "52.vm").state, "Q");

  const all = jobsJson("qstat_x_f_json_all");
  assert.equal(all.length, 18);
  assert.ok(all.filter((j) => j.state === "F").length >= 4);
});

Deno.test("arrays: parent, subjobs, step, deleted subjob", () => {
  const parent = only(jobsJson("qstat_f_json_array"), "5[].vm");
  assert.equal(parent.state, "B");
  assert.deepEqual(parent.array, {
    indicesSubmitted: "1-4",
    indicesRemaining: "-",
    stateCount: { Queued: 0, Running: 4, Exiting: 0, Expired: 0 },
  });
  assert.equal(parent.arrayParent, undefined);

  const expanded = jobsJson("qstat_f_json_array_t");
  assert.deepEqual(expanded.map((j) => j.id), [
    "5[].vm",
    "5[1].vm",
    "5[2].vm",
    "5[3].vm",
    "5[4].vm",
  ]);
  for (const [i, sub] of expanded.slice(1).entries()) {
    assert.equal(sub.arrayParent, "5[].vm");
    assert.equal(sub.arrayIndex, i + 1);
    assert.equal(sub.array, undefined);
    assert.equal(sub.holdTypes, "n", "subjobs print no Hold_Types");
  }

  const after = only(jobsJson("qstat_f_json_array_parent_after"), "5[].vm");
  assert.equal(after.array?.stateCount["Running"], 3);
  assert.equal(after.array?.stateCount["Expired"], 1);

  const step = only(jobsJson("qstat_f_json_array_step"), "2061[].vm");
  assert.equal(step.array?.indicesSubmitted, "1-10:3");
  assert.equal(step.array?.stateCount["Queued"], 4);

  const deleted = only(jobsJson("qstat_f_json_deleted_subjob"), "5[4].vm");
  assert.equal(deleted.state, "X");
  assert.equal(deleted.exitStatus, 271);
  assert.equal(deleted.arrayIndex, 4);

  const subjob = only(jobsJson("release/qstat_f_json_subjob"), "5[1].vm");
  assert.equal(subjob.arrayParent, "5[].vm");
  assert.equal(subjob.arrayIndex, 1);
});

Deno.test("multi-chunk exec_host/exec_vnode", () => {
  const job = only(jobsJson("qstat_f_json_multichunk"), "2062.vm");
  assert.equal(job.execHost, "vm/4+vm/5");
  assert.equal(job.execVnode, "(vm:ncpus=1)+(vm:ncpus=1)");
});

Deno.test("empty results and multi-id behaviour", () => {
  for (
    const name of [
      "qstat_f_json_empty",
      "final_qstat_f_json_empty",
      "qstat_f_json_99999",
      "qstat_f_json_finished_no_x",
      "server_down_qstat_f_json",
      "release/final_qstat_f_json_empty",
    ]
  ) {
    assert.deepEqual(jobsJson(name), [], name);
  }
  // Master returns only the first of several ids; the release client returns all.
  assert.deepEqual(jobsJson("qstat_f_json_multi").map((j) => j.id), ["2.vm"]);
  assert.deepEqual(jobsJson("release/qstat_f_json_multi").map((j) => j.id), ["2.vm", "4.vm"]);
  assert.deepEqual(jobsJson("qstat_f_json_mixed_unknown").map((j) => j.id), ["2.vm"]);
});

Deno.test("Variable_List values back to text", async (t) => {
  await t.step("master: JSON type inference undone to the JSON text", () => {
    const job = only(jobsJson("qstat_f_json_numeric_looking"), "2055.vm");
    assert.equal(job.name, "12345");
    assert.equal(job.account, "00123");
    const v = job.variables;
    assert.equal(v["ZIP"], "1234"); // PBS already lost the leading zero
    assert.equal(v["EXP"], "100000");
    assert.equal(v["FLT"], "3.5");
    assert.equal(v["NEG"], "-7");
    assert.equal(v["BIG"], "1.2345678901234568e+29");
    assert.equal(v["TRUE"], "true");
    assert.equal(v["SP"], "42");
    assert.equal(v["INF"], "inf");
    assert.equal(v["HEX"], "0x10");
  });

  await t.step("release: raw tokens keep their original text", () => {
    const job = only(jobsJson("release/qstat_f_json_numeric_looking"), "2055.vm");
    assert.equal(job.name, "12345");
    const v = job.variables;
    assert.equal(v["ZIP"], "01234");
    assert.equal(v["EXP"], "1e5");
    assert.equal(v["FLT"], "3.50");
    assert.equal(v["BIG"], "123456789012345678901234567890");
    assert.equal(v["NAN"], "nan");
    // The release client's empty-value bug is repaired.
    assert.equal(v["PBS_O_INTERACTIVE_ENCRYPT_METHOD"], "");
    assert.equal(v["PBS_O_WORKDIR"], "/home/alice");
    assert.equal(job.workdir, "/home/alice");
  });

  await t.step("escapes: quotes, backslashes, commas, empty, newline, unicode", () => {
    const jobs = jobsJson("qstat_f_json_env_escapes");
    assert.deepEqual(jobs.map((j) => j.id), ["39.vm", "40.vm", "41.vm", "43.vm"]);
    assert.equal(only(jobs, "39.vm").variables["Q"], "say hi");
    assert.equal(only(jobs, "40.vm").variables["BS"], "C:\\\\\\\\temp\\\\\\\\new");
    assert.equal(only(jobs, "41.vm").variables["COMMA"], "a,b");
    assert.equal(only(jobs, "41.vm").variables["EMPTY"], "");
    assert.equal(only(jobs, "41.vm").attributes["Variable_List"].includes("COMMA=a\\,b,"), true);
    assert.equal(only(jobs, "43.vm").variables["WEIRD"], "line1\nline2\ttab");
    assert.equal(only(jobs, "43.vm").variables["UNI"], "héllo ✓");
    assert.equal(only(jobs, "43.vm").variables["SHLVL"], "0");

    const release = jobsJson("release/qstat_f_json_env_escapes");
    assert.equal(only(release, "41.vm").variables["EMPTY"], "");
    assert.equal(only(release, "41.vm").variables["PBS_O_QUEUE"], "workq");
    assert.equal(only(release, "43.vm").variables["WEIRD"], "line1\nline2\ttab");
    assert.equal(only(release, "43.vm").variables["PWD"], "/home/alice");
  });
});

Deno.test("qstat -f text: wrapping, -fw, raw newlines", () => {
  const running = only(jobsText("qstat_f_running"), "2.vm");
  assert.equal(
    running.submitArguments,
    "-N analysis1 -q workq -l walltime=00:30:00 -l select=1:ncpus=2 -A acct123 jobs/long.sh",
  );
  assert.equal(running.variables["PBS_O_SYSTEM"], "Linux");
  assert.equal(Object.keys(running.variables).length, 11);

  const wide = only(jobsText("qstat_fw_running"), "31.vm");
  assert.equal(wide.runCount, 3);
  assert.equal(wide.variables["PBS_O_HOST"], "localhost");

  const escapes = jobsText("qstat_f_env_escapes_text");
  assert.equal(only(escapes, "43.vm").variables["WEIRD"], "line1\nline2\ttab");
  assert.equal(only(escapes, "43.vm").variables["HOME"], "/home/alice");
  assert.equal(only(escapes, "41.vm").variables["COMMA"], "a,b");

  assert.equal(
    only(jobsText("qstat_f_deferred"), "14.vm").times.executeAfter,
    local(2026, 11, 24, 23, 59, 0),
  );
  assert.equal(only(jobsText("qstat_f_depend_held"), "3.vm").holdTypes, "s");
  assert.equal(only(jobsText("qstat_f_after_qmove"), "35.vm").requested.walltime, "12:00:00");
  assert.equal(only(jobsText("qstat_f_after_qrerun"), "31.vm").runCount, 2);
  assert.equal(only(jobsText("qstat_f_running_after_qhold"), "2.vm").holdTypes, "u");
  assert.equal(only(jobsText("qstat_fx_finished"), "15.vm").exitStatus, 3);
  assert.equal(only(jobsText("qstat_fx_walltime_exceeded"), "8.vm").exitStatus, -29);
  assert.match(only(jobsText("qstat_f_queued"), "13.vm").comment!, /\(R: 16 A: 8 T: 8\)$/);

  for (const name of ["qstat_f_99999", "qstat_f_finished_history", "qstat_fx_after_qdel_x"]) {
    assert.deepEqual(jobsText(name), [], name);
  }
});

Deno.test("JSON and text give the same Job for the same job", async (t) => {
  const pairs: Array<[string, string]> = [
    ["qstat_f_running", "qstat_f_json_one"],
    ["qstat_fx_finished", "qstat_fx_json_finished"],
    ["qstat_fx_walltime_exceeded", "qstat_fx_json_walltime_exceeded"],
    ["qstat_f_multichunk", "qstat_f_json_multichunk"],
    ["qstat_f_env_escapes_text", "qstat_f_json_env_escapes"],
    ["release/qstat_f_running", "release/qstat_f_json_one"],
  ];
  for (const [textName, jsonName] of pairs) {
    await t.step(`${textName} ≡ ${jsonName}`, () => {
      const fromText = jobsText(textName);
      const fromJson = jobsJson(jsonName);
      assert.ok(fromText.length > 0);
      for (const textJob of fromText) {
        // These captures were taken moments apart: the whole Job must agree,
        // including attribute order and the resource maps' number types.
        assert.deepEqual(textJob, only(fromJson, textJob.id));
      }
    });
  }
});

Deno.test("2026-11-27 captures: command form, arrays, dependencies, estimates", () => {
  const exit4 = only(jobsJson("qstat_fx_json_cmdform_exit4"), "246.vm");
  assert.equal(exit4.name, "named");
  assert.equal(exit4.state, "F");
  assert.equal(exit4.substate, 93);
  assert.equal(exit4.exitStatus, 4);
  assert.equal(exit4.submitArguments, "-N named -- /bin/sh -c exit 4");
  assert.equal(
    exit4.attributes["argument_list"],
    "<jsdl-hpcpa:Argument>-c</jsdl-hpcpa:Argument><jsdl-hpcpa:Argument>exit 4</jsdl-hpcpa:Argument>",
  );
  assert.equal(only(jobsJson("qstat_f_json_cmdform_running"), "247.vm").name, "STDIN");

  // A finished array: parent F with Exit_status 0 although subjob 4 exited 2.
  const parent = only(jobsJson("qstat_fx_json_array_parent_finished"), "248[].vm");
  assert.equal(parent.state, "F");
  assert.equal(parent.exitStatus, 0);
  assert.deepEqual(parent.array?.stateCount, { Queued: 0, Running: 0, Exiting: 0, Expired: 0 });
  const failed = only(jobsJson("qstat_fx_json_array_subjob_failed"), "248[4].vm");
  assert.equal(failed.exitStatus, 2);
  assert.equal(failed.arrayIndex, 4);
  const limited = only(jobsJson("qstat_f_json_array_slot_limit"), "251[].vm");
  assert.equal(limited.array?.indicesSubmitted, "1-3");
  assert.equal(limited.attributes["max_run_subjobs"], "1");

  // Dependencies: waiting = H/22/s; a failed afterok parent leaves F/92 with the rest of depend.
  const waiting = only(jobsJson("qstat_f_json_depend_two_types_waiting"), "254.vm");
  assert.deepEqual([waiting.state, waiting.substate, waiting.holdTypes], ["H", 22, "s"]);
  assert.equal(waiting.depend, "afterok:252.vm@vm,afterany:253.vm@vm");
  assert.equal(waiting.comment, undefined);
  const never = only(jobsJson("qstat_fx_json_depend_two_ids_parent_failed"), "257.vm");
  assert.deepEqual([never.state, never.substate, never.depend], ["F", 92, "afterok:253.vm@vm"]);
  assert.equal(never.exitStatus, undefined);

  const estimated = only(jobsJson("qstat_f_json_queued_strict_ordering"), "284.vm");
  assert.equal(estimated.times.estimatedStart, local(2026, 11, 27, 7, 7, 7));
  assert.equal(estimated.attributes["estimated.exec_vnode"], "(vm:ncpus=4)");
  assert.equal(
    only(jobsJson("qstat_f_json_queued_default_sched"), "284.vm").times.estimatedStart,
    undefined,
  );
  assert.equal(
    only(jobsJson("qstat_f_json_hook_accepted"), "288.vm").requested["filesystems"],
    "home:eagle",
  );
});

Deno.test("property: parseJobsJson on mutated goldens returns jobs or throws parse_error", () => {
  const sources = [
    golden("qstat_f_json_array_t").stdout,
    golden("release/qstat_f_json_env_escapes").stdout,
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: sources.length - 1 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 20 }),
      fc.constantFrom("", '"', "{", "}", ": {", "inf", ",", "\n"),
      (source, where, cut, insert) => {
        const text = sources[source];
        const at = Math.floor(where * text.length);
        const mutated = text.slice(0, at) + insert + text.slice(at + cut);
        try {
          for (const job of parseJobsJson(mutated)) assert.equal(typeof job.id, "string");
          for (const job of parseJobsText(mutated)) assert.equal(typeof job.id, "string");
        } catch (error) {
          assert.ok(error instanceof PbsError, String(error));
          assert.equal(error.kind, "parse_error");
        }
      },
    ),
    { numRuns: 800 },
  );
});

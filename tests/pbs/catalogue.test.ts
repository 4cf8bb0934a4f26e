import assert from "node:assert/strict";
import { checkResult, classifyFailure } from "../../src/pbs/catalogue.ts";
import { PbsError, type PbsErrorKind } from "../../src/pbs/errors.ts";
import type { RunResult } from "../../src/pbs/runner.ts";
import { type Golden, golden, goldenNames, releaseGoldenNames } from "../golden.ts";

/**
 * The expected classification of every capture that failed (non-zero exit) or
 * wrote to stderr. `null` = not a failure. A new failing golden makes the
 * coverage step fail until it is added here.
 */
const EXPECTED: Record<string, PbsErrorKind | null> = {
  // qsub
  qsub_err_disabled_queue: "queue_disabled",
  qsub_err_nonexistent_queue: "unknown_queue",
  qsub_err_walltime_over_max: "resource_limit",
  qsub_err_bad_resource: "unknown_resource",
  qsub_err_bad_walltime_format: "illegal_value",
  qsub_err_bad_walltime_format2: "illegal_value",
  qsub_err_depend_badtype: "bad_dependency",
  qsub_err_nonexistent_script: "script_not_found",
  qsub_err_acl_queue: "permission_denied",
  qsub_err_bad_select: "illegal_value",
  qsub_err_ncpus_nonnumeric: "illegal_value",
  qsub_err_root: "permission_denied",
  qsub_err_array_too_big: "resource_limit",
  qsub_err_bad_jobname: "illegal_value",
  qsub_err_bad_option: "usage",
  qsub_err_bad_server: "server_unreachable",
  qsub_err_directory_as_script: "script_not_found",
  qsub_unicode_name: "illegal_value",
  qsub_block_fail: null, // -W block=true: exit code is the job's Exit_status
  qsub_bad_directive: "illegal_value", // #PBS -l walltime=abc: same message as the option
  qsub_err_ngpus_not_defined: "unknown_resource",
  qsub_err_place_without_select: "illegal_value",
  qsub_hook_rejected_no_filesystems: "pbs_error", // the site hook's own message, exit 32
  // qstat
  qstat_f_finished_job_history_disabled: "unknown_job",
  qstat_f_json_mixed_unknown: "unknown_job",
  qstat_f_99999: "unknown_job",
  qstat_f_json_99999: "unknown_job",
  "release/qstat_f_json_99999": "unknown_job",
  qstat_f_nonexistent_vm: "unknown_queue",
  qstat_F_json_without_f: "usage",
  qstat_bad_option: "usage",
  qstat_bad_server: "illegal_value",
  qstat_f_finished_history: "job_finished",
  qstat_Q_nosuch: "unknown_queue",
  qstat_fx_after_qdel_x: "unknown_job",
  qstat_x_after_qdel_x: "unknown_job",
  qstat_f_json_finished_no_x: "job_finished",
  qstat_x_f_json_history_disabled: null, // exit 0, a warning only
  // qdel
  qdel_finished_history_disabled: "unknown_job",
  qdel_malformed: "illegal_value",
  qdel_other_user: "permission_denied",
  qdel_unknown: "unknown_job",
  qdel_unknown_short: "unknown_job",
  qdel_finished: "job_finished",
  qdel_mixed: "permission_denied", // exit code is the last error's (159)
  qdel_no_args: "usage",
  // qhold / qrls
  qhold_operator_by_user: "permission_denied",
  qhold_unknown: "unknown_job",
  qhold_bad_holdtype: "illegal_value",
  qrls_operator_by_user: "permission_denied",
  // qalter
  qalter_walltime_running_user: "permission_denied",
  qalter_bad_resource: "unknown_resource",
  qalter_bad_walltime: "illegal_value",
  qalter_other_user: "permission_denied",
  qalter_select_running: "invalid_state",
  qalter_unknown: "unknown_job",
  qalter_bad_priority: "illegal_value",
  qalter_finished: "job_finished",
  // qmove / qorder / qsig / qrerun / qrun / qmsg
  qmove_over_queue_max: "resource_limit",
  qmove_disabled_queue: "queue_disabled",
  qmove_nonexistent_queue: "unknown_queue",
  qmove_acl_queue: "permission_denied",
  qmove_other_user: "permission_denied",
  qmove_unknown: "unknown_job",
  qorder_other_user: "permission_denied",
  qorder_one_arg: "usage",
  qorder_unknown: "unknown_job",
  qsig_other_user: "permission_denied",
  qsig_queued: "invalid_state",
  qsig_unknown: "unknown_job",
  qsig_bad_signal: "illegal_value",
  qrerun_user: "permission_denied",
  qrerun_queued_root: "invalid_state",
  qrerun_unknown: "unknown_job",
  qrun_user: "permission_denied",
  qrun_root: "job_finished",
  qmsg_other: "permission_denied",
  // qselect
  qselect_bad_queue: "unknown_queue",
  qselect_bad_resource: "unknown_resource",
  // pbsnodes
  pbsnodes_one_by_name_fails: "unknown_node",
  pbsnodes_unknown: "unknown_node",
  pbsnodes_C_user: "permission_denied",
  pbsnodes_C_note_alice: "permission_denied",
  pbsnodes_c_alice: "permission_denied",
  pbsnodes_o_C_maintenance_alice: "permission_denied",
  pbsnodes_r_alice: "permission_denied",
  pbsnodes_l_with_node_usage: "usage", // this build's -l takes no node names
  pbsnodes_bad_option: "usage",
  pbsnodes_v_unknown: "unknown_node",
  // qmgr
  qmgr_list_queue_unknown: "unknown_queue",
  qmgr_list_node_unknown: "unknown_node",
  qmgr_bad_attr: "usage",
  qmgr_create_queue_as_user: "permission_denied",
  qmgr_syntax_error: "usage",
  qmgr_set_sched_strict_ordering: "usage", // a sched_config parameter, not a qmgr attribute
  qmgr_delete_resource_in_use: "invalid_state",
  qmgr_delete_resource_history_job: "invalid_state",
  qmgr_write_as_user: "permission_denied",
  qmgr_bad_value: "illegal_value",
  qmgr_print_server_json_unsupported: "usage",
  // reservations
  pbs_rsub_err_past: "bad_time",
  pbs_rsub_err_bad_resource: "unknown_resource",
  pbs_rsub_err_bad_time: "bad_time",
  pbs_rsub_err_standing_no_tzid: "bad_time",
  pbs_rsub_root: "permission_denied",
  pbs_rstat_usage: "usage",
  pbs_rstat_unknown: "unknown_reservation", // exit 0, but the reservation does not exist
  pbs_rdel_unknown: "unknown_reservation",
  // tracejob / qterm
  tracejob_never_seen: "unknown_job",
  tracejob_no_args: "usage", // usage text on stdout, nothing on stderr
  tracejob_unknown_id_alice: "unknown_job",
  qterm_user: "permission_denied",
  // server down / hung
  server_down_qstat: "server_unreachable",
  server_down_qstat_B: "server_unreachable",
  server_down_qstat_f_json: "server_unreachable",
  server_down_pbsnodes: "server_unreachable",
  server_down_pbsnodes_json: "server_unreachable",
  server_down_qdel: "server_unreachable",
  server_down_qsub: "server_unreachable",
  server_down_pbs_rstat: "server_unreachable",
  server_down_qmgr: "server_unreachable",
  server_down_qselect: "server_unreachable",
  server_hung_qstat: "timeout",
  server_hung_qsub: "timeout",
  server_restart: null, // a daemon's OOM-killer warning, exit 0
};

/** pbs_errno per golden where PBS's text or the exit-code rule pins it down. */
const EXPECTED_ERRNO: Record<string, number | undefined> = {
  qdel_unknown: 15001,
  qdel_other_user: 15007,
  qrun_user: 15007, // exit 2, but the text is PBSE_PERM's
  qsub_err_bad_server: 15008,
  server_down_qstat: 15010, // from "errno=15010", not from exit 255
  server_down_pbsnodes: 15010, // "error=15010"
  server_down_qdel: 15010, // no number in the text: exit 162 = 15010 & 0xFF
  server_down_qmgr: undefined, // exit 3, no number: not derivable
  qsig_bad_signal: 15013,
  qalter_bad_walltime: 15014,
  qalter_select_running: 15015,
  qsig_queued: 15016,
  qsub_err_nonexistent_queue: 15018,
  qsub_err_disabled_queue: 15021,
  qsub_err_root: 15023,
  qsub_err_bad_resource: 15035,
  qmove_over_queue_max: 15036,
  qmgr_list_node_unknown: 15062, // "Error (15062) returned from server", exit 1
  pbs_rdel_unknown: 15084,
  pbs_rsub_err_past: 15086,
  pbs_rsub_root: 15095,
  qsub_err_array_too_big: 15107, // exit 3 = 15107 & 0xFF
  qdel_finished: 15139,
  qsub_err_place_without_select: 15111, // exit 7 = 15111 & 0xFF
  qsub_hook_rejected_no_filesystems: 15136, // PBSE_HOOKERROR, exit 32
  qmgr_delete_resource_in_use: 15174, // "Error (15174) returned from server"
  qsub_err_bad_option: undefined,
  qsub_err_nonexistent_script: undefined,
};

/** Words of a shell command line (quotes honoured), from the last `|` or `;` on. */
function shellWords(line: string): string[] {
  let words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "|" || c === ";") {
      words = [];
      word = undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The PBS command's argv from a capture's command line (`timeout 60 qstat`, `VAR=x pbs_rsub ...`). */
function argvOf(g: Golden): string[] {
  const words = shellWords(g.meta.command);
  while (
    words.length > 0 && (words[0] === "timeout" || /^\d+$/.test(words[0]) || /=/.test(words[0]))
  ) {
    words.shift();
  }
  return words;
}

function resultOf(g: Golden): RunResult {
  const timedOut = g.meta.exit_code === 124 && g.meta.command.startsWith("timeout ");
  return {
    stdout: g.stdout,
    stderr: g.stderr,
    code: g.meta.exit_code,
    timedOut,
    truncated: false,
    durationMs: timedOut ? 120_000 : 10,
  };
}

function allGoldens(): Golden[] {
  return [...goldenNames(), ...releaseGoldenNames()].map(golden);
}

const isNoteworthy = (g: Golden) => g.meta.exit_code !== 0 || g.stderr.trim() !== "";

function classifyGolden(name: string): PbsError | undefined {
  const g = golden(name);
  return classifyFailure(argvOf(g), resultOf(g));
}

Deno.test("catalogue: goldens", async (t) => {
  const goldens = allGoldens();

  await t.step("every failing or stderr-writing golden has an expected kind", () => {
    const missing = goldens.filter(isNoteworthy).map((g) => g.name).filter((n) => !(n in EXPECTED));
    assert.deepEqual(missing, []);
    const stale = Object.keys(EXPECTED).filter((n) => !goldens.some((g) => g.name === n));
    assert.deepEqual(stale, []);
  });

  await t.step("failures get the expected kind, PBS's text verbatim and a hint", () => {
    for (const g of goldens.filter(isNoteworthy)) {
      const expected = EXPECTED[g.name];
      const error = classifyFailure(argvOf(g), resultOf(g));
      if (expected === null) {
        assert.equal(error, undefined, `${g.name}: expected success, got ${error?.kind}`);
        continue;
      }
      assert.ok(error, `${g.name}: expected ${expected}, got success`);
      assert.equal(error.kind, expected, `${g.name}: ${error.message}`);
      assert.equal(error.pbsMessage ?? "", g.stderr.trim(), g.name);
      assert.ok(error.hint.length > 20, `${g.name}: hint`);
      assert.ok(error.message.length > 0, `${g.name}: message`);
      assert.equal(error.command, argvOf(g)[0], g.name);
      if (expected !== "timeout") assert.equal(error.exitCode, g.meta.exit_code, g.name);
    }
  });

  await t.step("successful goldens without stderr are not failures", () => {
    const quiet = goldens.filter((g) => !isNoteworthy(g));
    assert.ok(quiet.length > 250);
    for (const g of quiet) {
      assert.equal(classifyFailure(argvOf(g), resultOf(g)), undefined, g.name);
      assert.equal(checkResult(argvOf(g), resultOf(g)).stdout, g.stdout);
    }
  });

  await t.step(
    "pbs_errno comes from PBS's text, the rule table, or an unambiguous exit code",
    () => {
      for (const [name, errno] of Object.entries(EXPECTED_ERRNO)) {
        assert.equal(classifyGolden(name)?.pbsErrno, errno, name);
      }
    },
  );
});

Deno.test("catalogue: messages carry the details from stderr and argv", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["qdel_other_user", /delete job 12\.vm/],
    ["qorder_unknown", /32\.vm or 99999\.vm/],
    ["qstat_f_finished_history", /Job 15\.vm has already finished/],
    ["qdel_finished", /Job 15\.vm has already finished/],
    ["qsub_err_bad_resource", /Unknown resource foo$/],
    ["pbs_rsub_err_bad_resource", /Unknown resource foo$/],
    ["qalter_bad_resource", /Unknown resource foo \(job 4\.vm\)/],
    ["qalter_bad_walltime", /Invalid value for walltime \(job 4\.vm\)/],
    ["qmgr_bad_value", /resources_max\.walltime/],
    ["qalter_select_running", /Cannot change select of job 31\.vm while it is running/],
    ["qsub_err_nonexistent_queue", /Queue nosuchq does not exist/],
    ["qmove_nonexistent_queue", /Queue nosuchq does not exist \(job 4\.vm\)/],
    ["qstat_Q_nosuch", /Queue nosuchq does not exist/],
    ["qstat_f_nonexistent_vm", /nonexistent\.vm is neither a known queue nor a well-formed job id/],
    ["qmgr_list_queue_unknown", /Queue nosuchq does not exist/],
    ["qsub_err_disabled_queue", /Queue closed is disabled/],
    ["qsub_err_walltime_over_max", /queue debug/],
    ["qsub_err_acl_queue", /queue private/],
    ["pbsnodes_unknown", /Unknown node nosuchnode/],
    ["qmgr_list_node_unknown", /Unknown node nosuchnode/],
    ["pbsnodes_C_user", /node vm/],
    ["pbs_rdel_unknown", /Reservation R99999\.vm does not exist/],
    ["pbs_rstat_unknown", /Reservation R99999\.vm does not exist/],
    ["qsub_err_nonexistent_script", /not found: jobs\/does_not_exist\.sh/],
    ["qsub_err_directory_as_script", /jobs is not a regular file/],
    ["qsub_err_depend_badtype", /depend=bogus:1\.vm/],
    ["qsub_err_bad_jobname", /job name \(-N\)/],
    ["qsig_bad_signal", /Unknown signal BOGUS \(job 37\.vm\)/],
    ["qdel_malformed", /nonexistent\.vm is not a valid job id/],
    ["tracejob_never_seen", /123456\.vm in the past 1 day/],
    ["server_down_qstat", /Cannot connect to the PBS server vm/],
    ["server_down_qdel", /Cannot connect to the PBS server vm/],
    ["pbs_rsub_err_bad_time", /start time \(-R\)/],
  ];
  for (const [name, pattern] of cases) {
    await t.step(name, () => {
      const error = classifyGolden(name);
      assert.ok(error, name);
      assert.match(error.message, pattern);
    });
  }
});

Deno.test("catalogue: hints are specific to the failure", () => {
  assert.match(classifyGolden("qsub_err_walltime_over_max")!.hint, /resources_max.*list_queues/);
  assert.match(classifyGolden("qstat_f_finished_history")!.hint, /history/);
  assert.match(classifyGolden("qhold_operator_by_user")!.hint, /operator \(o\)/);
  assert.match(classifyGolden("qsig_queued")!.hint, /running/);
  assert.match(classifyGolden("server_down_qsub")!.hint, /PBS_SERVER/);
  assert.match(classifyGolden("server_hung_qstat")!.hint, /hung/);
  assert.match(classifyGolden("qsub_err_bad_walltime_format")!.hint, /\[\[hh:\]mm:\]ss/);
  assert.match(classifyGolden("qsub_err_bad_select")!.hint, /ncpus=4/);
  assert.match(classifyGolden("pbsnodes_one_by_name_fails")!.hint, /-v/);
  assert.match(classifyGolden("qalter_bad_priority")!.hint, /-1024 to 1023/);
});

Deno.test("catalogue: synthetic results", async (t) => {
  const base: RunResult = {
    stdout: "",
    stderr: "",
    code: 0,
    timedOut: false,
    truncated: false,
    durationMs: 5,
  };

  await t.step("a timeout beats the exit code and output", () => {
    const error = classifyFailure(["qstat", "-f"], {
      ...base,
      code: 137,
      timedOut: true,
      durationMs: 30_000,
    });
    assert.equal(error?.kind, "timeout");
    assert.match(error!.message, /30 s/);
  });

  await t.step("truncated successful output is unusable", () => {
    const error = classifyFailure("qstat", { ...base, stdout: '{"Jobs": {', truncated: true });
    assert.equal(error?.kind, "output_too_large");
  });

  await t.step("a truncated failure is still classified from its stderr", () => {
    const error = classifyFailure("qdel", {
      ...base,
      code: 153,
      stderr: "qdel: Unknown Job Id 7.vm\n",
      truncated: true,
    });
    assert.equal(error?.kind, "unknown_job");
  });

  await t.step("without argv a bad -W value is an illegal value, not a dependency", () => {
    const error = classifyFailure("qsub", {
      ...base,
      code: 2,
      stderr: "qsub: illegal -W value\nusage: qsub\n",
    });
    assert.equal(error?.kind, "illegal_value");
  });

  await t.step("qalter's -R is not a reservation time", () => {
    const error = classifyFailure("qalter", {
      ...base,
      code: 2,
      stderr: "qalter: illegal -R value\n",
    });
    assert.equal(error?.kind, "illegal_value");
  });

  await t.step("any pbs_rstat stderr at exit 0 is a failure", () => {
    const error = classifyFailure(["pbs_rstat", "-f"], {
      ...base,
      stderr: "pbs_rstat: Unauthorized Request \n",
    });
    assert.equal(error?.kind, "permission_denied");
  });

  await t.step("a routing queue rejecting the job in qsub's answer is job_discarded", () => {
    // PBSE_ROUTEREJ's text (pbs_error.h); exit code = 15041 & 0xFF.
    const error = classifyFailure(["qsub", "-q", "route", "job.sh"], {
      ...base,
      code: 193,
      stderr:
        "qsub: Job rejected by all possible destinations (check syntax, queue resources, ...)\n",
    });
    assert.equal(error?.kind, "job_discarded");
    assert.equal(error?.pbsErrno, 15041);
    assert.match(error!.hint, /resources_min\/resources_max/);
  });

  await t.step("unknown text falls back to pbs_error, keeping PBS's words", () => {
    const error = classifyFailure(["qsub", "job.sh"], {
      ...base,
      code: 190,
      stderr: "qsub: Something new went wrong\n",
    });
    assert.equal(error?.kind, "pbs_error");
    assert.match(error!.message, /Something new went wrong/);
    assert.equal(error?.pbsErrno, 15038); // 190 = 15038 & 0xFF
  });

  await t.step("no text at all still explains the exit code", () => {
    const error = classifyFailure("qstat", { ...base, code: 139 });
    assert.equal(error?.kind, "pbs_error");
    assert.match(error!.message, /signal 11/);
    assert.equal(error?.pbsErrno, undefined);
  });

  await t.step("a missing binary", () => {
    const error = classifyFailure("/opt/pbs/bin/qstat", {
      ...base,
      code: 127,
      stderr: "qstat: command not found\n",
    });
    assert.equal(error?.kind, "command_not_found");
    assert.equal(error?.command, "qstat");
  });

  await t.step("checkResult throws the PbsError and passes success through", () => {
    const ok = { ...base, stdout: "12.vm\n" };
    assert.equal(checkResult(["qsub", "job.sh"], ok), ok);
    assert.throws(
      () => checkResult("qdel", { ...base, code: 153, stderr: "qdel: Unknown Job Id 9.vm\n" }),
      (e: unknown) => e instanceof PbsError && e.kind === "unknown_job" && /9\.vm/.test(e.message),
    );
  });
});

/**
 * Which goldens the simulator reproduces, and how to set each one up on the
 * `golden` scenario. Each case: the golden's name, replay lines run first
 * (sim/replay.ts syntax; `J=@alice qsub ...` keeps an id in $J), and the
 * command when it cannot be taken verbatim from the golden's meta (ids
 * differ, shell pipes, env prefixes).
 */

import type { ComplexConfig } from "../../sim/config.ts";

export interface ConformanceCase {
  golden: string;
  setup?: string[];
  /** The command line(s); several for a capture of `a; b; c` (outputs concatenated). */
  command?: string | string[];
  /** Overrides of the golden complex's configuration (site hook, scheduler settings). */
  config?: Partial<ComplexConfig>;
  /** Job scripts that differ from conformance_check.ts's (same path, another session's). */
  files?: Record<string, string>;
}

const RUNNING =
  "J=@alice qsub -N analysis1 -q workq -l walltime=00:30:00 -l select=1:ncpus=2 -A acct123 jobs/long.sh";
const HELD = "H=@alice qsub -h -N heldjob jobs/short.sh";
const BOB = "B=@bob qsub -N bobjob jobs/long.sh";
const FINISHED = ["F=@alice qsub -N failjob jobs/fail.sh", "advance 120"];
const MIX = [
  RUNNING,
  HELD,
  BOB,
  "@alice qsub -J 1-4 -N arrjob jobs/array.sh",
  "@alice qsub -l select=1:ncpus=16 -N toobig jobs/short.sh",
];
const DOWN = ["@root qterm -t quick"];
const RESV = ["R=@alice pbs_rsub -R 0302 -E 0332 -l select=1:ncpus=1 -N maintwin", "advance 5"];

// More 2026-11-24 states (INDEX.md sections 1-6), set up as their captures describe.
const ARR = "A=@alice qsub -J 1-4 -N arrjob jobs/array.sh";
const OFF = "@root pbsnodes -o vm";
const QUEUED = [
  "@alice qsub -l select=1:ncpus=8 jobs/long.sh",
  "Q=@alice qsub -N queued jobs/short.sh",
  "advance 1",
];
const DEP = [RUNNING, "D=@alice qsub -N dependent -W depend=afterok:$J jobs/short.sh"];
const LONGNAME = "L=@alice qsub -h -N averyveryverylongjobname_abcdefghij jobs/short.sh";
const NO_HISTORY = "@root qmgr -c 'set server job_history_enable=false'";
/** A second reservation (R45 in the captures) next to RESV's R44. */
const RESV2 = [...RESV, "S=@alice pbs_rsub -R 0352 -D 00:30:00 -l select=1:ncpus=2", "advance 5"];
/** 2000 held jobs, ids 0-1999, deleted in one qdel (the capture read them from a file). */
const BULK_HELD = Array.from({ length: 2000 }, () => "@alice qsub -h -N bulk jobs/short.sh");
const BULK_IDS = Array.from({ length: 2000 }, (_, k) => `${k}.vm`).join(" ");
/** A standing reservation (S51 in the captures): PBS_TZID is required for -r. */
const STANDING =
  "T=@alice env PBS_TZID=Etc/UTC pbs_rsub -R 0352 -D 00:10:00 -r 'FREQ=DAILY;COUNT=3' -l select=1:ncpus=1";
const IN_RESV = [...RESV, "Q=@alice qsub -q $R_SHORT -l walltime=00:10:00 -N inresv jobs/short.sh"];

// 2026-11-27 captures (INDEX.md notes 8-9): job ids 245-288 on host vm.
const CMD_SLEEP = "S=@alice qsub -l walltime=00:01:00 -- /bin/sleep 3";
const CMD_EXIT4 = "N=@alice qsub -N named -- /bin/sh -c 'exit 4'";
const CMD_ECHO = "E=@alice qsub -- /bin/echo hi";
const ARRAY_STEP = "A=@alice qsub -J 0-6:2 jobs/array.sh";
const ARRAY_DONE = [ARRAY_STEP, "advance 700"];
const ARRDEL = ["M=@alice qsub -J 1-5 -N arrdel jobs/array_long.sh", "advance 2"];
const ARRKILL = [
  "K=@alice qsub -J 0-2 -N arrkill jobs/array_long.sh",
  "advance 2",
  '@alice qdel "${K_SEQ}[]"',
];
const SLOT_LIMIT = ["L=@alice qsub -J 1-3%1 jobs/array.sh", "advance 3"];
/** note 8's array.sh: echoes its index, sleeps 20 s; index 4 writes to stderr and exits 2. */
const NOTE8_ARRAY = {
  "jobs/array.sh": "#!/bin/sh\n#SIM index=4 exit=2\necho $PBS_ARRAY_INDEX\nsleep 20\n",
};
const DEP_A = "A=@alice qsub -N depA jobs/short.sh";
const DEP_B = "B=@alice qsub -N depB jobs/fail.sh";
const DEP_C = "C=@alice qsub -N depC -W depend=afterok:$A,afterany:$B jobs/short.sh";
const DEP_F = "F=@alice qsub -N depF -W depend=afterok:$A:$B jobs/short.sh";
const ON_TARGET = "T=@alice qsub -N ontarget -W depend=on:1 jobs/short.sh";
const BEFOREOK = "O=@alice qsub -N beforeok1 -W depend=beforeok:$T jobs/short.sh";
const DEP_HELD = [DEP_A, "H=@alice qsub -h -N depH jobs/short.sh"];
const QALTERED = [...DEP_HELD, "@alice qalter -W depend=afterany:$A $H"];
const ONECPU = "@alice qsub -N onecpu -l walltime=00:30:00 jobs/long.sh";
/** Eight 1-cpu fill jobs (walltimes 40-75 min) fill node vm; five jobs wait behind them. */
const FILL = [40, 45, 50, 55, 60, 65, 70, 75].map((mm, k) =>
  `${k === 0 ? "F1=" : ""}@alice qsub -N fill -l walltime=00:${mm}:00 jobs/long.sh`
);
const FULL = [
  ...FILL,
  "@alice qsub -N waitone -l walltime=00:30:00 jobs/short.sh",
  "W4=@alice qsub -N waitfour -l select=1:ncpus=4 -l walltime=00:30:00 jobs/short.sh",
  "@alice qsub -N waitall -l select=1:ncpus=8 -l walltime=01:00:00 jobs/short.sh",
  "@alice qsub -N waitdbg -q debug jobs/short.sh",
  "WQ=@alice qsub -N delq jobs/short.sh",
  "advance 1",
];
const OFFLINE = [...FILL, "@root pbsnodes -o -C maintenance vm"];
/** sched_config `strict_ordering: true ALL` + backfill_depth 10, scheduler HUPed (qstat_T_strict_ordering). */
const STRICT = [...FULL, "sched_config strict_ordering=true backfill_depth=10"];
/** The require_fs queuejob hook of note 9. */
const REQUIRE_FS = {
  queuejobHooks: [{
    name: "require_fs",
    requireResources: ["filesystems"],
    message: "Job must request -l filesystems=<list> (e.g. home:eagle)",
  }],
};

export const CASES: ConformanceCase[] = [
  // qsub
  { golden: "qsub_basic" },
  { golden: "qsub_full_options" },
  { golden: "qsub_array" },
  { golden: "qsub_held" },
  { golden: "qsub_env_vars" },
  { golden: "qsub_stdin", command: "@alice qsub -N stdinjob <<< 'sleep 1; echo from-stdin'" },
  { golden: "qsub_command_form" },
  { golden: "qsub_version" },
  { golden: "qsub_err_disabled_queue" },
  { golden: "qsub_err_nonexistent_queue" },
  { golden: "qsub_err_walltime_over_max" },
  { golden: "qsub_err_bad_resource" },
  { golden: "qsub_err_bad_walltime_format" },
  { golden: "qsub_err_bad_walltime_format2" },
  { golden: "qsub_err_depend_badtype" },
  { golden: "qsub_err_nonexistent_script" },
  { golden: "qsub_err_acl_queue" },
  { golden: "qsub_err_bad_select" },
  { golden: "qsub_err_ncpus_nonnumeric" },
  { golden: "qsub_err_root" },
  { golden: "qsub_err_array_too_big" },
  { golden: "qsub_err_bad_jobname" },
  { golden: "qsub_unicode_name" },
  { golden: "qsub_err_bad_option" },
  { golden: "qsub_err_bad_server" },
  { golden: "qsub_err_directory_as_script" },
  { golden: "qsub_block_fail" },
  // qstat
  { golden: "qstat_empty" },
  { golden: "qstat_f_json_empty" },
  { golden: "qstat_plain", setup: MIX },
  { golden: "qstat_a", setup: MIX },
  { golden: "qstat_aw", setup: MIX },
  { golden: "qstat_an", setup: MIX },
  { golden: "qstat_as", setup: MIX },
  { golden: "qstat_x", setup: [...MIX, ...FINISHED] },
  { golden: "qstat_t", setup: MIX },
  { golden: "qstat_J", setup: MIX },
  { golden: "qstat_f_running", setup: [RUNNING], command: "@alice qstat -f $J" },
  { golden: "qstat_f_json_one", setup: [RUNNING], command: "@alice qstat -f -F json $J" },
  { golden: "qstat_f_json_all", setup: MIX },
  {
    golden: "qstat_f_json_multi",
    setup: [RUNNING, HELD],
    command: "@alice qstat -f -F json $J $H",
  },
  { golden: "qstat_f_dsv", setup: [RUNNING], command: "@alice qstat -f -F dsv $J" },
  { golden: "qstat_fx_finished", setup: FINISHED, command: "@alice qstat -fx $F" },
  { golden: "qstat_fx_json_finished", setup: FINISHED, command: "@alice qstat -fx -F json $F" },
  { golden: "qstat_f_finished_history", setup: FINISHED, command: "@alice qstat -f $F" },
  { golden: "qstat_f_99999" },
  { golden: "qstat_f_json_99999" },
  { golden: "qstat_f_nonexistent_vm" },
  { golden: "qstat_F_json_without_f" },
  { golden: "qstat_bad_option" },
  { golden: "qstat_bad_server" },
  { golden: "qstat_Q" },
  { golden: "qstat_Qf", setup: MIX },
  { golden: "qstat_Qf_json" },
  { golden: "qstat_Q_nosuch" },
  { golden: "qstat_q" },
  { golden: "qstat_B" },
  { golden: "qstat_Bf" },
  { golden: "qstat_Bf_json" },
  { golden: "qstat_version" },
  // qselect
  { golden: "qselect_empty" },
  { golden: "qselect_all", setup: MIX },
  { golden: "qselect_state_R", setup: MIX },
  { golden: "qselect_user_bob", setup: MIX },
  { golden: "qselect_bad_queue" },
  { golden: "qselect_bad_resource" },
  // qdel
  { golden: "qdel_own_queued", setup: [HELD], command: "@alice qdel $H" },
  { golden: "qdel_other_user", setup: [BOB], command: "@alice qdel $B" },
  { golden: "qdel_unknown" },
  { golden: "qdel_unknown_short" },
  { golden: "qdel_malformed" },
  { golden: "qdel_finished", setup: FINISHED, command: "@alice qdel $F" },
  { golden: "qdel_no_args" },
  { golden: "qdel_mixed", setup: [HELD, BOB], command: "@alice qdel 99998.vm $H $B" },
  // qhold / qrls
  { golden: "qhold_user_own", setup: [HELD], command: "@alice qhold $H" },
  { golden: "qhold_operator_by_user", setup: [HELD], command: "@alice qhold -h o $H" },
  { golden: "qhold_operator_by_root", setup: [HELD], command: "@root qhold -h o $H" },
  { golden: "qhold_unknown" },
  { golden: "qhold_bad_holdtype", setup: [HELD], command: "@alice qhold -h z $H" },
  { golden: "qrls_user_own", setup: [HELD], command: "@alice qrls $H" },
  {
    golden: "qrls_operator_by_user",
    setup: [HELD, "@root qhold -h o $H"],
    command: "@alice qrls -h o $H",
  },
  // qalter
  { golden: "qalter_name_queued", setup: [HELD], command: "@alice qalter -N renamed $H" },
  { golden: "qalter_bad_resource", setup: [HELD], command: "@alice qalter -l foo=1 $H" },
  { golden: "qalter_bad_walltime", setup: [HELD], command: "@alice qalter -l walltime=xyz $H" },
  { golden: "qalter_other_user", setup: [BOB], command: "@alice qalter -N hijack $B" },
  { golden: "qalter_unknown" },
  { golden: "qalter_bad_priority", setup: [HELD], command: "@alice qalter -p 5000 $H" },
  {
    golden: "qalter_select_running",
    setup: [RUNNING],
    command: "@alice qalter -l select=1:ncpus=1 $J",
  },
  {
    golden: "qalter_walltime_running_user",
    setup: [RUNNING],
    command: "@alice qalter -l walltime=00:45:00 $J",
  },
  { golden: "qalter_finished", setup: FINISHED, command: "@alice qalter -N late $F" },
  // qmove
  { golden: "qmove_ok", setup: [HELD], command: "@alice qmove debug $H" },
  { golden: "qmove_nonexistent_queue", setup: [HELD], command: "@alice qmove nosuchq $H" },
  { golden: "qmove_disabled_queue", setup: [HELD], command: "@alice qmove closed $H" },
  { golden: "qmove_acl_queue", setup: [HELD], command: "@alice qmove private $H" },
  {
    golden: "qmove_over_queue_max",
    setup: [HELD, "@alice qalter -l walltime=05:00:00 $H"],
    command: "@alice qmove debug $H",
  },
  { golden: "qmove_unknown" },
  // qorder
  {
    golden: "qorder_ok",
    setup: [HELD, "G=@alice qsub -h jobs/short.sh"],
    command: "@alice qorder $H $G",
  },
  { golden: "qorder_unknown", setup: [HELD], command: "@alice qorder $H 99999.vm" },
  { golden: "qorder_other_user", setup: [HELD, BOB], command: "@alice qorder $H $B" },
  { golden: "qorder_one_arg", setup: [HELD], command: "@alice qorder $H" },
  // qsig / qrerun / qrun / qmsg
  { golden: "qsig_usr1", setup: [RUNNING], command: "@alice qsig -s SIGUSR1 $J" },
  { golden: "qsig_unknown" },
  { golden: "qsig_queued", setup: [HELD], command: "@alice qsig -s USR1 $H" },
  { golden: "qsig_bad_signal", setup: [RUNNING], command: "@alice qsig -s BOGUS $J" },
  { golden: "qsig_other_user", setup: [BOB], command: "@alice qsig -s USR1 $B" },
  { golden: "qsig_suspend_root", setup: [RUNNING], command: "@root qsig -s suspend $J" },
  { golden: "qrerun_user", setup: [RUNNING], command: "@alice qrerun $J" },
  { golden: "qrerun_unknown" },
  { golden: "qrerun_queued_root", setup: [HELD], command: "@root qrerun $H" },
  { golden: "qrun_user", setup: [HELD], command: "@alice qrun $H" },
  { golden: "qmsg_other", setup: [BOB], command: '@alice qmsg "hi" $B' },
  { golden: "qmsg_own", setup: [RUNNING], command: '@alice qmsg "hello from alice" $J' },
  // pbsnodes
  { golden: "pbsnodes_a", setup: [RUNNING] },
  { golden: "pbsnodes_a_json", setup: [RUNNING] },
  { golden: "pbsnodes_av", setup: [RUNNING] },
  { golden: "pbsnodes_l" },
  { golden: "pbsnodes_l_offline", setup: ['@root pbsnodes -o -C "disk replacement" vm'] },
  { golden: "pbsnodes_o_root" },
  { golden: "pbsnodes_unknown" },
  { golden: "pbsnodes_unknown_json" },
  { golden: "pbsnodes_v_unknown" },
  { golden: "pbsnodes_v_one" },
  { golden: "pbsnodes_v_json_one", setup: [RUNNING] },
  { golden: "pbsnodes_one_by_name_fails" },
  { golden: "pbsnodes_one_json_by_name_fails" },
  { golden: "pbsnodes_host_localhost" },
  { golden: "pbsnodes_C_user" },
  { golden: "pbsnodes_bad_option" },
  { golden: "pbsnodes_aS" },
  { golden: "pbsnodes_aSj", setup: [RUNNING] },
  { golden: "pbsnodes_aSj_json", setup: [RUNNING] },
  // qmgr
  { golden: "qmgr_list_server" },
  { golden: "qmgr_list_server_attr" },
  { golden: "qmgr_list_queue_workq" },
  { golden: "qmgr_list_queue_all" },
  { golden: "qmgr_list_queue_unknown" },
  { golden: "qmgr_list_node_unknown" },
  { golden: "qmgr_print_queue_debug" },
  { golden: "qmgr_create_queue_as_user" },
  { golden: "qmgr_write_as_user" },
  { golden: "qmgr_syntax_error" },
  { golden: "qmgr_bad_attr" },
  { golden: "qmgr_bad_value" },
  { golden: "qmgr_set_job_history" },
  { golden: "qmgr_print_server_json_unsupported" },
  // reservations
  { golden: "pbs_rsub_advance" },
  { golden: "pbs_rsub_err_bad_time" },
  { golden: "pbs_rsub_err_standing_no_tzid" },
  { golden: "pbs_rsub_root" },
  { golden: "pbs_rsub_err_past", command: "@alice pbs_rsub -R 0200 -E 0100 -l select=1:ncpus=1" },
  { golden: "pbs_rstat", setup: RESV },
  { golden: "pbs_rstat_B", setup: RESV },
  { golden: "pbs_rstat_f", setup: RESV },
  { golden: "pbs_rstat_unknown" },
  { golden: "pbs_rstat_usage" },
  { golden: "final_pbs_rstat_empty" },
  { golden: "pbs_rdel_ok", setup: RESV, command: "@alice pbs_rdel $R" },
  { golden: "pbs_rdel_unknown" },
  // tracejob, qterm, server
  { golden: "tracejob_root", setup: FINISHED, command: "@root tracejob $F" },
  { golden: "tracejob_never_seen" },
  { golden: "tracejob_no_args" },
  { golden: "qterm_user" },
  { golden: "qterm_quick_root" },
  { golden: "server_down_qstat", setup: DOWN },
  { golden: "server_down_qstat_B", setup: DOWN },
  { golden: "server_down_qstat_f_json", setup: DOWN },
  { golden: "server_down_pbsnodes", setup: DOWN },
  { golden: "server_down_pbsnodes_json", setup: DOWN },
  { golden: "server_down_qdel", setup: DOWN },
  { golden: "server_down_qsub", setup: DOWN },
  { golden: "server_down_pbs_rstat", setup: DOWN },
  { golden: "server_down_qmgr", setup: DOWN },
  { golden: "server_down_qselect", setup: DOWN },
  { golden: "server_down_tracejob", setup: [RUNNING, ...DOWN], command: "@root tracejob $J" },
  { golden: "server_recovered_qstat", setup: [RUNNING, ...DOWN, "@root pbs_server"] },
  // 2026-11-27: qsub
  { golden: "qsub_cmdform_echo" },
  { golden: "qsub_cmdform_named_exit4" },
  { golden: "qsub_cmdform_sleep_walltime" },
  { golden: "qsub_array_step_script", files: NOTE8_ARRAY },
  { golden: "qsub_array_slot_limit", files: NOTE8_ARRAY },
  { golden: "qsub_depend_two_types", setup: [DEP_A, DEP_B], command: DEP_C.slice(2) },
  { golden: "qsub_depend_afterok_two_ids", setup: [DEP_A, DEP_B], command: DEP_F.slice(2) },
  { golden: "qsub_depend_beforeok", setup: [ON_TARGET], command: BEFOREOK.slice(2) },
  {
    golden: "qsub_depend_before",
    setup: ["U=@alice qsub -N ontarget2 -W depend=on:1 jobs/short.sh"],
    command: "@alice qsub -N before1 -W depend=before:$U jobs/fail.sh",
  },
  { golden: "qsub_directives_plain" },
  { golden: "qsub_directives_override" },
  { golden: "qsub_bad_directive" },
  { golden: "qsub_place_scatter_two_chunks" },
  { golden: "qsub_err_ngpus_not_defined" },
  { golden: "qsub_err_place_without_select" },
  { golden: "qsub_hook_rejected_no_filesystems", config: REQUIRE_FS },
  { golden: "qsub_hook_accepted_filesystems", config: REQUIRE_FS },
  // 2026-11-27: qstat
  { golden: "qstat_cmdform_running", setup: [CMD_SLEEP], command: "@alice qstat $S" },
  {
    golden: "qstat_f_json_cmdform_running",
    setup: [CMD_SLEEP],
    command: "@alice qstat -f -F json $S",
  },
  {
    golden: "qstat_t_array_running",
    setup: [ARRAY_STEP],
    command: '@alice qstat -t "${A_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  { golden: "qstat_J_array_running", setup: [ARRAY_STEP], files: NOTE8_ARRAY },
  {
    golden: "qstat_f_json_array_parent_running",
    setup: [ARRAY_STEP],
    command: '@alice qstat -f -F json "${A_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_f_json_array_subjob_running",
    setup: [ARRAY_STEP],
    command: '@alice qstat -f -F json "${A_SEQ}[2]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_fx_json_cmdform_finished",
    setup: [CMD_SLEEP, "advance 30"],
    command: "@alice qstat -fx -F json $S",
  },
  {
    golden: "qstat_fx_json_cmdform_exit4",
    setup: [CMD_EXIT4, "advance 30"],
    command: "@alice qstat -fx -F json $N",
  },
  {
    golden: "qstat_xt_array_finished",
    setup: ARRAY_DONE,
    command: '@alice qstat -xt "${A_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_fx_json_array_parent_finished",
    setup: ARRAY_DONE,
    command: '@alice qstat -fx -F json "${A_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_fx_json_array_subjob_failed",
    setup: ARRAY_DONE,
    command: '@alice qstat -fx -F json "${A_SEQ}[4]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_t_after_running_subjob_del",
    setup: [...ARRDEL, '@alice qdel "${M_SEQ}[3]"', "advance 3"],
    command: '@alice qstat -t "${M_SEQ}[]"',
  },
  {
    golden: "qstat_fx_json_deleted_running_subjob",
    setup: [...ARRDEL, '@alice qdel "${M_SEQ}[3]"', "advance 3"],
    command: '@alice qstat -fx -F json "${M_SEQ}[3]"',
  },
  {
    golden: "qstat_xt_after_running_array_del",
    setup: [...ARRKILL, "advance 5"],
    command: '@alice qstat -xt "${K_SEQ}[]"',
  },
  {
    golden: "qstat_xt_array_deleted_done",
    setup: [...ARRKILL, "advance 30"],
    command: "@alice qstat -xt $K",
  },
  {
    golden: "qstat_t_array_slot_limit",
    setup: SLOT_LIMIT,
    command: '@alice qstat -t "${L_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_f_json_array_slot_limit",
    setup: SLOT_LIMIT,
    command: '@alice qstat -f -F json "${L_SEQ}[]"',
    files: NOTE8_ARRAY,
  },
  {
    golden: "qstat_f_json_depend_two_types_waiting",
    setup: [DEP_A, DEP_B, DEP_C],
    command: "@alice qstat -f -F json $C",
  },
  {
    golden: "qstat_f_json_depend_two_ids_waiting",
    setup: [DEP_A, DEP_B, DEP_F],
    command: "@alice qstat -f -F json $F",
  },
  {
    golden: "qstat_f_json_depend_on_waiting",
    setup: [ON_TARGET, BEFOREOK],
    command: "@alice qstat -f -F json $T",
  },
  {
    golden: "qstat_f_json_after_qalter_depend",
    setup: QALTERED,
    command: "@alice qstat -f -F json $H",
  },
  {
    golden: "qstat_after_qrls_depend_held",
    setup: [...QALTERED, "@alice qrls $H"],
    command: "@alice qstat $H",
  },
  {
    golden: "qstat_fx_json_depend_two_types_done",
    setup: [DEP_A, DEP_B, DEP_C, "advance 120"],
    command: "@alice qstat -fx -F json $C",
  },
  {
    golden: "qstat_fx_json_depend_two_ids_parent_failed",
    // depA (20 s) ends OK before depB (15 s, exit 3) fails, as in the capture
    setup: [DEP_A, "advance 6", DEP_B, DEP_F, "advance 120"],
    command: "@alice qstat -fx -F json $F",
  },
  {
    golden: "qstat_fx_json_depend_afternotok_ran",
    setup: [DEP_B, "D=@alice qsub -N depD -W depend=afternotok:$B jobs/short.sh", "advance 120"],
    command: "@alice qstat -fx -F json $D",
  },
  {
    golden: "qstat_fx_json_depend_afterany_failing_parent",
    setup: [DEP_B, "D=@alice qsub -N depE -W depend=afterany:$B jobs/short.sh", "advance 120"],
    command: "@alice qstat -fx -F json $D",
  },
  {
    golden: "qstat_fx_json_depend_on_released",
    setup: [ON_TARGET, BEFOREOK, "advance 120"],
    command: "@alice qstat -fx -F json $T",
  },
  {
    golden: "qstat_f_json_directives_plain",
    setup: ["D=@alice qsub jobs/directives.sh"],
    command: "@alice qstat -f -F json $D",
  },
  {
    golden: "qstat_f_json_directives_override",
    setup: ["D=@alice qsub -N over -l walltime=00:05:00 -q workq jobs/directives.sh"],
    command: "@alice qstat -f -F json $D",
  },
  {
    golden: "qstat_f_json_never_ncpus12",
    setup: ["X=@alice qsub -l select=3:ncpus=4 jobs/short.sh", "advance 1"],
    command: "@alice qstat -f -F json $X",
  },
  {
    golden: "qstat_f_json_never_mem1000gb",
    setup: ["X=@alice qsub -l select=1:ncpus=2:mem=1000gb jobs/short.sh", "advance 1"],
    command: "@alice qstat -f -F json $X",
  },
  {
    golden: "qstat_f_json_never_scatter",
    setup: ["X=@alice qsub -l select=2:ncpus=1 -l place=scatter jobs/short.sh", "advance 1"],
    command: "@alice qstat -f -F json $X",
  },
  {
    golden: "qstat_f_json_wait_ncpus8",
    setup: [ONECPU, "X=@alice qsub -l select=1:ncpus=8 jobs/short.sh", "advance 1"],
    command: "@alice qstat -f -F json $X",
  },
  {
    golden: "qstat_f_json_wait_excl",
    setup: [ONECPU, "X=@alice qsub -l select=1:ncpus=1 -l place=excl jobs/short.sh", "advance 1"],
    command: "@alice qstat -f -F json $X",
  },
  { golden: "qstat_T_default_sched", setup: FULL },
  { golden: "qstat_Tw_default_sched", setup: FULL },
  {
    golden: "qstat_f_json_queued_default_sched",
    setup: FULL,
    command: "@alice qstat -f -F json $W4",
  },
  { golden: "qstat_T_strict_ordering", setup: STRICT },
  { golden: "qstat_Tw_strict_ordering", setup: STRICT },
  {
    golden: "qstat_T_after_sched_restore",
    setup: [...STRICT, "sched_config strict_ordering=false"],
  },
  {
    golden: "qstat_f_json_queued_strict_ordering",
    setup: STRICT,
    command: "@alice qstat -f -F json $W4",
  },
  { golden: "qstat_Bf_json_with_jobs", setup: FULL },
  { golden: "qstat_Qf_json_debug_with_job", setup: FULL },
  {
    golden: "qstat_xf_json_deleted_queued",
    setup: [...STRICT, "sched_config strict_ordering=false", "@alice qdel $WQ"],
    command: "@alice qstat -xf -F json $WQ",
  },
  {
    golden: "qstat_H_history",
    setup: [CMD_ECHO, CMD_EXIT4, ARRAY_STEP, "advance 700"],
    files: NOTE8_ARRAY,
  },
  { golden: "qstat_x_u_alice", setup: [CMD_ECHO, ...FULL, "advance 30"] },
  {
    golden: "qstat_x_after_qdel_x",
    setup: [CMD_ECHO, "advance 30", "@alice qdel -x $E"],
    command: "@alice qstat -x $E",
  },
  {
    golden: "qstat_fx_json_force_deleted",
    setup: [...FILL, "@alice qdel -W force $F1", "advance 5"],
    command: "@alice qstat -fx -F json $F1",
  },
  {
    golden: "qstat_f_json_hook_accepted",
    setup: ["Y=@alice qsub -l filesystems=home:eagle jobs/short.sh"],
    command: "@alice qstat -f -F json $Y",
    config: REQUIRE_FS,
  },
  // 2026-11-27: qdel, qalter, qrls, qselect
  { golden: "qdel_running_subjob", setup: ARRDEL, command: '@alice qdel "${M_SEQ}[3]"' },
  {
    golden: "qdel_running_array",
    setup: ["K=@alice qsub -J 0-2 -N arrkill jobs/array_long.sh", "advance 2"],
    command: '@alice qdel "${K_SEQ}[]"',
  },
  {
    golden: "qdel_x_finished_job",
    setup: [CMD_ECHO, "advance 30"],
    command: "@alice qdel -x $E",
  },
  { golden: "qdel_W_force_running", setup: FILL, command: "@alice qdel -W force $F1" },
  {
    golden: "qalter_depend_held",
    setup: DEP_HELD,
    command: "@alice qalter -W depend=afterany:$A $H",
  },
  { golden: "qrls_depend_held_alice", setup: QALTERED, command: "@alice qrls $H" },
  {
    golden: "qselect_x_s_F_u_alice",
    setup: [CMD_ECHO, ARRAY_STEP, "advance 700"],
    files: NOTE8_ARRAY,
  },
  { golden: "qselect_N_fill", setup: FULL },
  { golden: "qselect_q_debug", setup: FULL },
  { golden: "qselect_l_walltime_gt_5min", setup: FULL },
  // 2026-11-27: pbsnodes
  { golden: "pbsnodes_o_C_maintenance_alice", setup: FILL },
  { golden: "pbsnodes_o_C_maintenance_root", setup: FILL },
  { golden: "pbsnodes_l_with_node_usage" },
  { golden: "pbsnodes_l_s_root", setup: OFFLINE },
  { golden: "pbsnodes_l_s_alice", setup: OFFLINE },
  { golden: "pbsnodes_aSj_offline_alice", setup: OFFLINE },
  { golden: "pbsnodes_aSj_offline_root", setup: OFFLINE },
  { golden: "pbsnodes_av_json_offline_jobs_alice", setup: OFFLINE },
  { golden: "pbsnodes_av_json_offline_jobs_root", setup: OFFLINE },
  { golden: "pbsnodes_r_alice", setup: OFFLINE },
  { golden: "pbsnodes_r_root_after_comment", setup: OFFLINE },
  { golden: "pbsnodes_c_alice", setup: OFFLINE },
  { golden: "pbsnodes_c_root", setup: OFFLINE },
  { golden: "pbsnodes_C_note_alice", setup: FILL },
  { golden: "pbsnodes_C_note_root", setup: FILL },
  // 2026-11-27: qmgr
  { golden: "qmgr_set_backfill_depth" },
  { golden: "qmgr_set_sched_strict_ordering" },
  { golden: "qmgr_list_server_alice_jobs", setup: FULL },
  { golden: "qmgr_list_server_root_jobs", setup: FULL },
  { golden: "qmgr_list_hook_require_fs", config: REQUIRE_FS },
  { golden: "qmgr_print_queue_workq_alice" },
  { golden: "qmgr_print_queue_workq_root" },
  // 2026-11-27: tracejob
  {
    golden: "tracejob_finished_alice",
    setup: [CMD_EXIT4, "advance 30"],
    command: "@alice tracejob $N",
  },
  {
    golden: "tracejob_finished_root",
    setup: [CMD_EXIT4, "advance 30"],
    command: "@root tracejob $N",
  },
  {
    golden: "tracejob_n2_finished_alice",
    setup: [CMD_EXIT4, "advance 30"],
    command: "@alice tracejob -n 2 $N",
  },
  {
    golden: "tracejob_n2_finished_root",
    setup: [CMD_EXIT4, "advance 30"],
    command: "@root tracejob -n 2 $N",
  },
  { golden: "tracejob_unknown_id_alice" },
  // 2026-11-24 captures replayed from the state their description gives
  { golden: "qalter_account", setup: [HELD], command: "@alice qalter -A newacct $H" },
  {
    golden: "qalter_over_queue_max",
    setup: [HELD],
    command: "@alice qalter -l walltime=05:00:00 $H",
  },
  { golden: "qalter_priority", setup: [HELD], command: "@alice qalter -p 100 $H" },
  {
    golden: "qalter_select_queued",
    setup: [HELD],
    command: "@alice qalter -l select=1:ncpus=2 $H",
  },
  {
    golden: "qalter_walltime_fit",
    setup: [HELD],
    command: "@alice qalter -l walltime=00:20:00 $H",
  },
  {
    golden: "qalter_walltime_queued",
    setup: [HELD],
    command: "@alice qalter -l walltime=00:20:00 $H",
  },
  {
    golden: "qalter_walltime_running_root",
    setup: [RUNNING],
    command: "@root qalter -l walltime=00:50:00 $J",
  },
  { golden: "qdel_force", setup: [RUNNING], command: "@alice qdel -W force $J" },
  { golden: "qdel_own_running", setup: [RUNNING], command: "@alice qdel $J" },
  { golden: "qdel_subjob", setup: [ARR], command: '@alice qdel "${A_SEQ}[4]"' },
  { golden: "qdel_x_history", setup: FINISHED, command: "@alice qdel -x $F" },
  { golden: "qdel_x_running", setup: [RUNNING], command: "@alice qdel -x $J" },
  { golden: "qhold_running", setup: [RUNNING], command: "@alice qhold $J" },
  { golden: "qhold_system_by_root", setup: [HELD], command: "@root qhold -h s $H" },
  {
    golden: "qmove_default_walltime_reapplied",
    setup: ["H=@alice qsub -h -q debug -N dbgheld jobs/short.sh"],
    command: "@alice qmove long $H",
  },
  {
    golden: "qmove_ok_back",
    setup: [HELD, "@alice qmove debug $H"],
    command: "@alice qmove workq $H",
  },
  { golden: "qmove_other_user", setup: [BOB], command: "@alice qmove debug $B" },
  {
    golden: "qorder_diff_queue",
    setup: [HELD, "G=@alice qsub -h -q debug jobs/short.sh"],
    command: "@alice qorder $H $G",
  },
  {
    golden: "qorder_before",
    setup: ["H=@alice qsub -h -N orderA jobs/short.sh", "G=@alice qsub -h -N orderB jobs/short.sh"],
    command: "@alice qstat workq",
  },
  {
    golden: "qorder_after",
    setup: [
      "H=@alice qsub -h -N orderA jobs/short.sh",
      "G=@alice qsub -h -N orderB jobs/short.sh",
      "@alice qorder $H $G",
    ],
    command: "@alice qstat workq",
  },
  { golden: "qrerun_root", setup: [RUNNING], command: "@root qrerun $J" },
  {
    golden: "qrls_default_on_operator_hold",
    setup: [HELD, "@alice qrls $H", "@root qhold -h o $H"],
    command: "@alice qrls $H",
  },
  { golden: "qrls_depend_hold", setup: DEP, command: "@alice qrls $D" },
  { golden: "qrls_no_hold_running", setup: [RUNNING], command: "@alice qrls $J" },
  {
    golden: "qrls_os_by_root",
    setup: [HELD, "@root qhold -h os $H"],
    command: "@root qrls -h os $H",
  },
  { golden: "qrun_held_root", setup: [HELD], command: "@root qrun $H" },
  { golden: "qrun_root", setup: [...FINISHED], command: "@root qrun $F" },
  { golden: "qselect_account", setup: MIX },
  { golden: "qselect_array", setup: MIX },
  { golden: "qselect_history", setup: [...MIX, ...FINISHED] },
  { golden: "qselect_hold", setup: MIX },
  { golden: "qselect_name", setup: MIX },
  { golden: "qselect_queue", setup: MIX },
  { golden: "qselect_state_QH", setup: MIX },
  { golden: "qselect_subjobs", setup: MIX },
  { golden: "qselect_user", setup: MIX },
  { golden: "qselect_walltime", setup: MIX },
  { golden: "qsig_numeric", setup: [RUNNING], command: "@alice qsig -s 0 $J" },
  {
    golden: "qsig_resume_root",
    setup: [RUNNING, "@root qsig -s suspend $J"],
    command: "@root qsig -s resume $J",
  },
  { golden: "qsig_term_default", setup: [RUNNING], command: "@alice qsig $J" },
  { golden: "qsig_usr1_noprefix", setup: [RUNNING], command: "@alice qsig -s USR1 $J" },
  { golden: "qstat_H", setup: [...MIX, ...FINISHED] },
  { golden: "qstat_Jt", setup: MIX },
  { golden: "qstat_i", setup: MIX },
  { golden: "qstat_r", setup: MIX },
  { golden: "qstat_s", setup: MIX },
  { golden: "qstat_u_alice", setup: MIX },
  { golden: "qstat_queue_dest", setup: MIX },
  { golden: "qstat_t_after_subjob_del", setup: [...MIX, '@alice qdel "${A_SEQ}[4]"'] },
  {
    golden: "qstat_s_while_offline",
    setup: [OFF, "@alice qsub -N whileoff jobs/short.sh", "advance 1"],
  },
  { golden: "qstat_a_long_name_truncated", setup: [LONGNAME], command: "@alice qstat -a $L" },
  { golden: "qstat_long_name_truncated", setup: [LONGNAME], command: "@alice qstat $L" },
  { golden: "qstat_w_long_name", setup: [LONGNAME], command: "@alice qstat -w $L" },
  {
    golden: "qstat_f_after_qmove",
    setup: ["H=@alice qsub -h -q debug -N dbgheld jobs/short.sh", "@alice qmove long $H"],
    command: "@alice qstat -f $H",
  },
  {
    golden: "qstat_f_after_qrerun",
    setup: [RUNNING, "@root qrerun $J"],
    command: "@alice qstat -f $J",
  },
  {
    golden: "qstat_f_deferred",
    setup: ["D=@alice qsub -a 2359 -N deferred jobs/short.sh"],
    command: "@alice qstat -f $D",
  },
  { golden: "qstat_f_depend_held", setup: DEP, command: "@alice qstat -f $D" },
  {
    golden: "qstat_f_depend_held_after_qrls",
    setup: [...DEP, "@alice qrls $D"],
    command: "@alice qstat -f $D",
  },
  { golden: "qstat_f_dsv_delim", setup: [RUNNING], command: "@alice qstat -f -F dsv -D '#' $J" },
  { golden: "qstat_f_held", setup: [HELD], command: "@alice qstat -f $H" },
  { golden: "qstat_f_json_array", setup: [ARR], command: "@alice qstat -f -F json $A" },
  {
    golden: "qstat_f_json_array_parent_after",
    setup: [ARR, '@alice qdel "${A_SEQ}[4]"', "advance 5"],
    command: "@alice qstat -f -F json $A",
  },
  {
    golden: "qstat_f_json_array_step",
    setup: ["A=@alice qsub -h -J 1-10:3 -N arrstep jobs/array.sh"],
    command: "@alice qstat -f -F json $A",
  },
  { golden: "qstat_f_json_array_t", setup: [ARR], command: "@alice qstat -f -t -F json $A" },
  {
    golden: "qstat_f_json_deleted_subjob",
    setup: [ARR, '@alice qdel "${A_SEQ}[4]"', "advance 5"],
    command: '@alice qstat -fx -F json "${A_SEQ}[4]"',
  },
  { golden: "qstat_f_json_subjob", setup: [ARR], command: '@alice qstat -f -F json "${A_SEQ}[1]"' },
  {
    golden: "qstat_xt_array",
    setup: [ARR, '@alice qdel "${A_SEQ}[4]"', "advance 5"],
    command: "@alice qstat -xt $A",
  },
  { golden: "qstat_f_json_finished_no_x", setup: FINISHED, command: "@alice qstat -f -F json $F" },
  {
    golden: "qstat_f_json_mixed_unknown",
    setup: [RUNNING],
    command: "@alice qstat -f -F json $J 99999.vm",
  },
  {
    golden: "qstat_f_json_multichunk",
    setup: [
      "M=@alice qsub -N multichunk -l select=2:ncpus=1 -l place=free -l walltime=00:01:00 jobs/short.sh",
    ],
    command: "@alice qstat -f -F json $M",
  },
  {
    golden: "qstat_f_multichunk",
    setup: [
      "M=@alice qsub -N multichunk -l select=2:ncpus=1 -l place=free -l walltime=00:01:00 jobs/short.sh",
    ],
    command: "@alice qstat -f $M",
  },
  {
    golden: "qstat_f_json_numeric_looking",
    setup: [
      "N=@alice qsub -h -N 12345 -A 00123 -v 'ZIP=01234,EXP=1e5,HEX=0x10,FLT=3.50,NEG=-7,BIG=123456789012345678901234567890,INF=inf,NAN=nan,TRUE=true,SP= 42' jobs/short.sh",
    ],
    command: "@alice qstat -f -F json $N",
  },
  { golden: "qstat_f_json_queued", setup: QUEUED, command: "@alice qstat -f -F json $Q" },
  { golden: "qstat_f_queued", setup: QUEUED, command: "@alice qstat -f $Q" },
  { golden: "qstat_f_json_user_hold", setup: [HELD], command: "@alice qstat -f -F json $H" },
  {
    golden: "qstat_f_running_after_qhold",
    setup: [RUNNING, "@alice qhold $J"],
    command: "@alice qstat -f $J",
  },
  { golden: "qstat_fw_running", setup: [RUNNING], command: "@alice qstat -fw $J" },
  {
    golden: "qstat_fx_after_qdel_x_running",
    setup: [RUNNING, "@alice qdel -x $J"],
    command: "@alice qstat -x $J",
  },
  {
    golden: "qstat_fx_json_depend_rejected",
    setup: ["D=@alice qsub -W depend=afterok:99999.vm jobs/short.sh"],
    command: "@alice qstat -fx -F json $D",
  },
  {
    golden: "qstat_fx_json_finished_ok",
    setup: ["F=@alice qsub jobs/short.sh", "advance 60"],
    command: "@alice qstat -fx -F json $F",
  },
  {
    golden: "qstat_fx_json_walltime_exceeded",
    setup: ["W=@alice qsub -l walltime=00:05:00 jobs/long.sh", "advance 400"],
    command: "@alice qstat -fx -F json $W",
  },
  {
    golden: "qstat_fx_walltime_exceeded",
    setup: ["W=@alice qsub -l walltime=00:05:00 jobs/long.sh", "advance 400"],
    command: "@alice qstat -fx $W",
  },
  {
    golden: "qstat_suspended",
    setup: [RUNNING, "@root qsig -s suspend $J"],
    command: "@alice qstat $J",
  },
  { golden: "qstat_x_f_json_all", setup: [...MIX, ...FINISHED] },
  { golden: "qstat_Q_with_resv", setup: RESV },
  {
    golden: "qsub_into_resv",
    setup: RESV,
    command: "@alice qsub -q $R_SHORT -l walltime=00:10:00 -N inresv jobs/short.sh",
  },
  {
    golden: "qsub_into_resv_too_long_accepted",
    setup: RESV,
    command: "@alice qsub -q $R_SHORT -l walltime=02:00:00 jobs/short.sh",
  },
  {
    golden: "qsub_depend_afterok",
    setup: [RUNNING],
    command: "@alice qsub -N dependent -W depend=afterok:$J jobs/short.sh",
  },
  { golden: "qsub_while_offline", setup: [OFF] },
  { golden: "pbsnodes_a_offline", setup: [OFF] },
  { golden: "pbsnodes_r_root", setup: [OFF] },
  { golden: "pbsnodes_C_root", setup: ['@root pbsnodes -C "disk" vm'] },
  { golden: "pbsnodes_l_after_clear", setup: [OFF, "@root pbsnodes -r vm"] },
  { golden: "pbsnodes_a_json_offline", setup: [RUNNING, OFF] },
  { golden: "pbsnodes_a_json_after_clear", setup: [RUNNING, OFF, "@root pbsnodes -r vm"] },
  { golden: "pbsnodes_av_json", setup: [RUNNING] },
  { golden: "pbsnodes_host_localhost_json", setup: [RUNNING] },
  { golden: "pbsnodes_a_json_with_resv", setup: [RUNNING, ...RESV] },
  { golden: "tracejob_alice", setup: FINISHED, command: "@alice tracejob $F" },
  { golden: "tracejob_n2", setup: FINISHED, command: "@root tracejob -n 2 $F" },
  { golden: "tracejob_short_id", setup: FINISHED, command: "@root tracejob $F_SEQ" },
  { golden: "tracejob_running_root", setup: [RUNNING], command: "@root tracejob $J" },
  { golden: "tracejob_array", setup: [ARR, "advance 5"], command: "@root tracejob $A" },
  { golden: "server_recovered_qstat_B", setup: ["@root qterm -t quick", "@root pbs_server"] },
  {
    golden: "qdel_finished_history_disabled",
    setup: [NO_HISTORY, ...FINISHED],
    command: "@alice qdel $F",
  },
  {
    golden: "qstat_f_finished_job_history_disabled",
    setup: [NO_HISTORY, ...FINISHED],
    command: "@alice qstat -f $F",
  },
  { golden: "qstat_x_f_json_history_disabled", setup: [NO_HISTORY] },
  {
    golden: "qstat_fx_after_qdel_x",
    setup: [...FINISHED, "@alice qdel -x $F"],
    command: "@alice qstat -fx $F",
  },
  { golden: "pbsnodes_aS_offline", setup: ['@root pbsnodes -o -C "disk replacement" vm'] },
  { golden: "pbsnodes_a_mom_down", setup: [RUNNING, "mom vm down"] },
  { golden: "pbsnodes_aS_mom_down", setup: [RUNNING, "mom vm down"] },
  { golden: "pbsnodes_a_json_mom_down", setup: [RUNNING, "mom vm down"] },
  { golden: "pbsnodes_a_json_mom_back", setup: [RUNNING, "mom vm down", "mom vm up"] },
  { golden: "pbsnodes_l_mom_down", setup: ["mom vm down"] },
  {
    golden: "qstat_s_mom_down",
    setup: [RUNNING, "mom vm down", "@alice qsub -N whiledown jobs/short.sh", "advance 1"],
  },
  { golden: "qsub_mom_down", setup: ["mom vm down"] },
  { golden: "qstat_after_mom_restart", setup: [RUNNING, "mom vm down", "mom vm up"] },
  { golden: "final_pbsnodes_a_json" },
  { golden: "pbsnodes_a_json_initial" },
  { golden: "pbs_rstat_F", setup: RESV2 },
  { golden: "pbs_rstat_S", setup: RESV2 },
  { golden: "pbs_rstat_after_rdel", setup: [...RESV2, "@alice pbs_rdel $S"] },
  { golden: "pbs_rstat_f_one", setup: RESV2, command: "@alice pbs_rstat -f $R" },
  { golden: "pbs_rstat_running", setup: [...RESV, "advance 1200"] },
  { golden: "qsub_empty_stdin_accepted", command: "@alice qsub <<< ''" },
  { golden: "qstat_f_json_in_resv", setup: IN_RESV, command: "@alice qstat -f -F json $Q" },
  {
    golden: "qstat_fx_json_job_in_resv",
    setup: [...IN_RESV, "advance 1200"],
    command: "@alice qstat -fx -F json $Q",
  },
  {
    golden: "qstat_s_resv_too_long",
    setup: [...RESV, "Q=@alice qsub -q $R_SHORT -l walltime=02:00:00 jobs/long.sh", "advance 1100"],
    command: "@alice qstat -s $Q",
  },
  { golden: "qsub_sigtrap" },
  { golden: "qsub_sigtrap2" },
  {
    golden: "qstat_f_json_queue_dest",
    setup: ["@alice qsub -q debug -l walltime=00:05:00 -N dbg jobs/long.sh"],
  },
  { golden: "server_unhung_qstat_B" }, // the server answers normally once SIGCONTed
  { golden: "qmgr_list_hook" }, // the pbs_cgroups hook every install ships, disabled
  {
    golden: "pbs_rsub_standing",
    command:
      "@alice env PBS_TZID=Etc/UTC pbs_rsub -R 202611240352 -D 00:10:00 -r 'FREQ=DAILY;COUNT=3' -l select=1:ncpus=1",
  },
  { golden: "pbs_rstat_after_standing", setup: [...RESV, STANDING, "advance 1200"] },
  {
    golden: "pbs_rstat_f_standing",
    setup: [STANDING, "advance 5"],
    command: "@alice pbs_rstat -f $T",
  },
  {
    // the replay cannot hold a raw newline: the -V value keeps `\n` and `\t` as text
    golden: "qsub_env_V_weird",
    command:
      "@alice env WEIRD=$'line1\\nline2\\ttab' UNI='héllo ✓' qsub -h -N envweird -V jobs/short.sh",
  },
  { golden: "qmgr_list_pbshook" }, // the three PBS hooks every install ships, disabled
  { golden: "qdel_bulk_2000", setup: BULK_HELD, command: `@alice qdel ${BULK_IDS}` },
  {
    golden: "qdel_x_bulk_2000",
    setup: [...BULK_HELD, `@alice qdel ${BULK_IDS}`],
    command: `@alice qdel -x ${BULK_IDS}`,
  },
  {
    golden: "qstat_f_env_escapes_text",
    setup: [
      "A=@alice qsub -h -N envbs -v 'BS=C:\\temp\\new' jobs/short.sh",
      `B=@alice qsub -h -N envcomma -v "COMMA='a,b',EMPTY=" jobs/short.sh`,
      "C=@alice env WEIRD=$'line1\\nline2\\ttab' UNI='héllo ✓' qsub -h -N envweird -V jobs/short.sh",
    ],
    command: "@alice qstat -f $A $B $C",
  },
  {
    golden: "pbs_rstat_f_running",
    setup: [...RESV, "advance 1200"],
    command: "@alice pbs_rstat -f $R",
  },
  {
    golden: "qstat_f_json_env_escapes",
    setup: [
      `Q=@alice qsub -h -N envquote -v 'Q=say "hi"' jobs/short.sh`,
      "A=@alice qsub -h -N envbs -v 'BS=C:\\temp\\new' jobs/short.sh",
      `B=@alice qsub -h -N envcomma -v "COMMA='a,b',EMPTY=" jobs/short.sh`,
      "C=@alice env WEIRD=$'line1\\nline2\\ttab' UNI='héllo ✓' qsub -h -N envweird -V jobs/short.sh",
    ],
    command: ["$Q", "$A", "$B", "$C"].map((id) => `@alice qstat -f -F json ${id}`),
  },
  // 2026-11-24 captures whose command needs no earlier state
  { golden: "final_pbsnodes_a" },
  { golden: "final_qmgr_print_server" },
  { golden: "final_qselect_empty" },
  { golden: "final_qstat_Bf_json" },
  { golden: "final_qstat_Q" },
  { golden: "final_qstat_Qf_json" },
  { golden: "final_qstat_empty" },
  { golden: "final_qstat_f_json_empty" },
  { golden: "final_qstat_x_f_json_empty" },
  { golden: "qsub_bob_workq" },
  { golden: "qsub_debug_held" },
  { golden: "qsub_debug_held_explicit" },
  { golden: "qsub_debug_queue" },
  { golden: "qsub_deferred" },
  { golden: "qsub_long_name" },
  { golden: "qsub_mem" },
  { golden: "qsub_multichunk" },
  { golden: "qsub_numeric_looking_values" },
  { golden: "qsub_order_a" },
  { golden: "qsub_order_b" },
  { golden: "qsub_private_queue_bob" },
  { golden: "qsub_route_queue" },
  { golden: "qsub_route_no_destination_accepted" },
  { golden: "qsub_stopped_queue" },
  { golden: "qsub_too_many_cpus" },
  { golden: "qsub_env_backslash" },
  { golden: "qsub_env_comma" },
  { golden: "qsub_env_quotes" },
  { golden: "qsub_fail_exit3" },
  { golden: "qsub_array_step" },
  { golden: "qsub_del_running_target" },
  { golden: "qsub_forcedel_target" },
  { golden: "qsub_rerun_target" },
  { golden: "qsub_sig_target" },
  { golden: "qsub_depend_unknown_job_accepted" },
  { golden: "pbs_rsub_duration" },
  { golden: "pbs_rsub_too_big" },
  { golden: "pbs_rsub_err_bad_resource" },
  { golden: "qmgr_list_resource" },
  { golden: "qmgr_list_resource_root" },
  { golden: "qmgr_list_sched" },
  { golden: "qmgr_list_server_root" },
  { golden: "qmgr_list_node_vm" },
  { golden: "qmgr_print_node_vm" },
  { golden: "qmgr_print_server" },
  { golden: "qmgr_print_server_root" },
  { golden: "qstat_Bf_json_root" },
  { golden: "qstat_Qf_json_route" },
  { golden: "qstat_Qf_json_workq" },
  { golden: "qstat_a_empty" },
  { golden: "qselect_none_match" },
  { golden: "pbsnodes_aF_dsv" },
  { golden: "pbsnodes_v_unknown_json" },
];

/**
 * Captures the simulator deliberately does not reproduce, with the reason
 * (sim/README.md "Goldens not reproduced" lists the same names).
 */
export const NOT_REPRODUCED: Record<string, string> = {
  ls_home_job_outputs: "ls of the user's home: the simulator writes no output files by default",
  cat_cmdform_echo_output: "cat of a job's output file: not a PBS command",
  qmgr_create_resource_filesystems:
    "qmgr resource administration: site resources are scenario configuration",
  qmgr_create_hook_require_fs: "qmgr hook administration: hooks are scenario configuration",
  qmgr_import_hook_require_fs: "qmgr import of a Python hook: the simulator runs no Python",
  qmgr_delete_hook_require_fs: "qmgr hook administration: hooks are scenario configuration",
  qmgr_delete_resource_in_use:
    "qmgr resource administration: site resources are scenario configuration",
  qmgr_delete_resource_history_job:
    "qmgr resource administration: site resources are scenario configuration",
  mom_restart:
    "starting the pbs_mom daemon is not a client command: the replay's `mom NODE up` stands for it",
  server_restart:
    "starting the pbs_server daemon prints the host's own messages (dataservice, OOM-killer warning)",
  server_hung_qstat:
    "a SIGSTOPped server is a fault of the runner seam (SimRunner faults), not a state to replay",
  server_hung_qsub:
    "a SIGSTOPped server is a fault of the runner seam (SimRunner faults), not a state to replay",
  tracejob_unknown:
    "the real log held other commands' requests naming that id; the simulator keeps no event log",
  qmgr_delete_resource_after_purge:
    "qmgr resource administration: site resources are scenario configuration",
};

/**
 * Client-side rules of the PBS commands that no capture shows, derived from
 * OpenPBS's client sources (the function is named in each case): which
 * values each client refuses before or at its request, with which message
 * and exit status, and what commands with several ids return when some
 * fail. Driven through argv on the golden scenario, as the MCP server would.
 */

import assert from "node:assert/strict";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { USAGE } from "../../sim/commands/usage.ts";

const LONG_NAME = "n".repeat(231);

/** A golden complex with alice's held jobs 0.vm and 1.vm (they stay queued). */
async function session() {
  const complex = createScenario("golden", { seed: 1 });
  const runner = new SimRunner({
    complex,
    user: "alice",
    files: {
      "a.sh": "sleep 5\n",
      "my~job.sh": "sleep 5\n",
      "bad_a.sh": "#!/bin/sh\n#PBS -a bogus\nsleep 5\n",
      "bad_option.sh": "#PBS -Z\nsleep 5\n",
      "bad_name.sh": "#PBS -N bad!name\nsleep 5\n",
      "prefixed.sh": "#!/bin/sh\n:\n#XX -N from_xx\n#PBS -N from_pbs\nsleep 5\n",
      "two_walltimes.sh": "#PBS -l walltime=00:01:00\n#PBS -l walltime=00:02:00\nsleep 5\n",
    },
  });
  const run = (argv: string[], env?: Record<string, string>) => runner.run(argv, { env });
  for (let i = 0; i < 2; i++) {
    const held = await run(["qsub", "-h", "a.sh"]);
    assert.equal(held.stdout, `${i}.vm\n`, held.stderr);
  }
  const job = async (id: string) => {
    const shown = await run(["qstat", "-f", "-F", "json", id]);
    assert.equal(shown.code, 0, shown.stderr);
    return JSON.parse(shown.stdout).Jobs[id];
  };
  return { complex, runner, run, job };
}

interface Case {
  /** What is checked, and the OpenPBS function it follows. */
  name: string;
  argv: string[];
  stderr: string;
  code: number;
  env?: Record<string, string>;
}

async function check(cases: Case[]) {
  for (const c of cases) {
    const { run } = await session();
    const result = await run(c.argv, c.env);
    assert.equal(result.stderr, c.stderr, `${c.name}: stderr of ${c.argv.join(" ")}`);
    assert.equal(result.code, c.code, `${c.name}: exit of ${c.argv.join(" ")}`);
  }
}

Deno.test("qdel: -W values and several ids (qdel.c main, group_jobs_by_cluster, process_deljobstat)", async (t) => {
  await t.step(
    "-W other than force, suppress_email=N or digits is refused with the usage",
    () =>
      check([
        {
          name: "qdel.c main",
          argv: ["qdel", "-W", "soon", "0"],
          stderr: "qdel: illegal -W value\n" + USAGE.qdel,
          code: 2,
        },
        {
          name: "qdel.c main: key other than suppress_email",
          argv: ["qdel", "-W", "mail=5", "0"],
          stderr: "qdel: illegal -W value\n" + USAGE.qdel,
          code: 2,
        },
      ]),
  );
  await t.step("-W suppress_email=N and a bare number are taken", async () => {
    const { run } = await session();
    const first = await run(["qdel", "-W", "suppress_email=5", "0"]);
    assert.equal(first.code, 0, first.stderr);
    const second = await run(["qdel", "-W", "30", "1"]);
    assert.equal(second.code, 0, second.stderr);
  });
  await t.step(
    "malformed ids are reported first; the exit is the last server refusal",
    async () => {
      const { run, job } = await session();
      const result = await run(["qdel", "99999", "bad!", "0"]);
      assert.equal(
        result.stderr,
        "qdel: illegally formed job identifier: bad!\nqdel: Unknown Job Id 99999.vm\n",
      );
      assert.equal(result.code, 15001 & 0xff);
      const deleted = await run(["qstat", "-fx", "-F", "json", "0"]);
      assert.equal(JSON.parse(deleted.stdout).Jobs["0.vm"].job_state, "F", "0.vm was deleted");
      assert.equal((await job("1.vm")).job_state, "H");
    },
  );
  await t.step("a malformed id alone among good ones makes the exit 1", async () => {
    const { run } = await session();
    const result = await run(["qdel", "0", "bad!"]);
    assert.equal(result.stderr, "qdel: illegally formed job identifier: bad!\n");
    assert.equal(result.code, 1);
  });
});

Deno.test("qhold/qrls: -h values and several ids (qhold.c, qrls.c main, verify_value_hold)", async (t) => {
  await t.step("qhold: an empty list is refused by the client itself", () =>
    check([{
      name: "qhold.c main",
      argv: ["qhold", "-h", " ", "bad!"],
      stderr: "qhold: illegal -h value\n" + USAGE.qhold,
      code: 2,
    }]));
  await t.step(
    "qhold: bad letters are refused at the first well-formed id, after malformed ones",
    () =>
      check([{
        name: "qhold.c handle_attribute_errors",
        argv: ["qhold", "-h", "z", "bad!", "0"],
        stderr: "qhold: illegally formed job identifier: bad!\nqhold: illegal -h value\n" +
          USAGE.qhold,
        code: 2,
      }, {
        name: "verify_value_hold: n and p stand alone",
        argv: ["qhold", "-h", "pu", "0"],
        stderr: "qhold: illegal -h value\n" + USAGE.qhold,
        code: 2,
      }]),
  );
  await t.step("qhold: a later success does not clear an earlier failure", async () => {
    const { run, job } = await session();
    await run(["qrls", "0"]);
    const result = await run(["qhold", "99999", "0"]);
    assert.equal(result.stderr, "qhold: Unknown Job Id 99999.vm\n");
    assert.equal(result.code, 15001 & 0xff);
    assert.equal((await job("0.vm")).Hold_Types, "u");
  });
  await t.step(
    "qrls: letters other than u/o/s/p/n, or n with others, are refused by the client",
    () =>
      check([
        {
          name: "qrls.c main",
          argv: ["qrls", "-h", "x", "0"],
          stderr: "qrls: illegal -h value\n" + USAGE.qrls,
          code: 2,
        },
        {
          name: "qrls.c main: n alone",
          argv: ["qrls", "-h", "nu", "0"],
          stderr: "qrls: illegal -h value\n" + USAGE.qrls,
          code: 2,
        },
      ]),
  );
  await t.step(
    "qrls: p with other letters passes the client, the library refuses each id",
    () =>
      check([{
        name: "verify_value_hold via pbs_rlsjob",
        argv: ["qrls", "-h", "pu", "0", "1"],
        stderr: "qrls: Illegal attribute or resource value 0.vm\n" +
          "qrls: Illegal attribute or resource value 1.vm\n",
        code: 15014 & 0xff,
      }]),
  );
});

Deno.test("qalter: client and library checks (qalter.c main, handle_attribute_errors)", async (t) => {
  await t.step("the client's own refusals are all printed, then the usage", () =>
    check([{
      name: "qalter.c main: -r y|n, -a cvtdate",
      argv: ["qalter", "-r", "x", "-a", "zz", "0"],
      stderr: "qalter: illegal -r value\nqalter: illegal -a value\n" + USAGE.qalter,
      code: 2,
    }, {
      name: "qalter.c main: -c u",
      argv: ["qalter", "-c", "u", "0"],
      stderr: "qalter: illegal -c value\n" + USAGE.qalter,
      code: 2,
    }, {
      name: "parse_equal_string: -W needs name=value",
      argv: ["qalter", "-W", "depend", "0"],
      stderr: "qalter: illegal -W value\n" + USAGE.qalter,
      code: 2,
    }, {
      name: "set_resources: trailing comma",
      argv: ["qalter", "-l", "walltime=10,", "0"],
      stderr: "qalter: illegal -l value\n" + USAGE.qalter,
      code: 2,
    }]));
  await t.step(
    "library refusals come at the first well-formed id, whether or not it exists",
    () =>
      check([{
        name: "verify_value_priority",
        argv: ["qalter", "-p", "5000", "bad!", "99999"],
        stderr: "qalter: illegally formed job identifier: bad!\nqalter: illegal -p value\n" +
          USAGE.qalter,
        code: 2,
      }, {
        name: "verify_value_resc: the message names the attribute and the job",
        argv: ["qalter", "-l", "walltime=xyz", "99999"],
        stderr: "qalter: Illegal attribute or resource value Resource_List.walltime 99999.vm\n",
        code: 15014 & 0xff,
      }, {
        name: "check_job_name: more than 230 characters",
        argv: ["qalter", "-N", LONG_NAME, "0"],
        stderr: "qalter: Job name is too long \n",
        code: 2,
      }, {
        name: "verify_value_jobname: letters, digits and -_+. only",
        argv: ["qalter", "-N", "a/b", "0"],
        stderr: "qalter: illegal -N value\n" + USAGE.qalter,
        code: 2,
      }, {
        name: "parse_depend_list: unknown type",
        argv: ["qalter", "-W", "depend=soon:0", "1"],
        stderr: "qalter: illegal -W value\n" + USAGE.qalter,
        code: 2,
      }, {
        name: "verify_keepfiles_common",
        argv: ["qalter", "-k", "on", "0"],
        stderr: "qalter: illegal -k value\n" + USAGE.qalter,
        code: 2,
      }]),
  );
  await t.step(
    "one unknown and one good id: the good one is altered, the exit is the failure's",
    async () => {
      const { run, job } = await session();
      const result = await run(["qalter", "-N", "renamed", "99999", "0"]);
      assert.equal(result.stderr, "qalter: Unknown Job Id 99999.vm\n");
      assert.equal(result.code, 15001 & 0xff);
      assert.equal((await job("0.vm")).Job_Name, "renamed");
    },
  );
  await t.step("a 230-character name is accepted", async () => {
    const { run, job } = await session();
    const result = await run(["qalter", "-N", LONG_NAME.slice(1), "0"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await job("0.vm")).Job_Name, LONG_NAME.slice(1));
  });
});

Deno.test("qmove: no options, a destination, several ids (qmove.c main, parse_destination_id)", async (t) => {
  await t.step("fewer than two operands, or a malformed destination", () =>
    check([
      { name: "qmove.c main", argv: ["qmove", "debug"], stderr: USAGE.qmove, code: 2 },
      {
        name: "parse_destination_id",
        argv: ["qmove", "bad queue", "0"],
        stderr: "qmove: illegally formed destination: bad queue\n",
        code: 2,
      },
      {
        name: "parse_destination_id: queue names at most 15 characters",
        argv: ["qmove", "q234567890123456", "0"],
        stderr: "qmove: illegally formed destination: q234567890123456\n",
        code: 2,
      },
    ]));
  await t.step("one unknown and one good id", async () => {
    const { run, job } = await session();
    const result = await run(["qmove", "debug", "99999", "bad!", "0"]);
    assert.equal(
      result.stderr,
      "qmove: Unknown Job Id 99999.vm\nqmove: illegally formed job identifier: bad!\n",
    );
    assert.equal(result.code, 1, "the last failure (the malformed id) decides");
    assert.equal((await job("0.vm")).queue, "debug");
  });
});

Deno.test("qsub: process_opts rules, directives, library checks (qsub.c)", async (t) => {
  const usage = USAGE.qsub;
  await t.step("option conflicts process_opts refuses", () =>
    check([
      {
        name: "process_opts: -J with -r n",
        argv: ["qsub", "-J", "1-3", "-r", "n", "a.sh"],
        stderr: "qsub:  cannot submit non-rerunable Array Job\n" + usage,
        code: 2,
      },
      {
        name: "process_opts: -r n before -J",
        argv: ["qsub", "-r", "n", "-J", "1-3", "a.sh"],
        stderr: "qsub:  cannot submit non-rerunable Array Job\n" + usage,
        code: 2,
      },
      {
        name: "process_opts: mail point j without -J (exit 1, no usage)",
        argv: ["qsub", "-m", "abj", "a.sh"],
        stderr: "qsub: mail option 'j' can not be used without array job\n",
        code: 1,
      },
      {
        name: "process_opts: -X needs DISPLAY",
        argv: ["qsub", "-X", "a.sh"],
        stderr: "qsub: DISPLAY not set\n" + usage,
        code: 2,
      },
      {
        name: "process_opts: -X needs -I",
        argv: ["qsub", "-X", "a.sh"],
        env: { DISPLAY: ":0" },
        stderr: "qsub: X11 Forwarding possible only for interactive jobs\n",
        code: 1,
      },
      {
        name: "process_opts: every complaint, then the usage",
        argv: ["qsub", "-a", "bogus", "-r", "q", "a.sh"],
        stderr: "qsub: illegal -a value\nqsub: illegal -r value\n" + usage,
        code: 2,
      },
      {
        name: "process_opts: -W block is true or false",
        argv: ["qsub", "-W", "block=maybe", "a.sh"],
        stderr: "qsub: illegal -W value\n" + usage,
        code: 2,
      },
      {
        name: "process_opts: one max_run_subjobs",
        argv: ["qsub", "-J", "1-4%2", "-W", "max_run_subjobs=3", "a.sh"],
        stderr: "qsub: multiple max_run_subjobs values found\n" + usage,
        code: 2,
      },
      {
        name: "main: a script is the last word",
        argv: ["qsub", "a.sh", "extra"],
        stderr: usage,
        code: 2,
      },
    ]));
  await t.step("-l as set_resources and pbs_quote_parse read it", () =>
    check([
      {
        name: "set_resources: empty name",
        argv: ["qsub", "-l", ",ncpus=1", "a.sh"],
        stderr: "qsub: illegal -l value\n" + usage,
        code: 2,
      },
      {
        name: "pbs_prt_parse_err: illegal character",
        argv: ["qsub", "-l", "select=1&2", "a.sh"],
        stderr: "qsub: illegal -l value\n illegal character:\nselect=1&2\n        ^\n" + usage,
        code: 2,
      },
      {
        name: "pbs_prt_parse_err: no closing quote",
        argv: ["qsub", "-l", "software='x", "a.sh"],
        stderr: "qsub: illegal -l value\n no closing quote:\nsoftware='x\n           ^\n" +
          usage,
        code: 2,
      },
    ]));
  await t.step("directives: each line parsed alone; a bad one is a directive error", () =>
    check([
      {
        name: "do_dir: the complaint, then the line",
        argv: ["qsub", "bad_a.sh"],
        stderr: "qsub: illegal -a value\nqsub: directive error: -a bogus \n",
        code: 1,
      },
      {
        name: "do_dir: getopt's complaint",
        argv: ["qsub", "bad_option.sh"],
        stderr: "qsub: invalid option -- 'Z'\nqsub: directive error: -Z \n",
        code: 1,
      },
      {
        name: "handle_attribute_errors: a directive's bad name",
        argv: ["qsub", "bad_name.sh"],
        stderr: "qsub: illegal -N value\n" + usage,
        code: 2,
      },
    ]));
  await t.step("the command line wins: a directive it overrides is not even checked", async () => {
    const { run, job } = await session();
    const result = await run(["qsub", "-N", "over", "bad_name.sh"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await job(result.stdout.trim())).Job_Name, "over");
  });
  await t.step(
    "library checks (handle_attribute_errors), after the script and destination",
    () =>
      check([
        {
          name: "read_job_script: the script's base name is checked as a name",
          argv: ["qsub", "my~job.sh"],
          stderr: "qsub: illegal -N value\n" + usage,
          code: 2,
        },
        {
          name: "check_job_name: too long (no usage)",
          argv: ["qsub", "-N", LONG_NAME, "a.sh"],
          stderr: "qsub: Job name is too long \n",
          code: 2,
        },
        {
          name: "verify_keepfiles_common",
          argv: ["qsub", "-k", "x", "a.sh"],
          stderr: "qsub: illegal -k value\n" + usage,
          code: 2,
        },
        {
          name: "chk_Jrange: start below end",
          argv: ["qsub", "-J", "5-1", "a.sh"],
          stderr: "qsub: illegal -J value\n" + usage,
          code: 2,
        },
        {
          name: "parse_at_list: one entry per host",
          argv: ["qsub", "-u", "alice,bob", "a.sh"],
          stderr: "qsub: illegal -u value\n" + usage,
          code: 2,
        },
        {
          name: "verify_value_mailpoints",
          argv: ["qsub", "-m", "x", "a.sh"],
          stderr: "qsub: illegal -m value\n" + usage,
          code: 2,
        },
        {
          name: "verify_value_checkpoint",
          argv: ["qsub", "-c", "x=5", "a.sh"],
          stderr: "qsub: illegal -c value\n" + usage,
          code: 2,
        },
        {
          name: "the script is read before the library checks",
          argv: ["qsub", "-k", "x", "missing.sh"],
          stderr: "qsub: script file:: No such file or directory\n",
          code: 1,
        },
        {
          name: "parse_destination_id",
          argv: ["qsub", "-q", "bad queue", "a.sh"],
          stderr: "qsub: illegally formed destination: bad queue\n",
          code: 2,
        },
      ]),
  );
});

Deno.test("qstat: option rules of qstat.c main", () =>
  check([
    {
      name: "one of -a/-i/-r/-q/-H",
      argv: ["qstat", "-a", "-i"],
      stderr: "qstat: conflicting options.\n" + USAGE.qstat,
      code: 2,
    },
    {
      name: "-F names a format (no message)",
      argv: ["qstat", "-f", "-F", "xml"],
      stderr: USAGE.qstat,
      code: 2,
    },
    {
      name: "-D only after -F dsv",
      argv: ["qstat", "-f", "-D", ",", "-F", "dsv"],
      stderr: USAGE.qstat,
      code: 2,
    },
    {
      name: "-w with -F: both rules",
      argv: ["qstat", "-f", "-F", "json", "-w"],
      stderr: "qstat: conflicting options.\nqstat: option w cannot be used with -F\n" +
        USAGE.qstat,
      code: 2,
    },
    {
      name: "-F needs -f, also with -Q",
      argv: ["qstat", "-Q", "-F", "json"],
      stderr: "qstat: conflicting options.\n" + USAGE.qstat,
      code: 2,
    },
    {
      name: "a later -n turns -f off (f_opt), so -F conflicts",
      argv: ["qstat", "-f", "-F", "json", "-n"],
      stderr: "qstat: conflicting options.\n" + USAGE.qstat,
      code: 2,
    },
    {
      name: "-1 only with -n or -s",
      argv: ["qstat", "-1"],
      stderr: "qstat: conflicting options.\n" + USAGE.qstat,
      code: 2,
    },
    {
      name: "-B after an alternative display",
      argv: ["qstat", "-a", "-B"],
      stderr: "qstat: conflicting options.\n" + USAGE.qstat,
      code: 2,
    },
    {
      name: "-W letters",
      argv: ["qstat", "-Wz"],
      stderr: USAGE.qstat,
      code: 2,
    },
    {
      name: "no -S option",
      argv: ["qstat", "-S"],
      stderr: "qstat: invalid option -- 'S'\n" + USAGE.qstat,
      code: 2,
    },
  ]));

Deno.test("qstat -Wa answers like -a; -F is case-blind", async () => {
  const { run } = await session();
  const plain = await run(["qstat", "-a"]);
  const viaW = await run(["qstat", "-Wa"]);
  assert.equal(viaW.code, 0, viaW.stderr);
  assert.equal(viaW.stdout.replace(/\d\d:\d\d/g, ""), plain.stdout.replace(/\d\d:\d\d/g, ""));
  const json = await run(["qstat", "-f", "-F", "JSON", "0"]);
  assert.equal(json.code, 0, json.stderr);
  assert.ok(JSON.parse(json.stdout).Jobs["0.vm"]);
});

Deno.test("qselect: option rules (qselect.c main, check_op, check_res_op, handle_attribute_errors)", async (t) => {
  const usage = USAGE.qselect;
  await t.step("refusals", () =>
    check([
      {
        name: "check_res_op: the rest of the list from the bad item",
        argv: ["qselect", "-l", "ncpus.gt.1,bad"],
        stderr: "qselect: illegal -l value\nresource_list: bad\n" + usage,
        code: 2,
      },
      {
        name: "get_tsubopt",
        argv: ["qselect", "-t", "z.gt.1200"],
        stderr: "qselect: illegal -t value\n" + usage,
        code: 2,
      },
      { name: "main: no operands", argv: ["qselect", "0"], stderr: usage, code: 2 },
      {
        name: "parse_destination_id",
        argv: ["qselect", "-q", "bad queue"],
        stderr: "qselect: illegally formed destination: bad queue\n",
        code: 2,
      },
      {
        name: "verify_value_state",
        argv: ["qselect", "-s", "Z"],
        stderr: "qselect: illegal -s value\n" + usage,
        code: 2,
      },
      {
        name: "-p must be an integer; no usage",
        argv: ["qselect", "-p", "abc"],
        stderr: "qselect: Illegal attribute or resource value\n",
        code: 15014 & 0xff,
      },
      {
        name: "resource values are typed",
        argv: ["qselect", "-l", "walltime.gt.abc"],
        stderr: "qselect: Illegal attribute or resource value Resource_List.walltime\n",
        code: 15014 & 0xff,
      },
      {
        name: "set_attrop builds the list backwards: the last bad option is named",
        argv: ["qselect", "-h", "z", "-N", "a b"],
        stderr: "qselect: illegal -N value\n" + usage,
        code: 2,
      },
    ]));
  await t.step("check_op: a .op. prefix is taken off the value", async () => {
    const { run } = await session();
    const result = await run(["qselect", "-s", ".eq.H"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "0.vm\n1.vm\n");
  });
});

Deno.test("reservations: pbs_rsub, pbs_rstat, pbs_rdel, pbs_ralter rules", async (t) => {
  await t.step("refusals", () =>
    check([
      {
        name: "pbs_rsub process_opts: -q @server, -I an integer",
        argv: ["pbs_rsub", "-q", "x", "-I", "zz", "-D", "1:00"],
        stderr: 'pbs_rsub: illegal -q value: format "@server"\npbs_rsub: illegal -I time value\n' +
          USAGE.pbs_rsub,
        code: 2,
      },
      {
        name: "pbs_rsub process_opts: operands are a directive error",
        argv: ["pbs_rsub", "-D", "1:00", "extra"],
        stderr: "pbs_rsub: directive error: -D 1:00 extra \n" + USAGE.pbs_rsub,
        code: 2,
      },
      {
        name: "pbs_rsub: -D becomes walltime, checked as a resource",
        argv: ["pbs_rsub", "-D", "abc"],
        stderr: "pbs_rsub: Illegal attribute or resource value Resource_List.walltime\n",
        code: 15014 & 0xff,
      },
      {
        name: "verify_value_mailpoints for reservations",
        argv: ["pbs_rsub", "-D", "1:00", "-m", "j"],
        stderr: "pbs_rsub: illegal -m value\n" + USAGE.pbs_rsub,
        code: 2,
      },
      {
        name: "pbs_rsub handle_attribute_errors: name too long",
        argv: ["pbs_rsub", "-D", "1:00", "-N", LONG_NAME],
        stderr: "pbs_rsub: Reservation name is too long \n",
        code: 2,
      },
      {
        name: "pbs_rstat main: malformed id exits 1, unknown one does not",
        argv: ["pbs_rstat", "bad!", "R999"],
        stderr: "pbs_rstat: illegally formed reservation identifier: bad!\n" +
          "pbs_rstat: Unknown Reservation Id\n",
        code: 1,
      },
      {
        name: "pbs_rdel main: -q not empty",
        argv: ["pbs_rdel", "-q", "", "R1"],
        stderr: "pbs_rdel: illegal -q value\n" + USAGE.pbs_rdel,
        code: 2,
      },
      {
        name: "pbs_rdel main: the last failure decides",
        argv: ["pbs_rdel", "R999", "bad!"],
        stderr: "pbs_rdel: Unknown Reservation Id R999.vm\n" +
          "pbs_rdel: illegally formed reservation identifier: bad!\n",
        code: 1,
      },
      {
        name: "pbs_ralter process_opts: -l select only, -W force only",
        argv: ["pbs_ralter", "-l", "ncpus=2", "-W", "now", "R1"],
        stderr: "pbs_ralter -l only allows for select\npbs_ralter: illegal -W value\n" +
          USAGE.pbs_ralter,
        code: 2,
      },
      {
        name: "pbs_ralter process_opts: -W force needs -R, -E or -D",
        argv: ["pbs_ralter", "-W", "force", "R1"],
        stderr: "pbs_ralter: No support for requested service\n" + USAGE.pbs_ralter,
        code: 2,
      },
      {
        name: "pbs_ralter handle_attribute_errors: -D a duration",
        argv: ["pbs_ralter", "-D", "soon", "R1"],
        stderr: "pbs_ralter: illegal -D value\n" + USAGE.pbs_ralter,
        code: 2,
      },
      {
        name: "pbs_ralter main: malformed id",
        argv: ["pbs_ralter", "-D", "1:00:00", "bad!"],
        stderr: "pbs_ralter: illegally formed reservation identifier: bad!\n",
        code: 2,
      },
    ]));
  await t.step("pbs_rstat: the last of -f/-F/-B/-S decides", async () => {
    const { run } = await session();
    const made = await run(["pbs_rsub", "-R", "2359", "-D", "00:10:00"]);
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.split(" ")[0];
    const names = await run(["pbs_rstat", "-f", "-B"]);
    assert.equal(names.stdout, `Resv ID: ${id}\n`);
    const full = await run(["pbs_rstat", "-B", "-f"]);
    assert.match(full.stdout, /reserve_start = /);
  });
});

Deno.test("pbsnodes -q: no usage text (pbsnodes.c main)", () =>
  check([{ name: "pbsnodes.c main", argv: ["pbsnodes", "-q", "-l", "vm"], stderr: "", code: 1 }]));

Deno.test("qrerun -W takes only force (qrerun.c main)", () =>
  check([{
    name: "qrerun.c main",
    argv: ["qrerun", "-W", "now", "0"],
    stderr: USAGE.qrerun,
    code: 2,
  }]));

Deno.test("job ids as parse_jobid reads them: leading blanks and @server", async () => {
  const { run, job } = await session();
  const result = await run(["qrls", " 0", "1.vm@vm"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((await job("0.vm")).Hold_Types, "n");
  assert.equal((await job("1.vm")).Hold_Types, "n");
});

Deno.test("qrun and qorder (qrun.c main, execute; qorder.c main)", () =>
  check([
    {
      name: "qrun.c main: empty -H, usage exits 1",
      argv: ["qrun", "-H", "", "0"],
      stderr: "qrun: illegal -H value\n" + USAGE.qrun,
      code: 1,
    },
    { name: "qrun.c main: no id", argv: ["qrun"], stderr: USAGE.qrun, code: 1 },
    {
      name: "qrun.c main: a malformed id alone exits 1",
      argv: ["qrun", "bad!"],
      stderr: "qrun: illegally formed job identifier: bad!\n",
      code: 1,
    },
    {
      name: "qrun.c execute: a refused run exits 2",
      argv: ["qrun", "bad!", "99999"],
      stderr: "qrun: illegally formed job identifier: bad!\nqrun: Unknown Job Id 99999.vm\n",
      code: 2,
    },
    {
      name: "qorder.c main: no options, a dash word is an id",
      argv: ["qorder", "-x", "0"],
      stderr: "qorder: illegally formed job identifier: -x\n",
      code: 1,
    },
  ]));

Deno.test("qstat operands: pbs_isjobid, parse_destination_id (qstat.c main)", async () => {
  await check([
    {
      name: "parse_destination_id for job listings",
      argv: ["qstat", "bad queue"],
      stderr: "qstat: illegally formed destination: bad queue\n",
      code: 1,
    },
    {
      name: "parse_destination_id for -Q",
      argv: ["qstat", "-Q", "bad queue"],
      stderr: "qstat: illegal 'destination' value\n",
      code: 1,
    },
  ]);
  const { run } = await session();
  const padded = await run(["qstat", " 0"]);
  assert.equal(padded.code, 0, padded.stderr);
  assert.match(padded.stdout, /^0\.vm /m);
});

Deno.test("server down: each id connects on its own (qhold.c main; qdel.c group_jobs_by_cluster)", async () => {
  const { complex, run } = await session();
  complex.server.up = false;
  const refused = "Connection refused\nqhold: cannot connect to server vm (errno=15010)\n";
  const held = await run(["qhold", "0", "bad!", "1"]);
  assert.equal(
    held.stderr,
    refused + "qhold: illegally formed job identifier: bad!\n" + refused,
  );
  assert.equal(held.code, 15010 & 0xff);
  const deleted = await run(["qdel", "0", "bad!"]);
  assert.equal(
    deleted.stderr,
    "qdel: illegally formed job identifier: bad!\n" +
      "Connection refused\nCouldn't connect to cluster: vm\n",
  );
  assert.equal(deleted.code, 15010 & 0xff);
});

Deno.test("qsub -v: a bare name must be in the environment (qsub.c expand_varlist)", async () => {
  await check([{
    name: "expand_varlist",
    argv: ["qsub", "-v", "NOT_SET_ANYWHERE", "a.sh"],
    stderr: "qsub: cannot send environment with the job\n",
    code: 1,
  }]);
  const { run, job } = await session();
  const result = await run(["qsub", "-v", "PBS_O_FAKE,MINE", "a.sh"], { MINE: "x" });
  assert.equal(result.code, 0, result.stderr);
  const variables = (await job(result.stdout.trim())).Variable_List;
  assert.equal(variables.MINE, "x");
  assert.equal(variables.PBS_O_FAKE, undefined, "a bare PBS_O_ name is left out");
});

Deno.test("qterm: usage exits 1 (qterm.c main)", () =>
  check([
    { name: "-t names a manner", argv: ["qterm", "-t", "soon"], stderr: USAGE.qterm, code: 1 },
    { name: "-i not after -f", argv: ["qterm", "-f", "-i"], stderr: USAGE.qterm, code: 1 },
    {
      name: "unknown option",
      argv: ["qterm", "-x"],
      stderr: "qterm: invalid option -- 'x'\n" + USAGE.qterm,
      code: 1,
    },
  ]));

Deno.test("qsub directive prefix: -C, else PBS_DPREFIX, else #PBS (set_dir_prefix, pbs_ispbsdir)", async () => {
  const { run, job } = await session();
  const name = async (argv: string[], env?: Record<string, string>) => {
    const result = await run(["qsub", ...argv, "prefixed.sh"], env);
    assert.equal(result.code, 0, result.stderr);
    return (await job(result.stdout.trim())).Job_Name;
  };
  assert.equal(await name([]), "from_pbs", "`:` and `#!` lines do not end the directives");
  assert.equal(await name(["-C", "#XX"]), "from_xx");
  assert.equal(await name([], { PBS_DPREFIX: "#XX" }), "from_xx");
  assert.equal(await name(["-C", ""]), "prefixed.sh", "an empty prefix reads no directives");
});

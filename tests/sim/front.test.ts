/**
 * The simulator's front on hand-made data: formatters byte-for-byte against
 * OpenPBS goldens, JSON type inference, getopt, error lines.
 */

import assert from "node:assert/strict";
import { golden, goldenNames } from "../golden.ts";
import { attrsFromJson, parseFullText } from "./front_helpers.ts";
import { nodeText, qmgrListText, qstatDsv, qstatFullText } from "../../sim/format/text.ts";
import { nodeJson, qstatJson } from "../../sim/format/attrs.ts";
import { formatCjsonNumber, inferJson, num, obj, printJson, str } from "../../sim/format/json.ts";
import {
  nodeSummaryTable,
  qstatAltTable,
  qstatDefaultTable,
  queueSummaryTable,
  summariseNode,
} from "../../sim/format/tables.ts";
import { getopt } from "../../sim/argv.ts";
import { exitCodeOf, jobOpLine, serverDownOutput } from "../../sim/errno.ts";
import { type AttrList, PBSE, SimError } from "../../sim/model.ts";
import { splitWords } from "../../sim/shellwords.ts";
import { parsePbsDate } from "../../sim/pbsdate.ts";
import { parseVariableList } from "../../sim/commands/qsub.ts";

function jsonGolden(name: string) {
  return JSON.parse(golden(name).stdout);
}

function runningJobAttrs(): AttrList {
  return attrsFromJson(jsonGolden("qstat_f_json_one").Jobs["2.vm"]);
}

Deno.test("qstat -f text", async (t) => {
  await t.step("a job rebuilt from JSON prints exactly like qstat_f_running", () => {
    assert.equal(
      qstatFullText("Job Id: 2.vm", runningJobAttrs(), false),
      golden("qstat_f_running").stdout,
    );
  });

  const textGoldens = goldenNames("qstat_").filter((name) => {
    const g = golden(name);
    // qstat_f_env_escapes_text holds a raw newline inside a value; real qstat's
    // column count after it is not what prt_attr's arithmetic gives (see README).
    return g.meta.exit_code === 0 && /^(Job Id|Queue|Server): /.test(g.stdout) &&
      !g.meta.command.includes("-F") && name !== "qstat_f_env_escapes_text";
  });
  await t.step(`wrapping round-trips on ${textGoldens.length} -f goldens`, () => {
    assert.ok(textGoldens.length >= 15);
    for (const name of textGoldens) {
      const g = golden(name);
      const wide = /-\w*w/.test(g.meta.command);
      const rendered = parseFullText(g.stdout).map((b) => qstatFullText(b.header, b.attrs, wide))
        .join("");
      assert.equal(rendered, g.stdout, name);
    }
  });

  await t.step("-w prints one line per attribute", () => {
    const text = qstatFullText("Job Id: 2.vm", runningJobAttrs(), true);
    assert.ok(
      text.includes(
        "    Submit_arguments = -N analysis1 -q workq -l walltime=00:30:00 -l select=1:ncpus=2 -A acct123 jobs/long.sh\n",
      ),
    );
    assert.ok(!text.includes("\n\t"));
  });
});

Deno.test("qstat -F dsv matches qstat_f_dsv and -D", () => {
  // Same job, captured 23 s later: only the used walltime and mtime moved.
  const later: Record<string, string> = {
    "resources_used.walltime": "00:00:57",
    mtime: "Tue Nov 24 02:45:27 2026",
  };
  const attrs = runningJobAttrs().map((a) => {
    const label = a.resource ? `${a.name}.${a.resource}` : a.name;
    return label in later ? { ...a, value: { kind: "str" as const, value: later[label] } } : a;
  });
  assert.equal(qstatDsv("Job Id: 2.vm", attrs, "|"), golden("qstat_f_dsv").stdout);
  const delimited = qstatDsv("Job Id: 2.vm", attrs, "#");
  assert.ok(delimited.startsWith("Job Id: 2.vm#Job_Name=analysis1#Job_Owner=alice@localhost#"));
});

Deno.test("JSON writer", async (t) => {
  await t.step("master envelope and job match qstat_f_json_one byte for byte", () => {
    const g = jsonGolden("qstat_f_json_one");
    const doc = obj([
      ["timestamp", num(g.timestamp)],
      ["pbs_version", str("23.06.06")],
      ["pbs_server", str("vm")],
      ["Jobs", obj([["2.vm", qstatJson(runningJobAttrs())]])],
    ]);
    assert.equal(printJson(doc), golden("qstat_f_json_one").stdout);
  });

  await t.step("queues and server JSON round-trip (Qf, Bf)", () => {
    for (const [name, key] of [["qstat_Qf_json", "Queue"], ["qstat_Bf_json", "Server"]] as const) {
      const g = jsonGolden(name);
      const section = obj(
        Object.entries(g[key]).map(([id, o]) => [id, qstatJson(attrsFromJson(o as never))]),
      );
      const doc = obj([
        ["timestamp", num(g.timestamp)],
        ["pbs_version", str(g.pbs_version)],
        ["pbs_server", str(g.pbs_server)],
        [key, section],
      ]);
      assert.equal(printJson(doc), golden(name).stdout, name);
    }
  });

  await t.step(
    "empty objects and arrays print like cJSON (final_pbsnodes_a_json, pbsnodes jobs)",
    () => {
      const g = jsonGolden("pbsnodes_a_json_with_resv");
      const node = nodeJson(attrsFromJson(g.nodes.vm));
      const doc = obj([
        ["timestamp", num(g.timestamp)],
        ["pbs_version", str(g.pbs_version)],
        ["pbs_server", str(g.pbs_server)],
        ["nodes", obj([["vm", node]])],
      ]);
      assert.equal(printJson(doc), golden("pbsnodes_a_json_with_resv").stdout);
      assert.ok(
        golden("final_pbsnodes_a_json").stdout.includes('"resources_assigned":\t{\n\t\t\t},'),
      );
      assert.equal(printJson(obj([["a", obj()]])), '{\n\t"a":\t{\n\t}\n}\n');
    },
  );

  await t.step("Variable_List type inference follows INDEX §3", () => {
    const cases: Array<[string, string]> = [
      ["0", "0"],
      ["01234", "1234"],
      ["1e5", "100000"],
      ["3.50", "3.5"],
      ["-7", "-7"],
      ["123456789012345678901234567890", "1.2345678901234568e+29"],
      ["true", "true"],
      [" 42", "42"],
      ["inf", '"inf"'],
      ["nan", '"nan"'],
      ["0x10", '"0x10"'],
      ["", '""'],
      ["1.2.3", '"1.2.3"'],
      ["say hi", '"say hi"'],
    ];
    for (const [input, expected] of cases) {
      assert.equal(printJson(inferJson(input)).trimEnd(), expected, input);
    }
  });

  await t.step("numeric-looking job equals qstat_f_json_numeric_looking's Variable_List", () => {
    const g = jsonGolden("qstat_f_json_numeric_looking");
    const job = g.Jobs["2055.vm"];
    const given =
      "ZIP=01234,EXP=1e5,HEX=0x10,FLT=3.50,NEG=-7,BIG=123456789012345678901234567890,INF=inf,NAN=nan,TRUE=true,SP= 42";
    const vars = given.split(",").map((kv) => kv.split("=") as [string, string]);
    const rendered = JSON.parse(
      printJson(qstatJson([{ name: "Variable_List", value: { kind: "vars", value: vars } }])),
    );
    for (const [k] of vars) assert.deepEqual(rendered.Variable_List[k], job.Variable_List[k], k);
  });

  await t.step("cJSON number formatting", () => {
    assert.equal(formatCjsonNumber(1e15), "1e+15");
    assert.equal(formatCjsonNumber(2147483647), "2147483647");
    assert.equal(formatCjsonNumber(3000000000), "3000000000");
    assert.equal(formatCjsonNumber(0.1 + 0.2), "0.30000000000000004");
    assert.equal(formatCjsonNumber(Infinity), "null");
  });

  await t.step("release flavour emits raw numbers and swallows after empty values", () => {
    const vars: Array<[string, string]> = [["EMPTY", ""], ["NEXT", "x"], ["INF", "inf"], [
      "ZIP",
      "01234",
    ]];
    const text = printJson(
      qstatJson([{ name: "Variable_List", value: { kind: "vars", value: vars } }], "release"),
    );
    assert.ok(text.includes('"EMPTY":\t",NEXT=x"'));
    assert.ok(!text.includes('"NEXT"'));
    assert.ok(text.includes('"INF":\tinf'));
    assert.ok(text.includes('"ZIP":\t"01234"'));
  });
});

Deno.test("tables", async (t) => {
  const longName: AttrList = [
    { name: "Job_Name", value: { kind: "str", value: "averyveryverylongjobname_abcdefghij" } },
    { name: "Job_Owner", value: { kind: "str", value: "alice@localhost" } },
    { name: "job_state", value: { kind: "str", value: "H" } },
    { name: "queue", value: { kind: "str", value: "workq" } },
    { name: "Resource_List", resource: "ncpus", value: { kind: "int", value: 1 } },
    { name: "Resource_List", resource: "nodect", value: { kind: "int", value: 1 } },
  ];
  const rows = [{ id: "2064.vm", attrs: longName }];

  await t.step("default, -w and -a truncate names like the goldens", () => {
    assert.equal(qstatDefaultTable(rows, false), golden("qstat_long_name_truncated").stdout);
    assert.equal(qstatDefaultTable(rows, true), golden("qstat_w_long_name").stdout);
    const alt = { wide: false, nodes: false, comments: false, server: "vm" };
    assert.equal(qstatAltTable(rows, alt), golden("qstat_a_long_name_truncated").stdout);
  });

  await t.step(
    "a running job's rows match qstat_plain / qstat_a / qstat_an / qstat_as lines",
    () => {
      const running = [{ id: "2.vm", attrs: runningJobAttrs() }];
      assert.equal(
        qstatDefaultTable(running, false).split("\n")[2],
        golden("qstat_plain").stdout.split("\n")[2],
      );
      const a = qstatAltTable(running, { wide: false, nodes: true, comments: true, server: "vm" })
        .split("\n");
      const an = golden("qstat_an").stdout.split("\n");
      const as = golden("qstat_as").stdout.split("\n");
      assert.deepEqual(a.slice(0, 7), an.slice(0, 7));
      assert.equal(a[7], as[6]);
      const aw = qstatAltTable(running, { wide: true, nodes: false, comments: false, server: "vm" })
        .split("\n");
      assert.deepEqual(aw.slice(0, 6), golden("qstat_aw").stdout.split("\n").slice(0, 6));
    },
  );

  await t.step("empty input prints nothing (qstat_empty)", () => {
    assert.equal(qstatDefaultTable([], false), golden("qstat_empty").stdout);
  });

  await t.step("qstat -Q rows from queue attributes", () => {
    const blocks = parseFullText(golden("qstat_Qf").stdout);
    const table = queueSummaryTable(
      blocks.map((b) => ({ name: b.header.slice("Queue: ".length), attrs: b.attrs })),
    );
    assert.equal(table, golden("qstat_Q").stdout);
  });

  await t.step("pbsnodes -aS / -aSj / text", () => {
    const attrs = attrsFromJson(jsonGolden("pbsnodes_a_json").nodes.vm);
    const summary = summariseNode("vm", attrs);
    const header = golden("pbsnodes_aS").stdout.split("\n").slice(0, 2);
    assert.deepEqual(nodeSummaryTable([summary], false, "vm").split("\n").slice(0, 2), header);
    assert.equal(
      nodeSummaryTable([summary], true, "vm").split("\n").slice(0, 3).join("\n"),
      golden("pbsnodes_aSj").stdout.split("\n").slice(0, 3).join("\n"),
    );
    const text = nodeText("vm", attrsFromJson(jsonGolden("final_pbsnodes_a_json").nodes.vm));
    assert.ok(text.startsWith("vm\n     Mom = localhost\n     ntype = PBS\n"));
    assert.match(text, /last_state_change_time = \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
  });

  await t.step("qmgr list wraps the jobs list like qmgr_list_node_vm", () => {
    const jobs = "2.vm/1, 2.vm/2, 5[1].vm/3, 5[2].vm/4, 5[3].vm/5, 31.vm/6, 12.vm/7, 11.vm/10";
    const text = qmgrListText("Node", "vm", [{
      name: "jobs",
      value: { kind: "str", value: jobs },
    }]);
    const expected = golden("qmgr_list_node_vm").stdout.split("\n").slice(5, 8).join("\n");
    assert.equal(text.split("\n").slice(1, 4).join("\n"), expected);
  });
});

Deno.test("getopt", async (t) => {
  await t.step("clusters, attached and separate arguments, permutation", () => {
    const parsed = getopt(["-fx", "-Fjson", "2.vm", "-D", "#"], "fxF:D:");
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.options.map((o) => [o.letter, o.arg]), [
      ["f", undefined],
      ["x", undefined],
      ["F", "json"],
      ["D", "#"],
    ]);
    assert.deepEqual(parsed.operands, ["2.vm"]);
  });
  await t.step("`+` stops at the first operand; `--` ends options", () => {
    const parsed = getopt(["-N", "x", "script.sh", "-h"], "+N:h");
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.operands, ["script.sh", "-h"]);
    const dashed = getopt(["-N", "x", "--", "/bin/sleep", "2"], "+N:");
    assert.ok(dashed.ok);
    assert.deepEqual(dashed.operands, ["/bin/sleep", "2"]);
  });
  await t.step("glibc's messages", () => {
    assert.deepEqual(getopt(["-Z"], "f"), { ok: false, message: "invalid option -- 'Z'" });
    assert.deepEqual(getopt(["-F"], "F:"), {
      ok: false,
      message: "option requires an argument -- 'F'",
    });
  });
});

Deno.test("error lines and exit codes", () => {
  assert.equal(
    jobOpLine("qdel", new SimError(PBSE.PERM), "12.vm"),
    "qdel: Unauthorized Request  12.vm\n",
  );
  assert.equal(
    jobOpLine("qdel", new SimError(PBSE.HISTJOBID), "15.vm"),
    "qdel: Job has finished 15.vm\n",
  );
  assert.equal(
    jobOpLine("qalter", new SimError(PBSE.HISTJOBID), "1.vm"),
    "qalter: Job has finished\n",
  );
  assert.equal(
    jobOpLine("qalter", new SimError(PBSE.BADATVAL, "Resource_List.walltime"), "4.vm"),
    golden("qalter_bad_walltime").stderr,
  );
  assert.equal(
    jobOpLine("qalter", new SimError(PBSE.MODATRRUN, "Resource_List.select"), "31.vm"),
    golden("qalter_select_running").stderr,
  );
  assert.equal(exitCodeOf(PBSE.MaxArraySize), 3);
  assert.equal(exitCodeOf(PBSE.HISTJOBID), 35);
  for (const name of ["qstat", "qsub", "qdel", "qselect", "pbs_rstat", "pbsnodes", "qmgr"]) {
    const g = golden(`server_down_${name}`);
    const down = serverDownOutput({ command: name, server: "vm" });
    assert.equal(down.stderr, g.stderr, name);
    assert.equal(down.code, g.meta.exit_code, name);
  }
});

Deno.test("small parsers", async (t) => {
  await t.step("shell words", () => {
    assert.deepEqual(splitWords(`qsub -N 'bad name' -v "A=1,B='x'" x\\ y`), [
      "qsub",
      "-N",
      "bad name",
      "-v",
      "A=1,B='x'",
      "x y",
    ]);
  });
  await t.step("PBS dates", () => {
    const now = new Date(2026, 10, 24, 2, 52, 0).getTime() / 1000;
    assert.equal(parsePbsDate("0302", now), new Date(2026, 10, 24, 3, 2).getTime() / 1000);
    assert.equal(parsePbsDate("0100", now), new Date(2026, 10, 25, 1, 0).getTime() / 1000);
    assert.equal(parsePbsDate("202611240352", now), new Date(2026, 10, 24, 3, 52).getTime() / 1000);
    assert.equal(parsePbsDate("99999", now), undefined);
    assert.equal(parsePbsDate("2360", now), undefined);
  });
  await t.step("qsub -v values", () => {
    assert.deepEqual(parseVariableList(`COMMA='a,b',EMPTY=,Q=say "hi"`, {}), [["COMMA", "a,b"], [
      "EMPTY",
      "",
    ], ["Q", "say hi"]]);
    assert.deepEqual(parseVariableList("BS=C:\\temp", {}), [["BS", "C:\\\\\\\\temp"]]);
    assert.deepEqual(parseVariableList("HOME", { HOME: "/home/alice" }), [["HOME", "/home/alice"]]);
  });
});

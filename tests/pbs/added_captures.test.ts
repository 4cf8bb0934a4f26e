/**
 * The 112 captures of 2026-11-27 (INDEX.md "Added captures", notes 8-9), each
 * read by the parser for its output. The table is keyed by command form; a new
 * capture whose command matches no entry fails the first test until it is
 * classified here. Error captures are classified in catalogue.test.ts.
 */

import assert from "node:assert/strict";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { parseJobTable } from "../../src/pbs/parse/job_table.ts";
import { parseNodesJsonDetailed } from "../../src/pbs/parse/nodes.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import {
  parsePbsnodesList,
  parseQmgrList,
  parseQselect,
  parseQsubJobId,
  parseTracejob,
} from "../../src/pbs/parse/simple.ts";
import { type Golden, golden, goldenNames } from "../golden.ts";

/** How a successful capture's stdout is read; `none` says why no parser applies. */
interface Reader {
  command: RegExp;
  /** Checks the capture's stdout with the parser; returns how many records it read. */
  read?: (g: Golden) => number;
  none?: string;
}

const idLines = (text: string, pattern: RegExp) => text.split("\n").filter((l) => pattern.test(l));

const READERS: Reader[] = [
  { command: /^qsub /, read: (g) => (parseQsubJobId(g.stdout) === g.stdout.trim() ? 1 : 0) },
  {
    command: /^qstat -(f|xf)\S* .*-F json/,
    read: (g) => {
      const jobs = parseJobsJson(g.stdout);
      assert.deepEqual(
        jobs.map((j) => j.id),
        [...g.stdout.matchAll(/^\t\t"(\S+\.vm)":\t?\{$/gm)].map((m) => m[1]),
      );
      return jobs.length;
    },
  },
  { command: /^qstat -Bf -F json/, read: (g) => (parseServerJson(g.stdout).name === "vm" ? 1 : 0) },
  { command: /^qstat -Qf -F json/, read: (g) => parseQueuesJson(g.stdout).length },
  {
    // the -a layout: -H, -x -u, -T/-Tw (Est Start Time replaces Elap Time)
    command: /^qstat -(H|x -u|Tw?)\b/,
    read: (g) => {
      const rows = parseJobTable(g.stdout);
      assert.equal(rows.length, idLines(g.stdout, /^\d+(\[\d*\])?\.vm /).length);
      return rows.length;
    },
  },
  {
    command: /^qstat (\d+\.vm|-t|-J|-xt)\b/,
    none:
      "plain qstat layout (Job id / Name / User / Time Use): the PBS layer reads -a tables and JSON only",
  },
  { command: /^qstat -x \d+/, none: "error capture (Unknown Job Id): catalogue.test.ts" },
  {
    command: /^qselect /,
    read: (g) => {
      const ids = parseQselect(g.stdout);
      assert.deepEqual(ids, g.stdout.split("\n").filter((l) => l !== ""));
      return ids.length;
    },
  },
  {
    command: /^pbsnodes -av -F json/,
    read: (g) => {
      const { nodes } = parseNodesJsonDetailed(g.stdout);
      assert.deepEqual(nodes.map((n) => n.name), ["vm"]);
      assert.ok(nodes[0].jobs.length === 8, "the node's 8 running jobs");
      return nodes.length;
    },
  },
  {
    command: /^pbsnodes -l -s/,
    read: (g) => {
      const [node, ...rest] = parsePbsnodesList(g.stdout);
      assert.equal(rest.length, 0);
      assert.deepEqual(node, {
        name: "vm",
        states: ["offline", "job-busy"],
        comment: "maintenance",
      });
      return 1;
    },
  },
  {
    command: /^pbsnodes (-aSj|-o|-r|-s vm -c|-C|-l vm)/,
    none:
      "node marking prints nothing on success; -aSj is read through -av -F json; -l with a name is a usage error",
  },
  {
    command: /^qmgr -c '(list|print) /,
    read: (g) => {
      const objects = parseQmgrList(g.stdout);
      assert.ok(objects.length >= 1 || g.stdout.startsWith("#"));
      return Math.max(1, objects.length);
    },
  },
  {
    command: /^qmgr -c '(set|create|import|delete) /,
    none: "administration: prints nothing on success, errors in catalogue.test.ts",
  },
  {
    command: /^tracejob /,
    read: (g) => {
      if (g.meta.exit_code !== 0) return 1; // catalogue.test.ts: unknown_job
      const entries = parseTracejob(g.stdout);
      assert.ok(entries.every((e) => e.job === "246.vm"));
      return entries.length;
    },
  },
  { command: /^qdel |^qalter |^qrls /, none: "print nothing on success" },
  { command: /^(ls|cat) /, none: "files in the user's home, not PBS output" },
];

function addedCaptures(): Golden[] {
  return goldenNames().map(golden).filter((g) =>
    (g.meta as { captured_at?: string }).captured_at?.startsWith("2026-11-27")
  );
}

Deno.test("added captures: 112, each read by the parser for its command", async (t) => {
  const captures = addedCaptures();
  assert.equal(captures.length, 112);
  const unclassified = captures.filter((g) => !READERS.some((r) => r.command.test(g.meta.command)))
    .map((g) => `${g.name}: ${g.meta.command}`);
  assert.deepEqual(unclassified, []);
  for (const g of captures) {
    const reader = READERS.find((r) => r.command.test(g.meta.command))!;
    if (!reader.read || (g.meta.exit_code !== 0 && !/^tracejob/.test(g.meta.command))) continue;
    await t.step(g.name, () => {
      assert.ok(reader.read!(g) > 0, `${g.name}: nothing read`);
    });
  }
});

Deno.test("added captures: qstat -T lists queued jobs in estimated-start order", () => {
  const strict = parseJobTable(golden("qstat_T_strict_ordering").stdout);
  assert.deepEqual(
    strict.filter((r) => r.state === "Q").map((r) => r.id),
    ["283.vm", "286.vm", "284.vm", "285.vm", "287.vm"],
  );
  const plain = parseJobTable(golden("qstat_T_default_sched").stdout);
  assert.deepEqual(
    plain.filter((r) => r.state === "Q").map((r) => r.id),
    ["283.vm", "284.vm", "285.vm", "286.vm", "287.vm"],
  );
});

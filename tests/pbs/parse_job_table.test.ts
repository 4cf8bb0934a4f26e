/**
 * parseJobTable on the `qstat -a` goldens (narrow, wide, -n, -s, -u, empty,
 * truncated name), on Aurora-shaped text, on random tables laid out like
 * qstat.c does, and on the simulator's output checked against its JSON.
 */

import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { commandJobId, type JobRow, parseJobTable } from "../../src/pbs/parse/job_table.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import type { Job, JobStateLetter } from "../../src/pbs/model/types.ts";
import { qstatAllJobs, qstatJobTable } from "../../src/pbs/commands/mod.ts";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { golden } from "../golden.ts";

function rowsOf(name: string): JobRow[] {
  return parseJobTable(golden(name).stdout);
}

function only(rows: JobRow[], id: string): JobRow {
  const row = rows.find((r) => r.id === id);
  assert.ok(row, `row ${id} not found among ${rows.map((r) => r.id).join(" ")}`);
  return row;
}

function assertParseError(text: string, message: RegExp): void {
  try {
    parseJobTable(text);
  } catch (error) {
    assert.ok(isPbsError(error), `expected PbsError, got ${error}`);
    assert.equal(error.kind, "parse_error");
    assert.match(error.message, message);
    assert.ok(error.hint.length > 0, "hint must not be empty");
    return;
  }
  assert.fail("expected a parse_error, nothing was thrown");
}

const GOLDEN_IDS = ["2", "3", "4", "5[]", "8", "9", "10", "11", "12", "13", "14"].map((n) =>
  `${n}.vm`
);

Deno.test("qstat -a goldens", async (t) => {
  await t.step("qstat_aw: every column of a running job", () => {
    const rows = rowsOf("qstat_aw");
    assert.deepEqual(rows.map((r) => r.id), GOLDEN_IDS);
    assert.deepEqual(only(rows, "2.vm"), {
      id: "2.vm",
      user: "alice",
      queue: "workq",
      name: "analysis1",
      nameTruncated: false,
      sessionId: 10321,
      nodes: 1,
      tasks: 2,
      walltime: "00:30",
      state: "R",
      elapsed: "00:00",
      idTruncated: false,
    });
  });

  await t.step("qstat_aw: `--` leaves fields out; H, B, W and Q rows", () => {
    const rows = rowsOf("qstat_aw");
    assert.deepEqual(only(rows, "3.vm"), {
      id: "3.vm",
      user: "alice",
      queue: "workq",
      name: "dependent",
      nameTruncated: false,
      nodes: 1,
      tasks: 1,
      state: "H",
      idTruncated: false,
    });
    assert.equal(only(rows, "5[].vm").state, "B");
    assert.equal(only(rows, "5[].vm").name, "arrjob");
    assert.equal(only(rows, "14.vm").state, "W");
    const routed = only(rows, "9.vm");
    assert.deepEqual([routed.queue, routed.walltime, routed.state], ["long", "02:00", "Q"]);
    assert.equal(routed.sessionId, undefined);
    assert.equal(only(rows, "13.vm").tasks, 16);
    const bob = only(rows, "12.vm");
    assert.deepEqual([bob.user, bob.sessionId, bob.elapsed], ["bob", 11721, "00:00"]);
    assert.deepEqual(rows.map((r) => r.state).join(""), "RHHBRQQQRQW");
  });

  await t.step("narrow qstat_a reads like the wide one", () => {
    // Captured moments apart: 8.vm had not started yet in qstat_a.
    const narrow = rowsOf("qstat_a");
    const wide = rowsOf("qstat_aw");
    assert.deepEqual(narrow.filter((r) => r.id !== "8.vm"), wide.filter((r) => r.id !== "8.vm"));
    const dbg = only(narrow, "8.vm");
    assert.deepEqual([dbg.state, dbg.sessionId, dbg.elapsed], ["R", undefined, undefined]);
  });

  await t.step("-n and -s detail lines are skipped", () => {
    assert.deepEqual(rowsOf("qstat_an"), rowsOf("qstat_aw"));
    assert.deepEqual(rowsOf("qstat_as"), rowsOf("qstat_aw"));
  });

  await t.step("qstat_u_alice: alice's rows only", () => {
    const rows = rowsOf("qstat_u_alice");
    assert.deepEqual(rows, rowsOf("qstat_aw").filter((r) => r.user === "alice"));
    assert.equal(rows.length, 9);
  });

  await t.step("qstat_a_long_name_truncated: name cut to 9 characters + *", () => {
    const [row] = rowsOf("qstat_a_long_name_truncated");
    assert.deepEqual([row.id, row.name, row.nameTruncated], ["2064.vm", "averyvery", true]);
    assert.equal(row.idTruncated, false);
    assert.equal(row.truncated, undefined);
  });

  await t.step("qstat_a_empty: no output, no rows", () => {
    assert.equal(golden("qstat_a_empty").stdout, "");
    assert.deepEqual(rowsOf("qstat_a_empty"), []);
  });
});

const WIDE_TITLES =
  "Job ID                         Username        Queue           Jobname         " +
  "SessID   NDS  TSK   Memory Time  S Time";
const WIDE_DASHES =
  "------------------------------ --------------- --------------- --------------- " +
  "-------- ---- ----- ------ ----- - -----";

Deno.test("Aurora-sized values", async (t) => {
  const table = [
    "",
    "aurora-pbs-0001: Aurora production server",
    `${" ".repeat(99)}Req'd  Req'd   Elap`,
    WIDE_TITLES,
    WIDE_DASHES,
    "8123456.aurora-pbs-0001.hostm* averyverylongu*  prod            train_llm_1234* " +
    "4123456 1024 2129*  24gb 168:0 R 100:0",
    "8123457[].aurora-pbs-0001.hos* bob             debug-scaling   x                      " +
    "-- 106*     4  100 b 01:00 Q   -- ",
    "",
  ].join("\r\n");

  await t.step("cut id, user, name and counts are flagged; a `100 b` size is rejoined", () => {
    const [big, array] = parseJobTable(table);
    assert.deepEqual(big, {
      id: "8123456.aurora-pbs-0001.hostm",
      idTruncated: true,
      user: "averyverylongu",
      queue: "prod",
      name: "train_llm_1234",
      nameTruncated: true,
      sessionId: 4123456,
      nodes: 1024,
      memory: "24gb",
      walltime: "168:0",
      state: "R",
      elapsed: "100:0",
      truncated: ["user", "tasks"],
    });
    assert.deepEqual(array, {
      id: "8123457[].aurora-pbs-0001.hos",
      idTruncated: true,
      user: "bob",
      queue: "debug-scaling",
      name: "x",
      nameTruncated: false,
      tasks: 4,
      memory: "100b",
      walltime: "01:00",
      state: "Q",
      truncated: ["nodes"],
    });
  });

  await t.step("commandJobId keeps the sequence number of a cut id", () => {
    const [big, array] = parseJobTable(table);
    assert.equal(commandJobId(big), "8123456");
    assert.equal(commandJobId(array), "8123457[]");
    assert.equal(commandJobId({ id: "2.vm", idTruncated: false }), "2.vm");
    assert.equal(commandJobId({ id: "12345678[10000", idTruncated: true }), undefined);
  });

  await t.step("an id wider than its column (no `*`) is read whole", () => {
    const id = "8123456.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov";
    const row = `${id} alice           prod            x                       -- ` +
      "   1   208    --  01:00 Q   -- ";
    const [parsed] = parseJobTable(`\nx: \n${WIDE_TITLES}\n${WIDE_DASHES}\n${row}\n`);
    assert.deepEqual([parsed.id, parsed.idTruncated, parsed.tasks], [id, false, 208]);
  });

  await t.step("a value ending in `*` but shorter than its column is not a cut", () => {
    const row = "1.vm alice workq star*  -- 1 1 -- -- Q --";
    const [parsed] = parseJobTable(`\nvm: \n${WIDE_DASHES}\n${row}\n`);
    assert.deepEqual([parsed.name, parsed.nameTruncated], ["star*", false]);
  });
});

Deno.test("unreadable output throws parse_error with a hint", async (t) => {
  const header = `\nvm: \n${WIDE_TITLES}\n${WIDE_DASHES}\n`;
  await t.step("plain qstat tables", () => {
    assertParseError(golden("qstat_x").stdout, /before the `SERVER:` header/);
    assertParseError(golden("qstat_w_long_name").stdout, /before the `SERVER:` header/);
  });
  await t.step("wrong field count (e.g. -1 -n)", () => {
    assertParseError(`${header}2.vm alice workq a 1 1 1 -- 00:30 R 00:00 vm/0\n`, /12 fields/);
    assertParseError(`${header}2.vm alice workq a 1 1 -- 00:30 R 00:00\n`, /10 fields/);
  });
  await t.step("bad state or count", () => {
    assertParseError(`${header}2.vm alice workq a -- 1 1 -- 00:30 Z --\n`, /"Z" as a job state/);
    assertParseError(`${header}2.vm alice workq a -- x 1 -- 00:30 R --\n`, /"x" as a nodes count/);
  });
  await t.step("a dashes line with other columns, or a header cut short", () => {
    assertParseError("\nvm: \n---- ----\n", /2 columns instead of 11/);
    assertParseError(`\nvm: \n${WIDE_TITLES}\n`, /ends inside a table header/);
  });
});

// ---------------------------------------------------------------------------
// A table laid out the way qstat.c's altdsp_statjob does (test-only)

interface SourceJob {
  id: string;
  user: string;
  queue: string;
  name: string;
  sessionId?: number;
  nodes?: number;
  tasks?: number;
  /** As qstat prints it, `100 b` included. */
  memory?: string;
  walltime?: string;
  state: JobStateLetter;
  elapsed?: string;
}

/** id, user, queue, name, sessid, nds, tsk widths. */
const WIDE = [30, 15, 15, 15, 8, 4, 5];
const NARROW = [15, 8, 8, 10, 6, 3, 3];
const NARROW_LONG_IDS = [20, 8, 8, 10, 6, 3, 3];

/** qstat's blank; like any value it is cut by the `%N.Ns` precision (` --` in a 3-wide column). */
const BLANK = " -- ";
/** trunc_value, applied to values only, then the printf precision. */
const cut = (value: string | number | undefined, width: number) => {
  if (value === undefined) return BLANK.slice(0, width);
  const text = String(value);
  return text.length > width ? `${text.slice(0, width - 1)}*` : text;
};
const shown = (value: string | undefined) => value ?? BLANK;
const left = (text: string, width: number) => text.padEnd(width);
const right = (text: string, width: number) => text.padStart(width);

function formatTable(jobs: SourceJob[], widths: number[], cutIds: boolean): string {
  if (jobs.length === 0) return "";
  const [wId, wUser, wQueue, wName, wSess, wNds, wTsk] = widths;
  const dashes = [...widths, 6, 5, 1, 5].map((w) => "-".repeat(w)).join(" ");
  const lines = jobs.map((j) =>
    [
      left(cutIds ? cut(j.id, wId) : j.id, wId),
      left(cut(j.user, wUser), wUser),
      left(cut(j.queue, wQueue), wQueue),
      left(cut(j.name, wName), wName),
      right(cut(j.sessionId, wSess), wSess),
      right(cut(j.nodes, wNds), wNds),
      right(cut(j.tasks, wTsk), wTsk),
      right(shown(j.memory), 6),
      right(shown(j.walltime), 5),
      j.state,
      right(shown(j.elapsed), 5),
    ].join(" ")
  );
  return `\nvm: \n${" ".repeat(dashes.length - 20)}Req'd  Req'd   Elap\nJob ID ...\n${dashes}\n` +
    `${lines.join("\n")}\n`;
}

/** What the parser should make of `job` once printed with `widths`. */
function expectedRow(job: SourceJob, widths: number[], cutIds: boolean): JobRow {
  const [wId, wUser, wQueue, wName, wSess, wNds, wTsk] = widths;
  const text = (value: string, width: number) =>
    value.length > width ? [value.slice(0, width - 1), true] as const : [value, false] as const;
  const truncated: NonNullable<JobRow["truncated"]> = [];
  const [id, idTruncated] = cutIds ? text(job.id, wId) : [job.id, false];
  const [user, userCut] = text(job.user, wUser);
  const [queue, queueCut] = text(job.queue, wQueue);
  const [name, nameTruncated] = text(job.name, wName);
  if (userCut) truncated.push("user");
  if (queueCut) truncated.push("queue");
  const row: JobRow = { id, idTruncated, user, queue, name, nameTruncated, state: job.state };
  const counts = [["sessionId", wSess], ["nodes", wNds], ["tasks", wTsk]] as const;
  for (const [key, width] of counts) {
    const value = job[key];
    if (value !== undefined && String(value).length > width) truncated.push(key);
    else if (value !== undefined) row[key] = value;
  }
  if (job.memory !== undefined) row.memory = job.memory.replace(" ", "");
  if (job.walltime !== undefined) row.walltime = job.walltime;
  if (job.elapsed !== undefined) row.elapsed = job.elapsed;
  if (truncated.length > 0) row.truncated = truncated;
  return row;
}

const STATES: JobStateLetter[] = ["B", "E", "F", "H", "M", "Q", "R", "S", "T", "U", "W", "X"];
const SERVERS = ["vm", "pbs01.example.org", "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov"];

const jobIdArb = fc.tuple(
  fc.integer({ min: 0, max: 99_999_999 }),
  fc.oneof(fc.constant(""), fc.constant("[]"), fc.nat(99_999).map((n) => `[${n}]`)),
  fc.constantFrom(...SERVERS),
).map(([seq, array, server]) => `${seq}${array}.${server}`);

/** `HH:MM:SS` cut to 5 characters, as `%5.5s` prints it. */
const clockArb = fc.tuple(fc.nat(999), fc.nat(59)).map(([h, m]) =>
  `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`.slice(0, 5)
);
const memoryArb = fc.tuple(
  fc.nat(9999),
  fc.constantFrom("kb", "mb", "gb", "tb", "kw", "mw", " b", " w"),
).map(([n, unit]) => `${n}${unit}`);

const sourceJobArb: fc.Arbitrary<SourceJob> = fc.record(
  {
    id: jobIdArb,
    user: fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,19}$/),
    queue: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,14}$/),
    name: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,24}$/),
    sessionId: fc.integer({ min: 1, max: 4_194_304 }),
    nodes: fc.integer({ min: 1, max: 20_000 }),
    tasks: fc.integer({ min: 1, max: 3_000_000 }),
    memory: memoryArb,
    walltime: clockArb,
    state: fc.constantFrom(...STATES),
    elapsed: clockArb,
  },
  { requiredKeys: ["id", "user", "queue", "name", "state"] },
);

Deno.test("property: tables laid out like qstat.c parse back to their values", async (t) => {
  const layouts = { wide: WIDE, narrow: NARROW, "narrow, 20-wide ids": NARROW_LONG_IDS };
  for (const [label, widths] of Object.entries(layouts)) {
    await t.step(label, () => {
      fc.assert(
        fc.property(fc.array(sourceJobArb, { maxLength: 8 }), (jobs) => {
          const parsed = parseJobTable(formatTable(jobs, widths, true));
          assert.deepEqual(parsed, jobs.map((job) => expectedRow(job, widths, true)));
        }),
        { numRuns: 150 },
      );
    });
  }

  await t.step("ids overflowing their column are read whole", () => {
    fc.assert(
      fc.property(fc.array(sourceJobArb, { minLength: 1, maxLength: 8 }), (jobs) => {
        const parsed = parseJobTable(formatTable(jobs, WIDE, false));
        assert.deepEqual(parsed.map((r) => [r.id, r.idTruncated]), jobs.map((j) => [j.id, false]));
      }),
      { numRuns: 100 },
    );
  });

  await t.step("a cut id always leaves a usable sequence number in wide tables", () => {
    fc.assert(
      fc.property(jobIdArb, (id) => {
        const [row] = parseJobTable(
          formatTable([{ id, user: "a", queue: "q", name: "n", state: "Q" }], WIDE, true),
        );
        const usable = commandJobId(row);
        assert.ok(usable !== undefined && id.startsWith(usable), `${id} → ${usable}`);
        if (!row.idTruncated) assert.equal(usable, id);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------
// The simulator

async function simulatedComplex() {
  const complex = createScenario("golden", { seed: 1 });
  const runner = new SimRunner({ complex, user: "alice" });
  const submit = async (args: string[], runtime: number) => {
    const result = await runner.run(["qsub", "-l", "walltime=00:10:00", ...args], {
      stdin: `#SIM runtime=${runtime}\nhostname\n`,
    });
    assert.equal(result.code, 0, result.stderr);
  };
  await submit(["-N", "short"], 30);
  await submit(["-N", "x"], 30);
  await submit(["-N", "long"], 3000);
  await submit(["-N", "held", "-h"], 30);
  await submit(["-N", "dbg", "-q", "debug"], 3000);
  runner.setUser("bob");
  await submit(["-N", "bobjob"], 3000);
  runner.setUser("alice");
  complex.advance(60);
  return runner;
}

async function stdoutOf(runner: SimRunner, argv: string[]): Promise<string> {
  const result = await runner.run(argv);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/** The table's view of a job, computed from its JSON. */
function fromJson(job: Job) {
  const text = (value: unknown) => value === undefined ? undefined : String(value);
  const count = (value: unknown) => value === undefined ? undefined : Number(value);
  return {
    id: job.id,
    state: job.state,
    user: job.user,
    queue: job.queue,
    name: job.name,
    sessionId: job.sessionId,
    nodes: count(job.requested["nodect"]),
    tasks: count(job.requested["ncpus"]),
    walltime: text(job.requested["walltime"])?.slice(0, 5),
    elapsed: text(job.used["walltime"])?.slice(0, 5),
  };
}

function fromRow(row: JobRow) {
  const { id, state, user, queue, name, sessionId, nodes, tasks, walltime, elapsed } = row;
  return { id, state, user, queue, name, sessionId, nodes, tasks, walltime, elapsed };
}

Deno.test("the simulator's qstat -a -w agrees with its qstat -f -F json", async (t) => {
  const runner = await simulatedComplex();

  await t.step("-x: every job, history included", async () => {
    const rows = parseJobTable(await stdoutOf(runner, qstatJobTable({ history: true }).argv));
    const jobs = parseJobsJson(await stdoutOf(runner, qstatAllJobs({ history: true }).argv));
    assert.equal(rows.length, 6);
    assert.deepEqual(rows.map(fromRow), jobs.map(fromJson));
    const states = new Set(rows.map((r) => r.state));
    for (const state of ["F", "R", "H"]) assert.ok(states.has(state as JobStateLetter), state);
  });

  await t.step("-u alice workq: alice's live jobs in workq only", async () => {
    const argv = qstatJobTable({ user: "alice", queue: "workq" }).argv;
    const rows = parseJobTable(await stdoutOf(runner, argv));
    const jobs = parseJobsJson(await stdoutOf(runner, qstatAllJobs({ queue: "workq" }).argv))
      .filter((job) => job.user === "alice");
    assert.ok(rows.length > 0 && rows.every((r) => r.user === "alice" && r.queue === "workq"));
    assert.deepEqual(rows.map(fromRow), jobs.map(fromJson));
  });

  await t.step("-x -u bob: bob's job, and nothing for an unknown user", async () => {
    const rows = parseJobTable(
      await stdoutOf(runner, qstatJobTable({ history: true, user: "bob" }).argv),
    );
    assert.deepEqual(rows.map((r) => [r.user, r.name]), [["bob", "bobjob"]]);
    assert.equal(await stdoutOf(runner, qstatJobTable({ user: "nobody" }).argv), "");
  });
});

/**
 * How a conformance case is replayed on the `golden` scenario and compared
 * with its OpenPBS capture: same exit code, same stderr (ids and numbers
 * normalised), same stdout SHAPE: JSON keys, order and value types; `-f`
 * attribute names and order; table headers and row layout. Values (ids,
 * times) differ by design.
 */

import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import type { ConformanceCase } from "./conformance_cases.ts";
import { GOLDEN_START, goldenConfig } from "../../sim/scenarios.ts";
import { Complex } from "../../sim/complex.ts";
import type { ComplexConfig } from "../../sim/config.ts";
import { SimRunner } from "../../sim/runner.ts";
import { applyControl, expandVariables, parseLine } from "../../sim/replay.ts";

const SCRIPTS: Record<string, string> = {
  "jobs/short.sh": "#!/bin/sh\nsleep 20\n",
  "jobs/long.sh": "#!/bin/sh\nsleep 3000\n",
  "jobs/fail.sh": "#!/bin/sh\nsleep 15\nexit 3\n",
  "jobs/array.sh": "#!/bin/sh\nsleep 600\n",
  "jobs/env.sh": "#!/bin/sh\necho $VAR\n",
  // 2026-11-27 (INDEX.md note 8)
  "jobs/directives.sh": "#!/bin/sh\n#PBS -N dname\n#PBS -l walltime=00:02:00\n" +
    "#PBS -l select=1:ncpus=2\n#PBS -q debug\n#PBS -A proj1\n#PBS -j oe\n" +
    "echo to-stdout\necho to-stderr >&2\nsleep 30\n",
  "jobs/baddirective.sh": "#!/bin/sh\n#PBS -N baddir\n#PBS -l walltime=abc\nsleep 5\n",
  "jobs/sigtrap.sh": "#!/bin/sh\ntrap 'echo got USR1' USR1\nsleep 3000\n",
  "jobs/array_long.sh": "#!/bin/sh\necho $PBS_ARRAY_INDEX\nsleep 600\n",
  "/home/alice/jobs/short.sh": "#!/bin/sh\nsleep 20\n",
  "/home/bob/jobs/long.sh": "#!/bin/sh\nsleep 3000\n",
};

interface Outcome {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs the case's setup and command on a fresh golden complex (`config`
 * overrides parts of it: a site hook, scheduler settings). `NAME=@user qsub`
 * keeps the id in $NAME, its sequence number in $NAME_SEQ (for short ids such
 * as `${A_SEQ}[2]`) and the id without the server in $NAME_SHORT (`R44`).
 * `@user env VAR=VALUE... COMMAND` runs COMMAND with those variables.
 */
export async function runCase(
  setup: string[],
  command: string | string[],
  config: Partial<ComplexConfig> = {},
  files: Record<string, string> = {},
): Promise<Outcome> {
  // Several commands (a capture of `a; b; c`): their outputs concatenated, the last exit code.
  const commands = typeof command === "string" ? [command] : command;
  const collected: Outcome = { stdout: "", stderr: "", code: 0 };
  const complex = new Complex({ ...goldenConfig(), ...config }, {
    seed: 7,
    startTime: GOLDEN_START,
  });
  const runner = new SimRunner({ complex, user: "alice", files: { ...SCRIPTS, ...files } });
  const variables = new Map<string, string>();
  let last: Outcome = { stdout: "", stderr: "", code: 0 };
  for (const [index, text] of [...setup, ...commands].entries()) {
    const parsed = parseLine(expandVariables(text, variables), index + 1);
    if (!parsed) continue;
    const statement = applyControl(parsed, complex);
    if (!statement) continue;
    runner.setUser(statement.user);
    // `env VAR=VALUE... COMMAND`: COMMAND runs with those variables (PBS_TZID, -V's environment).
    let argv = statement.argv;
    const env: Record<string, string> = {};
    if (argv[0] === "env") {
      argv = argv.slice(1);
      while (argv.length > 0 && /^\w+=/.test(argv[0])) {
        const [name, ...value] = argv[0].split("=");
        env[name] = value.join("=");
        argv = argv.slice(1);
      }
    }
    const result = await runner.run(argv, { stdin: statement.stdin, env });
    if (statement.assign) {
      const id = result.stdout.trim().split(/\s+/)[0] ?? "";
      variables.set(statement.assign, id);
      variables.set(`${statement.assign}_SEQ`, /^\d+/.exec(id)?.[0] ?? "");
      variables.set(`${statement.assign}_SHORT`, id.split(".")[0]);
    }
    last = result;
    if (index >= setup.length) {
      collected.stdout += result.stdout;
      collected.stderr += result.stderr;
      collected.code = result.code;
    }
  }
  return commands.length > 1 ? collected : last;
}

/** The golden's own command line in replay syntax (shell wrappers removed). */
export function goldenCommand(name: string): string {
  const meta = golden(name).meta;
  const command = meta.command.replace(/^timeout \d+ /, "").replace(/^\/opt\/pbs\/sbin\//, "");
  return `@${meta.user} ${command}`;
}

/** Ids, reservation ids, times and numbers vary between runs; messages do not. */
function normalise(text: string): string {
  return text
    .replace(/\b[RS]\d+\.vm\b/g, "<resv>")
    .replace(/\b\d+(\[\d*\])?\.vm\b/g, "<job>")
    .replace(/\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}/g, "<time>")
    .replace(/\d+/g, "9");
}

type Shape = "json" | "full" | "table" | "exact" | "lines";

function shapeOf(stdout: string): Shape {
  if (stdout.startsWith("{")) return "json";
  if (/^(Job Id|Queue|Server|Resv ID): /.test(stdout) && stdout.includes(" = ")) return "full";
  if (/^-{5,}/m.test(stdout) || /^\n\w+: \n/.test(stdout)) return "table";
  if (stdout === "" || /^usage|^USAGE|^pbs_version/.test(stdout)) return "exact";
  return "lines";
}

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function typeOf(value: Plain): string {
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : typeof value;
}

/** Shared keys must have the same types and relative order; most of the golden's keys must exist. */
function compareObjects(
  sim: Record<string, Plain>,
  real: Record<string, Plain>,
  path: string,
): void {
  if (Object.keys(real).length === 0) {
    assert.deepEqual(Object.keys(sim), [], `${path}: empty in the capture`);
    return;
  }
  const shared = Object.keys(sim).filter((k) => k in real);
  assert.deepEqual(shared, Object.keys(real).filter((k) => k in sim), `${path}: key order`);
  const coverage = shared.length / Math.max(1, Object.keys(real).length);
  assert.ok(
    coverage >= 0.7,
    `${path}: only ${shared.length}/${Object.keys(real).length} keys (${
      Object.keys(real).filter((k) => !(k in sim))
    })`,
  );
  for (const key of shared) {
    const [a, b] = [sim[key], real[key]];
    if (key === "Variable_List") continue; // values differ by design
    assert.equal(typeOf(a), typeOf(b), `${path}.${key}: type`);
    if (typeOf(a) === "object") {
      compareObjects(a as Record<string, Plain>, b as Record<string, Plain>, `${path}.${key}`);
    }
  }
}

/** Several JSON documents one after the other (`qstat -f -F json A; qstat ... B`). */
function jsonDocuments(text: string): string[] {
  return text.split(/(?<=\n\})\n(?=\{)/);
}

function compareJson(sim: string, real: string): void {
  const [sims, reals] = [jsonDocuments(sim), jsonDocuments(real)];
  assert.equal(sims.length, reals.length, "JSON documents");
  sims.forEach((doc, k) => compareJsonDocument(doc, reals[k]));
}

function compareJsonDocument(sim: string, real: string): void {
  const [a, b] = [JSON.parse(sim), JSON.parse(real)];
  assert.deepEqual(Object.keys(a), Object.keys(b), "envelope keys");
  for (const section of Object.keys(b).filter((k) => typeof b[k] === "object")) {
    const [simFirst, realFirst] = [Object.values(a[section])[0], Object.values(b[section])[0]];
    if (simFirst && realFirst) compareObjects(simFirst as never, realFirst as never, section);
    else assert.equal(Boolean(simFirst), Boolean(realFirst), `${section}: emptiness`);
  }
  assert.ok(sim.includes('\n\t"pbs_server":\t'), "master formatting (TAB, key:TAB value)");
}

function attributeNames(block: string): string[] {
  return block.split("\n").filter((l) => / = /.test(l) && !l.startsWith("\t")).map((l) =>
    l.trim().split(" = ")[0]
  );
}

function compareFull(sim: string, real: string): void {
  const [a, b] = [attributeNames(sim.split("\n\n")[0]), attributeNames(real.split("\n\n")[0])];
  const shared = a.filter((n) => b.includes(n));
  assert.deepEqual(shared, b.filter((n) => a.includes(n)), "attribute order");
  assert.ok(
    shared.length / b.length >= 0.7,
    `attributes missing: ${b.filter((n) => !a.includes(n))}`,
  );
  assert.equal(sim.split("\n")[0].split(":")[0], real.split("\n")[0].split(":")[0], "block header");
}

function compareTable(sim: string, real: string): void {
  const header = (text: string) => {
    const lines = text.split("\n");
    const dashes = lines.findIndex((l) => /^-{5,}/.test(l));
    return lines.slice(0, dashes + 1).map(normalise);
  };
  assert.deepEqual(header(sim), header(real), "table header");
  const firstRow = (text: string) => text.split("\n")[header(text).length] ?? "";
  assert.equal(firstRow(sim).length > 0, firstRow(real).length > 0, "rows present");
  const columns = (row: string) => row.trim().split(/\s+/).length;
  if (firstRow(real)) {
    assert.equal(columns(firstRow(sim)), columns(firstRow(real)), "columns in a row");
  }
}

/** Replays case `c` and asserts its outcome matches the capture's. */
export async function checkCase(c: ConformanceCase): Promise<void> {
  const g = golden(c.golden);
  const result = await runCase(
    c.setup ?? [],
    c.command ?? goldenCommand(c.golden),
    c.config,
    c.files,
  );
  assert.equal(result.code, g.meta.exit_code, `exit code (stderr: ${result.stderr})`);
  assert.equal(normalise(result.stderr), normalise(g.stderr), "stderr");
  const shape = shapeOf(g.stdout);
  if (shape === "json") compareJson(result.stdout, g.stdout);
  else if (shape === "full") compareFull(result.stdout, g.stdout);
  else if (shape === "table") compareTable(result.stdout, g.stdout);
  else if (shape === "exact") {
    assert.equal(normalise(result.stdout), normalise(g.stdout), "stdout");
  } else assert.equal(result.stdout === "", g.stdout === "", "stdout presence");
}

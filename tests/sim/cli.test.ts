/** The replay tool: its line parser, and sim/cli.ts run as a subprocess. */

import assert from "node:assert/strict";
import { expandVariables, parseLine, ReplaySyntaxError } from "../../sim/replay.ts";

Deno.test("replay line parser", async (t) => {
  await t.step("blank lines and comments are skipped", () => {
    assert.equal(parseLine("   ", 1), undefined);
    assert.equal(parseLine("# @alice qstat", 2), undefined);
  });
  await t.step("@USER COMMAND with shell quoting", () => {
    assert.deepEqual(parseLine(`@alice qsub -N 'two words' -v "A=1,B='x'" job.sh`, 3), {
      kind: "run",
      line: 3,
      user: "alice",
      argv: ["qsub", "-N", "two words", "-v", "A=1,B='x'", "job.sh"],
      stdin: undefined,
      assign: undefined,
    });
  });
  await t.step("NAME= assignment and here-string with \\n", () => {
    const statement = parseLine(`J=@bob qsub -N x <<< '#SIM runtime=5\\necho hi'`, 4);
    assert.ok(statement?.kind === "run");
    assert.equal(statement.assign, "J");
    assert.deepEqual(statement.argv, ["qsub", "-N", "x"]);
    assert.equal(statement.stdin, "#SIM runtime=5\necho hi\n");
  });
  await t.step("<<< inside quotes is an argument", () => {
    const statement = parseLine(`@alice qmsg '<<< not stdin' 1.vm`, 5);
    assert.ok(statement?.kind === "run");
    assert.deepEqual(statement.argv, ["qmsg", "<<< not stdin", "1.vm"]);
    assert.equal(statement.stdin, undefined);
  });
  await t.step("advance", () => {
    assert.deepEqual(parseLine("advance 90", 6), { kind: "advance", line: 6, seconds: 90 });
  });
  await t.step("syntax errors name the line", () => {
    assert.throws(() => parseLine("qstat -f", 7), ReplaySyntaxError);
    assert.throws(() => parseLine("@alice qsub -N 'open", 8), /line 8/);
  });
  await t.step("$NAME and ${NAME} expand outside single quotes", () => {
    const vars = new Map([["J", "3.vm"]]);
    assert.equal(
      expandVariables(`@a qdel $J \${J} '$J' "$J"`, vars),
      `@a qdel 3.vm 3.vm '$J' "3.vm"`,
    );
  });
});

const CLI = new URL("../../sim/cli.ts", import.meta.url).pathname;
const SCRIPT = [
  "# a small session",
  "J=@alice qsub -N demo <<< 'sleep 30'",
  "@alice qstat $J",
  "advance 60",
  "@bob qdel 99999",
  "",
].join("\n");

async function runCli(args: string[], stdin: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

Deno.test("sim/cli.ts replays a file from stdin", async (t) => {
  await t.step("text transcript", async () => {
    const { code, stdout } = await runCli(["--scenario", "golden", "-"], SCRIPT);
    assert.equal(code, 0);
    assert.match(stdout, /^\$ @alice qsub -N demo\n0\.vm\n\[exit 0\]\n/);
    assert.match(stdout, /\$ @alice qstat 0\.vm\nJob id {12}Name/);
    assert.ok(stdout.endsWith("$ @bob qdel 99999\nqdel: Unknown Job Id 99999.vm\n[exit 153]\n"));
  });
  await t.step("--json: one object per command", async () => {
    const { code, stdout } = await runCli(
      ["--scenario", "golden", "--seed", "3", "--json", "-"],
      SCRIPT,
    );
    assert.equal(code, 0);
    const records = stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(records.map((r) => [r.line, r.user, r.argv[0], r.exit]), [
      [2, "alice", "qsub", 0],
      [3, "alice", "qstat", 0],
      [5, "bob", "qdel", 153],
    ]);
    assert.equal(records[2].stderr, "qdel: Unknown Job Id 99999.vm\n");
  });
  await t.step("a bad line exits 2", async () => {
    const { code } = await runCli(["--scenario", "golden", "-"], "qstat\n");
    assert.equal(code, 2);
  });
});

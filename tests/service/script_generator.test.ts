/**
 * Job script generation: shell quoting checked against a real bash (a quoted
 * value must come back as exactly one, unchanged word), every template, and
 * the submit_job arguments recommended with the script.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { generateJobScript, shellQuote, TEMPLATES } from "../../src/service/script_generator.ts";
import { isPbsError } from "../../src/pbs/errors.ts";

const HOSTILE = "a b; rm -rf ~ 'x'";

/** Runs `bash -c SCRIPT` and returns stdout. */
async function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
    env: { HOME: "/nonexistent-home-for-test" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** The words bash sees in `printf '%s\0' QUOTED`. */
async function wordsOf(quoted: string): Promise<string[]> {
  const { stdout, code } = await bash(`printf '%s\\0' ${quoted}`);
  assert.equal(code, 0);
  return stdout.split("\0").slice(0, -1);
}

/** `bash -n`: the script parses. */
async function parses(script: string): Promise<boolean> {
  const path = await Deno.makeTempFile({ suffix: ".sh" });
  try {
    await Deno.writeTextFile(path, script);
    return (await bash(`bash -n ${shellQuote(path)}`)).code === 0;
  } finally {
    await Deno.remove(path);
  }
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error) => {
    assert.ok(isPbsError(error), "expected a PbsError");
    assert.equal(error.kind, "invalid_input");
    assert.match(`${error.message} ${error.hint}`, pattern);
    return true;
  });
}

Deno.test("shellQuote", async (t) => {
  await t.step("plain words stay as they are", () => {
    for (const word of ["data.csv", "/home/alice/in-1.txt", "a=b,c:d", "x@y+z%"]) {
      assert.equal(shellQuote(word), word);
    }
  });

  await t.step("hostile text is one inert word to bash", async () => {
    const quoted = shellQuote(HOSTILE);
    assert.notEqual(quoted, HOSTILE);
    assert.deepEqual(await wordsOf(quoted), [HOSTILE]);
  });

  await t.step("$(), backticks, globs, newlines and empty text stay literal", async () => {
    for (const value of ["$(touch /tmp/pwned)", "`id`", "*", "a\nb", "", "'", "$HOME", "~"]) {
      assert.deepEqual(await wordsOf(shellQuote(value)), [value], JSON.stringify(value));
    }
  });

  await t.step("any text round-trips through bash (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }).filter((s) => !s.includes("\0")), async (s) => {
        assert.deepEqual(await wordsOf(shellQuote(s)), [s]);
      }),
      { numRuns: 40 },
    );
  });
});

Deno.test("generateJobScript", async (t) => {
  await t.step(
    "input files, conda env and the command line are quoted; bash can parse it",
    async () => {
      const g = generateJobScript({
        application: "python3 run.py",
        inputFiles: [HOSTILE, "plain.csv"],
        condaEnv: "my env",
      });
      assert.match(g.script, /^#!\/bin\/bash\n/);
      assert.ok(g.script.includes(`python3 run.py ${shellQuote(HOSTILE)} plain.csv`));
      assert.ok(g.script.includes("conda activate 'my env'"));
      assert.ok(!g.script.includes("rm -rf ~ 'x'\n"), "the hostile text is never bare");
      assert.equal(g.template, undefined);
      assert.ok(await parses(g.script));
    },
  );

  await t.step("every template produces a parseable script with its launcher", async () => {
    const expected: Record<string, RegExp> = {
      python: /python3 main\.py/,
      mpi: /mpiexec -n \$\(\(NNODES \* RANKS_PER_NODE\)\)/,
      gpu: /one rank per GPU[\s\S]*gpu_app/,
      pytorch: /MASTER_ADDR=\$\(head -n 1 "\$PBS_NODEFILE"\)[\s\S]*train\.py/,
      array: /--index "\$PBS_ARRAY_INDEX"/,
    };
    for (const template of TEMPLATES) {
      const g = generateJobScript({ application: template, inputFiles: [HOSTILE] });
      assert.equal(g.template, template);
      assert.match(g.script, expected[template], template);
      assert.ok(g.script.includes(shellQuote(HOSTILE)), template);
      assert.ok(await parses(g.script), `${template} does not parse`);
      assert.ok(g.notes.some((n) => n.includes(`Template "${template}"`)));
    }
  });

  await t.step("submit arguments carry the resources", () => {
    const g = generateJobScript({
      application: "gpu",
      nodeCount: 2,
      walltime: "02:00:00",
      queue: "debug",
      account: "proj1",
      jobName: "train",
      ranksPerNode: 4,
    });
    assert.deepEqual(g.submitArguments, {
      job_name: "train",
      queue: "debug",
      account: "proj1",
      walltime: "02:00:00",
      node_count: 2,
      ngpus: 4,
    });
    assert.match(g.script, /RANKS_PER_NODE=4/);
    assert.equal(generateJobScript({ application: "array" }).submitArguments.array_range, "1-10");
  });

  await t.step("defaults: one node, an hour, with a note saying so", () => {
    const g = generateJobScript({ application: "hostname" });
    assert.equal(g.submitArguments.walltime, "01:00:00");
    assert.equal(g.submitArguments.node_count, 1);
    assert.ok(g.notes.some((n) => /No walltime given/.test(n)));
    assert.equal(g.submitArguments.ngpus, undefined);
  });

  await t.step("modules become module load lines; odd names are refused", () => {
    const g = generateJobScript({
      application: "mpi",
      modules: ["cray-python", "conda/2024-04-29"],
    });
    assert.match(g.script, /module load cray-python\nmodule load conda\/2024-04-29\n/);
    rejects(() => generateJobScript({ application: "mpi", modules: ["x; rm -rf ~"] }), /module/);
  });

  await t.step("empty and multi-line applications are refused with a hint", () => {
    rejects(() => generateJobScript({ application: "  " }), /template/);
    rejects(() => generateJobScript({ application: "a\nb" }), /single command line/);
  });
});

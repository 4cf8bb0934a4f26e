/**
 * Job script generation: shell quoting checked against a real bash (a quoted
 * value must come back as exactly one, unchanged word); every template run by
 * bash against a PBS_NODEFILE laid out as PBS lays it out for the script's own
 * `#PBS -l select`, with recording stand-ins for mpiexec and the programs, so
 * each launch line is checked against the resources the script requests; and
 * the submit_job arguments recommended with the script.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "../fast_check.ts";
import {
  buildJobScript,
  generateJobScript,
  type ScriptRequest,
  type ScriptSite,
  shellQuote,
  TEMPLATES,
} from "../../src/service/script_generator.ts";
import { isPbsError, PbsError } from "../../src/pbs/errors.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import { golden } from "../golden.ts";
import { parseSelect } from "../../src/pbs/model/select.ts";

const HOSTILE = "a b; rm -rf ~ 'x'";

/** Runs `bash -c SCRIPT` and returns stdout. */
async function bash(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: { HOME: "/nonexistent-home-for-test", PATH: "/usr/bin:/bin", ...env },
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

/** The `#PBS -X value` lines of a script, as [option, value] pairs, in order. */
function directivesOf(script: string): [string, string][] {
  return [...script.matchAll(/^#PBS (-\w) (\S+)$/gm)].map((m) => [m[1], m[2]]);
}

/** `-l name=value` directives as a map. */
function resourcesOf(script: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [option, value] of directivesOf(script)) {
    if (option !== "-l") continue;
    const eq = value.indexOf("=");
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/** What the recording stand-ins saw: each command's argv. */
interface Run {
  calls: string[][];
  stderr: string;
  code: number;
}

/**
 * Runs a generated script as a PBS job would: PBS_NODEFILE lists each host of
 * the select once per MPI rank (mpiprocs, default 1 per chunk), PBS_O_WORKDIR
 * is set, and mpiexec, python3 and `record` are stand-ins that write their argv.
 */
async function runAsJob(script: string): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "gen-test-" });
  try {
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    const log = join(dir, "calls");
    for (const name of ["mpiexec", "python3", "record"]) {
      const path = join(bin, name);
      await Deno.writeTextFile(
        path,
        `#!/bin/bash\n{ printf '%s\\0' ${name} "$@"; printf '\\n'; } >> ${shellQuote(log)}\n`,
      );
      await Deno.chmod(path, 0o755);
    }
    const hosts: string[] = [];
    for (const chunk of parseSelect(resourcesOf(script).select)) {
      const ranks = Number(chunk.resources.mpiprocs ?? 1);
      for (let c = 0; c < chunk.count; c++) {
        for (let r = 0; r < ranks; r++) hosts.push(`host${c}`);
      }
    }
    const nodefile = join(dir, "nodefile");
    await Deno.writeTextFile(nodefile, hosts.map((h) => `${h}\n`).join(""));
    const scriptPath = join(dir, "job.sh");
    await Deno.writeTextFile(scriptPath, script);
    const out = await bash(`bash ${shellQuote(scriptPath)}`, {
      PATH: `${bin}:/usr/bin:/bin`,
      PBS_NODEFILE: nodefile,
      PBS_O_WORKDIR: dir,
      PBS_ARRAY_INDEX: "3",
    });
    const text = await Deno.readTextFile(log).catch(() => "");
    const calls = text.split("\n").filter((l) => l !== "").map((l) => l.split("\0").slice(0, -1));
    return { calls, stderr: out.stderr, code: out.code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The value after `flag` in an argv. */
function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
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

Deno.test("buildJobScript: each template's launch line matches its #PBS select", async (t) => {
  const MPI = new Set(["mpi", "gpu", "pytorch"]);
  const GPU = new Set(["gpu", "pytorch"]);
  const cases: Partial<ScriptRequest>[] = [
    {},
    { nodeCount: 2 },
    { nodeCount: 3, ranksPerNode: 8 },
    { nodeCount: 2, gpuRequired: true },
    { nodeCount: 2, ranksPerNode: 2, gpuRequired: true },
  ];
  for (const template of TEMPLATES) {
    await t.step(template, async () => {
      for (const extra of cases) {
        const label = `${template} ${JSON.stringify(extra)}`;
        const g = buildJobScript({ application: template, inputFiles: ["in.dat"], ...extra });
        const resources = resourcesOf(g.script);
        const [chunk, ...more] = parseSelect(resources.select);
        assert.equal(more.length, 0, label);
        const nodes = extra.nodeCount ?? 1;
        assert.equal(chunk.count, nodes, label);
        assert.equal(resources.place, nodes > 1 ? "scatter" : undefined, label);
        const run = await runAsJob(g.script);
        assert.equal(run.code, 0, `${label}: ${run.stderr}`);
        assert.equal(run.calls.length, 1, `${label}: one launch`);
        const [argv] = run.calls;
        if (MPI.has(template)) {
          const ranks = Number(chunk.resources.mpiprocs);
          assert.ok(ranks >= 1, `${label}: select carries mpiprocs`);
          assert.equal(argv[0], "mpiexec", label);
          assert.equal(flagValue(argv, "-n"), String(nodes * ranks), label);
          assert.equal(flagValue(argv, "--ppn"), String(ranks), label);
          assert.equal(Number(chunk.resources.ncpus), ranks, `${label}: a cpu per rank`);
          if (extra.ranksPerNode) assert.equal(ranks, extra.ranksPerNode, label);
          if (GPU.has(template) || extra.gpuRequired) {
            assert.equal(Number(chunk.resources.ngpus), ranks, `${label}: one rank per GPU`);
          } else {
            assert.equal(chunk.resources.ngpus, undefined, label);
          }
        } else {
          assert.equal(argv[0], "python3", `${label}: runs once, without mpiexec`);
          assert.equal(chunk.resources.mpiprocs, undefined, label);
          assert.equal(chunk.resources.ncpus, "1", label);
          assert.equal(chunk.resources.ngpus === undefined, !extra.gpuRequired, label);
        }
        assert.equal(argv.at(-1), "in.dat", `${label}: input file passed last`);
        if (template === "array") {
          assert.deepEqual(directivesOf(g.script).find(([o]) => o === "-J"), ["-J", "1-10"]);
          assert.equal(flagValue(argv, "--index"), "3");
        }
        // The note names the program the script runs.
        const program = /placeholder program \(([^)]+)\)/.exec(g.notes.join("\n"))?.[1];
        assert.ok(program && g.script.includes(` ${program}`), `${label}: note names ${program}`);
      }
    });
  }
});

Deno.test("buildJobScript: a command line", async (t) => {
  await t.step("is inserted as written; input files are quoted and follow it", async () => {
    const g = buildJobScript({
      application: 'record --flag "two words" $PBS_O_WORKDIR',
      inputFiles: [HOSTILE, "plain.csv"],
      condaEnv: "my env",
    });
    assert.equal(g.template, undefined);
    assert.ok(g.script.includes("conda activate 'my env'"));
    assert.ok(await parses(g.script));
    const run = await runAsJob(g.script.replace(/^conda .*$/m, ""));
    assert.equal(run.code, 0, run.stderr);
    const [argv] = run.calls;
    assert.equal(argv[0], "record");
    assert.equal(argv[1], "--flag");
    assert.equal(argv[2], "two words", "the user's own quoting is kept");
    assert.match(argv[3], /^\/.*gen-test-/, "the user's $variable expands");
    assert.deepEqual(argv.slice(4), [HOSTILE, "plain.csv"], "input files are single words");
  });

  await t.step("option-like input files become ./ paths", async () => {
    const g = buildJobScript({ application: "record", inputFiles: ["-rf", "--all", "-"] });
    const run = await runAsJob(g.script);
    assert.deepEqual(run.calls[0], ["record", "./-rf", "./--all", "./-"]);
    for (const template of TEMPLATES) {
      const t2 = buildJobScript({ application: template, inputFiles: ["-rf"] });
      assert.ok(!/\s-rf\b/.test(t2.script) && t2.script.includes("./-rf"), template);
    }
  });

  await t.step("ranks_per_node lays a command line out for MPI", () => {
    const g = buildJobScript({ application: "mpiexec ./mine", nodeCount: 2, ranksPerNode: 6 });
    assert.equal(resourcesOf(g.script).select, "2:ncpus=6:mpiprocs=6");
  });

  await t.step("several nodes without MPI: a note says the command runs once", () => {
    const g = buildJobScript({ application: "hostname", nodeCount: 4 });
    assert.ok(g.notes.some((n) => /runs once/.test(n)), g.notes.join("\n"));
  });
});

Deno.test("buildJobScript: #PBS lines and submit arguments are one request", async (t) => {
  await t.step("every recommended resource has its #PBS line and argument", () => {
    const g = buildJobScript({
      application: "gpu",
      nodeCount: 2,
      walltime: "02:00:00",
      queue: "debug",
      account: "proj1",
      jobName: "train",
      ranksPerNode: 4,
      filesystems: "home:eagle",
    });
    assert.deepEqual(g.submitArguments, {
      job_name: "train",
      queue: "debug",
      account: "proj1",
      walltime: "02:00:00",
      select: "2:ncpus=4:ngpus=4:mpiprocs=4",
      place: "scatter",
      filesystems: "home:eagle",
    });
    assert.deepEqual(directivesOf(g.script), [
      ["-N", "train"],
      ["-q", "debug"],
      ["-l", "walltime=02:00:00"],
      ["-l", "select=2:ncpus=4:ngpus=4:mpiprocs=4"],
      ["-l", "place=scatter"],
      ["-l", "filesystems=home:eagle"],
      ["-A", "proj1"],
    ]);
  });

  await t.step("the #PBS lines come before the first command, where qsub reads them", () => {
    const g = buildJobScript({ application: "mpi", nodeCount: 2, modules: ["cray-python"] });
    const lines = g.script.split("\n");
    const lastDirective = lines.findLastIndex((l) => l.startsWith("#PBS"));
    const firstCommand = lines.findIndex((l) => l !== "" && !l.startsWith("#"));
    assert.ok(lastDirective > 0 && lastDirective < firstCommand);
  });

  await t.step("defaults: one node, an hour, with a note saying so", () => {
    const g = buildJobScript({ application: "hostname" });
    assert.equal(g.submitArguments.walltime, "01:00:00");
    assert.equal(g.submitArguments.select, "1:ncpus=1");
    assert.equal(g.submitArguments.place, undefined);
    assert.ok(g.notes.some((n) => /No walltime given/.test(n)));
  });

  await t.step("a bad value for a #PBS line is refused, not written", () => {
    rejects(() => buildJobScript({ application: "hostname", walltime: "soon" }), /walltime/i);
    rejects(() => buildJobScript({ application: "hostname", jobName: "a b" }), /name/i);
  });
});

Deno.test("buildJobScript: refused input", async (t) => {
  await t.step("a NUL byte in any string input", () => {
    const base: ScriptRequest = { application: "hostname" };
    const withNul: [string, Partial<ScriptRequest>][] = [
      ["application", { application: "echo a\0b" }],
      ["input_files", { inputFiles: ["ok", "a\0b"] }],
      ["modules", { modules: ["a\0b"] }],
      ["conda_env", { condaEnv: "a\0b" }],
      ["job_name", { jobName: "a\0b" }],
      ["queue", { queue: "a\0b" }],
      ["account", { account: "a\0b" }],
      ["walltime", { walltime: "01:00:00\0" }],
      ["filesystems", { filesystems: "home\0" }],
    ];
    for (const [name, extra] of withNul) {
      rejects(() => buildJobScript({ ...base, ...extra }), new RegExp(`${name} contains a NUL`));
    }
  });

  await t.step("odd module names and option-like conda environments", () => {
    const g = buildJobScript({ application: "mpi", modules: ["cray-python", "conda/2024-04-29"] });
    assert.match(g.script, /module load cray-python\nmodule load conda\/2024-04-29\n/);
    rejects(() => buildJobScript({ application: "mpi", modules: ["x; rm -rf ~"] }), /module/);
    rejects(() => buildJobScript({ application: "mpi", modules: ["-f"] }), /module/);
    rejects(() => buildJobScript({ application: "mpi", condaEnv: "--all" }), /conda_env/);
  });

  await t.step("empty and multi-line applications, with a hint", () => {
    rejects(() => buildJobScript({ application: "  " }), /template/);
    rejects(() => buildJobScript({ application: "a\nb" }), /single command line/);
    rejects(() => buildJobScript({ application: "a\rb" }), /single command line/);
  });
});

/**
 * A site as OpenPBS printed it (`qstat -Qf -F json`, `qstat -Bf -F json`
 * captures: workq the default, debug ≤ 1 h, long 1-72 h, route → debug,long),
 * with queue attributes optionally changed first.
 */
function capturedSite(change: Record<string, Record<string, unknown>> = {}): ScriptSite {
  const queues = JSON.parse(golden("final_qstat_Qf_json").stdout);
  for (const [name, attributes] of Object.entries(change)) {
    Object.assign(queues.Queue[name], attributes);
  }
  return {
    user: "vm",
    config: {},
    queues: () => Promise.resolve(parseQueuesJson(JSON.stringify(queues))),
    server: () => Promise.resolve(parseServerJson(golden("final_qstat_Bf_json").stdout)),
  };
}

Deno.test("generateJobScript: queue choice on a captured site", async (t) => {
  const note = (notes: string[]) => notes.find((n) => /^Queue \S+ takes this request/.test(n));

  await t.step("the default queue when it takes the request; the others named", async () => {
    const g = await generateJobScript(capturedSite(), {
      application: "hostname",
      walltime: "02:00:00",
    });
    assert.equal(g.submitArguments.queue, "workq");
    assert.match(note(g.notes) ?? "", /so do route, long\)/);
    assert.doesNotMatch(note(g.notes) ?? "", /debug|closed|stopped/, "refusing queues unnamed");
  });

  await t.step("a queue that takes jobs only from routing is never offered", async () => {
    const g = await generateJobScript(capturedSite({ long: { from_route_only: "True" } }), {
      application: "hostname",
      walltime: "02:00:00",
    });
    assert.doesNotMatch(note(g.notes) ?? "", /\blong\b/);
    assert.match(note(g.notes) ?? "", /\broute\b/, "its routing queue still is");
  });

  await t.step(
    "a routing queue before an execution queue when the default does not fit",
    async () => {
      const g = await generateJobScript(capturedSite({ workq: { enabled: "False" } }), {
        application: "hostname",
        walltime: "02:00:00",
      });
      assert.equal(g.submitArguments.queue, "route");
    },
  );

  await t.step("several nodes: scatter, keeping the sharing of the default place", async () => {
    const excl = capturedSite({ workq: { resources_default: { place: "pack:excl" } } });
    const g = await generateJobScript(excl, { application: "mpi", nodeCount: 2 });
    assert.equal(g.submitArguments.queue, "workq");
    assert.equal(g.submitArguments.place, "scatter:excl");
    assert.match(g.script, /^#PBS -l place=scatter:excl$/m);
    const plain = await generateJobScript(capturedSite(), { application: "mpi", nodeCount: 2 });
    assert.equal(plain.submitArguments.place, "scatter");
    const one = await generateJobScript(excl, { application: "mpi" });
    assert.equal(one.submitArguments.place, undefined, "one node: PBS's default stands");
  });

  await t.step("queues that cannot be read: the script is still written, with a note", async () => {
    const site: ScriptSite = {
      ...capturedSite(),
      queues: () =>
        Promise.reject(
          new PbsError({ kind: "server_unreachable", message: "no server", hint: "" }),
        ),
    };
    const g = await generateJobScript(site, { application: "hostname" });
    assert.equal(g.submitArguments.queue, undefined);
    assert.ok(g.notes.some((n) => /Could not read the queues.*no server/.test(n)), g.notes.join());
  });
});

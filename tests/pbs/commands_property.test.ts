/**
 * Property tests for the argv builders: whatever a user (or a model) puts in
 * any field, a builder either refuses it with PbsError(invalid_input) or
 * returns an argv that PBS's getopt parses exactly as intended — argv[0] is
 * the fixed command, every option is one the builder meant to emit, no value
 * or operand built from user text starts with `-`, and nothing contains NUL
 * or a line break. Plus cheap round trips through the validators.
 */

import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import * as cmd from "../../src/pbs/commands/mod.ts";
import * as v from "../../src/pbs/validate.ts";
import { parseDuration } from "../../src/pbs/model/time.ts";

// ---------------------------------------------------------------------------
// Arbitrary user input

/** Values that are valid somewhere, so builders also reach their success paths. */
const plausible = fc.constantFrom(
  "workq",
  "debug@pbs01",
  "1.vm",
  "123[]",
  "5[2].srv",
  "5[1-3]",
  "R44.vm",
  "alice",
  "alice,bob",
  "ncpus",
  "4",
  "8gb",
  "00:10:00",
  "90:00",
  "1-10:2%3",
  "afterok:1.vm:2",
  "on:2",
  "abe",
  "uo",
  "oe",
  "SIGUSR1",
  "suspend",
  "2026-11-24T10:00",
  "202611241000",
  "2359",
  "/home/alice/o.log",
  "login01:/tmp/e",
  "./-x",
  "run.sh",
  "home:eagle",
  "scatter:excl",
  "2:ncpus=4:mem=8gb",
  "a,b",
  "node01[0]",
  "default_queue",
);
/** Values that must never reach an argv unchanged. */
const hostile = fc.constantFrom(
  "-x",
  "--",
  "-h",
  "-",
  " -q workq",
  "-p",
  "a\nb",
  "a\rb",
  "a\0b",
  "\t",
  "",
  " ",
  "é",
  "a b",
  "x;set server scheduling=False",
  "'",
  '"',
  "\\",
  "-1",
  "--version",
);
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: plausible },
  { weight: 3, arbitrary: hostile },
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.stringMatching(/^-?[A-Za-z0-9_.:@[\]=,+%/ -]{0,16}$/),
  fc.tuple(hostile, plausible).map(([a, b]) => a + b),
  fc.tuple(plausible, hostile).map(([a, b]) => a + b),
);
/** Anything JSON (or a careless caller) could put into a field. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.integer({ min: -2000, max: 2000 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 3 }) },
);
/** An optional field: absent half of the time. */
const field = fc.option(anyValue, { nil: undefined, freq: 2 });

function record(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(keys.map((k) => [k, field])), { requiredKeys: [] });
}

/**
 * A valid input with one to three fields replaced by arbitrary values, so
 * every field meets hostile values while the rest of the input is fine (a
 * fully random input is almost always rejected for some other field first).
 */
function mutated(
  base: Record<string, unknown>,
  keys: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...keys), anyValue, { minKeys: 1, maxKeys: 3 })
    .map((overrides) => ({ ...base, ...overrides }));
}

// ---------------------------------------------------------------------------
// The argv invariant

interface Spec {
  /** argv[0]. */
  command: string;
  /** The options this builder may emit, getopt style (`N:` takes a value). */
  optstring: string;
  /** Multi-letter flag clusters the builder emits as one element. */
  clusters?: readonly string[];
  /** Options allowed to appear more than once. */
  repeatable?: string;
}

/**
 * Parses argv the way getopt(3) does for `spec` and checks the invariants.
 * Returns the operands. GNU getopt permutes, so any later element starting
 * with `-` is an option too: an operand can never start with `-` unnoticed.
 */
function checkArgv(spec: Spec, argv: readonly string[]): string[] {
  assert.equal(argv[0], spec.command);
  for (const element of argv) {
    assert.ok(typeof element === "string", `non-string element ${String(element)}`);
    assert.ok(
      !/[\0\n\r]/.test(element),
      `element with NUL or line break: ${JSON.stringify(element)}`,
    );
  }
  const seen = new Map<string, number>();
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const element = argv[i];
    if (!element.startsWith("-") || element === "-") {
      operands.push(element);
      continue;
    }
    assert.notEqual(element, "--", "builders never emit --");
    if (spec.clusters?.includes(element)) {
      seen.set(element, (seen.get(element) ?? 0) + 1);
      continue;
    }
    assert.match(element, /^-[A-Za-z]$/, `unexpected option element ${JSON.stringify(element)}`);
    const letter = element[1];
    const at = spec.optstring.indexOf(letter);
    assert.ok(at >= 0, `option ${element} is not one ${spec.command} builders emit`);
    seen.set(letter, (seen.get(letter) ?? 0) + 1);
    if (spec.optstring[at + 1] === ":") {
      const value = argv[++i];
      assert.ok(value !== undefined, `${element} without a value`);
      const negativePriority = letter === "p" && /^-\d+$/.test(value);
      assert.ok(
        !value.startsWith("-") || negativePriority,
        `value of ${element} starts with '-': ${JSON.stringify(value)}`,
      );
    }
  }
  for (const [flag, count] of seen) {
    assert.ok(count === 1 || spec.repeatable?.includes(flag), `${flag} repeated ${count} times`);
  }
  return operands;
}

/** Runs a builder on arbitrary input: refused with invalid_input, or a sound argv. */
function holds<T>(build: () => T, check: (result: T) => void): void {
  let result: T;
  try {
    result = build();
  } catch (error) {
    assert.ok(isPbsError(error), `builder threw a non-PbsError: ${error}`);
    assert.equal(error.kind, "invalid_input");
    assert.ok(error.hint.length > 0);
    return;
  }
  check(result);
}

const RUNS = { numRuns: 400 };
// deno-lint-ignore no-explicit-any
type Loose = any;

// ---------------------------------------------------------------------------
// Builders

const QSUB_FIELDS = [
  "script",
  "scriptText",
  "name",
  "queue",
  "account",
  "arrayRange",
  "depend",
  "env",
  "output",
  "error",
  "join",
  "keep",
  "mailEvents",
  "mailUsers",
  "hold",
  "priority",
  "startAfter",
  "rerunnable",
  "walltime",
  "select",
  "nodes",
  "ncpus",
  "ngpus",
  "mem",
  "place",
  "filesystems",
  "resources",
];
const QSUB_SPEC: Spec = {
  command: "qsub",
  optstring: "N:q:l:A:J:W:v:o:e:j:k:m:M:hp:a:r:",
  repeatable: "l",
};

const QSUB_BASE = {
  script: "run.sh",
  name: "job1",
  queue: "workq",
  walltime: "01:00:00",
  ncpus: 4,
  env: { A: "1" },
  hold: true,
  priority: 5,
};

Deno.test("property: qsub argv is sound for any input", () => {
  const input = fc.oneof(record(QSUB_FIELDS), mutated(QSUB_BASE, QSUB_FIELDS));
  fc.assert(
    fc.property(input, (input) => {
      holds(() => cmd.qsub(input as Loose), ({ argv, stdin }) => {
        const operands = checkArgv(QSUB_SPEC, argv);
        // A script path is the single operand; script text means no operand and stdin.
        assert.equal(operands.length, stdin === undefined ? 1 : 0);
        if (stdin !== undefined) assert.ok(!stdin.includes("\0"));
        assert.equal(argv.includes("-h"), Boolean(input.hold));
      });
    }),
    RUNS,
  );
});

Deno.test("every qsub field × every option-like value is refused or kept out of option position", () => {
  // Exhaustive complement to the random property: fast-check rarely puts a
  // leading '-' into one particular field of a valid submission.
  const dashed = ["-x", "--", "-h", "-", " -q", "-1", "--version", "-N x", "-lselect=2"];
  const values: unknown[] = [...dashed, ...dashed.map((d) => [d]), { [dashed[0]]: "1" }, {
    A: "-x",
  }];
  for (const key of QSUB_FIELDS) {
    for (const value of values) {
      const input = { ...QSUB_BASE, [key]: value };
      holds(() => cmd.qsub(input as Loose), ({ argv, stdin }) => {
        assert.equal(checkArgv(QSUB_SPEC, argv).length, stdin === undefined ? 1 : 0);
      });
    }
  }
});

Deno.test("property: qsub with only plausible values mostly succeeds", () => {
  // Guards the property above against vacuity: it must reach the success path.
  let built = 0;
  fc.assert(
    fc.property(
      fc.record({
        script: fc.constantFrom("run.sh", "/home/a/run.sh", "./-x"),
        name: fc.option(fc.constantFrom("a", "run-1", "12345"), { nil: undefined }),
        queue: fc.option(fc.constantFrom("workq", "debug@pbs01"), { nil: undefined }),
        walltime: fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }),
        ncpus: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        env: fc.option(
          fc.dictionary(
            fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/),
            fc.stringMatching(/^[a-z ,:=]{0,8}$/),
          ),
          { nil: undefined },
        ),
        priority: fc.option(fc.integer({ min: -1024, max: 1023 }), { nil: undefined }),
      }),
      (input) => {
        const keep = Object.fromEntries(
          Object.entries(input).filter(([k, val]) =>
            !(k === "env" && Object.keys(val ?? {}).length === 0)
          ),
        );
        holds(() => cmd.qsub(keep as Loose), ({ argv }) => {
          checkArgv(QSUB_SPEC, argv);
          built++;
        });
      },
    ),
    RUNS,
  );
  assert.ok(
    built > RUNS.numRuns * 0.9,
    `only ${built} of ${RUNS.numRuns} plausible submissions built`,
  );
});

/** A valid value for the first option key of each job builder. */
const JOB_BASE: Record<string, unknown> = {
  force: true,
  types: "uo",
  name: "renamed",
  signal: "SIGUSR1",
  destination: "workq",
};

/** The job-operation builders: ids in, options in, sound argv out. */
const JOB_BUILDERS: Array<{
  spec: Spec;
  keys: string[];
  build: (ids: unknown, options: Record<string, unknown>) => cmd.PbsCommand;
}> = [
  {
    spec: { command: "qdel", optstring: "xW:" },
    keys: ["force", "purgeHistory"],
    build: (ids, o) => cmd.qdel(ids as Loose, o),
  },
  {
    spec: { command: "qhold", optstring: "h:" },
    keys: ["types"],
    build: (ids, o) => cmd.qhold(ids as Loose, o as Loose),
  },
  {
    spec: { command: "qrls", optstring: "h:" },
    keys: ["types"],
    build: (ids, o) => cmd.qrls(ids as Loose, o as Loose),
  },
  {
    spec: { command: "qalter", optstring: "N:A:l:p:a:W:", repeatable: "l" },
    keys: [
      "name",
      "account",
      "priority",
      "startAfter",
      "depend",
      "walltime",
      "select",
      "ncpus",
      "mem",
      "place",
      "resources",
    ],
    build: (ids, o) => cmd.qalter(ids as Loose, o as Loose),
  },
  {
    spec: { command: "qmove", optstring: "" },
    keys: ["destination"],
    build: (ids, o) => cmd.qmove(o.destination as Loose, ids as Loose),
  },
];

const idsArb = fc.oneof(
  text,
  fc.array(text, { maxLength: 4 }),
  anyValue,
  fc.array(fc.constantFrom("1.vm", "2", "3[]", "4[5].s"), { minLength: 1, maxLength: 3 }),
);

for (const { spec, keys, build } of JOB_BUILDERS) {
  Deno.test(`property: ${spec.command} argv is sound for any input`, () => {
    const options = keys.length === 0
      ? fc.constant({})
      : fc.oneof(record(keys), mutated({ [keys[0]]: JOB_BASE[keys[0]] }, keys));
    fc.assert(
      fc.property(idsArb, options, (ids, options) => {
        holds(() => build(ids, options), ({ argv, stdin }) => {
          const operands = checkArgv(spec, argv);
          const idCount = typeof ids === "string" ? 1 : (ids as unknown[]).length;
          assert.equal(operands.length, idCount + (spec.command === "qmove" ? 1 : 0));
          assert.equal(stdin, undefined);
        });
      }),
      RUNS,
    );
  });
}

Deno.test("property: qstat, tracejob, pbs_rdel, pbs_rstat", () => {
  fc.assert(
    fc.property(anyValue, anyValue, record(["history", "subjobs", "queue", "days"]), (a, b, o) => {
      const qstat: Spec = { command: "qstat", optstring: "fxtF:", clusters: ["-Qf", "-Bf"] };
      holds(() => cmd.qstatJob(a as Loose, o), ({ argv }) => {
        assert.equal(checkArgv(qstat, argv).length, 1);
      });
      holds(() => cmd.qstatAllJobs(o as Loose), ({ argv }) => {
        assert.ok(checkArgv(qstat, argv).length <= 1);
      });
      holds(() => cmd.qstatQueues(b as Loose), ({ argv }) => {
        assert.ok(checkArgv(qstat, argv).length <= 1);
      });
      holds(() => cmd.tracejob(a as Loose, o as Loose), ({ argv }) => {
        assert.equal(checkArgv({ command: "tracejob", optstring: "n:" }, argv).length, 1);
      });
      holds(() => cmd.pbsRdel(a as Loose), ({ argv }) => {
        checkArgv({ command: "pbs_rdel", optstring: "" }, argv);
      });
      holds(() => cmd.pbsRstat(a as Loose), ({ argv }) => {
        assert.ok(checkArgv({ command: "pbs_rstat", optstring: "f" }, argv).length <= 1);
      });
    }),
    RUNS,
  );
});

Deno.test("property: qselect argv is sound for any input", () => {
  const condition = fc.record({
    name: anyValue,
    op: fc.oneof(text, fc.constantFrom("eq", "gt")),
    value: anyValue,
  });
  const input = fc.record({
    users: field,
    queue: field,
    name: field,
    account: field,
    states: field,
    holdTypes: field,
    resources: fc.option(fc.oneof(fc.array(condition, { maxLength: 3 }), anyValue), {
      nil: undefined,
    }),
    arraysOnly: field,
    subjobs: field,
    history: field,
  }, { requiredKeys: [] });
  const keys = ["users", "queue", "name", "account", "states", "holdTypes", "resources"];
  const base = { users: "alice", queue: "workq", states: "QH" };
  fc.assert(
    fc.property(fc.oneof(input, mutated(base, keys)), (o) => {
      holds(() => cmd.qselect(o as Loose), ({ argv }) => {
        const spec = { command: "qselect", optstring: "u:q:N:A:s:h:l:JTx" };
        assert.equal(checkArgv(spec, argv).length, 0);
      });
    }),
    RUNS,
  );
});

Deno.test("property: qmgr can only ever list or print", () => {
  const input = fc.record({
    verb: fc.option(fc.oneof(fc.constantFrom("list", "print", "set", "create", "delete"), text), {
      nil: undefined,
    }),
    object: fc.oneof(fc.constantFrom("server", "queue", "node", "resource", "sched", "hook"), text),
    name: field,
    attributes: fc.option(fc.oneof(fc.array(text, { maxLength: 3 }), anyValue), { nil: undefined }),
  }, { requiredKeys: ["object"] });
  fc.assert(
    fc.property(input, (o) => {
      holds(() => cmd.qmgrRead(o as Loose), ({ argv }) => {
        assert.equal(checkArgv({ command: "qmgr", optstring: "c:" }, argv).length, 0);
        const request = argv[2];
        const words = request.split(" ");
        assert.ok(["list", "print"].includes(words[0]), request);
        assert.ok(["server", "queue", "node", "resource", "sched"].includes(words[1]), request);
        assert.ok(words.length <= 4, request);
        assert.ok(!/[;#'"\\=]/.test(request), request);
      });
    }),
    RUNS,
  );
});

Deno.test("property: pbs_ralter argv is sound for any input", () => {
  const spec: Spec = { command: "pbs_ralter", optstring: "R:E:D:l:N:U:" };
  const keys = ["start", "end", "duration", "select", "name", "users"];
  fc.assert(
    fc.property(anyValue, fc.oneof(record(keys), mutated({ end: "0400" }, keys)), (id, o) => {
      holds(() => cmd.pbsRalter(id as Loose, o as Loose), ({ argv }) => {
        assert.equal(checkArgv(spec, argv).length, 1);
      });
    }),
    RUNS,
  );
});

Deno.test("property: pbs_rsub argv is sound for any input", () => {
  const spec: Spec = { command: "pbs_rsub", optstring: "R:E:D:l:N:U:", repeatable: "l" };
  fc.assert(
    fc.property(
      fc.oneof(
        record(["start", "end", "duration", "select", "place", "name", "users"]),
        mutated(
          { start: "0302", duration: 600, select: "1:ncpus=1", name: "r1" },
          ["start", "end", "duration", "select", "place", "name", "users"],
        ),
      ),
      (o) => {
        holds(() => cmd.pbsRsub(o as Loose), ({ argv }) => {
          assert.equal(checkArgv(spec, argv).length, 0);
        });
      },
    ),
    RUNS,
  );
});

// ---------------------------------------------------------------------------
// Round trips

Deno.test("property: walltime round-trips through parseDuration/formatDuration", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100_000_000 }), (seconds) => {
      const formatted = v.validateWalltime(seconds);
      assert.equal(parseDuration(formatted), seconds);
      assert.equal(v.validateWalltime(formatted), formatted);
    }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 500 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 1, max: 59 }),
      (h, m, s) => {
        assert.equal(parseDuration(v.validateWalltime(`${h}:${m}:${s}`)), h * 3600 + m * 60 + s);
      },
    ),
  );
});

const chunkArb = fc.record({
  count: fc.integer({ min: 1, max: 64 }),
  ncpus: fc.option(fc.integer({ min: 1, max: 128 }), { nil: undefined }),
  mem: fc.option(fc.constantFrom("512mb", "8gb", "1tb"), { nil: undefined }),
  host: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { nil: undefined }),
}).map(({ count, ...resources }) =>
  [
    String(count),
    ...Object.entries(resources).filter(([, r]) => r !== undefined).map(([k, r]) => `${k}=${r}`),
  ]
    .join(":")
);

Deno.test("property: normalising validators are idempotent", () => {
  fc.assert(
    fc.property(fc.array(chunkArb, { minLength: 1, maxLength: 4 }), (chunks) => {
      const once = v.validateSelect(chunks.join("+"));
      assert.equal(v.validateSelect(once), once);
    }),
  );
  const place = fc.tuple(
    fc.option(fc.constantFrom("free", "pack", "scatter", "vscatter"), { nil: undefined }),
    fc.option(fc.constantFrom("excl", "shared", "exclhost"), { nil: undefined }),
    fc.option(fc.constantFrom("group=switch", "group=rack"), { nil: undefined }),
  ).filter((parts) => parts.some((p) => p !== undefined));
  fc.assert(
    fc.property(place, (parts) => {
      const shuffled = parts.filter((p) => p !== undefined).reverse().join(":");
      const once = v.validatePlace(shuffled);
      assert.equal(v.validatePlace(once), once);
      assert.equal(once, parts.filter((p) => p !== undefined).join(":"));
    }),
  );
  fc.assert(
    fc.property(
      fc.date({ min: new Date(2000, 0, 1), max: new Date(2099, 11, 31), noInvalidDate: true }),
      (date) => {
        const once = v.validateDateTime(date);
        assert.match(once, /^\d{12}(\.\d{2})?$/);
        assert.equal(v.validateDateTime(once), once);
      },
    ),
  );
});

/**
 * A model of how qsub splits and unquotes a `-v` list (comma_token and
 * copy_env_value in qsub.c) for the characters formatEnvList lets through:
 * commas split except inside quotes, and quote characters are dropped.
 */
function qsubDecodesEnv(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  let token = "";
  let quote: string | undefined;
  const tokens: string[] = [];
  for (const ch of list) {
    if (ch === "'" || ch === '"') {
      quote = quote === ch ? undefined : quote ?? ch;
      token += ch;
    } else if (ch === "," && quote === undefined) {
      tokens.push(token);
      token = "";
    } else token += ch;
  }
  tokens.push(token);
  for (const t of tokens) {
    const eq = t.indexOf("=");
    out[t.slice(0, eq)] = t.slice(eq + 1).replace(/['"]/g, "");
  }
  return out;
}

Deno.test("property: -v values survive qsub's comma splitting and unquoting", () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((n) => !n.startsWith("PBS_O_")),
        // deno-lint-ignore no-control-regex
        fc.string({ maxLength: 12 }).filter((s) => !/['"\\\0-\x1f\x7f]/.test(s)),
        { minKeys: 1, maxKeys: 5 },
      ),
      (vars) => {
        assert.deepEqual(qsubDecodesEnv(v.formatEnvList(vars)), { ...vars });
      },
    ),
  );
});

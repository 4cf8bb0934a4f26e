import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { readPbsJson, readPbsJsonDocuments } from "../../src/pbs/json.ts";
import { PbsError } from "../../src/pbs/errors.ts";
import { golden, goldenNames, releaseGoldenNames } from "../golden.ts";

/** Every capture whose command used `-F json`, master and release client. */
function jsonGoldens(): string[] {
  return [...goldenNames(), ...releaseGoldenNames()]
    .filter((name) => golden(name).meta.command.includes("-F json"));
}

function assertParseError(fn: () => unknown): PbsError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PbsError, `expected a PbsError, got ${String(error)}`);
    assert.equal(error.kind, "parse_error");
    assert.ok(error.hint.length > 0);
    return error;
  }
  assert.fail("expected a parse_error");
}

// deno-lint-ignore no-explicit-any
type Any = any;

Deno.test("readPbsJson on every -F json golden", async (t) => {
  const names = jsonGoldens();
  assert.ok(names.length >= 60, `expected all json goldens, found ${names.length}`);
  for (const name of names) {
    await t.step(name, () => {
      const { stdout, meta } = golden(name);
      if (stdout.trim() === "") {
        // qstat -F json without -f, server down (pbsnodes), qmgr -F: nothing on stdout.
        assert.notEqual(meta.exit_code, 0);
        assertParseError(() => readPbsJson(stdout));
        return;
      }
      const docs = readPbsJsonDocuments(stdout);
      const expectedDocs = stdout.split("\n").filter((line) => line === "{").length;
      assert.equal(docs.length, expectedDocs);
      for (const doc of docs) {
        assert.equal(doc["pbs_version"], "23.06.06");
        assert.equal(doc["pbs_server"], "vm");
        assert.equal(typeof doc["timestamp"], "number");
      }
      assert.deepEqual(readPbsJson(stdout), docs[0]);
    });
  }
});

Deno.test("release client's invalid JSON", async (t) => {
  await t.step("JSON.parse really rejects it (so the tolerant path is exercised)", () => {
    assert.throws(() => JSON.parse(golden("release/qstat_f_json_numeric_looking").stdout));
  });

  await t.step("raw numeric-looking values keep their text unless lossless", () => {
    const doc = readPbsJson(golden("release/qstat_f_json_numeric_looking").stdout) as Any;
    const job = doc.Jobs["2055.vm"];
    const vars = job.Variable_List;
    assert.equal(job.Job_Name, 12345);
    assert.equal(job.Account_Name, "00123");
    assert.equal(vars.ZIP, "01234");
    assert.equal(vars.EXP, "1e5");
    assert.equal(vars.HEX, "0x10");
    assert.equal(vars.FLT, "3.50");
    assert.equal(vars.NEG, -7);
    assert.equal(vars.BIG, "123456789012345678901234567890");
    assert.equal(vars.INF, "inf");
    assert.equal(vars.NAN, "nan");
    assert.equal(vars.TRUE, "true");
    assert.equal(vars.SP, 42);
    assert.equal(vars.PBS_O_HOST, "localhost");
    assert.equal(job.Resource_List.ncpus, 1);
  });

  await t.step("master gives the type-inferred values through JSON.parse", () => {
    const vars = (readPbsJson(golden("qstat_f_json_numeric_looking").stdout) as Any)
      .Jobs["2055.vm"].Variable_List;
    assert.equal(vars.ZIP, 1234);
    assert.equal(vars.EXP, 100000);
    assert.equal(vars.TRUE, true);
    assert.equal(vars.INF, "inf");
  });

  await t.step("four concatenated release documents with mangled UTF-8 and a stray quote", () => {
    const docs = readPbsJsonDocuments(golden("release/qstat_f_json_env_escapes").stdout) as Any[];
    assert.deepEqual(docs.map((d) => Object.keys(d.Jobs)[0]), ["39.vm", "40.vm", "41.vm", "43.vm"]);
    const weird = docs[3].Jobs["43.vm"].Variable_List;
    assert.equal(weird.WEIRD, "line1\nline2\ttab");
    assert.ok(weird.UNI.startsWith("h^\u0003^"), weird.UNI);
    assert.ok(weird.UNI.includes('"'), "the stray quote stays inside the value");
    assert.equal(weird.PWD, "/home/alice", "the member after the stray quote survives");
    assert.equal(weird.SHLVL, 0);
    assert.equal(docs[1].Jobs["40.vm"].Variable_List.BS, "C:\\\\temp\\\\new");
    assert.equal(docs[2].Jobs["41.vm"].Variable_List.COMMA, "a,b");
    assert.equal(
      docs[0].Jobs["39.vm"].Submit_arguments,
      '-h -N envquote -v Q=say "hi" jobs/short.sh',
    );
  });

  await t.step("master's concatenated documents (valid JSON each)", () => {
    const docs = readPbsJsonDocuments(golden("qstat_f_json_env_escapes").stdout) as Any[];
    assert.equal(docs.length, 4);
    assert.equal(docs[3].Jobs["43.vm"].Variable_List.UNI, "héllo ✓");
    assert.equal(docs[1].Jobs["40.vm"].Variable_List.BS, "C:\\\\\\\\temp\\\\\\\\new");
  });
});

Deno.test("tolerant parser: known defects", async (t) => {
  await t.step("odd numbers and bare words", () => {
    const doc = readPbsJson(
      '{"a": 005, "b": .5, "c": 5., "d": -00, "e": 1e5, "f": inf, "g": -inf, "h": nan,\n' +
        '"i": 123456789012345678901234567890, "j": 42, "k": -7, "l": true, "m": null, "n": 0}',
    );
    assert.deepEqual(doc, {
      a: "005",
      b: ".5",
      c: "5.",
      d: "-00",
      e: "1e5",
      f: "inf",
      g: "-inf",
      h: "nan",
      i: "123456789012345678901234567890",
      j: 42,
      k: -7,
      l: true,
      m: null,
      n: 0,
    });
  });

  await t.step("invalid escapes and lone backslashes stay literal", () => {
    const doc = readPbsJson('{\n\t"a":\t"x\\qy",\n\t"b":\t"C:\\",\n\t"c":\t"tail\\"\n}');
    assert.deepEqual(doc, { a: "x\\qy", b: "C:\\", c: "tail\\" });
  });

  await t.step("valid escapes still decode in the tolerant path", () => {
    const doc = readPbsJson('{"a": "q\\"t\\\\n\\n\\u00e9\\ud83d\\ude00", "b": inf}');
    assert.deepEqual(doc, { a: 'q"t\\n\né😀', b: "inf" });
  });

  await t.step("raw newlines and tabs inside strings", () => {
    const doc = readPbsJson('{"a": "line1\nline2\ttab", "b": 1e5}');
    assert.deepEqual(doc, { a: "line1\nline2\ttab", b: "1e5" });
  });

  await t.step("BASH_FUNC bodies, escaped and with raw quotes and newlines", () => {
    const text = [
      "{",
      '    "Variable_List":{',
      '        "BASH_FUNC_mf%%":"() {  echo \\"hi\\";\n}",',
      '        "BASH_FUNC_raw%%":"() {  local x="a b"; printf "%s" "$x"; }",',
      '        "BASH_FUNC_nl%%":"() {  if true; then\n  echo "{";\n fi\n}",',
      '        "AFTER":inf',
      "    }",
      "}",
    ].join("\n");
    const vars = readPbsJson(text)["Variable_List"] as Any;
    assert.equal(vars["BASH_FUNC_mf%%"], '() {  echo "hi";\n}');
    assert.equal(vars["BASH_FUNC_raw%%"], '() {  local x="a b"; printf "%s" "$x"; }');
    assert.equal(vars["BASH_FUNC_nl%%"], '() {  if true; then\n  echo "{";\n fi\n}');
    assert.equal(vars["AFTER"], "inf");
  });

  await t.step("duplicate keys keep the last value, both paths", () => {
    assert.deepEqual(readPbsJson('{"q": {"a": 1}, "q": {"b": 2}}'), { q: { b: 2 } });
    assert.deepEqual(readPbsJson('{"q": {"a": 1}, "q": {"b": nan}}'), { q: { b: "nan" } });
  });

  await t.step("__proto__ is an ordinary member", () => {
    const doc = readPbsJson('{"__proto__": {"x": inf}}');
    assert.equal(Object.getPrototypeOf(doc), Object.prototype);
    assert.deepEqual(Object.keys(doc), ["__proto__"]);
  });

  await t.step("empty documents", () => {
    assert.deepEqual(readPbsJson("{}"), {});
    assert.deepEqual(readPbsJson("{\n}\n"), {});
    assert.deepEqual(readPbsJsonDocuments("{}\n{}"), [{}, {}]);
  });

  await t.step("trailing comma tolerated", () => {
    assert.deepEqual(readPbsJson('{"a": [1, 2,], "b": x,}'), { a: [1, 2], b: "x" });
  });

  await t.step("deep nesting does not overflow the stack", () => {
    const depth = 200_000;
    const text = '{"a": ' + "[".repeat(depth) + "inf" + "]".repeat(depth) + "}";
    let value: unknown = readPbsJson(text)["a"];
    for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
    assert.equal(value, "inf");
  });
});

Deno.test("no JSON at all is a parse_error with a useful hint", async (t) => {
  await t.step("qstat -F json without -f: empty stdout, usage on stderr", () => {
    const g = golden("qstat_F_json_without_f");
    const error = assertParseError(() => readPbsJson(g.stdout));
    assert.match(error.hint, /-f/);
    assert.match(error.hint, /exit code/);
  });

  await t.step("usage text itself", () => {
    const usage = golden("qstat_F_json_without_f").stderr;
    const error = assertParseError(() => readPbsJson(usage));
    assert.match(error.message, /no JSON/);
    assert.ok(error.pbsMessage?.includes("conflicting options"));
    assertParseError(() => readPbsJsonDocuments(usage));
  });

  await t.step("non-object JSON", () => {
    assertParseError(() => readPbsJson("[1, 2]"));
    assertParseError(() => readPbsJson("42"));
    assertParseError(() => readPbsJson("null"));
  });

  await t.step("truncated output names the position", () => {
    const text = golden("qstat_f_json_one").stdout;
    const error = assertParseError(() => readPbsJson(text.slice(0, 400)));
    assert.match(error.message, /line \d+, column \d+/);
  });
});

Deno.test("property: readPbsJson returns an object or throws parse_error", async (t) => {
  const check = (text: string) => {
    try {
      const doc = readPbsJson(text);
      assert.equal(typeof doc, "object");
      assert.ok(doc !== null && !Array.isArray(doc));
      const docs = readPbsJsonDocuments(text);
      assert.ok(docs.length >= 1);
    } catch (error) {
      assert.ok(error instanceof PbsError, `threw ${String(error)}`);
      assert.equal(error.kind, "parse_error");
      // The tolerant path's repaired text must always be valid JSON.
      assert.doesNotMatch(error.message, /internal repair failed|unexpected failure/);
    }
  };

  await t.step("arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), check), {
      numRuns: 500,
    });
  });

  await t.step("strings built from JSON-ish fragments", () => {
    const fragment = fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      '"',
      "\\",
      ":",
      ",",
      "\n",
      "\t",
      "inf",
      "005",
      '"a"',
      " ",
      "true",
      "__proto__",
    );
    fc.assert(fc.property(fc.array(fragment, { maxLength: 60 }).map((a) => a.join("")), check), {
      numRuns: 1000,
    });
  });

  const sources = [
    golden("qstat_f_json_array_t").stdout,
    golden("release/qstat_f_json_env_escapes").stdout,
    golden("release/qstat_f_json_numeric_looking").stdout,
    golden("pbsnodes_a_json_with_resv").stdout,
    golden("qstat_Qf_json").stdout,
  ];
  const mutation = fc.record({
    source: fc.integer({ min: 0, max: sources.length - 1 }),
    edits: fc.array(
      fc.record({
        kind: fc.constantFrom("delete", "insert", "truncate"),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        length: fc.integer({ min: 1, max: 8 }),
        text: fc.constantFrom('"', "\\", "{", "}", ",", ":", "\n", "inf", "\u0000", "[", "]"),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  });

  await t.step("mutated goldens (deletions, insertions, truncations)", () => {
    fc.assert(
      fc.property(mutation, ({ source, edits }) => {
        let text = sources[source];
        for (const edit of edits) {
          const at = Math.floor(edit.at * text.length);
          if (edit.kind === "delete") text = text.slice(0, at) + text.slice(at + edit.length);
          else if (edit.kind === "insert") text = text.slice(0, at) + edit.text + text.slice(at);
          else text = text.slice(0, at);
        }
        check(text);
      }),
      { numRuns: 1500 },
    );
  });
});

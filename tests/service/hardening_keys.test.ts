/**
 * Prototype-like names as user keys, below the MCP layer: each function that
 * takes user text as a key treats it as data.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import { parseSelect } from "../../src/pbs/model/select.ts";
import { flattenAttributes, variablesFromJson } from "../../src/pbs/parse/attributes.ts";
import { edgesOf, submissionOrder } from "../../src/service/dependency_graph.ts";
import { parseStateFilter } from "../../src/service/job_filter.ts";
import { PROTO_KEYS } from "../proto_keys.ts";

const protoKey = fc.constantFrom(...PROTO_KEYS);

Deno.test("property: prototype-like names are plain data", async (t) => {
  await t.step("a state filter word is unknown, a typed error", () => {
    fc.assert(fc.property(protoKey, (word) => {
      assert.throws(
        () => parseStateFilter(word),
        (e) => isPbsError(e) && e.kind === "invalid_input",
      );
    }));
  });

  await t.step("a dependency graph never finds edges it was not given", () => {
    fc.assert(fc.property(protoKey, protoKey, (a, b) => {
      fc.pre(a !== b);
      assert.deepEqual(edgesOf({}, a), []);
      // b waits for a: a goes first, whichever names they are.
      const graph = JSON.parse(
        `{${JSON.stringify(b)}: [{"on": ${JSON.stringify(a)}, "type": "afterok"}]}`,
      );
      assert.deepEqual(submissionOrder([b, a], graph), [a, b]);
      assert.deepEqual(edgesOf(graph, a), []);
    }));
  });

  await t.step("select resources keep their names as own keys", () => {
    fc.assert(fc.property(protoKey, (name) => {
      // PBS resource names start with a letter (see select.ts): "__proto__" is refused, typed.
      if (!/^[A-Za-z]/.test(name)) {
        assert.throws(
          () => parseSelect(`2:ncpus=4:${name}=1`),
          (e) => isPbsError(e) && e.kind === "invalid_input",
        );
        return;
      }
      const [chunk] = parseSelect(`2:ncpus=4:${name}=1`);
      assert.ok(Object.hasOwn(chunk.resources, name));
      assert.equal(chunk.resources[name], "1");
      assert.equal(Object.getPrototypeOf(chunk.resources), Object.prototype);
    }));
  });

  await t.step("PBS attributes and variables keep their names as own keys", () => {
    fc.assert(fc.property(protoKey, (name) => {
      const json = JSON.parse(
        `{${JSON.stringify(name)}: "a", "Resource_List": {${JSON.stringify(name)}: "b"}}`,
      );
      const flat = flattenAttributes(json);
      assert.ok(Object.hasOwn(flat, name));
      assert.equal(flat[name], "a");
      assert.equal(flat[`Resource_List.${name}`], "b");
      const variables = variablesFromJson(JSON.parse(`{${JSON.stringify(name)}: "v"}`));
      assert.ok(Object.hasOwn(variables, name));
      assert.equal(variables[name], "v");
    }));
  });
});

import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import {
  type DependencyGraph,
  type DependencyType,
  dependValue,
  submissionOrder,
} from "../../src/service/dependency_graph.ts";

function throwsInvalid(fn: () => unknown, text: RegExp) {
  assert.throws(fn, (error) => {
    assert.ok(isPbsError(error), `expected a PbsError, got ${error}`);
    assert.equal(error.kind, "invalid_input");
    assert.match(error.message, text);
    assert.ok(error.hint.length > 0);
    return true;
  });
}

/** Every job comes after every job it depends on. */
function respectsEdges(order: string[], graph: DependencyGraph): boolean {
  const position = new Map(order.map((k, i) => [k, i]));
  return Object.entries(graph).every(([key, edges]) =>
    edges.every((e) => position.get(e.on)! < position.get(key)!)
  );
}

const afterok = (on: string) => ({ on, type: "afterok" as const });

Deno.test("submissionOrder", async (t) => {
  await t.step("no edges: the input order", () => {
    assert.deepEqual(submissionOrder(["c", "a", "b"], {}), ["c", "a", "b"]);
  });

  await t.step("dependencies are moved before their dependants", () => {
    const order = submissionOrder(["post", "sim", "prep"], {
      post: [afterok("sim")],
      sim: [afterok("prep")],
    });
    assert.deepEqual(order, ["prep", "sim", "post"]);
  });

  await t.step("an order that already works is kept as given", () => {
    const graph = { b: [afterok("a")], d: [afterok("a"), afterok("c")] };
    assert.deepEqual(submissionOrder(["a", "b", "c", "d"], graph), ["a", "b", "c", "d"]);
    assert.deepEqual(submissionOrder(["c", "a", "d", "b"], graph), ["c", "a", "d", "b"]);
  });

  await t.step("a diamond puts the join last and each job once", () => {
    const order = submissionOrder(["join", "left", "right", "root"], {
      join: [afterok("left"), { on: "right", type: "afterany" }],
      left: [afterok("root")],
      right: [afterok("root")],
    });
    assert.equal(order.length, 4);
    assert.equal(new Set(order).size, 4);
    assert.equal(order[0], "root");
    assert.equal(order[3], "join");
  });

  await t.step("a cycle is rejected and the message names it", () => {
    throwsInvalid(
      () =>
        submissionOrder(["a", "b", "c"], {
          a: [afterok("b")],
          b: [afterok("c")],
          c: [afterok("a")],
        }),
      /cycle: a → b → c → a/,
    );
    // A cycle further down names only the jobs in it, not the path that led there.
    throwsInvalid(
      () =>
        submissionOrder(["start", "x", "y"], {
          start: [afterok("x")],
          x: [afterok("y")],
          y: [afterok("x")],
        }),
      /cycle: x → y → x$/,
    );
  });

  await t.step("a self-dependency is rejected", () => {
    throwsInvalid(() => submissionOrder(["a"], { a: [afterok("a")] }), /"a" depends on itself/);
  });

  await t.step("unknown keys are rejected, on either side of an edge", () => {
    throwsInvalid(
      () => submissionOrder(["a"], { a: [afterok("ghost")] }),
      /"a" depends on unknown job "ghost"/,
    );
    throwsInvalid(
      () => submissionOrder(["a"], { ghost: [afterok("a")] }),
      /names job "ghost", which is not in jobs/,
    );
  });

  await t.step("duplicate keys are rejected", () => {
    throwsInvalid(() => submissionOrder(["a", "b", "a"], {}), /"a" is used twice/);
  });

  await t.step("keys that are also Object.prototype names are ordinary keys", () => {
    // Job keys are chosen by the user; `graph[key]` must not find inherited members.
    assert.deepEqual(
      submissionOrder(["constructor", "toString"], { toString: [afterok("constructor")] }),
      ["constructor", "toString"],
    );
    assert.deepEqual(submissionOrder(["hasOwnProperty"], {}), ["hasOwnProperty"]);
  });

  const keysArb = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), {
    minLength: 1,
    maxLength: 12,
  });
  const typeArb = fc.constantFrom<DependencyType>("afterok", "afternotok", "afterany");

  /** A random DAG: edges only point from a job to jobs earlier in a hidden order, keys shuffled. */
  const dagArb = keysArb.chain((hidden) =>
    fc.tuple(
      fc.constant(hidden),
      fc.array(fc.tuple(fc.nat(), fc.nat(), typeArb), { maxLength: 30 }),
      fc.shuffledSubarray(hidden, { minLength: hidden.length, maxLength: hidden.length }),
    )
  ).map(([hidden, picks, shuffled]) => {
    const graph: DependencyGraph = {};
    for (const [a, b, type] of picks) {
      const i = a % hidden.length;
      const j = b % hidden.length;
      if (i === j) continue;
      const [from, to] = i > j ? [hidden[i], hidden[j]] : [hidden[j], hidden[i]];
      (graph[from] ??= []).push({ on: to, type });
    }
    return { keys: shuffled, graph };
  });

  await t.step("property: for random DAGs every job comes after all the jobs it depends on", () => {
    fc.assert(
      fc.property(dagArb, ({ keys, graph }) => {
        const order = submissionOrder(keys, graph);
        assert.deepEqual([...order].sort(), [...keys].sort());
        assert.ok(respectsEdges(order, graph), `${order} breaks ${JSON.stringify(graph)}`);
      }),
    );
  });

  await t.step("property: an input order that respects the edges comes back unchanged", () => {
    fc.assert(
      fc.property(dagArb, ({ keys, graph }) => {
        const order = submissionOrder(keys, graph);
        assert.deepEqual(submissionOrder(order, graph), order);
      }),
    );
  });

  await t.step("property: a random graph with a cycle throws invalid_input", () => {
    fc.assert(
      fc.property(
        dagArb,
        fc.integer({ min: 2, max: 5 }),
        fc.nat(),
        ({ keys, graph }, length, seed) => {
          if (keys.length < 2) return;
          const n = Math.min(length, keys.length);
          const cycle = Array.from({ length: n }, (_, i) => keys[(seed + i) % keys.length]);
          const withCycle: DependencyGraph = structuredClone(graph);
          cycle.forEach((key, i) => {
            (withCycle[key] ??= []).push(afterok(cycle[(i + 1) % n]));
          });
          throwsInvalid(() => submissionOrder(keys, withCycle), /cycle/);
        },
      ),
    );
  });
});

Deno.test("dependValue", async (t) => {
  const ids = new Map([["a", "1.pbs"], ["b", "2.pbs"], ["c", "3.pbs"]]);

  await t.step("no edges: no -W depend", () => {
    assert.equal(dependValue([], ids), undefined);
  });

  await t.step("edges of one type share one clause", () => {
    assert.equal(dependValue([afterok("a"), afterok("b")], ids), "afterok:1.pbs:2.pbs");
  });

  await t.step("edges are grouped by type, in first-seen order", () => {
    assert.equal(
      dependValue(
        [
          { on: "a", type: "afterany" },
          afterok("b"),
          { on: "c", type: "afterany" },
          { on: "a", type: "afternotok" },
        ],
        ids,
      ),
      "afterany:1.pbs:3.pbs,afterok:2.pbs,afternotok:1.pbs",
    );
  });

  await t.step("a dependency not yet submitted is an internal error", () => {
    assert.throws(() => dependValue([afterok("zzz")], ids), /zzz not submitted/);
  });
});

/**
 * Conformance: each case of conformance_cases.ts is replayed on the `golden`
 * scenario and compared with its OpenPBS capture (conformance_check.ts). Every
 * capture in tests/fixtures/golden is either a case or listed, with its reason,
 * in NOT_REPRODUCED: a new capture fails until it is placed.
 */

import assert from "node:assert/strict";
import { goldenNames } from "../golden.ts";
import { CASES, NOT_REPRODUCED } from "./conformance_cases.ts";
import { checkCase } from "./conformance_check.ts";

Deno.test("conformance with OpenPBS goldens", async (t) => {
  for (const c of CASES) {
    await t.step(c.golden, () => checkCase(c));
  }
});

Deno.test("every capture is a case or listed with its reason", () => {
  const cases = new Set(CASES.map((c) => c.golden));
  const excluded = new Set(Object.keys(NOT_REPRODUCED));
  const all = goldenNames();
  assert.deepEqual(all.filter((n) => !cases.has(n) && !excluded.has(n)), [], "unplaced captures");
  assert.deepEqual([...cases].filter((n) => excluded.has(n)), [], "both a case and excluded");
  assert.deepEqual([...cases, ...excluded].filter((n) => !all.includes(n)), [], "stale names");
  assert.equal(cases.size, CASES.length, "a capture appears in two cases");
  for (const [name, reason] of Object.entries(NOT_REPRODUCED)) {
    assert.ok(reason.length > 20, `${name}: a reason`);
  }
});

Deno.test("sim/README.md lists exactly the covered and the excluded goldens", () => {
  const readme = Deno.readTextFileSync(new URL("../../sim/README.md", import.meta.url));
  const section = readme.slice(
    readme.indexOf("## Goldens covered"),
    readme.indexOf("## Goldens not reproduced"),
  );
  const listed = [...section.matchAll(/^- `([\w-]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(listed, CASES.map((c) => c.golden).sort());
  const excludedSection = readme.slice(readme.indexOf("## Goldens not reproduced"));
  const excluded = [...excludedSection.matchAll(/^- `([\w-]+)`/gm)].map((m) => m[1]).sort();
  assert.deepEqual(excluded, Object.keys(NOT_REPRODUCED).sort());
});

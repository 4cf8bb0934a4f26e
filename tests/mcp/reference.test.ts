import assert from "node:assert/strict";
import { currentReference, expectedReadme } from "../../scripts/reference.ts";
import { CONTRACT_TOOLS } from "./contract.ts";

Deno.test("README's reference section is generated from the registered definitions", async (t) => {
  await t.step("it is up to date (else: deno task reference)", async () => {
    const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
    assert.equal(readme, await expectedReadme(readme), "README reference is stale");
  });

  await t.step("every tool of the public contract is in it", async () => {
    const reference = await currentReference();
    for (const tool of CONTRACT_TOOLS) {
      assert.ok(reference.includes(`#### \`${tool}\``), `${tool} missing from the reference`);
    }
  });

  await t.step("each heading counts the rows of its table", async () => {
    const reference = await currentReference();
    for (const match of reference.matchAll(/### (Resources|Prompts) \((\d+)\)\n\n([^#]*)/g)) {
      const rows = match[3].split("\n").filter((line) => line.startsWith("| `"));
      assert.equal(rows.length, Number(match[2]), `${match[1]} heading says ${match[2]}`);
    }
  });

  await t.step("a default is shown once, in its own column", async () => {
    const reference = await currentReference();
    assert.doesNotMatch(reference, /\(default [^)]*\)[^|\n]*\(default/);
    assert.match(reference, /\| `limit` \| integer \| {2}\| 50 \|/);
  });
});

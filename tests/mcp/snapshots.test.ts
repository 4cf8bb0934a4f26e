import assert from "node:assert/strict";
import {
  listedTools,
  SNAPSHOT_DIR,
  snapshotFile,
  snapshotOf,
  snapshotText,
} from "../../scripts/snapshots.ts";

const REFRESH = "run `deno task snapshots` and review the diff before committing it";

Deno.test("every tool's public surface matches its snapshot in tests/mcp/__snapshots__", async (t) => {
  const tools = await listedTools();

  await t.step("there is one snapshot per tool, and none for a tool that is gone", () => {
    const files = [...Deno.readDirSync(SNAPSHOT_DIR)]
      .map((e) => e.name)
      .filter((name) => name.endsWith(".json"))
      .sort();
    const expected = tools.map((tool) => `${tool.name}.json`).sort();
    assert.deepEqual(files, expected, `the snapshot files differ from the tool list: ${REFRESH}`);
  });

  for (const tool of tools) {
    await t.step(tool.name, async () => {
      let stored: string;
      try {
        stored = await Deno.readTextFile(snapshotFile(tool.name));
      } catch {
        assert.fail(`no snapshot for ${tool.name}: ${REFRESH}`);
      }
      assert.deepEqual(
        JSON.parse(stored),
        JSON.parse(snapshotText(snapshotOf(tool))),
        `${tool.name}'s name, title, description, schemas or annotations changed: ${REFRESH}`,
      );
    });
  }
});

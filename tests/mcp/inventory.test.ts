import assert from "node:assert/strict";
import { selectTools, TOOL_INVENTORY } from "../../src/mcp/tools/inventory.ts";
import { CONTRACT_TOOLS } from "./contract.ts";
import { startHarness } from "./harness.ts";

const inventoryNames = (entries = TOOL_INVENTORY) => entries.map((e) => e.tool.name);
/** What a server of one cluster offers at most: list_clusters needs several. */
const oneCluster = () => TOOL_INVENTORY.filter((e) => e.needs !== "clusters");

Deno.test("the server registers exactly the tool inventory", async (t) => {
  await t.step("the inventory holds each public tool once", () => {
    const names = inventoryNames();
    assert.equal(new Set(names).size, names.length, "a tool is listed twice");
    assert.deepEqual([...names].sort(), [...CONTRACT_TOOLS].sort());
  });

  // With a site profile's allocation command, so get_allocation is offered too.
  const h = await startHarness({ profile: "polaris" });
  try {
    const listed = await h.tools();

    await t.step("tools/list shows every inventory tool, in inventory order", () => {
      assert.deepEqual(listed.map((tool) => tool.name), inventoryNames(oneCluster()));
    });

    await t.step("each tool's kind agrees with the annotations a client sees", () => {
      const byName = new Map(listed.map((tool) => [tool.name, tool]));
      for (const { tool, kind } of oneCluster()) {
        const hints = byName.get(tool.name)!.annotations!;
        assert.equal(hints.readOnlyHint, kind === "read", `${tool.name} is ${kind}`);
        assert.equal(hints.destructiveHint === true, kind === "destructive", tool.name);
      }
    });
  } finally {
    await h.close();
  }

  await t.step("read-only mode registers the read tools only", async () => {
    const readOnly = await startHarness({ config: { readOnly: true }, profile: "polaris" });
    try {
      const names = (await readOnly.tools()).map((tool) => tool.name);
      const reads = oneCluster().filter((e) => e.kind === "read");
      assert.deepEqual(names, inventoryNames(reads));
      assert.deepEqual(
        names,
        inventoryNames(selectTools(TOOL_INVENTORY, { readOnly: true, allocation: true })),
      );
      assert.ok(!names.includes("submit_job") && !names.includes("delete_job"));
    } finally {
      await readOnly.close();
    }
  });

  await t.step("without a profile's allocation command, get_allocation is left out", async () => {
    const plain = await startHarness();
    try {
      const names = (await plain.tools()).map((tool) => tool.name);
      assert.deepEqual(
        names,
        inventoryNames(oneCluster()).filter((name) => name !== "get_allocation"),
      );
    } finally {
      await plain.close();
    }
  });
});

/**
 * What every conversation pays for: the size of `tools/list` as a client
 * receives it, in the default and the read-only mode. The model reads the
 * descriptions and input schemas; output schemas travel too. BENCHMARKS.md
 * ("Tool surface") records the figures.
 */
import type { Tool } from "@modelcontextprotocol/client";
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** Characters of descriptions + input schemas (what the model reads). */
const MODEL_FACING_BUDGET = 20_000;
/** Characters of all output schemas. */
const OUTPUT_SCHEMA_BUDGET = 12_000;

export interface SurfaceSize {
  tools: number;
  whole: number;
  descriptions: number;
  inputSchemas: number;
  outputSchemas: number;
  modelFacing: number;
}

export function surfaceSize(tools: Tool[]): SurfaceSize {
  const sum = (part: (tool: Tool) => unknown) =>
    tools.reduce((n, tool) => n + JSON.stringify(part(tool) ?? "").length, 0);
  const descriptions = tools.reduce((n, tool) => n + (tool.description ?? "").length, 0);
  const inputSchemas = sum((tool) => tool.inputSchema);
  return {
    tools: tools.length,
    whole: JSON.stringify({ tools }).length,
    descriptions,
    inputSchemas,
    outputSchemas: sum((tool) => tool.outputSchema),
    modelFacing: descriptions + inputSchemas,
  };
}

for (const readOnly of [false, true]) {
  Deno.test(`tools/list stays within its budgets (${readOnly ? "read-only" : "default"} mode)`, async () => {
    // A site profile with an allocation command: every tool is listed.
    const h = await startHarness({ config: { readOnly }, profile: "polaris" });
    try {
      const size = surfaceSize(await h.tools());
      console.log(`tools/list, ${readOnly ? "read-only" : "default"} mode:`, size);
      assert.ok(
        size.modelFacing <= MODEL_FACING_BUDGET,
        `descriptions + input schemas are ${size.modelFacing} characters, over ${MODEL_FACING_BUDGET}`,
      );
      assert.ok(
        size.outputSchemas <= OUTPUT_SCHEMA_BUDGET,
        `output schemas are ${size.outputSchemas} characters, over ${OUTPUT_SCHEMA_BUDGET}`,
      );
    } finally {
      await h.close();
    }
  });
}

/**
 * Several clusters add list_clusters and a `cluster` enum to every other tool
 * (and `cluster` to each output): a cost paid only where several are served.
 */
const SEVERAL_CLUSTERS_EXTRA = { modelFacing: 1_800, outputSchemas: 1_000 };

Deno.test("tools/list of a server of two clusters stays within its budgets", async () => {
  const one = await startHarness({ profile: "polaris" });
  const two = await startHarness({
    profile: "polaris",
    others: [{ name: "second", scenario: "tiny" }],
  });
  try {
    const base = surfaceSize(await one.tools());
    const size = surfaceSize(await two.tools());
    console.log("tools/list, two clusters:", size);
    assert.equal(size.tools, base.tools + 1, "list_clusters is the one tool added");
    assert.ok(
      size.modelFacing <= MODEL_FACING_BUDGET + SEVERAL_CLUSTERS_EXTRA.modelFacing,
      `descriptions + input schemas are ${size.modelFacing} characters`,
    );
    assert.ok(
      size.outputSchemas <= OUTPUT_SCHEMA_BUDGET + SEVERAL_CLUSTERS_EXTRA.outputSchemas,
      `output schemas are ${size.outputSchemas} characters`,
    );
  } finally {
    await one.close();
    await two.close();
  }
});

Deno.test("the compact surface keeps every contract name", async (t) => {
  const h = await startHarness();
  try {
    const tools = new Map((await h.tools()).map((tool) => [tool.name, tool]));
    const properties = (name: string, schema: "inputSchema" | "outputSchema" = "inputSchema") =>
      Object.keys(
        (tools.get(name)?.[schema] as { properties?: Record<string, unknown> }).properties ?? {},
      );
    const items = (name: string) =>
      Object.keys(
        (tools.get(name)?.inputSchema as unknown as {
          properties: { jobs: { items: { properties: Record<string, unknown> } } };
        }).properties.jobs.items.properties,
      );

    await t.step("batch and dependent items take exactly submit_job's parameters", () => {
      assert.deepEqual(items("submit_batch_jobs"), properties("submit_job"));
      assert.deepEqual(items("submit_dependent_jobs"), ["key", ...properties("submit_job")]);
    });

    await t.step("the items stay undescribed: submit_job describes each field once", () => {
      const batch = JSON.stringify(tools.get("submit_batch_jobs")?.inputSchema);
      const jobs = JSON.parse(batch).properties.jobs.items.properties as Record<string, object>;
      for (const [field, schema] of Object.entries(jobs)) {
        assert.equal("description" in schema, false, `${field} is described again`);
      }
      assert.match(tools.get("submit_batch_jobs")?.description ?? "", /submit_job's parameters/);
    });

    await t.step("output schemas still name every field, nested ones included", () => {
      const status = JSON.stringify(tools.get("get_job_status")?.outputSchema);
      for (const field of ["state_meaning", "times", "estimated_start", "exit", "meaning"]) {
        assert.match(status, new RegExp(`"${field}"`));
      }
      assert.deepEqual(properties("list_jobs", "outputSchema").sort(), [
        "by_state",
        "jobs",
        "next_cursor",
        "returned",
        "total",
      ]);
    });
  } finally {
    await h.close();
  }
});

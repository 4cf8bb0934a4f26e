/**
 * Wording the model acts on, through the SDK client: parameters whose name
 * does not say it all are described (and correctly), 0 GPUs is a request
 * the schema and the validator agree on, answers read as English, sizes as
 * people write them.
 */
import type { Tool } from "@modelcontextprotocol/client";
import assert from "node:assert/strict";
import { simScript, startHarness, textOf } from "./harness.ts";

function parameter(tools: Tool[], tool: string, name: string): { description?: string } {
  const schema = tools.find((t) => t.name === tool)?.inputSchema as {
    properties: Record<string, { description?: string }>;
  };
  assert.ok(schema.properties[name], `${tool} has no parameter ${name}`);
  return schema.properties[name];
}

Deno.test("parameter descriptions say what the name does not", async (t) => {
  const h = await startHarness();
  try {
    const tools = await h.tools();
    await t.step("the ones that were missing are there", () => {
      for (
        const [tool, name] of [
          ["wait_for_job", "until"],
          ["wait_for_job", "timeout_seconds"],
          ["get_job_output", "stream"],
          ["get_job_output", "tail_lines"],
          ["get_job_output", "max_bytes"],
        ]
      ) {
        assert.ok((parameter(tools, tool, name).description ?? "").length > 5, `${tool}.${name}`);
      }
    });
    await t.step("the ones that were wrong are right", () => {
      assert.match(parameter(tools, "list_reservations", "user").description!, /reservations/);
      assert.doesNotMatch(parameter(tools, "list_reservations", "user").description!, /jobs/);
      assert.doesNotMatch(
        parameter(tools, "list_jobs", "queue_filter").description ?? "",
        /to use/,
      );
      assert.match(parameter(tools, "submit_job", "output_path").description!, /stdout/);
      assert.match(parameter(tools, "submit_job", "error_path").description!, /stderr/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("ngpus: 0 is a valid request, for the schema and the validator alike", async (t) => {
  const h = await startHarness();
  try {
    await t.step("the schema allows 0 and refuses less", async () => {
      const tool = (await h.tools()).find((x) => x.name === "submit_job")!;
      const ngpus = (tool.inputSchema.properties as Record<string, { minimum?: number }>).ngpus;
      assert.equal(ngpus.minimum, 0);
      const refused = await h.fail("submit_job", { script: simScript(), ngpus: -1 });
      assert.match(refused.text, /ngpus must be a whole number from 0/);
    });
    await t.step("and the request reaches qsub", async () => {
      const planned = await h.ok<{ command: string }>("submit_job", {
        script: simScript(),
        ncpus: 2,
        ngpus: 0,
        dry_run: true,
      });
      assert.match(planned.command, /select=1:ncpus=2:ngpus=0/);
      const submitted = await h.ok<{ job_id: string }>("submit_job", {
        script: simScript(),
        ncpus: 2,
        ngpus: 0,
      });
      assert.match(submitted.job_id, /^\d+\./);
    });
  } finally {
    await h.close();
  }
});

Deno.test("answers read as English", async (t) => {
  const h = await startHarness();
  const ops = await h.as("ops");
  try {
    const job = (await h.ok<{ job_id: string }>("submit_job", { script: simScript() })).job_id;
    await t.step("an operator hold is placed with 'an'", async () => {
      const result = await ops.call("hold_job", { job_id: job, hold_type: "o" });
      assert.ok(!result.isError, textOf(result));
      assert.match(textOf(result), /^Placed an operator hold on /);
    });
    await t.step("a user hold with 'a'", async () => {
      assert.match(textOf(await h.call("hold_job", { job_id: job })), /^Placed a user hold on /);
    });
  } finally {
    await ops.close();
    await h.close();
  }
});

Deno.test("prompts show memory as people write it", async () => {
  const h = await startHarness({ scenario: "golden" });
  try {
    const result = await h.client.getPrompt({
      name: "optimize_resources",
      arguments: { workload_description: "a small python job" },
    });
    const text = (result.messages[0].content as { text: string }).text;
    // The golden node reports mem = 24684084kb.
    assert.match(text, /23\.5gb memory/);
    assert.doesNotMatch(text, /\d{5,}kb/);
  } finally {
    await h.close();
  }
});

import assert from "node:assert/strict";
import { closestName } from "../../src/mcp/parameters.ts";
import { startHarness } from "./harness.ts";

/** Every JSON Schema object with declared properties, with where it sits. */
function objectsIn(schema: unknown, path: string): [string, { additionalProperties?: unknown }][] {
  if (!schema || typeof schema !== "object") return [];
  const record = schema as Record<string, unknown>;
  const own: [string, { additionalProperties?: unknown }][] = record.properties
    ? [[path, record]]
    : [];
  return [
    ...own,
    ...Object.entries(record).flatMap(([key, value]) => objectsIn(value, `${path}.${key}`)),
  ];
}

Deno.test("unknown parameters are refused, naming the closest real one", async (t) => {
  const h = await startHarness();
  try {
    await t.step("list_jobs {user} does not list everybody's jobs", async () => {
      const failure = await h.fail("list_jobs", { user: "me" });
      assert.match(failure.text, /unknown parameter user; did you mean user_filter\?/);
    });

    await t.step("a misspelling is matched by edit distance", async () => {
      const failure = await h.fail("get_job_status", { job_id: "1", detial: "full" });
      assert.match(failure.text, /unknown parameter detial; did you mean detail\?/);
    });

    await t.step("with nothing close, the answer lists the parameters", async () => {
      const failure = await h.fail("wait_for_job", { job_id: "1", colour: "red" });
      assert.match(
        failure.text,
        /unknown parameter colour; the parameters are job_id, until, timeout_seconds\./,
      );
    });

    await t.step("a tool without parameters refuses any", async () => {
      const failure = await h.fail("get_server_info", { verbose: true });
      assert.match(failure.text, /unknown parameter verbose; the parameters are none\./);
    });

    await t.step("items of submit_batch_jobs are closed too", async () => {
      const failure = await h.fail("submit_batch_jobs", {
        jobs: [{ script: "#!/bin/bash\n", wall_time: "00:10:00" }],
      });
      assert.match(failure.text, /unknown parameter wall_time; did you mean walltime\?/);
      // The SDK names where: "jobs.0: unknown parameter ..." (v2's wording of the zod path).
      assert.match(failure.text, /jobs\.0: unknown parameter wall_time/);
    });

    await t.step("items of submit_dependent_jobs are closed too", async () => {
      const failure = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: "#!/bin/bash\n", queue_name: "workq" }],
      });
      assert.match(failure.text, /unknown parameter queue_name; did you mean queue\?/);
    });

    await t.step("the refused calls ran no PBS command at all", () => {
      assert.equal(h.runner.runCounts().qsub, undefined);
      assert.equal(h.runner.runCounts().qstat, undefined);
    });

    await t.step("every object of every listed input schema is closed", async () => {
      for (const tool of await h.tools()) {
        for (const [path, object] of objectsIn(tool.inputSchema, tool.name)) {
          assert.equal(object.additionalProperties, false, `${path} is open`);
        }
      }
    });

    await t.step("dependency edges are closed too", async () => {
      const failure = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: "#!/bin/bash\n" }, { key: "b", script: "#!/bin/bash\n" }],
        dependency_graph: { b: [{ on: "a", kind: "afterok" }] },
      });
      assert.match(failure.text, /unknown parameter kind; the parameters are on, type\./);
    });
  } finally {
    await h.close();
  }
});

Deno.test("closestName", async (t) => {
  const known = ["state_filter", "user_filter", "queue_filter", "include_finished", "limit"];
  await t.step("a shared word wins over edit distance", () => {
    assert.equal(closestName("states", known), "state_filter");
    assert.equal(closestName("queue", known), "queue_filter");
    assert.equal(closestName("finished", known), "include_finished");
  });
  await t.step("typos are found", () => assert.equal(closestName("limt", known), "limit"));
  await t.step(
    "unrelated names find nothing",
    () => assert.equal(closestName("xyz", known), undefined),
  );
});

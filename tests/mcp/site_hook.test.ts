/** submit_job refused by a site's queuejob hook, through the SDK client on the simulator. */
import assert from "node:assert/strict";
import { Complex } from "../../sim/mod.ts";
import { tinyConfig } from "../../sim/scenarios.ts";
import { simScript, startHarness } from "./harness.ts";

Deno.test("a hook's refusal keeps the site's words and says which parameter to set", async () => {
  const outputDir = await Deno.makeTempDir({ prefix: "pbs-mcp-hook-" });
  const complex = new Complex({
    ...tinyConfig(),
    queuejobHooks: [{
      name: "require_fs",
      requireResources: ["filesystems"],
      message: "Job must request -l filesystems=<list> (e.g. home:eagle)",
    }],
  }, { seed: 1, outputDir });
  const h = await startHarness({ complex, outputDir });
  try {
    const refused = await h.fail("submit_job", { script: simScript() });
    assert.equal(
      refused.error?.pbsMessage,
      "qsub: Job must request -l filesystems=<list> (e.g. home:eagle)",
    );
    assert.match(
      refused.error?.message ?? "",
      /^The site's submission policy \(a PBS queuejob hook\) rejected the job: Job must request/,
    );
    assert.match(
      refused.error?.hint ?? "",
      /submit_job's filesystems parameter \(e\.g\. filesystems: "home:eagle"\)/,
    );
    assert.match(refused.text, /filesystems/);
    // Doing what the hint says is accepted.
    const accepted = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript(),
      filesystems: "home:eagle",
    });
    assert.match(accepted.job_id, /^\d+\./);
  } finally {
    await h.close();
    await Deno.remove(outputDir, { recursive: true });
  }
});

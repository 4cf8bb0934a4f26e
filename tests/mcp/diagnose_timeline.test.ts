/** diagnose_job's log timeline through the SDK client, on the simulator's tracejob. */
import assert from "node:assert/strict";
import { simScript, startHarness, textOf } from "./harness.ts";

Deno.test("diagnose_job shows when a job was queued, started where, and how it ended", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 120, exit: 2 }),
      job_name: "traced",
      select: "2:ncpus=8",
    });
    h.advance(300);
    const result = await h.call("diagnose_job", { job_id });
    assert.ok(!result.isError, textOf(result));
    const timeline = (result.structuredContent as { timeline: string[] }).timeline;
    assert.equal(timeline.length, 3);
    const [queued, started, ended] = timeline;
    assert.match(queued, /^\S+Z queued in workq \(by alice@\S+\)$/);
    // Two whole nodes: both hosts are named.
    assert.match(started, /^\S+Z started on node\d+, node\d+$/);
    assert.match(ended, /^\S+Z ended, Exit_status 2: The job script exited with code 2/);
    const at = (line: string) => Date.parse(line.split(" ")[0]);
    assert.ok(at(ended) - at(started) >= 120_000, "the end comes after the runtime");
    const text = textOf(result);
    assert.match(text, /Timeline \(PBS logs on this host\):/);
    for (const line of timeline) assert.ok(text.includes(line), line);
  } finally {
    await h.close();
  }
});

/** diagnose_job's log timeline through the SDK client, on the simulator's tracejob. */
import assert from "node:assert/strict";
import { simScript, startHarness, textOf } from "./harness.ts";

interface Timeline {
  events: { time: string; kind: string; text: string; by?: string }[];
  omitted: number;
  note?: string;
}

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
    const timeline = (result.structuredContent as { timeline: Timeline }).timeline;
    assert.deepEqual(timeline.events.map((e) => e.kind), ["queued", "started", "ended"]);
    assert.equal(timeline.events[0].text, "queued in workq");
    assert.match(timeline.events[0].by ?? "", /^alice@/);
    // Two whole nodes: both hosts are named.
    assert.match(timeline.events[1].text, /^started on node\d+, node\d+$/);
    assert.match(
      timeline.events[2].text,
      /^ended, Exit_status 2: The job script exited with code 2/,
    );
    const started = Date.parse(timeline.events[1].time);
    const ended = Date.parse(timeline.events[2].time);
    assert.ok(ended - started >= 120_000, "the end comes after the runtime");
    const text = textOf(result);
    assert.match(text, /Timeline \(PBS logs on this host\):/);
    for (const e of timeline.events) assert.ok(text.includes(e.text), e.text);
  } finally {
    await h.close();
  }
});

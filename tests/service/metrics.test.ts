import assert from "node:assert/strict";
import { Metrics } from "../../src/service/metrics.ts";

Deno.test("Metrics", async (t) => {
  await t.step("an empty snapshot", () => {
    const snapshot = new Metrics().snapshot({ hits: 0, misses: 0 });
    assert.deepEqual(snapshot.toolCalls, {});
    assert.deepEqual(snapshot.pbsCommands, {});
    assert.deepEqual(snapshot.cache, { hits: 0, misses: 0 });
    assert.ok(!Number.isNaN(Date.parse(snapshot.startedAt)));
  });

  await t.step("tool calls: counts, failures, total, max and mean per tool", () => {
    const metrics = new Metrics();
    metrics.recordToolCall("list_jobs", 10, false);
    metrics.recordToolCall("list_jobs", 25, true);
    metrics.recordToolCall("list_jobs", 4, false);
    metrics.recordToolCall("submit_job", 100, false);
    const { toolCalls } = metrics.snapshot({ hits: 3, misses: 1 });
    assert.deepEqual(toolCalls, {
      list_jobs: { calls: 3, failures: 1, totalMs: 39, maxMs: 25, meanMs: 13 },
      submit_job: { calls: 1, failures: 0, totalMs: 100, maxMs: 100, meanMs: 100 },
    });
  });

  await t.step("PBS commands also count timeouts", () => {
    const metrics = new Metrics();
    metrics.recordCommand("qstat", 12, false, false);
    metrics.recordCommand("qstat", 30_000, true, true);
    metrics.recordCommand("qsub", 40, true, false);
    const { pbsCommands } = metrics.snapshot({ hits: 0, misses: 0 });
    assert.deepEqual(pbsCommands, {
      qstat: { calls: 2, failures: 1, timeouts: 1, totalMs: 30_012, maxMs: 30_000, meanMs: 15_006 },
      qsub: { calls: 1, failures: 1, timeouts: 0, totalMs: 40, maxMs: 40, meanMs: 40 },
    });
  });

  await t.step("means are rounded to 0.1 ms, totals and maxima to whole ms", () => {
    const metrics = new Metrics();
    metrics.recordToolCall("t", 1.26, false);
    metrics.recordToolCall("t", 2.5, false);
    metrics.recordToolCall("t", 1.0, false);
    const stats = metrics.snapshot({ hits: 0, misses: 0 }).toolCalls.t;
    assert.equal(stats.meanMs, 1.6); // 4.76 / 3 = 1.5866…
    assert.equal(stats.totalMs, 5);
    assert.equal(stats.maxMs, 3);
  });

  await t.step("the cache figures are passed through, and snapshots are copies", () => {
    const metrics = new Metrics();
    metrics.recordToolCall("t", 5, false);
    const first = metrics.snapshot({ hits: 7, misses: 2 });
    assert.deepEqual(first.cache, { hits: 7, misses: 2 });
    metrics.recordToolCall("t", 5, false);
    assert.equal(first.toolCalls.t.calls, 1);
    assert.equal(metrics.snapshot({ hits: 0, misses: 0 }).toolCalls.t.calls, 2);
  });
});

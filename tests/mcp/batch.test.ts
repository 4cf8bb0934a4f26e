/**
 * submit_batch_jobs and submit_dependent_jobs through the SDK client.
 */
import assert from "node:assert/strict";
import { type Harness, simScript, sizeOf, startHarness } from "./harness.ts";

interface BatchAnswer {
  submitted: number;
  failed: number;
  skipped: number;
  results: {
    index: number;
    ok: boolean;
    job_id?: string;
    queue?: string;
    command?: string;
    error?: { kind: string; message: string; hint?: string };
  }[];
}

interface GraphAnswer {
  ok: boolean;
  job_ids: Record<string, string>;
  order: string[];
  failed?: { key: string; error: { kind: string; message: string } };
  not_submitted?: string[];
}

async function liveJobIds(h: Harness): Promise<string[]> {
  const listed = await h.ok<{ jobs: { id: string }[] }>("list_jobs", { limit: 500 });
  return listed.jobs.map((j) => j.id);
}

Deno.test("submit_batch_jobs", async (t) => {
  const h = await startHarness();
  try {
    await t.step("submits every job and returns one result each", async () => {
      const out = await h.ok<BatchAnswer>("submit_batch_jobs", {
        jobs: [1, 2, 3].map((i) => ({ script: simScript(), job_name: `batch${i}` })),
      });
      assert.equal(out.submitted, 3);
      assert.equal(out.failed, 0);
      assert.deepEqual(out.results.map((r) => r.index), [0, 1, 2]);
      const live = await liveJobIds(h);
      for (const r of out.results) assert.ok(live.includes(r.job_id!), r.job_id);
    });

    await t.step("a failing job does not stop the others by default", async () => {
      const out = await h.ok<BatchAnswer>("submit_batch_jobs", {
        jobs: [
          { script: simScript() },
          { script: simScript(), queue: "nosuchqueue" },
          { script: simScript() },
        ],
      });
      assert.equal(out.submitted, 2);
      assert.equal(out.failed, 1);
      assert.equal(out.results[1].ok, false);
      assert.equal(out.results[1].error?.kind, "unknown_queue");
      assert.ok(out.results[1].error?.hint);
    });

    await t.step("stop_on_error stops at the first failure", async () => {
      const before = (await liveJobIds(h)).length;
      const out = await h.ok<BatchAnswer>("submit_batch_jobs", {
        stop_on_error: true,
        jobs: [
          { script: simScript() },
          { script: simScript(), script_path: "/tmp/x.sh" },
          { script: simScript() },
        ],
      });
      assert.equal(out.submitted, 1);
      assert.equal(out.failed, 1);
      assert.equal(out.skipped, 1);
      assert.equal(out.results[1].error?.kind, "invalid_input");
      assert.equal((await liveJobIds(h)).length, before + 1);
    });

    await t.step("dry_run items plan without submitting", async () => {
      const before = (await liveJobIds(h)).length;
      const out = await h.ok<BatchAnswer>("submit_batch_jobs", {
        jobs: [{ script: simScript(), dry_run: true, job_name: "planned" }],
      });
      assert.equal(out.results[0].ok, true);
      assert.equal(out.results[0].job_id, undefined);
      assert.match(out.results[0].command!, /^qsub .*planned/);
      assert.equal((await liveJobIds(h)).length, before);
    });

    await t.step("a hundred failures stay within the size budget, hints given once", async () => {
      const jobs = Array.from({ length: 100 }, () => ({
        script: simScript(),
        queue: "nosuchqueue",
      }));
      const result = await h.call("submit_batch_jobs", { jobs });
      assert.ok(!result.isError);
      assert.ok(sizeOf(result) < 25_000, `${sizeOf(result)} characters`);
      const out = result.structuredContent as unknown as BatchAnswer;
      assert.equal(out.failed, 100);
      assert.ok(out.results[0].error?.hint);
      assert.equal(out.results[1].error?.hint, undefined);
    });

    await t.step("an empty or oversized batch is refused", async () => {
      const empty = await h.fail("submit_batch_jobs", { jobs: [] });
      assert.match(empty.text, /jobs is empty/);
      const tooMany = await h.fail("submit_batch_jobs", {
        jobs: Array.from({ length: 101 }, () => ({ script: "x" })),
      });
      assert.match(tooMany.text, /more than 100/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("submit_dependent_jobs", async (t) => {
  const h = await startHarness();
  try {
    await t.step("an afterok chain is submitted in dependency order", async () => {
      const out = await h.ok<GraphAnswer>("submit_dependent_jobs", {
        // Listed out of order on purpose: the graph decides the order.
        jobs: [
          { key: "post", script: simScript() },
          { key: "sim", script: simScript() },
          { key: "pre", script: simScript() },
        ],
        dependency_graph: {
          sim: [{ on: "pre", type: "afterok" }],
          post: [{ on: "sim", type: "afterok" }],
        },
      });
      assert.equal(out.ok, true);
      assert.deepEqual(out.order, ["pre", "sim", "post"]);
      const post = await h.ok<{ depend?: string; state: string }>("get_job_status", {
        job_id: out.job_ids.post,
      });
      assert.match(post.depend ?? "", new RegExp(`afterok:${out.job_ids.sim.split(".")[0]}`));
      assert.equal(post.state, "H", "a job waiting on a dependency is held");
    });

    await t.step("a cycle is rejected before anything is submitted", async () => {
      const before = await liveJobIds(h);
      const failure = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: simScript() }, { key: "b", script: simScript() }],
        dependency_graph: {
          a: [{ on: "b", type: "afterok" }],
          b: [{ on: "a", type: "afterany" }],
        },
      });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.message, /cycle/);
      assert.deepEqual(await liveJobIds(h), before);
    });

    await t.step("an unknown key is rejected before anything is submitted", async () => {
      const before = await liveJobIds(h);
      const failure = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: simScript() }, { key: "b", script: simScript() }],
        dependency_graph: { b: [{ on: "c", type: "afterok" }] },
      });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.hint, /a, b/);
      assert.deepEqual(await liveJobIds(h), before);
    });

    await t.step("a failing second job rolls the first back", async () => {
      const before = await liveJobIds(h);
      const failure = await h.fail("submit_dependent_jobs", {
        jobs: [
          { key: "first", script: simScript(), job_name: "rollback_first" },
          { key: "second", script: simScript(), queue: "nosuchqueue" },
        ],
        dependency_graph: { second: [{ on: "first", type: "afterok" }] },
      });
      assert.equal(failure.error?.kind, "unknown_queue");
      assert.match(failure.error!.message, /"second" failed/);
      const rolledBack = /first=(\S+)/.exec(failure.error!.message)?.[1];
      assert.ok(rolledBack, failure.error!.message);
      assert.match(failure.error!.hint, /No job from this request is left/);
      // qdel ends a job that already started through E (exiting) to F.
      h.advance(10);
      const first = await h.ok<{ state: string; name: string }>("get_job_status", {
        job_id: rolledBack,
      });
      assert.equal(first.name, "rollback_first");
      assert.equal(first.state, "F");
      assert.deepEqual(await liveJobIds(h), before);
    });

    await t.step("without rollback the submitted ids are returned with ok: false", async () => {
      const out = await h.ok<GraphAnswer>("submit_dependent_jobs", {
        rollback_on_error: false,
        jobs: [
          { key: "first", script: simScript() },
          { key: "second", script: simScript(), queue: "nosuchqueue" },
          { key: "third", script: simScript() },
        ],
        dependency_graph: {
          second: [{ on: "first", type: "afterok" }],
          third: [{ on: "second", type: "afterok" }],
        },
      });
      assert.equal(out.ok, false);
      assert.equal(out.failed?.key, "second");
      assert.equal(out.failed?.error.kind, "unknown_queue");
      assert.deepEqual(out.not_submitted, ["second", "third"]);
      assert.ok((await liveJobIds(h)).includes(out.job_ids.first));
    });

    await t.step("bad edges and dry_run are refused", async () => {
      const type = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: simScript() }, { key: "b", script: simScript() }],
        dependency_graph: { b: [{ on: "a", type: "before" }] },
      });
      assert.match(type.text, /type must be afterok/);
      const dry = await h.fail("submit_dependent_jobs", {
        jobs: [{ key: "a", script: simScript(), dry_run: true }],
      });
      assert.equal(dry.error?.kind, "invalid_input");
      assert.match(dry.error!.hint, /submit_job dry_run/);
    });
  } finally {
    await h.close();
  }
});

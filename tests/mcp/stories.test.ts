/**
 * Whole stories as a model would drive them, and the size budget on a site
 * the size of Aurora.
 */
import assert from "node:assert/strict";
import { halvesOf, type Harness, simScript, sizeOf, startHarness } from "./harness.ts";

interface Status {
  id: string;
  state: string;
  state_name: string;
  holds: string[];
  times: Record<string, string>;
  exit?: { code: number; category: string; meaning: string };
  array?: { indices?: string; remaining?: string; counts: Record<string, number> };
  nodes?: { count: number; first: string[]; more: number };
}

async function status(h: Harness, job_id: string): Promise<Status> {
  return await h.ok<Status>("get_job_status", { job_id });
}

Deno.test("submit, wait with progress, read the output, find it in history", async (t) => {
  const h = await startHarness();
  try {
    // No output_path: the output lands at PBS's default place, the caller's workdir.
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: "#!/bin/bash\necho hello\n#SIM runtime=30 exit=0\n",
      job_name: "hello",
      walltime: "00:05:00",
    });

    await t.step("wait_for_job reports progress while it waits", async () => {
      const { result, progress } = await h.callWithProgress("wait_for_job", {
        job_id,
        until: "finished",
        timeout_seconds: 300,
      });
      assert.ok(!result.isError, JSON.stringify(result.content));
      const out = result.structuredContent as { reached: boolean; state: string; exit?: unknown };
      assert.equal(out.reached, true);
      assert.equal(out.state, "F");
      assert.ok(progress.length >= 1, "at least one progress notification arrived");
      const values = progress.map((p) => p.progress);
      assert.deepEqual(values, [...values].sort((a, b) => a - b), "progress only grows");
      assert.equal(new Set(values).size, values.length, "progress strictly grows");
      assert.match(progress[0].message ?? "", new RegExp(job_id.split(".")[0]));
    });

    await t.step("get_job_output returns what the script echoed", async () => {
      const out = await h.ok<{ text: string; lines: number; truncated: boolean }>(
        "get_job_output",
        { job_id },
      );
      assert.match(out.text, /^hello$/m);
      assert.equal(out.truncated, false);
    });

    await t.step("get_job_status finds the finished job in history", async () => {
      const done = await status(h, job_id);
      assert.equal(done.state, "F");
      assert.equal(done.exit?.code, 0);
      assert.equal(done.exit?.category, "success");
      assert.ok(done.times.started && done.times.finished);
      assert.ok(Date.parse(done.times.finished) >= Date.parse(done.times.started) + 30_000);
      const live = await h.ok<{ jobs: { id: string }[] }>("list_jobs", {});
      assert.ok(!live.jobs.some((j) => j.id === job_id), "not in the live list");
      const all = await h.ok<{ jobs: { id: string; state: string }[] }>("list_jobs", {
        include_finished: true,
      });
      assert.equal(all.jobs.find((j) => j.id === job_id)?.state, "F");
      // Asking for finished jobs by state implies history.
      const finished = await h.ok<{ jobs: { id: string; state: string }[] }>("list_jobs", {
        state_filter: "finished",
      });
      assert.deepEqual(finished.jobs.map((j) => j.state), finished.jobs.map(() => "F"));
      assert.ok(finished.jobs.some((j) => j.id === job_id));
    });
  } finally {
    await h.close();
  }
});

Deno.test("a failing job's exit status is explained", async () => {
  const h = await startHarness();
  try {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 10, exit: 3 }),
    });
    const waited = await h.ok<{ exit?: { code: number; meaning: string } }>("wait_for_job", {
      job_id,
      timeout_seconds: 120,
    });
    assert.equal(waited.exit?.code, 3);
    assert.match(waited.exit!.meaning, /exited with code 3/);
  } finally {
    await h.close();
  }
});

Deno.test("an array job shows its progress", async () => {
  const h = await startHarness();
  try {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 60, echo: ["part"] }),
      array_range: "1-4",
      // A directory: each subjob writes NAME.oSEQ.INDEX inside it.
      output_path: `${h.outputDir}/`,
    });
    assert.match(job_id, /\[\]/);
    const queued = await status(h, job_id);
    assert.equal(queued.array?.indices, "1-4");
    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    assert.equal(total(queued.array!.counts), 4);

    await h.ok("wait_for_job", { job_id, until: "finished", timeout_seconds: 600 });
    const done = await status(h, job_id);
    assert.equal(done.state, "F");
    // A finished array's subjobs are F with it, not counted as Expired (OpenPBS
    // capture qstat_fx_json_array_parent_finished: "Queued:0 Running:0 Exiting:0 Expired:0").
    assert.equal(done.array?.counts.Expired, 0);

    const subjob = job_id.replace("[]", "[2]");
    const output = await h.ok<{ text: string }>("get_job_output", { job_id: subjob });
    assert.match(output.text, /part/);
  } finally {
    await h.close();
  }
});

Deno.test("hold, release, run", async () => {
  const h = await startHarness();
  try {
    const { job_id } = await h.ok<{ job_id: string; state: string }>("submit_job", {
      script: simScript({ runtime: 20 }),
      hold: true,
    });
    h.advance(120);
    const held = await status(h, job_id);
    assert.equal(held.state, "H");
    assert.deepEqual(held.holds, ["user"]);

    const released = await h.ok<{ state: string }>("release_job", { job_id });
    assert.notEqual(released.state, "H");
    const running = await h.ok<{ reached: boolean; state: string }>("wait_for_job", {
      job_id,
      until: "running",
      timeout_seconds: 120,
    });
    assert.equal(running.reached, true);
    const done = await h.ok<{ state: string }>("wait_for_job", { job_id, timeout_seconds: 120 });
    assert.equal(done.state, "F");
  } finally {
    await h.close();
  }
});

Deno.test("answers stay small on an Aurora-sized system", async (t) => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    await t.step("list_jobs with defaults: each half under 8,000 characters", async () => {
      for (const args of [{}, { include_finished: true }]) {
        const result = await h.call("list_jobs", args);
        assert.ok(!result.isError);
        const out = result.structuredContent as { total: number; returned: number };
        assert.ok(out.total > 1000, `aurora should be busy, has ${out.total} jobs`);
        assert.equal(out.returned, 50);
        const halves = halvesOf(result);
        console.log(
          `aurora list_jobs ${JSON.stringify(args)}: ${sizeOf(result)} characters ` +
            `(text ${halves.text}, structured ${halves.structured})`,
        );
        assert.ok(halves.text <= 8_000, `text: ${halves.text} characters`);
        assert.ok(halves.structured <= 8_000, `structured: ${halves.structured} characters`);
      }
    });

    await t.step("list_jobs at its maximum page is cut to the budget, not refused", async () => {
      const filters = { limit: 500 };
      const result = await h.call("list_jobs", filters);
      assert.ok(!result.isError, JSON.stringify(result.content));
      const size = sizeOf(result);
      const page = result.structuredContent as {
        total: number;
        returned: number;
        next_cursor?: string;
        jobs: { id: string }[];
      };
      console.log(`aurora list_jobs limit 500: ${size} characters, ${page.returned} rows`);
      assert.ok(size <= 25_000, `${size} characters`);
      assert.ok(page.returned < 500 && page.returned > 50, `${page.returned} rows`);
      const next = await h.ok<{ jobs: { id: string }[] }>("list_jobs", {
        ...filters,
        cursor: page.next_cursor,
      });
      const expected = await firstIds(h, page.returned + 1);
      assert.deepEqual(page.jobs.map((j) => j.id), expected.slice(0, page.returned));
      assert.equal(next.jobs[0].id, expected[page.returned], "the next page starts right after");
    });

    const biggest = await biggestRunningJob(h);

    await t.step("get_job_status of the biggest running job stays under 3,000", async () => {
      const result = await h.call("get_job_status", { job_id: biggest });
      assert.ok(!result.isError, JSON.stringify(result.content));
      const out = result.structuredContent as unknown as Status;
      assert.ok(out.nodes && out.nodes.first.length <= 4, "hosts are cut to the first few");
      const size = sizeOf(result);
      console.log(`aurora get_job_status ${biggest} (${out.nodes?.count} nodes): ${size}`);
      assert.ok(size < 3_000, `${size} characters`);
    });

    await t.step("get_job_status detail: full stays within 25,000", async () => {
      const result = await h.call("get_job_status", { job_id: biggest, detail: "full" });
      assert.ok(!result.isError, JSON.stringify(result.content));
      const size = sizeOf(result);
      console.log(`aurora get_job_status full: ${size} characters`);
      assert.ok(size <= 25_000, `${size} characters`);
    });

    await t.step("get_job_summary stays small", async () => {
      const result = await h.call("get_job_summary", {});
      const size = sizeOf(result);
      console.log(`aurora get_job_summary: ${size} characters`);
      assert.ok(size < 8_000, `${size} characters`);
    });
  } finally {
    await h.close();
  }
});

/** The running job on the most nodes: the worst case for a status view. */
async function biggestRunningJob(h: Harness): Promise<string> {
  let best = { id: "", nodes: -1 };
  let cursor: string | undefined;
  do {
    const page: { jobs: { id: string; nodes?: number }[]; next_cursor?: string } = await h.ok(
      "list_jobs",
      { state_filter: "R", limit: 500, cursor },
    );
    for (const job of page.jobs) {
      if ((job.nodes ?? 0) > best.nodes) best = { id: job.id, nodes: job.nodes ?? 0 };
    }
    cursor = page.next_cursor;
  } while (cursor);
  assert.ok(best.nodes > 1, "aurora runs multi-node jobs");
  return best.id;
}

/** The first `n` job ids of the default listing, fetched in small pages. */
async function firstIds(h: Harness, n: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  while (ids.length < n) {
    const page: { jobs: { id: string }[]; next_cursor?: string } = await h.ok("list_jobs", {
      cursor,
    });
    ids.push(...page.jobs.map((j) => j.id));
    cursor = page.next_cursor;
  }
  return ids.slice(0, n);
}

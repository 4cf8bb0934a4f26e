/**
 * analyze_history through the SDK client on the simulator: jobs whose usage
 * the test sets (`#SIM runtime= exit= cpu= mem=`), the figures checked
 * exactly, each exit class, the recommendations, filters, and the size of
 * the answer on Aurora. The history resource shows the same summary.
 */
import assert from "node:assert/strict";
import type { TextResourceContents } from "@modelcontextprotocol/client";
import { halvesOf, type Harness, simScript, sizeOf, startHarness, textOf } from "./harness.ts";
import { MAX_RESULT_CHARS } from "../../src/mcp/tool_kit.ts";
import type { HistoryView } from "../../src/mcp/views/history.ts";

/** Jobs analysed: the sum over queues. */
function analysed(a: HistoryView): number {
  return Object.values(a.by_queue).reduce((n, t) => n + t.jobs, 0);
}

function usageScript(
  o: { runtime: number; exit?: number; cpu?: number; mem?: string; stderr?: string },
): string {
  const sim = `#SIM${o.cpu === undefined ? "" : ` cpu=${o.cpu}`}${
    o.mem === undefined ? "" : ` mem=${o.mem}`
  }`;
  const lines = simScript({ runtime: o.runtime, exit: o.exit ?? 0 }).split("\n");
  lines.splice(2, 0, sim, ...(o.stderr ? [`echo ${o.stderr} >&2`] : []));
  return lines.join("\n");
}

async function submit(h: Harness, script: string, args: Record<string, unknown>): Promise<string> {
  return (await h.ok<{ job_id: string }>("submit_job", { script, ...args })).job_id;
}

/** A week of alice's work on the tiny complex, every exit class once or more. */
async function workload(h: Harness) {
  const ids: Record<string, string> = {};
  // Three runs of a training job: 00:42 of 06:00, 6 % of 8 cpus, 2gb of 16gb.
  for (const n of [1, 2, 3]) {
    ids[`train_${n}`] = await submit(
      h,
      usageScript({ runtime: 2520, cpu: 6, mem: "2gb" }),
      { job_name: `train_${n}`, ncpus: 8, mem: "16gb", walltime: "06:00:00" },
    );
  }
  ids.long = await submit(h, usageScript({ runtime: 5000, cpu: 100 }), {
    job_name: "long",
    walltime: "00:10:00",
  });
  ids.oom = await submit(h, usageScript({ runtime: 300, exit: 137, cpu: 100, mem: "4gb" }), {
    job_name: "bigmem",
    mem: "4gb",
  });
  ids.oomOutput = await submit(
    h,
    usageScript({ runtime: 300, exit: 137, cpu: 100, mem: "1gb", stderr: "oom-kill event" }),
    {
      job_name: "oomtext",
      mem: "4gb",
      output_path: h.path("oomtext.out"),
      error_path: h.path("oomtext.err"),
    },
  );
  ids.signal = await submit(h, usageScript({ runtime: 300, exit: 139, cpu: 100, mem: "1gb" }), {
    job_name: "segv",
    mem: "4gb",
  });
  ids.failed = await submit(h, usageScript({ runtime: 120, exit: 3, cpu: 100 }), {
    job_name: "broken",
    queue: "debug",
  });
  ids.gpu = await submit(h, usageScript({ runtime: 3600, cpu: 5 }), {
    job_name: "gpujob",
    ngpus: 1,
    ncpus: 8,
  });
  ids.deleted = await submit(h, usageScript({ runtime: 9000, cpu: 100 }), { job_name: "killme" });
  h.advance(600);
  // qdel straight at the complex: the delete_job tool waits (in simulated time) for the end.
  h.complex.deleteJob({ user: "alice", host: "localhost" }, ids.deleted);
  h.advance(10_000);
  return ids;
}

Deno.test("analyze_history: figures of jobs whose usage the test controls", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const ids = await workload(h);
    const result = await h.call("analyze_history", {});
    assert.ok(!result.isError, textOf(result));
    const a = result.structuredContent as HistoryView;
    const text = textOf(result);

    await t.step("every finished job is analysed, and the cost is said", () => {
      assert.equal(a.user, "alice");
      assert.ok(text.includes(`since ${a.since}`));
      assert.equal(Date.parse(a.since), (h.complex.now() - 7 * 86_400) * 1000);
      assert.equal(a.finished, 10);
      assert.equal(analysed(a), 10);
      assert.match(text, /: 10 finished; all analysed\./);
      assert.match(a.cost, /^1 qselect \+ 10 qstat -fx -F json/);
      assert.ok(text.includes(a.cost));
    });

    await t.step("exit classes follow the rules", () => {
      const classes = Object.fromEntries(
        Object.entries(a.by_exit).map(([c, t]) => [c, t.jobs]),
      );
      // train ×3 and the GPU job succeed; -29 walltime; 137 at the memory limit and
      // 137 with an oom-kill line are oom; 139 is a signal; 3 failed; qdel'd = deleted.
      assert.deepEqual(classes, {
        success: 4,
        failed: 1,
        walltime: 1,
        oom: 2,
        deleted: 1,
        signal: 1,
      });
    });

    await t.step("node-hours by queue and class are the used walltimes", () => {
      // workq: 3 × 2520 + 608 (a 00:10:00 limit is noticed at MoM's next poll, as in the
      // golden's 308 s for 300) + 3 × 300 + 3600 + 600 (deleted) s.
      const workq = (3 * 2520 + 608 + 3 * 300 + 3600 + 600) / 3600;
      const byQueue = a.by_queue;
      assert.equal(byQueue.workq.jobs, 9);
      assert.equal(byQueue.workq.node_hours, Math.round(workq * 100) / 100);
      assert.equal(byQueue.debug.jobs, 1);
      assert.equal(byQueue.debug.node_hours, Math.round((120 / 3600) * 100) / 100);
      const total = Math.round(((workq * 3600 + 120) / 3600) * 100) / 100;
      assert.match(text, new RegExp(`^Node-hours: ${total} `, "m"));
      assert.equal(a.gpu_jobs, 1);
      assert.match(text, /1 GPU job\(s\), not ranked by CPU efficiency/);
    });

    await t.step("the most idle jobs are the training runs, GPU job left out", () => {
      // cput = round(2520 s × 6 % × 8 cpus) = 1210 s; 1210 / (2520 × 8) = 6.0 %;
      // idle = (8 × 2520 − 1210) / 3600 cpu-hours.
      const idle = Math.round(((8 * 2520 - 1210) / 3600) * 100) / 100;
      assert.match(
        a.wasteful[0],
        new RegExp(
          `^\\S+ train_\\d \\(workq, success\\): walltime 00:42:00 of 06:00:00, ` +
            `CPU 6 % of 8 cpus, mem 2gb of 16gb, ${idle} idle cpu-h$`,
        ),
      );
      assert.equal(a.wasteful.filter((w) => w.includes(" train_")).length, 3);
      assert.ok(!a.wasteful.some((w) => w.startsWith(`${ids.gpu} `)));
      for (const w of a.wasteful) assert.ok(text.includes(w));
    });

    await t.step("recommendations a user can act on, with their rule and examples", () => {
      const find = (pattern: RegExp) => {
        const found = a.recommendations.filter((r) => pattern.test(r));
        assert.equal(found.length, 1, `${pattern} in ${a.recommendations.join("\n")}`);
        return found[0];
      };
      // 00:42 × 1.5 = 01:03, rounded up to the quarter hour.
      const walltime = find(
        /^jobs named train_\* used at most 00:42:00 of 06:00:00 walltime in 3 successful runs: request walltime=01:15:00/,
      );
      for (const id of [ids.train_1, ids.train_2, ids.train_3]) assert.ok(walltime.includes(id));
      find(/^jobs named train_\* used at most 2gb of 16gb memory .* mem=3gb/);
      find(/^3 jobs ran at 6 % CPU efficiency on 8 cpus each \(about 1 busy\)/);
      assert.match(
        find(/^1 job hit its walltime/),
        new RegExp(`\\(e\\.g\\. ${ids.long.replace(".", "\\.")}\\)$`),
      );
      const oom = find(/^2 jobs ran out of memory/);
      assert.ok(oom.includes(ids.oom) && oom.includes(ids.oomOutput));
      for (const r of a.recommendations) assert.ok(text.includes(r));
    });
  } finally {
    await h.close();
  }
});

Deno.test("analyze_history filters by queue, name pattern and window", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await workload(h);
    await t.step("queue", async () => {
      const a = await h.ok<HistoryView>("analyze_history", { queue: "debug" });
      assert.equal(analysed(a), 1);
      assert.deepEqual(Object.keys(a.by_queue), ["debug"]);
    });
    await t.step("a glob matches whole names; other characters are literal", async () => {
      const a = await h.ok<HistoryView>("analyze_history", { job_name: "train_*" });
      assert.equal(analysed(a), 3);
      assert.match(a.cost, /1 qstat -a -w -x/);
      const none = await h.ok<HistoryView>("analyze_history", { job_name: "train_." });
      assert.equal(analysed(none), 0);
      const one = await h.ok<HistoryView>("analyze_history", { job_name: "?egv" });
      assert.equal(analysed(one), 1);
    });
    await t.step("jobs that ended before the window are left out", async () => {
      h.advance(3 * 86_400);
      const a = await h.ok<HistoryView>("analyze_history", { days: 2 });
      assert.equal(a.finished, 0);
      assert.match(textOf(await h.call("analyze_history", { days: 2 })), /Nothing to analyse/);
    });
    await t.step("another user's history: none here", async () => {
      const a = await h.ok<HistoryView>("analyze_history", { user: "bob" });
      assert.equal(a.user, "bob");
      assert.equal(a.finished, 0);
    });
    await t.step("bad input is refused with the allowed range", async () => {
      const f = await h.fail("analyze_history", { days: 0 });
      assert.match(f.text, /days must be a whole number from 1 to 90/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("the history resource shows the same summary", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await workload(h);
    const read = await h.client.readResource({ uri: "pbs://history/user/alice" });
    const page = (read.contents[0] as TextResourceContents).text;
    assert.match(page, /By exit class: success 4 .*failed 1 .*walltime 1 .*oom 2/);
    assert.match(page, /request walltime=01:15:00/);
  } finally {
    await h.close();
  }
});

Deno.test("analyze_history stays within the size budget on Aurora", async () => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    const users = await h.ok<{ jobs: { user: string; state: string }[] }>("list_jobs", {
      include_finished: true,
      state_filter: "F",
      limit: 500,
    });
    const counts = new Map<string, number>();
    for (const j of users.jobs) counts.set(j.user, (counts.get(j.user) ?? 0) + 1);
    const busiest = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0];
    assert.ok(busiest, "the aurora scenario has finished jobs");
    const result = await h.call("analyze_history", { user: busiest, days: 90 });
    assert.ok(!result.isError, textOf(result));
    const a = result.structuredContent as HistoryView;
    assert.ok(analysed(a) > 0);
    assert.ok(sizeOf(result) <= MAX_RESULT_CHARS, `${sizeOf(result)} characters`);
    const halves = halvesOf(result);
    assert.ok(halves.text <= MAX_RESULT_CHARS && halves.structured <= MAX_RESULT_CHARS);
  } finally {
    await h.close();
  }
});

/**
 * estimate_start through the SDK client on the simulator: forecasts are
 * compared with what the simulator then actually does when the request is
 * submitted and the clock advances (every job here runs to its walltime, the
 * model's assumption, so forecast and outcome must agree within the model's
 * scheduling cycle).
 */
import assert from "node:assert/strict";
import { modelCycleSeconds } from "../../src/service/forecast.ts";
import { type Harness, simScript, startHarness, textOf } from "./harness.ts";

interface EstimateAnswer {
  at: string;
  estimates: Array<{
    queue: string;
    runs_in?: string;
    start?: string;
    wait_seconds?: number;
    node_count?: number;
    blocked_by: string[];
    reason?: string;
    pbs_estimate?: string;
  }>;
  suggestion?: { change: string; queue: string; start: string; wait_seconds: number };
  assumptions: string[];
}

const epoch = (iso: string) => Date.parse(iso) / 1000;

/** A job that holds its nodes for exactly its walltime. */
async function occupy(h: Harness, select: string, hours: number): Promise<string> {
  const walltime = `${String(hours).padStart(2, "0")}:00:00`;
  const job = await h.ok("submit_job", {
    script: simScript({ runtime: hours * 3600 }),
    select,
    walltime,
  });
  return String(job.job_id);
}

/** Advances until the job runs; returns its start (epoch seconds). */
async function actualStart(h: Harness, id: string, limit = 3 * 86400): Promise<number> {
  for (let waited = 0; waited <= limit; waited += 600) {
    const status = await h.ok<{ state: string; times?: { started?: string } }>(
      "get_job_status",
      { job_id: id, detail: "full" },
    );
    const started = h.complex.findJob(id, { history: true }).stime;
    if (status.state !== "Q" && status.state !== "H" && started !== undefined) return started;
    h.advance(600);
  }
  throw new Error(`${id} did not start within ${limit} s`);
}

/** tiny: node01-03 busy for 3, 2 and 5 hours, gpu01 for 4; node04 idle. */
async function busyTiny(): Promise<{ h: Harness; busy: string[] }> {
  const h = await startHarness({ scenario: "tiny" });
  const busy = [
    await occupy(h, "1:ncpus=8", 3),
    await occupy(h, "1:ncpus=8", 2),
    await occupy(h, "1:ncpus=8", 5),
    await occupy(h, "1:ncpus=16", 4),
  ];
  h.advance(60);
  return { h, busy };
}

Deno.test("estimate_start forecasts a request, then the simulator starts it then", async (t) => {
  const { h, busy } = await busyTiny();
  try {
    const answer = await h.ok<EstimateAnswer>("estimate_start", {
      queue: "workq",
      node_count: 2,
      ncpus: 8,
      walltime: "01:00:00",
    });
    const [e] = answer.estimates;
    await t.step("one estimate for the queue asked, with start, wait, nodes and blockers", () => {
      assert.equal(answer.estimates.length, 1);
      assert.equal(e.queue, "workq");
      assert.equal(e.node_count, 2);
      // node04 is idle; the second node frees when the 2-hour job ends.
      assert.ok(
        e.wait_seconds! > 2 * 3600 - 120 - modelCycleSeconds(2 * 3600),
        String(e.wait_seconds),
      );
      assert.ok(e.wait_seconds! <= 2 * 3600, String(e.wait_seconds));
      assert.deepEqual(e.blocked_by, [busy[1]]);
      assert.match(e.reason ?? "", /Not enough free nodes|Insufficient/);
      assert.ok(answer.assumptions.some((a) => /walltime/.test(a)));
      assert.ok(answer.assumptions.some((a) => /fair-share/.test(a)));
      // list_jobs' table (with history) and list_nodes' read, plus the
      // settings; no reservation anywhere: no pbs_rstat. The harness's
      // submissions cleared the cache, so every read ran.
      assert.ok(
        answer.assumptions.includes(
          "live state read with 4 PBS commands: qstat -Bf -F json, qstat -Qf -F json, " +
            "pbsnodes -a -F json, qstat -a -w -x",
        ),
        answer.assumptions.join("\n"),
      );
    });
    await t.step("the text carries the same facts", async () => {
      const text = textOf(
        await h.call("estimate_start", {
          queue: "workq",
          node_count: 2,
          ncpus: 8,
          walltime: "01:00:00",
        }),
      );
      assert.match(text, /workq: starts \S+, wait 01:5\d:\d\d, on 2 nodes/);
      assert.ok(text.includes(busy[1]), text);
      assert.match(text, /Model: .*fair-share/);
    });
    await t.step("submitted for real, it starts when forecast", async () => {
      const job = await h.ok("submit_job", {
        script: simScript({ runtime: 600 }),
        queue: "workq",
        node_count: 2,
        ncpus: 8,
        walltime: "01:00:00",
      });
      const started = await actualStart(h, String(job.job_id));
      assert.ok(
        Math.abs(started - epoch(e.start!)) <= modelCycleSeconds(e.wait_seconds!),
        `forecast ${e.start}, actual ${new Date(started * 1000).toISOString()}`,
      );
    });
  } finally {
    await h.close();
  }
});

Deno.test("estimate_start for a queued job_id matches the simulator's outcome", async () => {
  const { h } = await busyTiny();
  try {
    const queued = await h.ok("submit_job", {
      script: simScript({ runtime: 1800 }),
      select: "3:ncpus=8",
      place: "scatter",
      walltime: "00:30:00",
    });
    const id = String(queued.job_id);
    const answer = await h.ok<EstimateAnswer>("estimate_start", { job_id: id });
    assert.equal(answer.estimates.length, 1);
    const [e] = answer.estimates;
    assert.equal(e.queue, "workq");
    assert.equal(e.node_count, 3);
    // The job asked about is read in full besides the table and the nodes.
    assert.ok(
      answer.assumptions.includes(
        "live state read with 5 PBS commands: qstat -Bf -F json, qstat -Qf -F json, " +
          `pbsnodes -a -F json, qstat -a -w -x, qstat -fx -F json ${id}`,
      ),
      answer.assumptions.join("\n"),
    );
    // Three 8-cpu nodes: node04 now, then the 2- and 3-hour jobs' nodes.
    const started = await actualStart(h, id);
    assert.ok(
      Math.abs(started - epoch(e.start!)) <= modelCycleSeconds(e.wait_seconds!),
      `${e.start} vs ${started}`,
    );
    assert.ok(e.wait_seconds! > 2.9 * 3600, String(e.wait_seconds));
  } finally {
    await h.close();
  }
});

Deno.test("a held job is forecast as if released; a running one says so", async (t) => {
  const { h, busy } = await busyTiny();
  try {
    await t.step("held", async () => {
      const held = await h.ok("submit_job", {
        script: simScript({ runtime: 600 }),
        select: "1:ncpus=8",
        walltime: "01:00:00",
        hold: true,
      });
      const [e] = (await h.ok<EstimateAnswer>("estimate_start", { job_id: held.job_id })).estimates;
      assert.match(e.reason ?? "", /held: forecast as if released now/);
      // node04 is idle: released now, it would start at once.
      assert.ok(e.wait_seconds! <= modelCycleSeconds(0), String(e.wait_seconds));
    });
    await t.step("running", async () => {
      const [e] = (await h.ok<EstimateAnswer>("estimate_start", { job_id: busy[0] })).estimates;
      assert.equal(e.reason, "already running");
      assert.equal(e.wait_seconds, 0);
      assert.equal(epoch(e.start!), h.complex.findJob(busy[0]).stime);
    });
  } finally {
    await h.close();
  }
});

Deno.test("estimate_start tries each candidate queue and suggests a sooner request", async (t) => {
  const { h } = await busyTiny();
  try {
    const answer = await h.ok<EstimateAnswer>("estimate_start", {
      candidate_queues: ["workq", "debug"],
      node_count: 2,
      ncpus: 8,
      walltime: "00:50:00",
    });
    await t.step("one estimate per candidate, in the order given", () => {
      assert.deepEqual(answer.estimates.map((e) => e.queue), ["workq", "debug"]);
      for (const e of answer.estimates) assert.ok(e.wait_seconds! > 3600, JSON.stringify(e));
    });
    await t.step("one node (node04 is idle) starts now: suggested", () => {
      assert.equal(answer.suggestion?.change, "node_count 1");
      assert.ok(answer.suggestion!.wait_seconds <= modelCycleSeconds(0));
      assert.ok(["workq", "debug"].includes(answer.suggestion!.queue));
    });
    await t.step("without queues, every queue it fits is tried", async () => {
      const all = await h.ok<EstimateAnswer>("estimate_start", {
        node_count: 2,
        ncpus: 8,
        walltime: "02:00:00",
      });
      // debug's walltime limit is one hour: only workq fits.
      assert.deepEqual(all.estimates.map((e) => e.queue), ["workq"]);
    });
  } finally {
    await h.close();
  }
});

Deno.test("where history says jobs end early, the forecast expects that", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    // 24 finished jobs that each used half of their 20-minute walltime.
    for (let i = 0; i < 24; i++) {
      await h.ok("submit_job", {
        script: simScript({ runtime: 600 }),
        select: "1:ncpus=1",
        walltime: "00:20:00",
      });
    }
    h.advance(1800);
    // Every node busy for half of a 4-hour walltime.
    for (const select of ["1:ncpus=8", "1:ncpus=8", "1:ncpus=8", "1:ncpus=8", "1:ncpus=16"]) {
      await h.ok("submit_job", {
        script: simScript({ runtime: 2 * 3600 }),
        select,
        walltime: "04:00:00",
      });
    }
    h.advance(60);
    const answer = await h.ok<EstimateAnswer>("estimate_start", {
      queue: "workq",
      ncpus: 8,
      walltime: "01:00:00",
    });
    const [e] = answer.estimates;
    assert.match(answer.assumptions[0], /history says: .* 24 finished jobs/);
    // Half of 4 hours, not the walltime's 4 hours.
    assert.ok(
      Math.abs(e.wait_seconds! - (2 * 3600 - 60)) <= modelCycleSeconds(e.wait_seconds!),
      String(e.wait_seconds),
    );
    const job = await h.ok("submit_job", {
      script: simScript({ runtime: 600 }),
      queue: "workq",
      ncpus: 8,
      walltime: "01:00:00",
    });
    const started = await actualStart(h, String(job.job_id));
    assert.ok(
      Math.abs(started - epoch(e.start!)) <= modelCycleSeconds(e.wait_seconds!),
      `${e.start} vs ${started}`,
    );
  } finally {
    await h.close();
  }
});

Deno.test("a confirmed reservation ahead keeps its nodes in the forecast", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const now = h.complex.now();
    const made = await h.ok("manage_reservation", {
      action: "create",
      start: new Date((now + 3600) * 1000).toISOString(),
      duration: "02:00:00",
      select: "4:ncpus=8+1:ncpus=16",
      name: "maintenance",
    });
    h.advance(60);
    const answer = await h.ok<EstimateAnswer>("estimate_start", {
      queue: "workq",
      ncpus: 8,
      walltime: "02:00:00",
    });
    const [e] = answer.estimates;
    // The reservation's queue shows in qstat -Qf: pbs_rstat is read too.
    assert.ok(
      answer.assumptions.some((a) =>
        /^live state read with 5 PBS commands: .*pbs_rstat -f/.test(a)
      ),
      answer.assumptions.join("\n"),
    );
    // Two hours from now would overlap the reservation on every node: after it ends.
    assert.ok(epoch(e.start!) >= now + 3 * 3600, e.start);
    assert.deepEqual(e.blocked_by, [made.reservation_id]);
    const job = await h.ok("submit_job", {
      script: simScript({ runtime: 600 }),
      queue: "workq",
      ncpus: 8,
      walltime: "02:00:00",
    });
    const started = await actualStart(h, String(job.job_id));
    assert.ok(
      Math.abs(started - epoch(e.start!)) <= modelCycleSeconds(e.wait_seconds!),
      `${e.start} vs ${new Date(started * 1000).toISOString()}`,
    );
  } finally {
    await h.close();
  }
});

Deno.test("estimate_start refuses unclear input", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await t.step("neither a job nor a request", async () => {
      const failure = await h.fail("estimate_start", {});
      assert.equal(failure.error?.kind, "invalid_input");
    });
    await t.step("both a job and a request", async () => {
      const failure = await h.fail("estimate_start", { job_id: "1.tiny", walltime: "01:00:00" });
      assert.equal(failure.error?.kind, "invalid_input");
    });
    await t.step("an unknown job", async () => {
      const failure = await h.fail("estimate_start", { job_id: "999.tiny" });
      assert.equal(failure.error?.kind, "invalid_input");
      assert.match(failure.error!.message, /999\.tiny/);
    });
    await t.step("a request no queue takes", async () => {
      const failure = await h.fail("estimate_start", { queue: "debug", walltime: "05:00:00" });
      assert.match(failure.error!.message, /debug/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("under strict ordering PBS's own estimate is shown beside the forecast", async () => {
  const h = await startHarness({ scenario: "polaris", user: "alice" });
  try {
    // A top job of the background workload: the scheduler gave it estimated.start_time.
    const top = h.complex.listJobs().find((j) =>
      j.state === "Q" && j.estimatedStartTime !== undefined
    );
    assert.ok(top, "polaris sets strict ordering: some queued job has an estimate");
    const result = await h.call("estimate_start", { job_id: top.id });
    const answer = result.structuredContent as unknown as EstimateAnswer;
    const [e] = answer.estimates;
    assert.equal(
      e.pbs_estimate,
      new Date(top.estimatedStartTime! * 1000).toISOString().replace(".000Z", "Z"),
    );
    assert.match(textOf(result), new RegExp(`PBS's own estimate: ${e.pbs_estimate}`));
    // PBS plans with walltime ends; the model expects the earlier ends history shows.
    assert.match(answer.assumptions[0], /history says/);
    assert.ok(
      epoch(e.start!) <= top.estimatedStartTime! + modelCycleSeconds(e.wait_seconds!),
      `${e.start} vs ${e.pbs_estimate}`,
    );
  } finally {
    await h.close();
  }
});

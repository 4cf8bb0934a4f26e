/**
 * diagnose_job through the SDK client, on the simulated golden complex: jobs
 * that wait (can never run, held, dependency, stopped queue) and jobs that
 * failed (walltime, out of memory, plain exit code), plus bad input and the
 * answer size on Aurora.
 */
import assert from "node:assert/strict";
import { type Harness, simScript, sizeOf, startHarness, textOf } from "./harness.ts";

interface Diagnosis {
  job_id: string;
  state: string;
  phase: string;
  category: string;
  summary: string;
  findings: { topic: string; severity: string; message: string }[];
  next_steps: string[];
  scheduler_comment?: string;
  scheduler_reason?: {
    verdict: string;
    reason: string;
    resource?: { name: string; requested?: string; total?: string };
  };
  exit?: { code: number; category: string; meaning: string; signal?: string };
  resources: { resource: string; requested: string; used: string; percent?: number }[];
  output_signatures: { kind: string; stream: string; line: string }[];
  dependencies: { type: string; job_id: string; state?: string; condition: string }[];
  output_read: string[];
}

async function submit(h: Harness, args: Record<string, unknown>): Promise<string> {
  const submitted = await h.ok<{ job_id: string }>("submit_job", {
    script: simScript({ runtime: 3000 }),
    ...args,
  });
  return submitted.job_id;
}

/** Output and error files where get_job_output (and so diagnose_job) may read them. */
function outputs(h: Harness, name: string): Record<string, string> {
  return { output_path: h.path(`${name}.out`), error_path: h.path(`${name}.err`) };
}

Deno.test("diagnose_job explains why jobs wait", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    const tooBig = await submit(h, { select: "1:ncpus=16" });
    const held = await submit(h, { hold: true });
    const blocker = await submit(h, { walltime: "01:00:00" });
    const dependent = await submit(h, { depend: `afterok:${blocker}` });
    const stopped = await submit(h, { queue: "stopped" });
    h.advance(60);

    await t.step("asking for more cpus than exist: Can Never Run, with the numbers", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: tooBig });
      assert.equal(d.phase, "pending");
      assert.equal(d.category, "can_never_run");
      assert.equal(d.scheduler_reason?.verdict, "can_never_run");
      assert.deepEqual(
        [d.scheduler_reason?.resource?.name, d.scheduler_reason?.resource?.total],
        ["ncpus", "8"],
      );
      assert.match(d.next_steps.join(" "), /at most 8 ncpus/);
    });

    await t.step("a held job: which hold, and how to release it", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: held });
      assert.equal(d.category, "held");
      assert.match(d.summary, /user hold/);
      assert.match(d.next_steps.join(" "), new RegExp(`release_job job_id=${held}`));
    });

    await t.step("a dependency: on which job, in what state", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: dependent });
      assert.equal(d.category, "dependency");
      assert.equal(d.dependencies.length, 1);
      assert.equal(d.dependencies[0].job_id, blocker);
      assert.equal(d.dependencies[0].type, "afterok");
      assert.equal(d.dependencies[0].state, "R");
      assert.equal(d.dependencies[0].condition, "waiting");
      assert.match(d.summary, /running; afterok needs it to succeed/);
    });

    await t.step("a stopped queue: move it to a started one", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: stopped });
      assert.equal(d.category, "queue_not_started");
      assert.match(d.summary, /Queue stopped is not started/);
      assert.match(d.next_steps.join(" "), /queue=workq/);
      assert.equal(d.scheduler_comment, "Not Running: Queue not started.");
    });

    await t.step("the text block carries the verdict and next steps", async () => {
      const result = await h.call("diagnose_job", { job_id: held });
      assert.match(textOf(result), /held[\s\S]*Next steps:\n- Release it/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("diagnose_job explains why jobs failed", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    const walltime = await submit(h, {
      script: "#!/bin/bash\n#SIM runtime=600\n",
      walltime: "00:01:00",
      ...outputs(h, "wall"),
    });
    const oom = await submit(h, {
      script: simScript({
        runtime: 20,
        exit: 137,
        echo: ['"slurmstepd: error: Detected 1 oom-kill event(s) in step 12.0" >&2'],
      }),
      ...outputs(h, "oom"),
    });
    const failed = await submit(h, {
      script: simScript({ runtime: 5, exit: 3 }),
      ...outputs(h, "fail"),
    });
    // Output written where this host cannot read it (outside the allowed directories).
    const unreadable = await submit(h, {
      script: simScript({ runtime: 5, exit: 2 }),
      output_path: "/elsewhere/unreadable.out",
      error_path: "/elsewhere/unreadable.err",
    });
    h.advance(300);

    await t.step("killed at its walltime: says walltime, suggests more", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: walltime });
      assert.equal(d.phase, "finished");
      assert.equal(d.category, "walltime_exceeded");
      assert.equal(d.exit?.code, -29);
      assert.match(d.summary, /walltime limit of 00:01:00/);
      assert.match(d.next_steps[0], /more walltime: resubmit with walltime=00:02:00/);
      assert.equal(d.output_signatures[0]?.kind, "walltime");
      assert.match(
        d.output_signatures[0].line,
        /=>> PBS: job killed: walltime \d+ exceeded limit 60/,
      );
      const wall = d.resources.find((r) => r.resource === "walltime")!;
      assert.ok(wall.percent! >= 100, `walltime used ${wall.percent}%`);
    });

    await t.step("out of memory from the error output", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: oom });
      assert.equal(d.category, "out_of_memory");
      assert.equal(d.exit?.signal, "SIGKILL");
      assert.ok(
        d.output_signatures.some((s) => s.kind === "out_of_memory" && s.stream === "stderr"),
      );
      assert.match(d.next_steps.join(" "), /memory/);
    });

    await t.step("a plain exit code, with the output read", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: failed });
      assert.equal(d.category, "failed");
      assert.equal(d.exit?.code, 3);
      assert.deepEqual(d.output_read, ["stderr", "stdout"]);
    });

    await t.step("unreadable output is tolerated and reported", async () => {
      const d = await h.ok<Diagnosis>("diagnose_job", { job_id: unreadable });
      assert.equal(d.exit?.code, 2);
      assert.deepEqual(d.output_read, []);
      assert.ok(d.findings.some((f) => f.topic === "output" && /Could not read/.test(f.message)));
    });
  } finally {
    await h.close();
  }
});

Deno.test("diagnose_job with bad input", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    await t.step("an unknown job is an error with a hint", async () => {
      const failure = await h.fail("diagnose_job", { job_id: "99999.vm" });
      assert.equal(failure.error?.kind, "unknown_job");
      assert.match(failure.error!.hint, /list_jobs/);
    });

    await t.step("a malformed id is refused by the schema", async () => {
      const failure = await h.fail("diagnose_job", { job_id: "abc; rm -rf ~" });
      assert.match(failure.text, /not a PBS job id/);
      const missing = await h.fail("diagnose_job", {});
      assert.match(missing.text, /job_id/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("diagnose_job stays small on Aurora", async () => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    const waiting = await h.ok<{ jobs: { id: string }[] }>("list_jobs", {
      state_filter: "Q",
      limit: 3,
    });
    assert.ok(waiting.jobs.length > 0, "the aurora workload has queued jobs");
    for (const job of waiting.jobs) {
      const result = await h.call("diagnose_job", { job_id: job.id });
      assert.ok(!result.isError, textOf(result));
      assert.equal((result.structuredContent as unknown as Diagnosis).phase, "pending");
      assert.ok(sizeOf(result) < 8_000, `${job.id}: ${sizeOf(result)} characters`);
    }
  } finally {
    await h.close();
  }
});

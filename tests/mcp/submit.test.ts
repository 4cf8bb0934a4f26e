/**
 * Submission truth through the SDK client: a routing queue's request is
 * checked before qsub, every submission is confirmed (queue and state), a job
 * PBS dropped is an error and never an id, broken limits are named, and
 * node_count means distinct hosts.
 */
import assert from "node:assert/strict";
import { SimRunner } from "../../sim/mod.ts";
import { SUBMIT_PARAMETERS } from "../../src/service/submit_parameters.ts";
import { type Harness, simScript, startHarness, textOf } from "./harness.ts";

interface SubmitAnswer {
  dry_run: boolean;
  job_id?: string;
  queue?: string;
  state?: string;
  command: string;
  effective: Record<string, string>;
  notes?: string[];
}

const SCRIPT = simScript({ runtime: 60 });

/** Alice's live and finished jobs, by id (what PBS really holds). */
async function aliceJobIds(h: Harness): Promise<string[]> {
  const out = await h.ok<{ jobs: { id: string }[] }>("list_jobs", {
    user_filter: "me",
    include_finished: true,
    limit: 500,
  });
  return out.jobs.map((j) => j.id);
}

/** Runs a PBS command on the same complex as root (an administrator's change). */
async function asRoot(h: Harness, argv: string[]): Promise<void> {
  const root = new SimRunner({ complex: h.complex, user: "root" });
  const result = await root.run(argv);
  assert.equal(result.code, 0, `${argv.join(" ")}: ${result.stderr}`);
}

Deno.test("submit_job to the polaris default routing queue prod", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    await t.step(
      "1 node is refused before qsub, naming destinations and what to change",
      async () => {
        const before = await aliceJobIds(h);
        const qsubs = h.runner.runCounts().qsub ?? 0;
        const failure = await h.fail("submit_job", { script: SCRIPT });
        assert.equal(failure.error?.kind, "resource_limit");
        assert.match(failure.error!.message, /routing queue prod/);
        assert.match(failure.error!.message, /resources_min\.nodect 10/);
        assert.match(failure.error!.hint, /node_count ≥ 10 \(routes to small\)/);
        assert.match(failure.error!.hint, /queue: debug/);
        assert.equal(h.runner.runCounts().qsub ?? 0, qsubs, "qsub must not run");
        assert.deepEqual(await aliceJobIds(h), before);
      },
    );

    await t.step(
      "a held job is refused too: it would wait in prod and be dropped later",
      async () => {
        const failure = await h.fail("submit_job", { script: SCRIPT, hold: true });
        assert.equal(failure.error?.kind, "resource_limit");
        assert.match(failure.error!.message, /No destination of routing queue prod/);
      },
    );

    await t.step("a deferred (start_after) job is refused before qsub as well", async () => {
      const qsubs = h.runner.runCounts().qsub ?? 0;
      const failure = await h.fail("submit_job", {
        script: SCRIPT,
        start_after: "2030-01-01T00:00:00Z",
      });
      assert.equal(failure.error?.kind, "resource_limit");
      assert.equal(h.runner.runCounts().qsub ?? 0, qsubs);
    });

    await t.step(
      "10 nodes fit small: the answer names the queue it landed in and its state",
      async () => {
        const result = await h.call("submit_job", { script: SCRIPT, node_count: 10 });
        assert.ok(!result.isError, textOf(result));
        const out = result.structuredContent as unknown as SubmitAnswer;
        const status = await h.ok<{ queue: string; state: string }>("get_job_status", {
          job_id: out.job_id,
        });
        assert.equal(out.queue, status.queue);
        assert.equal(out.queue, "small");
        assert.equal(out.state, status.state);
        assert.match(textOf(result), new RegExp(`to queue small \\(state ${out.state}\\)`));
      },
    );

    await t.step("a held 10-node job is confirmed with state H", async () => {
      const out = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        node_count: 10,
        hold: true,
      });
      assert.equal(out.state, "H");
      // PBS keeps it in prod until released; the simulator may route it at once.
      assert.ok(out.queue === "prod" || out.queue === "small", out.queue);
    });

    await t.step(
      "a dry run says where the request would go, or that PBS would drop it",
      async () => {
        const fits = await h.ok<SubmitAnswer>("submit_job", {
          script: SCRIPT,
          node_count: 30,
          dry_run: true,
        });
        assert.equal(fits.queue, "medium");
        assert.ok(
          fits.notes?.some((n) => /prod is a routing queue: this request goes to medium/.test(n)),
        );
        const dropped = await h.ok<SubmitAnswer>("submit_job", { script: SCRIPT, dry_run: true });
        assert.ok(
          dropped.notes?.some((n) =>
            /submit_job would refuse this/.test(n) && /node_count ≥ 10/.test(n)
          ),
        );
      },
    );

    await t.step("a #PBS -l select in the script counts like a parameter", async () => {
      const script = simScript({ directives: ["-l select=12:ncpus=32"] });
      const out = await h.ok<SubmitAnswer>("submit_job", { script });
      assert.equal(out.queue, "small");
    });
  } finally {
    await h.close();
  }
});

Deno.test("a job PBS accepts and then discards is an error, never an id", async () => {
  // An administrator raises small's minimum after the client cached the queues:
  // the check before qsub passes, PBS prints an id and drops the job.
  const h = await startHarness({ scenario: "polaris", config: { cacheTtlMs: 3_600_000 } });
  try {
    const plan = await h.ok<SubmitAnswer>("submit_job", {
      script: SCRIPT,
      node_count: 10,
      dry_run: true,
    });
    assert.equal(plan.queue, "small");
    await asRoot(h, ["qmgr", "-c", "set queue small resources_min.nodect = 20"]);
    const before = await aliceJobIds(h);
    const failure = await h.fail("submit_job", { script: SCRIPT, node_count: 10 });
    assert.equal(failure.error?.kind, "job_discarded");
    assert.match(failure.error!.message, /PBS accepted job \d+\.polaris-pbs-01 into prod/);
    assert.match(
      failure.error!.message,
      /small: nodect 10 is below small's resources_min\.nodect 20/,
    );
    assert.match(
      failure.error!.message,
      /medium: nodect 10 is below medium's resources_min\.nodect 25/,
    );
    assert.match(failure.error!.hint, /node_count ≥ 20 \(routes to small\)/);
    assert.match(failure.error!.hint, /queue: debug-scaling/);
    assert.deepEqual(await aliceJobIds(h), before, "the job really is gone");
  } finally {
    await h.close();
  }
});

Deno.test("batch and graph submissions: a dropped or refused job per item, or a rollback", async (t) => {
  const h = await startHarness({ scenario: "polaris", config: { cacheTtlMs: 3_600_000 } });
  try {
    // Cache the queues while small still takes 10 nodes, then raise its minimum.
    await h.ok("submit_job", { script: SCRIPT, node_count: 10, dry_run: true });
    await asRoot(h, ["qmgr", "-c", "set queue small resources_min.nodect = 20"]);

    await t.step(
      "submit_batch_jobs: the dropped item is job_discarded, the other lands",
      async () => {
        const out = await h.ok<{
          submitted: number;
          results: { ok: boolean; queue?: string; error?: { kind: string; message: string } }[];
        }>("submit_batch_jobs", {
          jobs: [{ script: SCRIPT, node_count: 10 }, { script: SCRIPT, queue: "debug" }],
        });
        assert.equal(out.submitted, 1);
        assert.equal(out.results[0].ok, false);
        assert.equal(out.results[0].error?.kind, "job_discarded");
        assert.match(out.results[0].error!.message, /resources_min\.nodect 20/);
        assert.equal(out.results[1].queue, "debug");
      },
    );

    await t.step(
      "submit_dependent_jobs: a child refused after its parent was submitted rolls it back",
      async () => {
        // Cache small's old minimum again, then raise it: the graph is checked against the
        // cached queues; submitting pre clears the cache, so main's own check sees the new
        // minimum and refuses it before its qsub.
        await asRoot(h, ["qmgr", "-c", "set queue small resources_min.nodect = 10"]);
        await h.ok("submit_job", { script: SCRIPT, node_count: 10, dry_run: true });
        await asRoot(h, ["qmgr", "-c", "set queue small resources_min.nodect = 20"]);
        const before = await aliceJobIds(h);
        const failure = await h.fail("submit_dependent_jobs", {
          jobs: [
            { key: "pre", script: SCRIPT, queue: "debug" },
            { key: "main", script: SCRIPT, node_count: 10 },
          ],
          dependency_graph: { main: [{ on: "pre", type: "afterok" }] },
        });
        assert.equal(failure.error?.kind, "resource_limit");
        assert.match(failure.error!.message, /"main" failed: No destination of routing queue prod/);
        assert.match(failure.error!.message, /rolled back \(deleted\): pre=/);
        const live = await h.ok<{ jobs: { id: string }[] }>("list_jobs", { user_filter: "me" });
        const kept = live.jobs.map((j) => j.id).filter((id) => !before.includes(id));
        assert.deepEqual(kept, [], "nothing from the pipeline is left queued");
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("batch and dependent submissions check routing and report where jobs landed", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    await t.step(
      "submit_batch_jobs: per item, the landed queue and state, or the refusal",
      async () => {
        const out = await h.ok<{
          results: { ok: boolean; queue?: string; state?: string; error?: { kind: string } }[];
        }>("submit_batch_jobs", {
          jobs: [{ script: SCRIPT, node_count: 10 }, { script: SCRIPT }],
        });
        assert.equal(out.results[0].queue, "small");
        assert.ok(out.results[0].state);
        assert.equal(out.results[1].ok, false);
        assert.equal(out.results[1].error?.kind, "resource_limit");
      },
    );

    await t.step(
      "submit_dependent_jobs: a child that fits no destination stops the graph before any qsub",
      async () => {
        const before = await aliceJobIds(h);
        const qsubs = h.runner.runCounts().qsub ?? 0;
        const failure = await h.fail("submit_dependent_jobs", {
          jobs: [
            { key: "pre", script: SCRIPT, queue: "debug" },
            { key: "main", script: SCRIPT },
          ],
          dependency_graph: { main: [{ on: "pre", type: "afterok" }] },
        });
        assert.equal(failure.error?.kind, "resource_limit");
        assert.match(
          failure.error!.message,
          /"main" failed: No destination of routing queue prod accepts this request/,
        );
        assert.match(failure.error!.message, /nothing had been submitted yet/);
        assert.equal(h.runner.runCounts().qsub ?? 0, qsubs, "no qsub ran");
        assert.deepEqual(await aliceJobIds(h), before);
      },
    );

    await t.step(
      "submit_dependent_jobs: each job's queue and state (the child is held)",
      async () => {
        const out = await h.ok<{ jobs: { key: string; queue?: string; state?: string }[] }>(
          "submit_dependent_jobs",
          {
            jobs: [
              { key: "pre", script: SCRIPT, queue: "debug" },
              { key: "main", script: SCRIPT, node_count: 10 },
            ],
            dependency_graph: { main: [{ on: "pre", type: "afterok" }] },
          },
        );
        const [pre, main] = out.jobs;
        assert.equal(pre.queue, "debug");
        assert.ok(pre.state);
        assert.ok(main.queue === "prod" || main.queue === "small", main.queue);
        assert.equal(main.state, "H");
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("a broken limit is named with the value that would fit", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await t.step("qsub: walltime above debug's maximum", async () => {
      const failure = await h.fail("submit_job", {
        script: SCRIPT,
        queue: "debug",
        walltime: "02:00:00",
      });
      assert.equal(failure.error?.kind, "resource_limit");
      assert.match(
        failure.error!.pbsMessage ?? "",
        /violates queue and\/or server resource limits/,
      );
      assert.match(
        failure.error!.message,
        /walltime 02:00:00 is above debug's resources_max\.walltime 01:00:00/,
      );
      assert.match(failure.error!.hint, /walltime ≤ 01:00:00/);
      assert.match(failure.error!.hint, /queue: workq/);
    });

    await t.step("qalter: raising a debug job's walltime past the maximum", async () => {
      const job = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        queue: "debug",
        hold: true,
      });
      const failure = await h.fail("modify_job", { job_id: job.job_id, walltime: "03:00:00" });
      assert.equal(failure.error?.kind, "resource_limit");
      assert.match(
        failure.error!.message,
        /walltime 03:00:00 is above debug's resources_max\.walltime 01:00:00/,
      );
    });

    await t.step("qmove: a 5-hour job into debug", async () => {
      const job = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        walltime: "05:00:00",
        hold: true,
      });
      const failure = await h.fail("modify_job", { job_id: job.job_id, queue: "debug" });
      assert.equal(failure.error?.kind, "resource_limit");
      assert.match(
        failure.error!.message,
        /walltime 05:00:00 is above debug's resources_max\.walltime 01:00:00/,
      );
      assert.match(failure.error!.hint, /walltime ≤ 01:00:00/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("node_count: 2 means two distinct hosts", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await t.step("the dry run shows place=scatter and says why", async () => {
      const out = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        node_count: 2,
        ncpus: 1,
        dry_run: true,
      });
      assert.equal(out.effective.place, "scatter");
      assert.match(out.command, /-l place=scatter/);
      assert.ok(out.notes?.some((n) => /2 distinct hosts/.test(n) && /vscatter/.test(n)));
    });

    await t.step("the job runs on two hosts", async () => {
      const out = await h.ok<SubmitAnswer>("submit_job", {
        script: simScript({ runtime: 3600 }),
        node_count: 2,
        ncpus: 1,
      });
      h.advance(30);
      const status = await h.ok<{ state: string; nodes?: { count: number } }>("get_job_status", {
        job_id: out.job_id,
      });
      assert.equal(status.state, "R");
      assert.equal(status.nodes?.count, 2);
    });

    await t.step("an explicit place or a select is left alone", async () => {
      const packed = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        node_count: 2,
        place: "pack",
        dry_run: true,
      });
      assert.equal(packed.effective.place, "pack");
      const selected = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        select: "2:ncpus=1",
        dry_run: true,
      });
      assert.equal(selected.effective.place, undefined);
      const scripted = await h.ok<SubmitAnswer>("submit_job", {
        script: simScript({ directives: ["-l place=free"] }),
        node_count: 2,
        dry_run: true,
      });
      assert.equal(scripted.effective.place, undefined);
    });

    await t.step("a default place keeps its sharing part", async () => {
      await asRoot(h, ["qmgr", "-c", "set queue workq resources_default.place = pack:excl"]);
      const out = await h.ok<SubmitAnswer>("submit_job", {
        script: SCRIPT,
        node_count: 2,
        dry_run: true,
      });
      assert.equal(out.effective.place, "scatter:excl");
    });
  } finally {
    await h.close();
  }
});

Deno.test("submit_job_guide suggests only a queue the request fits", async () => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    const prompt = await h.client.getPrompt({
      name: "submit_job_guide",
      arguments: { job_type: "python" },
    });
    const text = (prompt.messages[0].content as { text: string }).text;
    // The default queue prod takes no 1-node job: it must not be suggested.
    assert.doesNotMatch(text, /queue="prod"/);
    // generate_job_script is asked to pick a queue the job fits (tests/mcp/generate.test.ts).
    assert.match(text, /without queue \(it picks one the job fits\)/);
    assert.match(text, /prod is a routing queue/);
    assert.match(text, /a 1-node job with the default walltime fits: debug, debug-scaling/);
    // The suggested queue really takes the suggested (bare) submission.
    const out = await h.ok<SubmitAnswer>("submit_job", { script: SCRIPT, queue: "debug" });
    assert.equal(out.queue, "debug");
  } finally {
    await h.close();
  }
});

Deno.test("one table maps every submit_job parameter", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const tool = (await h.tools()).find((t) => t.name === "submit_job")!;
    const inSchema = Object.keys(tool.inputSchema.properties ?? {}).filter((n) => n !== "dry_run");
    assert.deepEqual(
      [...inSchema].sort(),
      SUBMIT_PARAMETERS.map((p) => p.name).sort(),
      "every submit_job parameter has a row in SUBMIT_PARAMETERS",
    );
    // Every qsub option a row names shows up in the dry run's effective view under that row.
    const out = await h.ok<SubmitAnswer>("submit_job", {
      script: SCRIPT,
      job_name: "all",
      queue: "workq",
      walltime: "00:20:00",
      node_count: 1,
      place: "pack",
      account: "proj",
      filesystems: "home",
      array_range: "1-3",
      env: { A: "1" },
      output_path: h.path("o"),
      error_path: h.path("e"),
      join_output: true,
      keep_files: "oe",
      mail_events: "abe",
      mail_users: "alice@example.org",
      hold: true,
      priority: 5,
      start_after: "2030-01-01T00:00:00Z",
      rerunnable: true,
      extra_resources: { software: "vasp" },
      dry_run: true,
    });
    for (const p of SUBMIT_PARAMETERS.filter((p) => p.option.startsWith("-"))) {
      if (["ncpus", "ngpus", "mem", "select", "depend"].includes(p.name)) continue; // not given
      const shown = p.option === "-l" ? p.key ?? "software" : p.name;
      assert.ok(
        shown in out.effective,
        `${p.name} (${p.option}) missing from ${JSON.stringify(out.effective)}`,
      );
    }
  } finally {
    await h.close();
  }
});

Deno.test("optimize_resources shows the minimums that decide routing", async () => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    const prompt = await h.client.getPrompt({
      name: "optimize_resources",
      arguments: { workload_description: "a 1-node python job for 20 minutes" },
    });
    const text = (prompt.messages[0].content as { text: string }).text;
    assert.match(text, /- small \(execution[^\n]*minimum nodect=10/);
    assert.match(text, /- prod \(route[^\n]*→ small, medium, large/);
    assert.match(text, /PBS discards a job none fits/);
  } finally {
    await h.close();
  }
});

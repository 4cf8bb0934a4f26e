/**
 * Answers say what the model needs to act: the limits that decide routing,
 * why output is not there yet, what PBS's job counts count, and one rule for
 * which nodes are usable. Also that the light job listing backs the user's
 * job page and the monitoring prompt.
 */
import assert from "node:assert/strict";
import type { RunOptions } from "../../src/pbs/runner.ts";
import { type Harness, simScript, startHarness, textOf } from "./harness.ts";

async function submit(h: Harness, args: Record<string, unknown> = {}): Promise<string> {
  const out = await h.ok<{ job_id: string }>("submit_job", { script: simScript(), ...args });
  return out.job_id;
}

/** Records every argv the server runs from now on. */
function recordCommands(h: Harness): string[][] {
  const seen: string[][] = [];
  const run = h.runner.run.bind(h.runner);
  h.runner.run = (argv: readonly string[], options?: RunOptions) => {
    seen.push([...argv]);
    return run(argv, options);
  };
  return seen;
}

Deno.test("list_queues text shows the minimum limits that decide routing", async () => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    const result = await h.call("list_queues");
    const answer = result.structuredContent as {
      queues: { name: string; limits: Record<string, string | number> }[];
    };
    const small = answer.queues.find((q) => q.name === "small")!;
    assert.equal(small.limits.min_nodes, 10);
    const line = textOf(result).split("\n").find((l) => l.startsWith("small "));
    assert.ok(line, textOf(result));
    assert.match(line, /nodes 10–24/);
    assert.ok(small.limits.min_walltime !== undefined, "polaris queues have a minimum walltime");
    assert.match(line, new RegExp(`walltime ${small.limits.min_walltime}–`));
    const prod = textOf(result).split("\n").find((l) => l.startsWith("prod "));
    assert.match(prod ?? "", /→ small, medium, large/);
  } finally {
    await h.close();
  }
});

Deno.test("get_job_output before a job ends says so and what to do", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await t.step("a held job has not started: its state and wait_for_job", async () => {
      const id = await submit(h, { hold: true });
      const failure = await h.fail("get_job_output", { job_id: id });
      assert.equal(failure.error?.kind, "invalid_state");
      assert.match(failure.error!.message, /has not started yet \(state H, /);
      assert.match(failure.error!.hint, new RegExp(`wait_for_job with job_id ${id}`));
      assert.doesNotMatch(failure.text, /does not exist/);
    });

    await t.step("a running job has not ended: PBS copies output at the end", async () => {
      const id = await submit(h, { script: simScript({ runtime: 120, echo: ["step"] }) });
      await h.ok("wait_for_job", { job_id: id, until: "running", timeout_seconds: 120 });
      const failure = await h.fail("get_job_output", { job_id: id });
      assert.equal(failure.error?.kind, "invalid_state");
      assert.match(failure.error!.message, /has not ended yet \(state R, /);
      assert.match(failure.error!.hint, /until: finished/);
      await h.ok("wait_for_job", { job_id: id, until: "finished", timeout_seconds: 600 });
      const out = await h.ok<{ text: string }>("get_job_output", { job_id: id });
      assert.match(out.text, /step/);
    });

    await t.step("an array parent: ask for one of its subjobs", async () => {
      const parent = await submit(h, { array_range: "3-5" });
      assert.match(parent, /\[\]/);
      const failure = await h.fail("get_job_output", { job_id: parent });
      assert.equal(failure.error?.kind, "invalid_state");
      assert.match(failure.error!.message, /array parent/);
      assert.ok(
        failure.error!.hint.includes(parent.replace("[]", "[3]")),
        `the hint names a real subjob: ${failure.error!.hint}`,
      );
    });
  } finally {
    await h.close();
  }
});

Deno.test("get_server_info and pbs://system/status say what PBS's job counts count", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const done = await submit(h, { script: simScript({ runtime: 5 }) });
    await h.ok("wait_for_job", { job_id: done, timeout_seconds: 120 });
    await submit(h, { hold: true });
    await submit(h, { hold: true });
    const listed = await h.ok<{ total: number }>("list_jobs");
    assert.equal(listed.total, 2);

    const info = await h.call("get_server_info");
    const server = (info.structuredContent as {
      server: { total_jobs: number; jobs_by_state: Record<string, number> };
    }).server;
    assert.equal(server.total_jobs, 3, "PBS's total_jobs counts the finished job too");
    const text = textOf(info);
    assert.match(text, /PBS counts 2 unfinished jobs \(Held 2\)/, text);
    assert.match(text, /total_jobs 3 adds the finished jobs kept in history/);
    assert.match(text, /array subjob/);

    const status = await h.client.readResource({ uri: "pbs://system/status" });
    const page = (status.contents[0] as { text: string }).text;
    assert.match(page, /PBS counts 2 unfinished jobs/);
    assert.match(page, /total_jobs 3 adds the finished jobs kept in history/);
  } finally {
    await h.close();
  }
});

Deno.test("pbs://user/jobs and setup_job_monitoring use qstat -a -w -u", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const mine = await submit(h, { job_name: "train_one", hold: true });
    const bob = await h.as("bob");
    const theirs = await bob.ok<{ job_id: string }>("submit_job", {
      script: simScript(),
      job_name: "train_other",
      hold: true,
    });
    const seen = recordCommands(h);
    const fullListing = (argv: string[]) =>
      argv[0] === "qstat" && argv.includes("-f") && !argv.some((a) => /^\d/.test(a));

    await t.step("the resource lists the caller's jobs from the light listing", async () => {
      seen.length = 0;
      const result = await h.client.readResource({ uri: "pbs://user/jobs" });
      const page = (result.contents[0] as { text: string }).text;
      assert.ok(page.includes(mine), page);
      assert.ok(!page.includes(theirs.job_id), "only the caller's jobs");
      assert.ok(
        seen.some((argv) => argv.join(" ") === "qstat -a -w -u alice"),
        JSON.stringify(seen),
      );
      assert.ok(!seen.some(fullListing), `no full JSON of all jobs: ${JSON.stringify(seen)}`);
    });

    await t.step("the monitoring prompt too", async () => {
      seen.length = 0;
      const prompt = await h.client.getPrompt({
        name: "setup_job_monitoring",
        arguments: { job_pattern: "train_*" },
      });
      const text = (prompt.messages[0].content as { text: string }).text;
      assert.ok(text.includes(mine), text);
      assert.ok(!text.includes(theirs.job_id), "only the caller's jobs");
      assert.ok(seen.some((argv) => argv.join(" ") === "qstat -a -w -u alice"));
      assert.ok(!seen.some(fullListing), `no full JSON of all jobs: ${JSON.stringify(seen)}`);
    });
    await bob.close();
  } finally {
    await h.close();
  }
});

Deno.test("list_nodes and diagnose_job share one rule for a usable node", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    // The only GPU node goes offline: no GPU is free, and a GPU job waits for it.
    h.complex.markNode({ user: "root", host: "tiny-head" }, "gpu01", "offline", "repair");
    const nodes = await h.ok<{ summary: { gpus: { total: number; free: number } } }>(
      "list_nodes",
    );
    assert.deepEqual(nodes.summary.gpus, { total: 2, free: 0 });
    const id = await submit(h, { ngpus: 2, walltime: "00:10:00" });
    h.advance(60);
    const result = await h.call("diagnose_job", { job_id: id });
    const answer = result.structuredContent as {
      findings: { topic: string; message: string }[];
    };
    const waits = answer.findings.find((f) => /down or offline/.test(f.message));
    assert.ok(waits, JSON.stringify(answer.findings));
    assert.match(waits.message, /ngpus=2; the largest node that is up and online has 0/);
    assert.match(textOf(result), /down or offline/);
  } finally {
    await h.close();
  }
});

Deno.test("list_queues marks a reservation's queue in both halves", async () => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    const start = new Date((h.complex.now() + 3600) * 1000).toISOString().replace(".000Z", "Z");
    const made = await h.ok<{ reservation?: { queue?: string } }>("manage_reservation", {
      action: "create",
      start,
      duration: "01:00:00",
      select: "1:ncpus=2",
    });
    const queue = made.reservation?.queue;
    assert.ok(queue, "a confirmed reservation has a queue");
    const result = await h.call("list_queues");
    const answer = result.structuredContent as {
      queues: { name: string; reservation_queue?: boolean }[];
    };
    assert.equal(answer.queues.find((q) => q.name === queue)?.reservation_queue, true);
    assert.equal(answer.queues.find((q) => q.name === "workq")?.reservation_queue, undefined);
    const line = textOf(result).split("\n").find((l) => l.startsWith(`${queue} `));
    assert.match(line ?? "", /reservation queue/, textOf(result));
  } finally {
    await h.close();
  }
});

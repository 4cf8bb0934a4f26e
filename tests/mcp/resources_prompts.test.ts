/**
 * Resources and prompts through the SDK client: templates listed, each
 * resource read, argument completion, prompts grounded in live data, and the
 * errors (with kind and hint) for unknown jobs, queues, nodes, reservations.
 */
import assert from "node:assert/strict";
import { ProtocolError } from "@modelcontextprotocol/client";
import { createScenario } from "../../sim/mod.ts";
import { type Harness, simScript, startHarness } from "./harness.ts";

interface PromptInfo {
  name: string;
  arguments?: { name: string; required?: boolean }[];
}

async function read(h: Harness, uri: string): Promise<string> {
  const result = await h.client.readResource({ uri });
  assert.equal(result.contents.length, 1);
  const content = result.contents[0] as { uri: string; mimeType?: string; text?: string };
  assert.equal(content.mimeType, "text/markdown");
  assert.equal(typeof content.text, "string");
  return content.text!;
}

/** The JSON-RPC error a failing read or prompt produces: its data carries kind and hint. */
async function failsWith(promise: Promise<unknown>, kind: string): Promise<{ hint: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `expected an ProtocolError, got ${error}`);
    const rpc = error as ProtocolError;
    const data = rpc.data as { kind?: string; hint?: string } | undefined;
    assert.equal(data?.kind, kind, rpc.message);
    assert.ok(data?.hint && data.hint.length > 10, "a hint is given");
    return { hint: data.hint };
  }
  assert.fail(`expected a ${kind} error`);
}

async function complete(h: Harness, uri: string, name: string, value: string) {
  const result = await h.client.complete({
    ref: { type: "ref/resource", uri },
    argument: { name, value },
  });
  return result.completion.values;
}

async function promptText(h: Harness, name: string, args: Record<string, string>) {
  const result = await h.client.getPrompt({ name, arguments: args });
  assert.equal(result.messages.length, 1);
  const content = result.messages[0].content as { type: string; text: string };
  assert.equal(content.type, "text");
  return content.text;
}

async function submit(h: Harness, args: Record<string, unknown>): Promise<string> {
  return (await h.ok<{ job_id: string }>("submit_job", { script: simScript(), ...args })).job_id;
}

Deno.test("resources", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  let bob: Harness | undefined;
  try {
    const mine = await submit(h, { job_name: "train_a", script: simScript({ runtime: 3000 }) });
    const done = await submit(h, {
      job_name: "quick",
      script: simScript({ runtime: 5, exit: 3 }),
    });
    bob = await h.as("bob");
    const bobs = await submit(bob, { job_name: "bobjob" });
    const start = new Date((h.complex.now() + 3600) * 1000).toISOString();
    const resv = await h.ok<{ reservation_id: string }>("manage_reservation", {
      action: "create",
      start,
      duration: "00:30:00",
      name: "resv1",
    });
    h.advance(60);

    await t.step("templates and fixed resources are listed", async () => {
      const templates = (await h.client.listResourceTemplates()).resourceTemplates
        .map((r: { uriTemplate: string }) => r.uriTemplate);
      for (
        const uri of [
          "pbs://job/{job_id}",
          "pbs://queue/{queue_name}",
          "pbs://node/{node_name}",
          "pbs://reservation/{reservation_id}",
          "pbs://history/user/{username}{?days}",
          "pbs://history/user/{username}",
        ]
      ) {
        assert.ok(templates.includes(uri), uri);
      }
      const fixed = (await h.client.listResources()).resources.map((r: { uri: string }) => r.uri);
      for (const uri of ["pbs://system/status", "pbs://system/privileges", "pbs://user/jobs"]) {
        assert.ok(fixed.includes(uri), uri);
      }
      assert.ok(fixed.includes("pbs://queue/workq"), "queues are listed through their template");
    });

    await t.step("pbs://job/{job_id}", async () => {
      const text = await read(h, `pbs://job/${mine}`);
      assert.match(text, new RegExp(`^# Job ${mine.replace(".", "\\.")}`));
      assert.match(text, /train_a/);
      assert.match(text, /## Requested/);
      await failsWith(h.client.readResource({ uri: "pbs://job/99999.vm" }), "unknown_job");
      await failsWith(h.client.readResource({ uri: "pbs://job/not-a-job" }), "invalid_input");
    });

    await t.step("pbs://queue/{queue_name}", async () => {
      const text = await read(h, "pbs://queue/stopped");
      assert.match(text, /# Queue stopped/);
      assert.match(text, /started \(runs jobs\): false/);
      assert.match(await read(h, "pbs://queue/debug"), /max_walltime: 01:00:00/);
      const { hint } = await failsWith(
        h.client.readResource({ uri: "pbs://queue/nosuchq" }),
        "unknown_queue",
      );
      assert.match(hint, /workq/);
    });

    await t.step("pbs://node/{node_name}", async () => {
      const text = await read(h, "pbs://node/vm");
      assert.match(text, /# Node vm/);
      assert.match(text, /cpus free\/total: \d+\/8/);
      assert.match(text, new RegExp(mine.replace(".", "\\.")));
      await failsWith(h.client.readResource({ uri: "pbs://node/nosuchnode" }), "unknown_node");
    });

    await t.step("pbs://reservation/{reservation_id}", async () => {
      const text = await read(h, `pbs://reservation/${resv.reservation_id}`);
      assert.match(text, /# Reservation R\d+\.vm \(resv1\)/);
      assert.match(text, /state: RESV_CONFIRMED/);
      await failsWith(
        h.client.readResource({ uri: "pbs://reservation/R999" }),
        "unknown_reservation",
      );
    });

    await t.step("pbs://system/status and pbs://system/privileges", async () => {
      const status = await read(h, "pbs://system/status");
      assert.match(status, /PBS server vm/);
      assert.match(status, /1 nodes: /);
      assert.match(status, /## Queues \(8\)/, "seven queues and the reservation's");
      assert.match(status, /stopped \(execution, enabled, stopped\)/);
      assert.match(status, /## Reservations \(1\)/);
      const privileges = await read(h, "pbs://system/privileges");
      assert.match(privileges, /Role: \*\*user\*\*/);
    });

    await t.step("pbs://user/jobs lists only the caller's jobs", async () => {
      const text = await read(h, "pbs://user/jobs");
      assert.match(text, new RegExp(`\\| ${mine.replace(".", "\\.")} \\| train_a \\|`));
      assert.doesNotMatch(text, /bobjob/);
      assert.doesNotMatch(
        text,
        new RegExp(`\\| ${done.replace(".", "\\.")} `),
        "finished jobs are history",
      );
    });

    await t.step("pbs://history/user/{username}{?days}", async () => {
      const week = await read(h, "pbs://history/user/alice");
      assert.match(week, /last 7 day\(s\)/);
      assert.match(week, new RegExp(`\\| ${done.replace(".", "\\.")} \\| quick \\| F \\|`));
      assert.match(week, /\| 3 \|/, "the exit status is shown");
      assert.doesNotMatch(week, /train_a/, "running jobs are not history");
      const three = await read(h, "pbs://history/user/alice?days=3");
      assert.match(three, /last 3 day\(s\)/);
      assert.match(three, /quick/);
      assert.doesNotMatch(await read(h, "pbs://history/user/bob"), /quick/);
      const { hint } = await failsWith(
        h.client.readResource({ uri: "pbs://history/user/alice?days=0" }),
        "invalid_input",
      );
      assert.match(hint, /days=3/);
      await failsWith(
        h.client.readResource({ uri: "pbs://history/user/alice?days=lots" }),
        "invalid_input",
      );
    });

    await t.step("completion: the caller's job ids, queues, nodes, reservations", async () => {
      const jobs = await complete(h, "pbs://job/{job_id}", "job_id", "");
      assert.ok(jobs.includes(mine));
      assert.ok(!jobs.includes(bobs), "only the caller's jobs are offered");
      assert.deepEqual(await complete(h, "pbs://queue/{queue_name}", "queue_name", "de"), [
        "debug",
      ]);
      assert.deepEqual(await complete(h, "pbs://node/{node_name}", "node_name", "v"), ["vm"]);
      assert.deepEqual(await complete(h, "pbs://node/{node_name}", "node_name", "zz"), []);
      assert.deepEqual(
        await complete(h, "pbs://reservation/{reservation_id}", "reservation_id", "R"),
        [resv.reservation_id],
      );
      const users = await complete(h, "pbs://history/user/{username}{?days}", "username", "b");
      assert.deepEqual(users, ["bob"]);
    });
  } finally {
    await bob?.close();
    await h.close();
  }
});

Deno.test("prompts", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    const failed = await submit(h, {
      job_name: "train_fail",
      script: "#!/bin/bash\n#SIM runtime=600\n",
      walltime: "00:01:00",
    });
    const running = await submit(h, {
      job_name: "train_long",
      script: simScript({ runtime: 3000 }),
    });
    const other = await submit(h, { job_name: "unrelated", script: simScript({ runtime: 3000 }) });
    h.advance(200);

    await t.step("the four prompts are listed with their arguments", async () => {
      const prompts: PromptInfo[] = (await h.client.listPrompts()).prompts;
      const argsOf = (p: PromptInfo) =>
        (p.arguments ?? []).map((a) => `${a.name}${a.required ? "!" : ""}`);
      const args = Object.fromEntries(prompts.map((p) => [p.name, argsOf(p)]));
      assert.deepEqual(args.submit_job_guide, ["job_type!", "queue"]);
      assert.deepEqual(args.diagnose_job_failure, ["job_id!"]);
      assert.deepEqual(args.optimize_resources, ["workload_description!"]);
      assert.deepEqual(args.setup_job_monitoring, ["job_pattern!"]);
    });

    await t.step("submit_job_guide embeds the queue's limits", async () => {
      const text = await promptText(h, "submit_job_guide", { job_type: "mpi", queue: "debug" });
      assert.match(text, /mpi job to PBS in queue debug/);
      assert.match(text, /walltime ≤ 01:00:00/);
      assert.match(text, /defaults walltime=00:10:00/);
      assert.match(text, /application="mpi"[^\n]* and queue="debug"/);
      assert.match(text, /1 node\(s\) with 8 cpus/);
      const byDefault = await promptText(h, "submit_job_guide", { job_type: "gpu" });
      // No queue named: none is pinned; generate_job_script picks one the job fits.
      assert.doesNotMatch(byDefault, /in queue |queue="/);
      assert.match(byDefault, /generate_job_script [^\n]*without queue/);
      assert.match(byDefault, /gpu_required=true/);
      const { hint } = await failsWith(
        h.client.getPrompt({
          name: "submit_job_guide",
          arguments: { job_type: "mpi", queue: "nosuchq" },
        }),
        "unknown_queue",
      );
      assert.match(hint, /debug/);
      await assert.rejects(
        h.client.getPrompt({ name: "submit_job_guide", arguments: { job_type: "fortran" } }),
        ProtocolError,
      );
    });

    await t.step("diagnose_job_failure embeds the job's live status and exit status", async () => {
      const text = await promptText(h, "diagnose_job_failure", { job_id: failed });
      assert.match(text, new RegExp(`job ${failed.replace(".", "\\.")} needs a diagnosis`));
      assert.match(text, /exit status -29: Killed: it ran longer than its requested walltime/);
      assert.match(text, /first diagnosis: walltime_exceeded/);
      assert.match(text, /diagnose_job with job_id=/);
      await failsWith(
        h.client.getPrompt({ name: "diagnose_job_failure", arguments: { job_id: "99999.vm" } }),
        "unknown_job",
      );
    });

    await t.step("optimize_resources describes the site", async () => {
      const text = await promptText(h, "optimize_resources", {
        workload_description: "a 4-rank MPI solver running about 2 hours",
      });
      assert.match(text, /> a 4-rank MPI solver running about 2 hours/);
      assert.match(text, /1 node\(s\) with 8 cpus/);
      assert.match(text, /debug \(execution, enabled, started\)/);
    });

    await t.step("setup_job_monitoring lists the matching jobs only", async () => {
      const text = await promptText(h, "setup_job_monitoring", { job_pattern: "train_*" });
      assert.match(text, new RegExp(`${running.replace(".", "\\.")} train_long: R`));
      assert.doesNotMatch(text, /unrelated/);
      assert.doesNotMatch(text, new RegExp(other.replace(".", "\\.")));
      const none = await promptText(h, "setup_job_monitoring", { job_pattern: "nomatch*" });
      assert.match(none, /No current job of mine matches/);
    });

    await t.step("prompt arguments complete: job types, queues, the caller's jobs", async () => {
      const complete = async (name: string, arg: string, value: string) =>
        (await h.client.complete({
          ref: { type: "ref/prompt", name },
          argument: { name: arg, value },
        })).completion.values;
      assert.deepEqual(await complete("submit_job_guide", "job_type", "g"), ["gpu"]);
      assert.deepEqual(await complete("submit_job_guide", "queue", "st"), ["stopped"]);
      const jobs = await complete("diagnose_job_failure", "job_id", "");
      assert.ok(jobs.includes(failed), "finished jobs are offered for diagnosis");
    });
  } finally {
    await h.close();
  }
});

Deno.test("node completion is capped on Aurora", async () => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    const all = await complete(h, "pbs://node/{node_name}", "node_name", "x");
    assert.equal(all.length, 100);
    const narrow = await complete(h, "pbs://node/{node_name}", "node_name", "x4000c0s1b0n");
    assert.ok(narrow.length > 0 && narrow.length <= 100);
    assert.ok(narrow.every((n: string) => n.startsWith("x4000c0s1b0n")));
    const status = await read(h, "pbs://system/status");
    assert.match(status, /10624 nodes/);
    assert.ok(status.length < 5_000, `${status.length} characters`);
  } finally {
    await h.close();
  }
});

Deno.test("history windows are measured on PBS's clock, not this host's", async () => {
  // A complex whose clock stands years before the machine's: a week of its
  // history must still be a week of its history.
  const complex = createScenario("tiny", { seed: 1, startTime: Date.UTC(2020, 0, 6) / 1000 });
  const h = await startHarness({ complex });
  try {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 30, exit: 0 }),
      job_name: "old",
      walltime: "00:05:00",
    });
    h.advance(120);
    const week = await read(h, "pbs://history/user/alice");
    assert.match(week, new RegExp(`\\| ${job_id.replace(".", "\\.")} \\| old \\| F \\|`));
  } finally {
    await h.close();
  }
});

Deno.test("a user's history stays small and readable at Aurora scale", async () => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    // The user with the most finished jobs in the simulated workload.
    const counts = new Map<string, number>();
    for (const job of h.complex.listJobs({ history: true })) {
      if (job.state === "F") counts.set(job.user, (counts.get(job.user) ?? 0) + 1);
    }
    const [user, finished] = [...counts].sort((a, b) => b[1] - a[1])[0];
    assert.ok(finished > 20, `expected a busy user, ${user} has ${finished}`);
    const page = await read(h, `pbs://history/user/${user}?days=90`);
    assert.match(page, /the newest 20 in detail/);
    assert.ok(page.length < 25_000, `history page is ${page.length} characters`);
  } finally {
    await h.close();
  }
});

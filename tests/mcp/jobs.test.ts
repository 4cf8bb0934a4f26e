/**
 * The job tools through the SDK client: each with valid input and with the
 * ways users get it wrong (bad ids, bad walltimes, unknown queues, other
 * people's jobs, paths outside the allowed directories).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { halvesOf, type Harness, simScript, startHarness } from "./harness.ts";
import { JOB_TOOLS } from "./contract.ts";

interface Submitted {
  job_id: string;
  queue?: string;
  state?: string;
  dry_run: boolean;
  command: string;
  script?: string;
  effective: Record<string, string>;
  directives: { option: string; value: string; overridden_by?: string }[];
}

async function submit(h: Harness, args: Record<string, unknown> = {}): Promise<Submitted> {
  return await h.ok<Submitted>("submit_job", { script: simScript(), ...args });
}

interface Listed {
  total: number;
  returned: number;
  next_cursor?: string;
  by_state: Record<string, number>;
  jobs: { id: string; name: string; user: string; state: string; queue: string }[];
}

Deno.test("job tools are described for a newcomer", async (t) => {
  const h = await startHarness();
  try {
    const tools = await h.tools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));

    await t.step("every job tool is registered with an output schema", () => {
      for (const name of JOB_TOOLS) {
        const tool = byName.get(name);
        assert.ok(tool, `${name} is missing`);
        assert.ok(tool.outputSchema, `${name} has no outputSchema`);
      }
    });

    await t.step("descriptions are substantial and under 800 characters", () => {
      for (const name of JOB_TOOLS) {
        const description = byName.get(name)!.description ?? "";
        assert.ok(description.length > 100, `${name}: description too thin`);
        assert.ok(description.length < 800, `${name}: ${description.length} characters`);
      }
    });
  } finally {
    await h.close();
  }
});

Deno.test("submit_job", async (t) => {
  const h = await startHarness();
  try {
    await t.step("submits an inline script and reports id, queue and request", async () => {
      const out = await submit(h, { job_name: "first", walltime: "00:10:00", ncpus: 1 });
      assert.match(out.job_id, /^\d+\.\S+$/);
      assert.ok(out.queue, "the landing queue is reported");
      assert.equal(out.dry_run, false);
      assert.equal(out.effective.job_name, "first");
      assert.equal(out.effective.walltime, "00:10:00");
      const status = await h.ok<{ name: string; state: string }>("get_job_status", {
        job_id: out.job_id,
      });
      assert.equal(status.name, "first");
    });

    await t.step("dry_run shows the command and script and submits nothing", async () => {
      const before = await h.ok<Listed>("list_jobs", {});
      const script = simScript({ echo: ["dry"] });
      const out = await h.ok<Submitted>("submit_job", {
        script,
        job_name: "dry",
        walltime: "01:00:00",
        dry_run: true,
      });
      assert.equal(out.dry_run, true);
      assert.equal(out.job_id, undefined);
      assert.match(out.command, /^qsub .*-N dry/);
      assert.match(out.command, /walltime=01:00:00/);
      assert.equal(out.script, script);
      const after = await h.ok<Listed>("list_jobs", {});
      assert.equal(after.total, before.total);
    });

    await t.step("explicit parameters override #PBS lines, and the answer says so", async () => {
      const script = simScript({ directives: ["-N from_script", "-l walltime=00:05:00"] });
      const out = await submit(h, { script, job_name: "from_param" });
      const name = out.directives.find((d) => d.option === "-N");
      assert.equal(name?.value, "from_script");
      assert.equal(name?.overridden_by, "job_name");
      const walltime = out.directives.find((d) => d.option === "-l");
      assert.equal(walltime?.overridden_by, undefined, "walltime was not given explicitly");
      const status = await h.ok<{ name: string; requested: Record<string, unknown> }>(
        "get_job_status",
        { job_id: out.job_id },
      );
      assert.equal(status.name, "from_param");
      assert.equal(status.requested.walltime, "00:05:00");
    });

    await t.step("a script file inside the allowed directories is submitted", async () => {
      const path = join(h.outputDir, "job.sh");
      await Deno.writeTextFile(path, simScript({ directives: ["-N from_file"] }));
      const out = await h.ok<Submitted>("submit_job", { script_path: path });
      const status = await h.ok<{ name: string }>("get_job_status", { job_id: out.job_id });
      assert.equal(status.name, "from_file");
    });

    await t.step("a script file outside the allowed directories is refused", async () => {
      const elsewhere = await Deno.makeTempDir({ prefix: "pbs-mcp-outside-" });
      try {
        const path = join(elsewhere, "job.sh");
        await Deno.writeTextFile(path, simScript());
        const failure = await h.fail("submit_job", { script_path: path });
        assert.equal(failure.error?.kind, "permission_denied");
        assert.match(failure.error!.hint, /PBS_MCP_ALLOWED_DIRS/);
      } finally {
        await Deno.remove(elsewhere, { recursive: true });
      }
    });

    await t.step("both or neither of script and script_path are refused", async () => {
      const both = await h.fail("submit_job", {
        script: simScript(),
        script_path: join(h.outputDir, "job.sh"),
      });
      assert.equal(both.error?.kind, "invalid_input");
      assert.match(both.error!.message, /both/);
      assert.match(both.error!.hint, /exactly one/);
      const neither = await h.fail("submit_job", { job_name: "x" });
      assert.equal(neither.error?.kind, "invalid_input");
      assert.match(neither.error!.message, /neither/);
    });

    await t.step("a malformed walltime is refused with the accepted forms", async () => {
      const failure = await h.fail("submit_job", { script: simScript(), walltime: "1 hour" });
      assert.match(failure.text, /walltime/i);
      assert.match(failure.text, /HH:MM:SS/);
    });

    await t.step("an unknown queue fails with PBS's message and a hint", async () => {
      const failure = await h.fail("submit_job", { script: simScript(), queue: "nosuchqueue" });
      assert.equal(failure.error?.kind, "unknown_queue");
      assert.ok(failure.error!.hint.length > 0);
      assert.ok(failure.error!.pbsMessage, "PBS's own text is kept");
    });

    await t.step("wrong types and out-of-range numbers are refused before PBS runs", async () => {
      const priority = await h.fail("submit_job", { script: simScript(), priority: 5000 });
      assert.match(priority.text, /priority must be at most 1023/);
      const nodes = await h.fail("submit_job", { script: simScript(), node_count: 0 });
      assert.match(nodes.text, /node_count must be a whole number from 1/);
      const env = await h.fail("submit_job", { script: simScript(), env: { "1BAD": "x" } });
      assert.match(env.text, /1BAD/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("get_job_status", async (t) => {
  const h = await startHarness();
  try {
    const { job_id } = await submit(h, { job_name: "status", walltime: "00:30:00" });

    await t.step(
      "summary is curated: state meaning, times as ISO, requested resources",
      async () => {
        const status = await h.ok<Record<string, unknown>>("get_job_status", { job_id });
        assert.equal(status.id, job_id);
        assert.equal(String(status.owner).split("@")[0], "alice");
        assert.ok(typeof status.state_meaning === "string" && status.state_meaning.length > 10);
        const times = status.times as Record<string, string>;
        assert.match(times.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
        assert.equal((status.requested as Record<string, string>).walltime, "00:30:00");
        assert.equal(status.attributes, undefined, "bulk only with detail: full");
      },
    );

    await t.step("detail: full adds every attribute", async () => {
      const status = await h.ok<Record<string, unknown>>("get_job_status", {
        job_id,
        detail: "full",
      });
      const attributes = status.attributes as Record<string, string>;
      assert.equal(attributes.Job_Name, "status");
      assert.ok(status.variables && typeof status.variables === "object");
    });

    await t.step("an unknown job id is an unknown_job error with a hint", async () => {
      const failure = await h.fail("get_job_status", { job_id: "987654" });
      assert.equal(failure.error?.kind, "unknown_job");
      assert.match(failure.error!.hint, /list_jobs/);
    });

    await t.step("a malformed job id is refused by the input schema", async () => {
      const failure = await h.fail("get_job_status", { job_id: "job-12" });
      assert.match(failure.text, /not a PBS job id/);
      assert.match(failure.text, /123\.pbs01/);
      const detail = await h.fail("get_job_status", { job_id, detail: "everything" });
      assert.match(detail.text, /detail must be "summary"/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("list_jobs and get_job_summary", async (t) => {
  const h = await startHarness();
  const bob = await h.as("bob");
  try {
    for (let i = 0; i < 5; i++) await submit(h, { job_name: `a${i}`, hold: i < 2 });
    for (let i = 0; i < 3; i++) await submit(bob, { job_name: `b${i}` });

    await t.step("rows are compact and the counts add up", async () => {
      const all = await h.ok<Listed>("list_jobs", {});
      assert.equal(all.total, 8);
      assert.equal(all.returned, 8);
      assert.equal(all.next_cursor, undefined);
      const counted = Object.values(all.by_state).reduce((a, b) => a + b, 0);
      assert.equal(counted, all.total);
      assert.deepEqual(Object.keys(all.jobs[0]).slice(0, 5), [
        "id",
        "name",
        "user",
        "state",
        "queue",
      ]);
    });

    await t.step("user_filter me and state filters narrow the list", async () => {
      const mine = await h.ok<Listed>("list_jobs", { user_filter: "me" });
      assert.equal(mine.total, 5);
      assert.ok(mine.jobs.every((j) => j.user === "alice"));
      const held = await h.ok<Listed>("list_jobs", { state_filter: "held" });
      assert.equal(held.total, 2);
      assert.ok(held.jobs.every((j) => j.state === "H"));
      const bobs = await h.ok<Listed>("list_jobs", { user_filter: "bob" });
      assert.equal(bobs.total, 3);
    });

    await t.step("pages follow next_cursor without gaps or repeats", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: Listed = await h.ok<Listed>("list_jobs", { limit: 3, cursor });
        seen.push(...page.jobs.map((j) => j.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(seen.length, 8);
      assert.equal(new Set(seen).size, 8);
    });

    await t.step("bad filters and foreign cursors are refused with a fix", async () => {
      const state = await h.fail("list_jobs", { state_filter: "Z" });
      assert.equal(state.error?.kind, "invalid_input");
      assert.match(state.error!.hint, /letters/);
      const page = await h.ok<Listed>("list_jobs", { limit: 2 });
      const cursor = await h.fail("list_jobs", {
        limit: 2,
        cursor: page.next_cursor,
        user_filter: "me",
      });
      assert.equal(cursor.error?.kind, "invalid_input");
      assert.match(cursor.error!.message, /different filters/);
      const limit = await h.fail("list_jobs", { limit: 501 });
      assert.match(limit.text, /limit must be a whole number from 1 to 500/);
      const queue = await h.fail("list_jobs", { queue_filter: "-q" });
      assert.match(queue.text, /starts with '-'/);
    });

    await t.step("get_job_summary counts by state overall and per queue", async () => {
      const summary = await h.ok<{
        total: number;
        by_state: Record<string, number>;
        queues: { queue: string; total: number; by_state: Record<string, number> }[];
      }>("get_job_summary", {});
      assert.equal(summary.total, 8);
      assert.equal(summary.by_state.H, 2);
      const perQueue = summary.queues.reduce((sum, q) => sum + q.total, 0);
      assert.equal(perQueue, 8);
      const mine = await h.ok<{ total: number }>("get_job_summary", { user_filter: "me" });
      assert.equal(mine.total, 5);
    });
  } finally {
    await bob.close();
    await h.close();
  }
});

Deno.test("delete_job, hold_job, release_job, modify_job", async (t) => {
  const h = await startHarness();
  const bob = await h.as("bob");
  try {
    await t.step("delete_job removes your own job", async () => {
      const { job_id } = await submit(h, { hold: true });
      const out = await h.ok<{ deleted: boolean }>("delete_job", { job_id });
      assert.equal(out.deleted, true);
      const live = await h.ok<Listed>("list_jobs", {});
      assert.ok(!live.jobs.some((j) => j.id === job_id));
    });

    await t.step("deleting someone else's job is permission_denied", async () => {
      const { job_id } = await submit(bob, { job_name: "bobs" });
      const failure = await h.fail("delete_job", { job_id });
      assert.equal(failure.error?.kind, "permission_denied");
      assert.ok(failure.error!.hint.length > 0);
      const still = await bob.ok<{ state: string }>("get_job_status", { job_id });
      assert.notEqual(still.state, "F");
    });

    await t.step("deleting an unknown job is unknown_job", async () => {
      const failure = await h.fail("delete_job", { job_id: "987654" });
      assert.equal(failure.error?.kind, "unknown_job");
    });

    await t.step("hold then release", async () => {
      const { job_id } = await submit(h, { start_after: "2099-01-01T00:00" });
      const held = await h.ok<{ state: string; holds: string }>("hold_job", { job_id });
      assert.equal(held.state, "H");
      assert.match(held.holds, /u/);
      const again = await h.ok<{ state: string }>("hold_job", { job_id });
      assert.equal(again.state, "H", "holding twice is harmless");
      const released = await h.ok<{ state: string; holds: string }>("release_job", { job_id });
      assert.notEqual(released.state, "H");
      assert.doesNotMatch(released.holds, /u/);
    });

    await t.step("a system hold needs a manager; a bad hold type is refused", async () => {
      const { job_id } = await submit(h, { hold: true });
      const failure = await h.fail("hold_job", { job_id, hold_type: "s" });
      assert.equal(failure.error?.kind, "permission_denied");
      const bad = await h.fail("release_job", { job_id, hold_type: "x" });
      assert.match(bad.text, /hold_type must be "u"/);
    });

    await t.step("modify_job changes a queued job and reports what it applied", async () => {
      const { job_id } = await submit(h, { hold: true, walltime: "00:10:00" });
      const out = await h.ok<{ applied: string[] }>("modify_job", {
        job_id,
        walltime: "00:20:00",
        job_name: "renamed",
      });
      assert.ok(out.applied.some((a) => a.includes("00:20:00")));
      const status = await h.ok<{ name: string; requested: Record<string, string> }>(
        "get_job_status",
        { job_id },
      );
      assert.equal(status.name, "renamed");
      assert.equal(status.requested.walltime, "00:20:00");
    });

    await t.step(
      "modify_job refuses nothing-to-change, bad values and unknown queues",
      async () => {
        const { job_id } = await submit(h, { hold: true });
        const nothing = await h.fail("modify_job", { job_id });
        assert.equal(nothing.error?.kind, "invalid_input");
        assert.match(nothing.error!.hint, /walltime/);
        const walltime = await h.fail("modify_job", { job_id, walltime: "ten minutes" });
        assert.match(walltime.text, /HH:MM:SS/);
        const queue = await h.fail("modify_job", { job_id, queue: "nosuchqueue" });
        assert.equal(queue.error?.kind, "unknown_queue");
        const foreign = await submit(bob, { hold: true });
        const denied = await h.fail("modify_job", { job_id: foreign.job_id, priority: 5 });
        assert.equal(denied.error?.kind, "permission_denied");
      },
    );
  } finally {
    await bob.close();
    await h.close();
  }
});

Deno.test("wait_for_job and get_job_output edge cases", async (t) => {
  const h = await startHarness();
  try {
    await t.step("a wait that cannot be satisfied times out with reached: false", async () => {
      const { job_id } = await submit(h, { hold: true });
      const out = await h.ok<{ reached: boolean; state: string }>("wait_for_job", {
        job_id,
        timeout_seconds: 1,
      });
      assert.equal(out.reached, false);
      assert.equal(out.state, "H");
    });

    await t.step("timeout_seconds over 600 is refused", async () => {
      const failure = await h.fail("wait_for_job", { job_id: "1", timeout_seconds: 601 });
      assert.match(failure.text, /timeout_seconds must be a whole number from 1 to 600/);
    });

    await t.step("output of a job that has not run yet is not there", async () => {
      const { job_id } = await submit(h, { hold: true });
      const failure = await h.fail("get_job_output", { job_id });
      assert.equal(failure.error?.kind, "invalid_state");
      assert.match(failure.error!.hint, /wait_for_job/);
    });

    await t.step("output written outside the allowed directories is refused", async () => {
      // As on a shared filesystem: the file exists on this host, but outside the allowed dirs.
      const elsewhere = await Deno.makeTempDir({ prefix: "pbs-mcp-outside-" });
      try {
        const outside = join(elsewhere, "out.txt");
        await Deno.writeTextFile(outside, "secret\n");
        const { job_id } = await submit(h, {
          script: simScript({ runtime: 5 }),
          output_path: outside,
        });
        await h.ok("wait_for_job", { job_id, timeout_seconds: 600 });
        const failure = await h.fail("get_job_output", { job_id });
        assert.equal(failure.error?.kind, "permission_denied");
        assert.match(failure.error!.hint, /PBS_MCP_ALLOWED_DIRS/);
        assert.doesNotMatch(failure.text, /secret/);
      } finally {
        await Deno.remove(elsewhere, { recursive: true });
      }
    });

    await t.step("tail_lines and max_bytes are bounded", async () => {
      const lines = await h.fail("get_job_output", { job_id: "1", tail_lines: 0 });
      assert.match(lines.text, /tail_lines must be a whole number from 1/);
      const bytes = await h.fail("get_job_output", { job_id: "1", max_bytes: 1_000_000 });
      assert.match(bytes.text, /max_bytes must be a whole number from 1 to 10000/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("list_jobs keeps each half of a page of long rows under 8,000 characters", async () => {
  const h = await startHarness();
  try {
    const longName = "a_rather_long_descriptive_job_name_for_a_parameter_sweep";
    await h.ok("submit_batch_jobs", {
      jobs: Array.from({ length: 60 }, (_, i) => ({
        script: simScript(),
        job_name: `${longName}_${i}`,
        hold: true,
        walltime: "12:00:00",
      })),
    });
    const result = await h.call("list_jobs", {});
    assert.ok(!result.isError);
    const halves = halvesOf(result);
    assert.ok(halves.text <= 8_000 && halves.structured <= 8_000, JSON.stringify(halves));
    const page = result.structuredContent as unknown as Listed;
    assert.equal(page.total, 60);
    assert.ok(page.jobs.every((j) => j.name.length <= 32), "names are cut in rows");
    const rest = await h.ok<Listed>("list_jobs", { cursor: page.next_cursor, limit: 100 });
    assert.equal(page.returned + rest.returned, 60, "the cursor continues where the page ended");
  } finally {
    await h.close();
  }
});

Deno.test("every answer matches the output schema the tool advertises", async (t) => {
  const h = await startHarness();
  try {
    // listTools arms the SDK client's validators: from here on, callTool throws
    // when structuredContent does not match a tool's outputSchema.
    await h.client.listTools();
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = await h.client.callTool({ name, arguments: args });
      assert.ok(!result.isError, `${name}: ${JSON.stringify(result.content)}`);
      return result.structuredContent as Record<string, unknown>;
    };
    const script = simScript({ runtime: 10, echo: ["checked"] });
    const output_path = h.path("checked.out");
    let jobId = "";

    await t.step("submit_job and its dry run", async () => {
      await call("submit_job", { script, dry_run: true });
      jobId = String((await call("submit_job", { script, output_path, hold: true })).job_id);
    });
    await t.step("reads", async () => {
      await call("get_job_status", { job_id: jobId });
      await call("get_job_status", { job_id: jobId, detail: "full" });
      await call("list_jobs", { limit: 1 });
      await call("get_job_summary", {});
    });
    await t.step("changes", async () => {
      await call("modify_job", { job_id: jobId, priority: 10 });
      await call("hold_job", { job_id: jobId });
      await call("release_job", { job_id: jobId });
    });
    await t.step("wait and output", async () => {
      await call("wait_for_job", { job_id: jobId, timeout_seconds: 120 });
      await call("get_job_output", { job_id: jobId });
      await call("delete_job", { job_id: jobId, purge_history: true });
    });
    await t.step("batches", async () => {
      await call("submit_batch_jobs", {
        jobs: [{ script }, { script, queue: "nosuchqueue" }],
      });
      await call("submit_dependent_jobs", {
        jobs: [{ key: "a", script }, { key: "b", script }],
        dependency_graph: { b: [{ on: "a", type: "afterany" }] },
      });
      await call("submit_dependent_jobs", {
        rollback_on_error: false,
        jobs: [{ key: "a", script }, { key: "b", script, queue: "nosuchqueue" }],
        dependency_graph: { b: [{ on: "a", type: "afterok" }] },
      });
    });
  } finally {
    await h.close();
  }
});

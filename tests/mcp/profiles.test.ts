/**
 * Site profiles end to end: the polaris and aurora scenarios carry ALCF's
 * filesystems queuejob hook (qsub exit 32 without -l filesystems), and the
 * built-in profiles of the same names know the rule.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHarness } from "./harness.ts";

interface Plan {
  notes?: string[];
  effective: Record<string, string>;
}
interface Submitted {
  job_id: string;
  notes: string[];
}
interface Generated {
  script: string;
  submit_arguments: Record<string, string>;
  notes: string[];
}

const qsubRuns = (counts: Record<string, number>) => counts["qsub"] ?? 0;

Deno.test("submit_job adds a required resource from the profile's default", async (t) => {
  const h = await startHarness({ scenario: "polaris" }); // the polaris profile by default
  try {
    await t.step("the job gets filesystems=home:eagle and the answer says so", async () => {
      const result = await h.ok<Submitted & { plan?: Plan }>("submit_job", {
        script: "#!/bin/bash\nhostname\n",
        queue: "debug",
        node_count: 1,
      });
      const job = h.complex.findJob(result.job_id);
      assert.equal(job.resources.filesystems, "home:eagle");
      const text = JSON.stringify(result);
      assert.match(text, /filesystems=home:eagle added from the polaris site profile's default/);
    });
    await t.step("a filesystems directive in the script is kept, nothing added", async () => {
      const plan = await h.ok<Plan>("submit_job", {
        script: "#!/bin/bash\n#PBS -l filesystems=home:grand\nhostname\n",
        queue: "debug",
        dry_run: true,
      });
      assert.ok(!(plan.notes ?? []).some((n) => n.includes("added from")), String(plan.notes));
      assert.equal(plan.effective.filesystems, undefined);
      const missing = await h.ok<Plan>("submit_job", {
        script: "#!/bin/bash\nhostname\n",
        queue: "debug",
        dry_run: true,
      });
      assert.equal(missing.effective.filesystems, "home:eagle");
      assert.ok((missing.notes ?? []).some((n) => n.includes("added from")), String(missing.notes));
    });
  } finally {
    await h.close();
  }
});

Deno.test("a required resource without a default is refused before qsub", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-profile-" });
  const path = join(dir, "strict.yaml");
  await Deno.writeTextFile(
    path,
    [
      "name: strict-polaris",
      "description: filesystems must be chosen by the user",
      "required_resources:",
      "  - name: filesystems",
      "    example: home:eagle",
      "    rule: Job must request -l filesystems=<list> (e.g. home:eagle)",
    ].join("\n"),
  );
  const h = await startHarness({ scenario: "polaris", profile: path });
  try {
    const before = qsubRuns(h.runner.runCounts());
    const failure = await h.fail("submit_job", {
      script: "#!/bin/bash\nhostname\n",
      queue: "debug",
    });
    assert.equal(failure.error?.kind, "invalid_input");
    assert.match(failure.error?.message ?? "", /strict-polaris site requires -l filesystems/);
    assert.match(failure.error?.hint ?? "", /filesystems=home:eagle/);
    assert.equal(qsubRuns(h.runner.runCounts()), before, "qsub must not run");
    // With the resource given, the same request goes through.
    await h.ok("submit_job", {
      script: "#!/bin/bash\nhostname\n",
      queue: "debug",
      filesystems: "home:eagle",
    });
    assert.equal(qsubRuns(h.runner.runCounts()), before + 1);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the site hook's refusal is kept verbatim, with the profile's fix", async () => {
  const h = await startHarness({ scenario: "polaris", profile: null });
  try {
    const failure = await h.fail("submit_job", {
      script: "#!/bin/bash\nhostname\n",
      queue: "debug",
    });
    assert.equal(
      failure.error?.pbsMessage?.trim(),
      "qsub: Job must request -l filesystems=<list> (e.g. home:eagle)",
    );
    assert.match(
      failure.error?.message ?? "",
      /Job must request -l filesystems=<list> \(e\.g\. home:eagle\)/,
    );
    assert.match(failure.error?.hint ?? "", /filesystems=home:eagle/);
    assert.match(failure.error?.hint ?? "", /PBS_MCP_PROFILE=polaris/);
    // The catalogue's own hint (the resource the message names) comes first, kept.
    assert.match(failure.error?.hint ?? "", /^The site requires the resource filesystems/);
    assert.match(failure.text, /PBS_MCP_PROFILE=polaris/);
  } finally {
    await h.close();
  }
});

Deno.test("a generated Polaris script passes the site's hook, submitted alone", async (t) => {
  const generator = await startHarness({ scenario: "polaris" });
  // No profile on the submitting side: only the script's own #PBS lines count.
  const plain = await startHarness({ scenario: "polaris", profile: null });
  try {
    const g = await generator.ok<Generated>("generate_job_script", {
      application: "gpu",
      node_count: 2,
      queue: "debug",
    });
    await t.step("the script requests filesystems and uses the site's launcher", () => {
      assert.match(g.script, /^#PBS -l filesystems=home:eagle$/m);
      assert.match(
        g.script,
        /^mpiexec -n \$\(\(NNODES \* RANKS_PER_NODE\)\) --ppn \$RANKS_PER_NODE --depth=8 --cpu-bind depth \/soft\/tools\/mpi_wrapper_utils\/set_affinity_gpu_polaris\.sh \.\/gpu_app$/m,
      );
      assert.match(g.script, /RANKS_PER_NODE=4 /);
      assert.equal(g.submit_arguments.filesystems, "home:eagle");
      assert.ok(g.notes.some((n) => n.includes("polaris site requires it")), g.notes.join("\n"));
    });
    await t.step("qsub accepts it with no other argument", async () => {
      const { job_id } = await plain.ok<Submitted>("submit_job", { script: g.script });
      assert.equal(plain.complex.findJob(job_id).resources.filesystems, "home:eagle");
    });
  } finally {
    await generator.close();
    await plain.close();
  }
});

Deno.test("an Aurora script: 12 ranks per node on 6 GPUs, tile binding", async () => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    const g = await h.ok<Generated>("generate_job_script", { application: "gpu", queue: "debug" });
    assert.equal(g.submit_arguments.select, "1:ncpus=12:ngpus=6:mpiprocs=12");
    assert.match(g.script, /^#PBS -l filesystems=home:flare$/m);
    assert.match(
      g.script,
      /--cpu-bind list:1-8:.* \/soft\/tools\/mpi_wrapper_utils\/gpu_tile_compact\.sh \.\/gpu_app$/m,
    );
    const { job_id } = await h.ok<Submitted>("submit_job", { script: g.script });
    assert.equal(h.complex.findJob(job_id).resources.filesystems, "home:flare");
  } finally {
    await h.close();
  }
});

Deno.test("get_allocation: offered with a profile's allocation command only", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  const none = await startHarness({ scenario: "tiny" });
  try {
    await t.step("the caller's projects and balances from sbank", async () => {
      const answer = await h.ok<{ unit: string; allocations: Array<Record<string, unknown>> }>(
        "get_allocation",
      );
      assert.equal(answer.unit, "node-hours");
      const direct = await h.runner.run(["sbank-list-allocations", "-r", "polaris"]);
      const projects = answer.allocations.map((a) => a.project as string);
      assert.equal(projects.length, 2);
      for (const a of answer.allocations) {
        assert.equal(a.resource, "polaris");
        const row = direct.stdout.split("\n").find((l) => l.includes(` ${a.project} `));
        assert.ok(row, `${a.project} not in sbank's output`);
        const balance = row.trim().split(/\s+/).at(-1)!.replace(/,/g, "");
        assert.equal(a.balance, Number(balance));
      }
      const result = await h.call("get_allocation");
      const text = (result.content as Array<{ text?: string }>).map((c) => c.text).join("\n");
      for (const p of projects) assert.match(text, new RegExp(`${p}: `));
    });
    await t.step("another user sees their own projects", async () => {
      const bob = await h.as("bob");
      try {
        const mine = await h.ok<{ allocations: Array<{ project: string; balance: number }> }>(
          "get_allocation",
        );
        const theirs = await bob.ok<{ allocations: Array<{ project: string; balance: number }> }>(
          "get_allocation",
        );
        assert.notDeepEqual(theirs.allocations, mine.allocations);
      } finally {
        await bob.close();
      }
    });
    await t.step("not offered without an allocation command", async () => {
      assert.ok((await h.tools()).some((tool) => tool.name === "get_allocation"));
      assert.ok(!(await none.tools()).some((tool) => tool.name === "get_allocation"));
    });
  } finally {
    await h.close();
    await none.close();
  }
});

/**
 * The history analysis rules over real PBS records (goldens) and hand-made
 * figures: exit classes, per-job figures, name groups, globs, rounding rules.
 */
import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import type { Job } from "../../src/pbs/model/types.ts";
import {
  exitClassOf,
  globPattern,
  jobUsage,
  nameGroup,
  recommendedMemory,
  recommendedWalltime,
  summarizeHistory,
} from "../../src/service/history_analysis.ts";

function jobOf(capture: string, id: string): Job {
  const job = parseJobsJson(golden(capture).stdout).find((j) => j.id === id);
  assert.ok(job, `${id} in ${capture}`);
  return job;
}

function only(capture: string): Job {
  const jobs = parseJobsJson(golden(capture).stdout);
  assert.equal(jobs.length, 1);
  return jobs[0];
}

Deno.test("exit classes of captured jobs", async (t) => {
  await t.step("Exit_status 0: success", () => {
    assert.equal(exitClassOf(jobOf("qstat_x_f_json_all", "1.vm")), "success");
  });
  await t.step("the script's own code (3, 127): failed", () => {
    assert.equal(exitClassOf(jobOf("qstat_x_f_json_all", "15.vm")), "failed");
    assert.equal(exitClassOf(jobOf("qstat_x_f_json_all", "27.vm")), "failed");
  });
  await t.step("-29: walltime", () => {
    const job = only("qstat_fx_json_walltime_exceeded");
    assert.equal(job.exitStatus, -29);
    assert.equal(exitClassOf(job), "walltime");
  });
  await t.step("qdel of a running subjob (271, terminated by alice): deleted", () => {
    const job = parseJobsJson(golden("qstat_f_json_deleted_subjob").stdout)
      .find((j) => /terminated by/.test(j.comment ?? ""));
    assert.ok(job);
    assert.equal(exitClassOf(job), "deleted");
  });
});

Deno.test("exit classes by rule, on a captured job with changed figures", async (t) => {
  const base = jobOf("qstat_x_f_json_all", "16.vm"); // mem=100mb requested, 7332kb used
  const withExit = (
    code: number | undefined,
    mem?: string,
    comment = "Job run ... and failed",
  ) => ({
    ...base,
    exitStatus: code,
    comment,
    used: { ...base.used, ...(mem ? { mem } : {}) },
  });
  await t.step("never ran (no Exit_status): deleted", () => {
    assert.equal(exitClassOf(withExit(undefined)), "deleted");
  });
  await t.step(
    "137 or 271: oom with an out-of-memory line or memory at the limit, else signal",
    () => {
      assert.equal(exitClassOf(withExit(137)), "signal");
      assert.equal(exitClassOf(withExit(137), true), "oom");
      assert.equal(exitClassOf(withExit(271), true), "oom");
      assert.equal(exitClassOf(withExit(137, "97280kb")), "oom"); // 95 % of 100mb
      assert.equal(exitClassOf(withExit(137, "97279kb")), "signal");
    },
  );
  await t.step("-27 (MoM's mem kill): oom; any failure at the memory limit: oom", () => {
    assert.equal(exitClassOf(withExit(-27)), "oom");
    assert.equal(exitClassOf(withExit(1, "100mb")), "oom");
  });
  await t.step("128+N and 256+N signals; other PBS codes fail", () => {
    assert.equal(exitClassOf(withExit(139)), "signal");
    assert.equal(exitClassOf(withExit(265)), "signal");
    assert.equal(exitClassOf(withExit(-1)), "failed");
  });
});

Deno.test("one job's figures", () => {
  const job = jobOf("qstat_x_f_json_all", "16.vm");
  const usage = jobUsage({
    ...job,
    requested: { ...job.requested, ncpus: 4, ngpus: 0, nodect: 2 },
    used: { ...job.used, cput: "00:00:20", walltime: "00:00:20" },
  });
  assert.equal(usage.walltimeUsed, 20);
  assert.equal(usage.walltimeRequested, 120);
  assert.equal(usage.cpuEfficiency, 20 / (20 * 4));
  assert.equal(usage.memUsedBytes, 7332 * 1024);
  assert.equal(usage.memRequestedBytes, 100 * 1024 * 1024);
  assert.equal(usage.nodeHours, 2 * 20 / 3600);
  assert.equal(usage.idleCoreHours, (4 * 20 - 20) / 3600);
  const gpu = jobUsage({ ...job, requested: { ...job.requested, ngpus: 1 } });
  assert.equal(gpu.idleCoreHours, 0, "GPU jobs are not ranked by CPU efficiency");
});

Deno.test("name groups, globs and rounding rules", async (t) => {
  await t.step("numbered runs share a group", () => {
    assert.equal(nameGroup("train_12"), "train_*");
    assert.equal(nameGroup("run-3"), "run-*");
    assert.equal(nameGroup("step7"), "step*");
    assert.equal(nameGroup("analysis"), "analysis");
    assert.equal(nameGroup("42"), "42");
  });
  await t.step("globs match whole names; regex characters are literal", () => {
    assert.ok(globPattern("train_*").test("train_1"));
    assert.ok(!globPattern("train_*").test("xtrain_1"));
    assert.ok(globPattern("a.b?").test("a.bc"));
    assert.ok(!globPattern("a.b?").test("axbc"));
    assert.ok(globPattern("(x)+[y]").test("(x)+[y]"));
    assert.ok(!globPattern("(x)+[y]").test("xxy"));
  });
  await t.step("walltime: × 1.5 up to the quarter hour; memory: × 1.5 up to the GB", () => {
    assert.equal(recommendedWalltime(42 * 60), 75 * 60);
    assert.equal(recommendedWalltime(10), 15 * 60);
    assert.equal(recommendedWalltime(60 * 60), 90 * 60);
    assert.equal(recommendedMemory(2 * 1024 ** 3), 3 * 1024 ** 3);
    assert.equal(recommendedMemory(1), 1024 ** 3);
  });
  await t.step("walltime advice needs 3 successful runs", () => {
    const job = jobOf("qstat_x_f_json_all", "16.vm"); // 00:00:20 used, exit 0
    const long = { ...job, requested: { ...job.requested, walltime: "06:00:00" } };
    const runs = [1, 2, 3].map((n) => jobUsage({ ...long, id: `${n}.vm`, name: `memjob_${n}` }));
    const advice = (jobs: typeof runs) =>
      summarizeHistory(jobs).recommendations.filter((r) => r.kind === "walltime");
    assert.equal(advice(runs.slice(0, 2)).length, 0);
    assert.match(advice(runs)[0].message, /memjob_\* .* request walltime=00:15:00/);
  });
});

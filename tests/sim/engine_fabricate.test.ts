/**
 * Fabricated history (engine/fabricate.ts): a scenario's finished jobs render
 * exec_vnode, exec_host and their comment on first read; what they show must
 * agree with the job's request, through the attribute view and `qstat -x`.
 */
import assert from "node:assert/strict";
import { createScenario } from "../../sim/scenarios.ts";
import { SimRunner } from "../../sim/runner.ts";
import type { SimJob } from "../../sim/model.ts";

function finishedJobs(jobs: SimJob[]): SimJob[] {
  return jobs.filter((j) => j.state === "F" && j.runCount === 1);
}

Deno.test("fabricated history: exec_vnode, exec_host and comment agree with the request", () => {
  const c = createScenario("polaris", { seed: 7 });
  const finished = finishedJobs(c.listJobs({ history: true }));
  assert.ok(finished.length > 1000, `polaris has ${finished.length} finished jobs`);
  for (const job of finished.slice(0, 200)) {
    const nodect = Number(job.resources.nodect);
    const vnodes = job.execVnode!.split("+");
    assert.equal(vnodes.length, nodect, job.id);
    for (const piece of vnodes) {
      assert.match(piece, /^\(x\d+c\d+s\d+b\d+n\d+:ncpus=32:ngpus=4\)$/, job.id);
    }
    const hosts = job.execHost!.split("+");
    assert.equal(hosts.length, nodect, job.id);
    assert.deepEqual(
      hosts.map((h) => h.split("/")[0]),
      vnodes.map((v) => v.slice(1).split(":")[0]),
    );
    assert.ok(job.comment!.startsWith("Job run at "), job.comment);
    assert.ok(job.comment!.includes(` on ${job.execVnode} and `), job.comment);
    const ending = job.exitStatus === 0
      ? " and finished"
      : job.exitStatus === -29
      ? " and exceeded resource walltime"
      : " and failed";
    assert.ok(job.comment!.endsWith(ending), `${job.id}: ${job.comment}`);
  }
});

Deno.test("fabricated history: the texts are plain values once read or written", () => {
  const c = createScenario("polaris", { seed: 7 });
  const [first, second] = finishedJobs(c.listJobs({ history: true }));
  const shown = first.execVnode;
  assert.equal(first.execVnode, shown);
  assert.equal(Object.getOwnPropertyDescriptor(first, "execVnode")?.value, shown);
  second.comment = "edited";
  assert.equal(second.comment, "edited");
  assert.equal(JSON.parse(JSON.stringify(second)).comment, "edited");
});

Deno.test("fabricated history: qstat -xf shows the rendered texts", async () => {
  const c = createScenario("polaris", { seed: 7 });
  const [job] = finishedJobs(c.listJobs({ history: true }));
  const runner = new SimRunner({ complex: c, user: "root" });
  const out = await runner.run(["qstat", "-xf", "-F", "json", job.id]);
  assert.equal(out.code, 0, out.stderr);
  const shown = JSON.parse(out.stdout).Jobs[job.id];
  assert.equal(shown.exec_vnode, job.execVnode);
  assert.equal(shown.exec_host, job.execHost);
  assert.equal(shown.comment, job.comment);
  assert.ok(shown.exec_vnode.length > 0);
});

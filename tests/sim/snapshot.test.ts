/**
 * sim/snapshot.ts: a complex saved as parsed PBS state survives JSON and
 * loads back into the same state, and a snapshot made of real OpenPBS
 * captures loads into a complex showing the same jobs.
 */

import assert from "node:assert/strict";
import { createScenario } from "../../sim/scenarios.ts";
import { SimRunner } from "../../sim/runner.ts";
import type { Complex } from "../../sim/complex.ts";
import {
  loadSnapshot,
  type PbsStateSnapshot,
  saveSnapshot,
  SNAPSHOT_FORMAT,
} from "../../sim/snapshot.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { parseNodesJson } from "../../src/pbs/parse/nodes.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import type { Job } from "../../src/pbs/model/types.ts";
import { golden } from "../golden.ts";

async function jobsOf(complex: Complex, history = false): Promise<Job[]> {
  const runner = new SimRunner({ complex, user: "root" });
  const argv = ["qstat", "-f", "-F", "json", ...(history ? ["-x"] : [])];
  return parseJobsJson((await runner.run(argv)).stdout);
}

/** What must survive a round trip, per job. */
function essentials(job: Job) {
  return {
    id: job.id,
    name: job.name,
    owner: job.owner,
    state: job.state,
    queue: job.queue,
    holds: job.holdTypes,
    requested: job.requested,
    execVnode: job.execVnode,
    started: job.times.started,
    created: job.times.created,
    depend: job.depend,
    executeAfter: job.times.executeAfter,
    account: job.account,
  };
}

async function busyGolden(): Promise<Complex> {
  const complex = createScenario("golden", { seed: 5 });
  const run = new SimRunner({
    complex,
    user: "alice",
    files: { "long.sh": "#SIM runtime=1800\n", "short.sh": "#SIM runtime=300\n" },
  });
  const id = async (argv: string[]) => (await run.run(argv)).stdout.trim();
  const first = await id([
    "qsub",
    "-N",
    "first",
    "-l",
    "select=1:ncpus=4",
    "-l",
    "walltime=01:00:00",
    "long.sh",
  ]);
  complex.advance(120);
  await id(["qsub", "-N", "second", "-A", "acct9", "-l", "walltime=00:30:00", "short.sh"]);
  await id(["qsub", "-N", "after", "-W", `depend=afterok:${first}`, "short.sh"]);
  await id(["qsub", "-h", "-N", "held", "short.sh"]);
  await id(["qsub", "-N", "big", "-l", "select=1:ncpus=8", "short.sh"]);
  await id(["qsub", "-a", "2359", "-N", "later", "short.sh"]);
  run.setUser("root");
  await run.run(["pbsnodes", "-C", "disk check", "vm"]);
  complex.advance(60);
  return complex;
}

Deno.test("save, JSON, load: the same jobs, nodes and future", async () => {
  const original = await busyGolden();
  const snapshot: PbsStateSnapshot = JSON.parse(JSON.stringify(await saveSnapshot(original)));
  assert.equal(snapshot.format, SNAPSHOT_FORMAT);
  const { complex: restored, skipped } = loadSnapshot(snapshot, { seed: 9 });
  assert.deepEqual(skipped, []);
  assert.equal(restored.now(), original.now());

  const before = (await jobsOf(original)).map(essentials);
  const after = (await jobsOf(restored)).map(essentials);
  assert.equal(before.length, 6);
  assert.deepEqual(after, before);
  assert.deepEqual(
    restored.nodes().map((n) => [n.name, n.state, n.comment]),
    original.nodes().map((n) => [n.name, n.state, n.comment]),
  );

  // Both complexes then live the same future: same finish order and exit statuses.
  for (const c of [original, restored]) c.advance(7200);
  const finished = async (c: Complex) =>
    (await jobsOf(c, true)).map((j) => [j.id, j.state, j.exitStatus, j.times.finished]);
  assert.deepEqual(await finished(restored), await finished(original));

  // New submissions continue the id sequence.
  const next = new SimRunner({ complex: restored, user: "alice", files: { "s.sh": "sleep 1\n" } });
  assert.equal((await next.run(["qsub", "s.sh"])).stdout, "6.vm\n");
});

Deno.test("a snapshot of real OpenPBS captures loads into the complex they show", async () => {
  const jobsText = golden("qstat_f_json_all").stdout;
  const snapshot: PbsStateSnapshot = {
    format: SNAPSHOT_FORMAT,
    time: JSON.parse(jobsText).timestamp,
    server: parseServerJson(golden("qstat_Bf_json").stdout),
    queues: parseQueuesJson(golden("qstat_Qf_json").stdout),
    nodes: parseNodesJson(golden("pbsnodes_a_json_initial").stdout),
    jobs: parseJobsJson(jobsText),
  };
  const { complex, skipped } = loadSnapshot(snapshot);
  assert.deepEqual(skipped, [{ id: "5[].vm", reason: "an array that has begun is not restored" }]);

  const real = new Map(snapshot.jobs.map((j) => [j.id, essentials(j)]));
  const loaded = await jobsOf(complex);
  assert.deepEqual(loaded.map((j) => j.id), [...real.keys()].filter((id) => id !== "5[].vm"));
  for (const job of loaded) {
    const want = real.get(job.id)!;
    const got = essentials(job);
    assert.equal(got.state, want.state, job.id);
    assert.equal(got.queue, want.queue, job.id);
    assert.equal(got.holds, want.holds, job.id);
    assert.equal(got.owner, want.owner, job.id);
    assert.equal(got.execVnode, want.execVnode, job.id);
    assert.equal(got.started, want.started, job.id);
    assert.equal(got.requested.select, want.requested.select, job.id);
  }
  // The dependency of 3.vm on running 2.vm came back, and 13.vm can never run on 8 cpus.
  assert.equal(loaded.find((j) => j.id === "3.vm")!.depend, "afterok:2.vm@vm");
  assert.match(loaded.find((j) => j.id === "13.vm")!.comment ?? "", /^Can Never Run/);
  assert.deepEqual(complex.queues().map((q) => q.name), snapshot.queues.map((q) => q.name));
  assert.equal(complex.findQueue("private").aclUsers.join(), "bob");
});

Deno.test("a snapshot of another format is refused", () => {
  const bad = { format: "something-else" } as unknown as PbsStateSnapshot;
  assert.throws(() => loadSnapshot(bad), /not a pbs-sim-snapshot\/1 snapshot/);
});

/**
 * The forecast's live jobs from list_jobs' table and list_nodes' job lists
 * (src/service/table_jobs.ts), against real captures: qstat_aw and
 * pbsnodes_a_json were taken on the same server minutes apart, with 2.vm,
 * 8.vm and 12.vm running on the one vnode `vm` in both.
 */
import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import { parseJobTable } from "../../src/pbs/parse/job_table.ts";
import { parseNodesJson } from "../../src/pbs/parse/nodes.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { jobsFromTable } from "../../src/service/table_jobs.ts";
import { vnodeShares } from "../../sim/snapshot.ts";

const NOW = Date.parse("2026-11-24T02:50:00Z") / 1000;

Deno.test("captured table and node lists give each live job a request, a start and its vnodes", () => {
  const rows = parseJobTable(golden("qstat_aw").stdout);
  const nodes = parseNodesJson(golden("pbsnodes_a_json").stdout);
  const queues = parseQueuesJson(golden("final_qstat_Qf_json").stdout);
  const { jobs, left } = jobsFromTable(rows, nodes, queues, NOW);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  assert.deepEqual(left, []);
  // 2.vm: NDS 1, TSK 2, 00:30 walltime, running 00:00 on vm (shared with other jobs).
  const two = byId.get("2.vm")!;
  assert.equal(two.state, "R");
  assert.deepEqual(two.requested, { select: "1:ncpus=2", walltime: "00:30:00" });
  assert.equal(two.times.started, NOW);
  assert.deepEqual(vnodeShares(two.execVnode!).map((s) => [s.node, s.ncpus]), [["vm", 2]]);
  // Held jobs keep a hold; a queued one has no placement.
  assert.equal(byId.get("3.vm")!.holdTypes, "u");
  assert.equal(byId.get("13.vm")!.requested.select, "1:ncpus=16");
  assert.equal(byId.get("13.vm")!.execVnode, undefined);
  assert.equal(byId.get("9.vm")!.requested.walltime, "02:00:00");
  // Finished rows are history, not live jobs.
  assert.ok(jobs.every((j) => j.state !== "F"));
});

Deno.test("numbers PBS cut in the table: whole nodes for cpus, left out for nodes", () => {
  const nodes = parseNodesJson(golden("pbsnodes_a_json").stdout);
  const base = {
    user: "alice",
    queue: "workq",
    name: "big",
    nameTruncated: false,
    state: "Q" as const,
    idTruncated: false,
  };
  const { jobs, left } = jobsFromTable(
    [
      // An Aurora job of 1024 nodes x 208 cpus prints TSK `2129*` (job_table.ts).
      { ...base, id: "7.vm", nodes: 1024, walltime: "100:0", truncated: ["tasks"] },
      { ...base, id: "6.vm", walltime: "01:00", truncated: ["nodes", "tasks"] },
    ],
    nodes,
    [],
    NOW,
  );
  // vm, the widest node, has 15 cpus; a walltime cut past 99 hours counts as 100.
  assert.deepEqual(jobs.map((j) => [j.id, j.requested]), [
    ["7.vm", { select: "1024:ncpus=15", place: "scatter", walltime: "100:00:00" }],
  ]);
  assert.deepEqual(left.map((l) => l.id), ["6.vm"]);
  assert.match(left[0].reason, /node count is cut/);
});

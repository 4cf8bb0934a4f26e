/**
 * The engine's compact bookkeeping, through ComplexApi: CPU slots kept as runs
 * per node (pbsnodes `jobs` one `id/slot` per CPU, gaps refilled first), the
 * idle-node bits whole-node placement searches (first fit in node order,
 * nodes given back are found again), and history jobs made by
 * `submitForHistory` (as `submit` would make them, out of the scheduling
 * order).
 */
import assert from "node:assert/strict";
import { attrValue } from "../../sim/attributes.ts";
import { Complex } from "../../sim/complex.ts";
import type { ComplexConfig } from "../../sim/config.ts";
import type { SimJob } from "../../sim/model.ts";
import { createScenario } from "../../sim/scenarios.ts";
import { parseScriptBehaviour } from "../../sim/script.ts";
import { alice, attr, root, submit } from "./engine_helpers.ts";

function complexOf(nodes: ComplexConfig["nodes"]): Complex {
  return new Complex({
    serverName: "lay",
    serverHost: "lay-head",
    defaultQueue: "workq",
    jobHistoryEnable: true,
    managers: ["root@*"],
    queues: [{ name: "workq" }],
    nodes,
  }, { seed: 3, startTime: 1795488269 });
}

/** pbsnodes' `jobs` of a node as text (`1.lay/0, 1.lay/1`), or undefined when none. */
function slots(c: Complex, name: string): string | undefined {
  const node = c.nodes().find((n) => n.name === name)!;
  const value = attrValue(c.nodeAttributes(node), "jobs");
  return value?.kind === "list" ? value.text : undefined;
}

const cpus = (n: number) => ({
  resources: [["select", `1:ncpus=${n}`]] as Array<[string, string]>,
});
const seq = (job: SimJob) => job.id.split(".")[0];

Deno.test("CPU slots: jobs hold consecutive slots; a freed gap is taken first, then the slots after", () => {
  const c = complexOf([{ name: "n1", ncpus: 8, mem: "8gb" }]);
  const a = submit(c, alice, { ...cpus(3), script: "#SIM runtime=100" });
  const b = submit(c, alice, { ...cpus(2), script: "#SIM runtime=1000" });
  c.advance(1);
  assert.equal(
    slots(c, "n1"),
    [0, 1, 2].map((s) => `${a.id}/${s}`).concat(
      [3, 4].map((s) => `${b.id}/${s}`),
    ).join(", "),
  );
  c.advance(200); // a ends: slots 0-2 free again
  const d = submit(c, alice, { ...cpus(4), script: "#SIM runtime=1000" });
  c.advance(61);
  assert.equal(attr(c, d, "job_state"), "R");
  assert.equal(attr(c, d, "exec_host"), `n1/0*4`);
  assert.equal(
    slots(c, "n1"),
    `${d.id}/0, ${d.id}/1, ${d.id}/2, ${b.id}/3, ${b.id}/4, ${d.id}/5`,
  );
  c.deleteJob(root, b.id);
  c.advance(5);
  assert.equal(slots(c, "n1"), `${d.id}/0, ${d.id}/1, ${d.id}/2, ${d.id}/5`);
  assert.ok(seq(a) < seq(d));
});

Deno.test("whole-node placement: first idle nodes in node order; a node given back is used again", () => {
  const nodes = Array.from({ length: 70 }, (_, i) => ({
    name: `x${String(i).padStart(2, "0")}`,
    ncpus: 4,
    mem: "8gb",
    sharing: "force_exclhost",
  }));
  const c = complexOf(nodes);
  const hostsOf = (job: SimJob) =>
    String(attr(c, job, "exec_host")).split("+").map((h) => h.split("/")[0]);
  // Fill 65 nodes (across the first 32-node words), then free two in the middle.
  const fill = submit(c, alice, {
    resources: [["select", "65:ncpus=1"], ["place", "scatter"]],
    script: "#SIM runtime=5000",
  });
  const short = submit(c, alice, {
    resources: [["select", "1:ncpus=1"]],
    script: "#SIM runtime=100",
  });
  const short2 = submit(c, alice, {
    resources: [["select", "1:ncpus=1"]],
    script: "#SIM runtime=100",
  });
  c.advance(1);
  assert.deepEqual(hostsOf(fill), nodes.slice(0, 65).map((n) => n.name));
  assert.deepEqual([...hostsOf(short), ...hostsOf(short2)], ["x65", "x66"]);
  // Three idle nodes left (x67-x69): a four-node job waits, a three-node one runs there.
  const four = submit(c, alice, {
    resources: [["select", "4:ncpus=1"], ["place", "scatter"]],
    script: "#SIM runtime=5000",
  });
  c.advance(61);
  assert.equal(attr(c, four, "job_state"), "Q");
  c.advance(100); // the two short jobs end: x65 and x66 are idle again
  c.advance(61);
  assert.equal(attr(c, four, "job_state"), "R");
  assert.deepEqual(hostsOf(four), ["x65", "x66", "x67", "x68"]);
});

Deno.test("submitForHistory: the record submit would make, kept out of scheduling", () => {
  const c = complexOf([{ name: "n1", ncpus: 8, mem: "8gb" }]);
  c.quietly(() => {
    const request = {
      resources: [["select", "1:ncpus=2"], ["walltime", "00:10:00"]] as Array<[string, string]>,
      variables: [["MY_VAR", "1"]] as Array<[string, string]>,
      script: "#SIM runtime=300 exit=3\necho done",
      submitArguments: "job.sh",
      workdir: "/home/alice/w",
      name: "hist",
    };
    const viaSubmit = c.submit(alice, request);
    const viaHistory = c.submitForHistory(alice, request)!;
    for (const job of [viaSubmit, viaHistory]) c.fabricateFinished(job, c.now() - 600);
    const shown = (job: SimJob) =>
      c.jobAttributes(job)
        .filter((a) =>
          ![
            "session_id",
            "resources_used",
            "mtime",
            "ctime",
            "qtime",
            "etime",
            "stime",
            "obittime",
            "history_timestamp",
            "comment",
            "exec_host",
            "exec_vnode",
            "Output_Path",
            "Error_Path",
          ].includes(a.name)
        )
        .map((a) => `${a.name}.${a.resource ?? ""}=${JSON.stringify(a.value)}`);
    assert.deepEqual(shown(viaHistory), shown(viaSubmit));
    assert.equal(viaHistory.state, "F");
    assert.equal(attr(c, viaHistory, "Exit_status"), 3);
  });
  // Neither is scheduled: nothing runs, the node stays free.
  c.schedule();
  assert.equal(slots(c, "n1"), undefined);
});

Deno.test("the workload's jobs do what their scripts say (their behaviour is given, not parsed)", () => {
  // sim/workload.ts hands submit the behaviour of each script it writes; parsing those scripts
  // must give exactly that, for every job of a scenario (array scripts are parsed as usual).
  const complex = createScenario("polaris", { seed: 4 });
  let checked = 0;
  for (const job of complex.allJobs()) {
    if (job.command) continue;
    const { byIndex: _, ...behaviour } = parseScriptBehaviour(job.script);
    const { byIndex: __, ...held } = job.behaviour;
    assert.deepEqual(held, behaviour, job.id);
    checked++;
  }
  assert.ok(checked > 1000, `${checked} jobs checked`);
});

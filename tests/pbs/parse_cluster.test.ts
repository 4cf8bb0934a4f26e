import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import { parseNodesJson, parseNodesJsonDetailed } from "../../src/pbs/parse/nodes.ts";
import { PbsError } from "../../src/pbs/errors.ts";
import type { Queue } from "../../src/pbs/model/types.ts";
import { golden, goldenNames } from "../golden.ts";

/** The server host the capture's session saw: `localhost` on 2026-11-24, `vm` on 2026-11-27 (INDEX.md note 8). */
function capturedHost(name: string): string {
  const meta = golden(name).meta as { captured_at?: string };
  return meta.captured_at?.startsWith("2026-11-27") ? "vm" : "localhost";
}

function goldensWith(pattern: RegExp): string[] {
  return goldenNames().filter((name) => pattern.test(golden(name).meta.command));
}

function queue(queues: Queue[], name: string): Queue {
  const found = queues.find((q) => q.name === name);
  assert.ok(found, `queue ${name} missing`);
  return found;
}

function assertParseError(fn: () => unknown): void {
  assert.throws(fn, (error) => error instanceof PbsError && error.kind === "parse_error");
}

const ALL_QUEUES = ["workq", "debug", "long", "closed", "stopped", "private", "route"];

Deno.test("queues: every qstat -Qf -F json golden", async (t) => {
  const names = [...goldensWith(/^qstat -Qf -F json/), "release/qstat_Qf_json"];
  assert.equal(names.length, 6);
  for (const name of names) {
    await t.step(name, () => {
      const { stdout } = golden(name);
      const expected = [...stdout.matchAll(/^\s+"(\w+)":\s*\{$/gm)].map((m) => m[1]);
      const queues = parseQueuesJson(stdout);
      assert.deepEqual(queues.map((q) => q.name), expected.filter((n) => ALL_QUEUES.includes(n)));
      for (const q of queues) {
        const counted = Object.values(q.stateCount).reduce((a, b) => a + b, 0);
        assert.equal(counted, q.totalJobs, `${q.name}: state_count adds up to total_jobs`);
        assert.deepEqual(Object.keys(q.stateCount), [
          "Transit",
          "Queued",
          "Held",
          "Waiting",
          "Running",
          "Exiting",
          "Begun",
        ]);
      }
    });
  }
});

Deno.test("queues: field values", () => {
  const queues = parseQueuesJson(golden("qstat_Qf_json").stdout);
  assert.deepEqual(queues.map((q) => q.name), ALL_QUEUES);

  const workq = queue(queues, "workq");
  assert.equal(workq.type, "Execution");
  assert.equal(workq.totalJobs, 11);
  assert.deepEqual(workq.stateCount, {
    Transit: 0,
    Queued: 1,
    Held: 2,
    Waiting: 1,
    Running: 6,
    Exiting: 0,
    Begun: 1,
  });
  assert.deepEqual(workq.resourcesAssigned, { mem: "0mb", ncpus: 7, nodect: 6 });
  assert.equal(workq.enabled, true);
  assert.equal(workq.started, true);
  assert.equal(
    workq.attributes["state_count"],
    "Transit:0 Queued:1 Held:2 Waiting:1 Running:6 Exiting:0 Begun:1 ",
  );

  const debug = queue(queues, "debug");
  assert.deepEqual(debug.resourcesMax, { walltime: "01:00:00" });
  assert.deepEqual(debug.resourcesDefault, { walltime: "00:10:00" });
  assert.deepEqual(queue(queues, "long").resourcesMin, { walltime: "01:00:00" });

  const closed = queue(queues, "closed");
  assert.equal(closed.enabled, false);
  assert.equal(closed.started, false);
  const stopped = queue(queues, "stopped");
  assert.equal(stopped.enabled, true);
  assert.equal(stopped.started, false);

  const priv = queue(queues, "private");
  assert.equal(priv.aclUserEnable, true);
  assert.deepEqual(priv.aclUsers, ["bob"]);
  assert.equal(workq.aclUserEnable, false);
  assert.deepEqual(workq.aclUsers, []);

  const route = queue(queues, "route");
  assert.equal(route.type, "Route");
  assert.deepEqual(route.routeDestinations, ["debug", "long"]);

  assert.deepEqual(parseQueuesJson(golden("qstat_Qf_json_route").stdout).map((q) => q.name), [
    "route",
  ]);
  const release = parseQueuesJson(golden("release/qstat_Qf_json").stdout);
  assert.equal(queue(release, "workq").totalJobs, 10);
  assert.equal(queue(release, "private").stateCount["Running"], 1);
});

Deno.test("queues: duplicate queue entries keep the last, empty envelope gives none", () => {
  const text = '{"Queue": {"q": {"total_jobs": 1, "enabled": "True"}, "q": {"total_jobs": 2}}}';
  const queues = parseQueuesJson(text);
  assert.equal(queues.length, 1);
  assert.equal(queues[0].totalJobs, 2);
  assert.equal(queues[0].enabled, false);
  assert.deepEqual(parseQueuesJson(golden("qstat_f_json_empty").stdout), []);
});

Deno.test("server: every qstat -Bf -F json golden", async (t) => {
  const names = [...goldensWith(/^qstat -Bf -F json/), "release/qstat_Bf_json"];
  assert.equal(names.length, 5);
  for (const name of names) {
    await t.step(name, () => {
      const { stdout } = golden(name);
      const server = parseServerJson(stdout);
      assert.equal(server.name, "vm");
      assert.equal(server.version, "23.06.06");
      assert.equal(server.state, "Active");
      assert.equal(server.host, capturedHost(name));
      assert.equal(server.defaultQueue, "workq");
      assert.equal(server.scheduling, true);
      assert.equal(server.jobHistoryEnable, true);
      assert.equal(server.maxArraySize, 10000);
      // total_jobs also counts finished (history) jobs, which state_count leaves out.
      assert.equal(server.totalJobs, Number(/"total_jobs":\s*(\d+)/.exec(stdout)![1]));
      const counted = Object.values(server.stateCount).reduce((a, b) => a + b, 0);
      assert.ok(counted <= server.totalJobs!);
      assert.equal(Object.keys(server.stateCount).length, 7);
    });
  }
});

Deno.test("server: field values", () => {
  const server = parseServerJson(golden("qstat_Bf_json").stdout);
  assert.equal(server.totalJobs, 22);
  assert.equal(server.stateCount["Running"], 7);
  assert.equal(server.stateCount["Queued"], 4);
  assert.deepEqual(server.resourcesDefault, { ncpus: 1 });
  assert.deepEqual(server.resourcesAssigned, { mem: "0mb", ncpus: 8, nodect: 7 });
  assert.deepEqual(server.resourcesAvailable, {});
  assert.equal(server.jobHistoryDuration, undefined);
  assert.equal(server.attributes["default_chunk.ncpus"], "1");
  assert.equal(server.attributes["log_events"], "511");
  assert.equal(parseServerJson(golden("final_qstat_Bf_json").stdout).totalJobs, 0);
  assert.equal(parseServerJson(golden("release/qstat_Bf_json").stdout).totalJobs, 31);
});

Deno.test("server: envelope without a server is a parse_error", () => {
  assertParseError(() => parseServerJson(golden("server_down_qstat_f_json").stdout));
  assertParseError(() => parseServerJson(""));
});

Deno.test("nodes: every pbsnodes -F json golden", async (t) => {
  const names = [
    ...goldensWith(/^(timeout 60 )?pbsnodes .*-F json/),
    "release/pbsnodes_a_json",
    "release/pbsnodes_av_json",
    "release/pbsnodes_aSj_json",
    "release/pbsnodes_unknown_json",
  ];
  assert.ok(names.length >= 18, `found ${names.length}`);
  for (const name of names) {
    await t.step(name, () => {
      const { stdout } = golden(name);
      if (stdout.trim() === "") {
        assertParseError(() => parseNodesJson(stdout)); // server down: nothing printed
        return;
      }
      const { nodes, unknown } = parseNodesJsonDetailed(stdout);
      const failed = /Unknown node/.test(stdout);
      assert.equal(nodes.length + unknown.length, 1);
      if (failed) {
        assert.deepEqual(nodes, []);
        assert.equal(unknown.length, 1);
        return;
      }
      const [node] = nodes;
      assert.equal(node.name, "vm");
      const state = /"[sS]tate":\s*"([^"]*)"/.exec(stdout)![1];
      assert.deepEqual(node.states, state.split(","));
      assert.equal(new Set(node.jobs).size, node.jobs.length, "jobs are de-duplicated");
      for (const id of node.jobs) assert.ok(stdout.includes(`"${id}"`), id);
    });
  }
});

Deno.test("nodes: field values", async (t) => {
  await t.step("with reservations", () => {
    const [node] = parseNodesJson(golden("pbsnodes_a_json_with_resv").stdout);
    assert.equal(node.mom, "localhost");
    assert.equal(node.ntype, "PBS");
    assert.deepEqual(node.states, ["free"]);
    assert.equal(node.pcpus, 2);
    assert.deepEqual(node.jobs, ["2.vm", "11.vm", "12.vm", "31.vm"]);
    assert.deepEqual(node.reservations, ["S51.vm", "R44.vm"]);
    assert.deepEqual(node.resourcesAvailable, {
      arch: "linux",
      host: "localhost",
      mem: "24684084kb",
      ncpus: 15,
      vnode: "vm",
    });
    assert.deepEqual(node.resourcesAssigned, { ncpus: 5 });
    assert.equal(node.sharing, "default_shared");
    assert.equal(node.lastStateChange, 1795488842);
    assert.equal(node.lastUsed, 1795489121);
    assert.equal(node.comment, undefined);
  });

  await t.step("offline with comment, mom down, idle", () => {
    const [offline] = parseNodesJson(golden("pbsnodes_a_json_offline").stdout);
    assert.deepEqual(offline.states, ["offline"]);
    assert.equal(offline.comment, "disk replacement");
    assert.equal(offline.jobs.length, 8);

    const [down] = parseNodesJson(golden("pbsnodes_a_json_mom_down").stdout);
    assert.deepEqual(down.states, ["down"]);
    assert.equal(down.comment, "node down: communication closed");

    const [idle] = parseNodesJson(golden("final_pbsnodes_a_json").stdout);
    assert.deepEqual(idle.jobs, []);
    assert.deepEqual(idle.reservations, []);
    assert.deepEqual(idle.resourcesAssigned, {});
    assert.equal(idle.resourcesAvailable["ncpus"], 8);

    const [initial] = parseNodesJson(golden("pbsnodes_a_json_initial").stdout);
    assert.equal(initial.attributes["Port"], "15002");
    assert.equal(initial.resourcesAvailable["ncpus"], 2);
  });

  await t.step("several states at once", () => {
    const text = golden("pbsnodes_a_json_offline").stdout.replace(
      /"state":\s*"offline"/,
      '"state":\t"down,offline"',
    );
    assert.deepEqual(parseNodesJson(text)[0].states, ["down", "offline"]);
  });

  await t.step("summary form (-aSj): State key, repeated jobs de-duplicated", () => {
    const [node] = parseNodesJson(golden("pbsnodes_aSj_json").stdout);
    assert.deepEqual(node.states, ["free"]);
    assert.deepEqual(node.jobs, [
      "8.vm",
      "2.vm",
      "5[1].vm",
      "5[2].vm",
      "5[3].vm",
      "31.vm",
      "12.vm",
      "33.vm",
      "11.vm",
    ]);
    assert.equal(node.attributes["ncpus f/t"], "5/15");
    assert.equal(node.attributes["Total Jobs"], "10");

    const [release] = parseNodesJson(golden("release/pbsnodes_aSj_json").stdout);
    assert.equal(release.attributes["Suspended Jobs"], "");
    assert.equal(release.jobs.length, 7);
  });

  await t.step("unknown nodes are reported apart (master and release forms)", () => {
    assert.deepEqual(parseNodesJsonDetailed(golden("pbsnodes_unknown_json").stdout), {
      nodes: [],
      unknown: ["nosuchnode"],
    });
    assert.deepEqual(parseNodesJsonDetailed(golden("pbsnodes_one_json_by_name_fails").stdout), {
      nodes: [],
      unknown: ["vm"],
    });
    assert.deepEqual(parseNodesJsonDetailed(golden("release/pbsnodes_unknown_json").stdout), {
      nodes: [],
      unknown: ["nosuchnode"],
    });
    assert.deepEqual(parseNodesJson(golden("pbsnodes_v_unknown_json").stdout), []);
  });

  await t.step("a known node next to an unknown one", () => {
    const text = '{"nodes": {"n1": {"state": "free", "jobs": []}, "n2": {"n2": "Unknown node "}}}';
    const { nodes, unknown } = parseNodesJsonDetailed(text);
    assert.deepEqual(nodes.map((n) => n.name), ["n1"]);
    assert.deepEqual(unknown, ["n2"]);
  });
});

Deno.test("property: cluster parsers on mutated goldens return or throw parse_error", () => {
  const parsers = [
    () => parseQueuesJson,
    () => parseServerJson,
    () => parseNodesJson,
  ];
  const sources = [
    golden("qstat_Qf_json").stdout,
    golden("qstat_Bf_json").stdout,
    golden("pbsnodes_a_json_with_resv").stdout,
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 0, max: 30 }),
      fc.constantFrom("", '"', "{", "}", "[", "nan", ",", "\n", '"state": 5,'),
      (which, where, cut, insert) => {
        const text = sources[which];
        const at = Math.floor(where * text.length);
        try {
          parsers[which]()(text.slice(0, at) + insert + text.slice(at + cut));
        } catch (error) {
          assert.ok(error instanceof PbsError, String(error));
          assert.equal(error.kind, "parse_error");
        }
      },
    ),
    { numRuns: 800 },
  );
});

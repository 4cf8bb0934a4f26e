/**
 * The simulated complex's engine, driven through ComplexApi (not argv):
 * job lifecycle and attributes against the goldens, holds, dependencies,
 * arrays, walltime kills, deletion, alter/move/order/signal semantics.
 */
import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import { createScenario } from "../../sim/scenarios.ts";
import { PBSE } from "../../sim/model.ts";
import {
  alice,
  attr,
  attrNames,
  bob,
  errnoOf,
  goldenNames,
  root,
  submit,
} from "./engine_helpers.ts";

const golden0 = () => createScenario("golden", { seed: 1 });

Deno.test("job lifecycle: Q -> R -> E -> F with history and attributes", async (t) => {
  const c = golden0();
  const job = submit(c, alice, { script: "#SIM runtime=20 exit=3" });

  await t.step("runs at once on the idle node, with the run comment", () => {
    assert.equal(job.state, "R");
    assert.equal(attr(c, job, "substate"), 42);
    assert.equal(attr(c, job, "exec_vnode"), "(vm:ncpus=1)");
    assert.match(
      String(attr(c, job, "comment")),
      /^Job run at \w{3} \w{3} \d{2} at \d{2}:\d{2} on \(vm:ncpus=1\)$/,
    );
    assert.equal(attr(c, job, "Resource_List.place"), "pack");
    assert.equal(attr(c, job, "Resource_List.select"), "1:ncpus=1");
  });

  await t.step("E right after the runtime, F after the obit", () => {
    c.advance(20);
    assert.equal(job.state, "E");
    c.advance(1);
    assert.equal(job.state, "F");
    assert.equal(attr(c, job, "substate"), 93);
    assert.equal(attr(c, job, "Exit_status"), 3);
    assert.equal(attr(c, job, "resources_used.walltime"), "00:00:20");
    assert.match(String(attr(c, job, "comment")), / and failed$/);
    assert.equal(attr(c, job, "history_timestamp"), c.now());
  });

  await t.step("finished jobs need history=true", () => {
    assert.equal(errnoOf(() => c.findJob(job.id)), PBSE.HISTJOBID);
    assert.equal(c.findJob(job.id, { history: true }), job);
    assert.equal(c.listJobs().length, 0);
    assert.equal(c.listJobs({ history: true }).length, 1);
  });

  await t.step("attribute order matches the golden finished job", () => {
    const expected = goldenNames(golden("qstat_fx_finished").stdout);
    assert.deepEqual(attrNames(c, job), expected);
  });

  await t.step("history expires after job_history_duration", () => {
    c.advance(c.server.jobHistoryDuration + 1);
    assert.equal(errnoOf(() => c.findJob(job.id, { history: true })), PBSE.UNKJOBID);
  });
});

Deno.test("running, queued, held and deferred jobs print the golden attributes in order", () => {
  const c = golden0();
  const running = submit(c, alice, {
    name: "analysis1",
    queue: "workq",
    account: "acct123",
    resources: [["walltime", "00:30:00"], ["select", "1:ncpus=2"]],
    script: "sleep 3000",
  });
  submit(c, alice, { name: "dependent", depend: `afterok:${running.id}` });
  assert.deepEqual(attrNames(c, running), goldenNames(golden("qstat_f_running").stdout));
  assert.equal(attr(c, running, "depend"), "beforeok:1.vm@vm");

  const toobig = submit(c, alice, { name: "toobig", resources: [["select", "1:ncpus=16"]] });
  assert.equal(
    attr(c, toobig, "comment"),
    "Can Never Run: Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)",
  );
  assert.deepEqual(attrNames(c, toobig), goldenNames(golden("qstat_f_queued").stdout));

  const held = submit(c, alice, { name: "heldjob", hold: true });
  assert.equal(held.state, "H");
  assert.deepEqual(attrNames(c, held), goldenNames(golden("qstat_f_held").stdout));

  const deferred = submit(c, alice, { name: "deferred", executionTime: c.now() + 3600 });
  assert.equal(deferred.state, "W");
  assert.equal(attr(c, deferred, "substate"), 30);
  assert.deepEqual(attrNames(c, deferred), goldenNames(golden("qstat_f_deferred").stdout));
  c.advance(3600);
  assert.equal(deferred.state, "R");
});

Deno.test("holds: each type with its permission rules", async (t) => {
  const c = golden0();
  const job = submit(c, alice, { hold: true });

  await t.step("user may set and release u, not o or s", () => {
    assert.equal(errnoOf(() => c.holdJob(alice, job.id, "o")), PBSE.PERM);
    assert.equal(errnoOf(() => c.holdJob(alice, job.id, "s")), PBSE.PERM);
    c.releaseJob(alice, job.id, "u");
    assert.equal(job.state, "R");
  });

  await t.step(
    "root sets o and s; the user's plain qrls is a no-op; qrls -h o by user is PERM",
    () => {
      const other = submit(c, alice, { resources: [["select", "1:ncpus=16"]] });
      c.holdJob(root, other.id, "o");
      c.holdJob(root, other.id, "s");
      assert.equal(attr(c, other, "Hold_Types"), "so");
      c.releaseJob(alice, other.id, "u");
      assert.equal(other.state, "H");
      assert.equal(errnoOf(() => c.releaseJob(alice, other.id, "o")), PBSE.PERM);
      c.releaseJob(root, other.id, "os");
      assert.equal(other.state, "Q");
    },
  );

  await t.step("qhold of a running job keeps it running with Hold_Types u", () => {
    c.holdJob(alice, job.id, "u");
    assert.equal(job.state, "R");
    assert.equal(attr(c, job, "Hold_Types"), "u");
    assert.match(String(attr(c, job, "comment")), /^Job held by alice on /);
  });

  await t.step("other users cannot touch the job", () => {
    assert.equal(errnoOf(() => c.holdJob(bob, job.id, "u")), PBSE.PERM);
  });
});

Deno.test("afterok chain whose first job fails: the rest are deleted", () => {
  const c = golden0();
  const first = submit(c, alice, { script: "#SIM runtime=10 exit=1" });
  const second = submit(c, alice, { depend: `afterok:${first.id}` });
  const third = submit(c, alice, { depend: `afterok:${second.id}` });
  assert.equal(second.state, "H");
  assert.equal(second.substate, 22);
  assert.equal(attr(c, second, "Hold_Types"), "s");
  assert.equal(attr(c, second, "depend"), `afterok:${first.id}@vm,beforeok:${third.id}@vm`);
  c.releaseJob(alice, second.id, "u"); // no-op on a dependency hold
  assert.equal(second.state, "H");
  c.advance(11);
  assert.equal(first.exitStatus, 1);
  // Deleted by the server, never run: F, substate 92, Hold_Types s, the unmet clause kept,
  // no comment (capture qstat_fx_json_depend_two_ids_parent_failed).
  assert.equal(second.state, "F");
  assert.equal(second.substate, 92);
  assert.equal(attr(c, second, "Hold_Types"), "s");
  assert.match(String(attr(c, second, "depend")), new RegExp(`^afterok:${first.id}@vm`));
  assert.equal(attr(c, second, "comment"), undefined);
  assert.equal(third.state, "F");
  assert.equal(second.runCount, 0);
});

Deno.test("afterok satisfied releases the dependent; unknown job id is accepted then finished", () => {
  const c = golden0();
  const first = submit(c, alice, { script: "#SIM runtime=10" });
  const second = submit(c, alice, { depend: `afterany:${first.id}` });
  c.advance(11);
  assert.equal(second.state, "R");

  const orphan = submit(c, alice, { depend: "afterok:99999.vm" });
  assert.equal(orphan.state, "F");
  assert.equal(attr(c, orphan, "Hold_Types"), "s");
  assert.equal(attr(c, orphan, "substate"), 92);
  assert.equal(attr(c, orphan, "depend"), "afterok:99999.vm@vm");
});

Deno.test("array with a % limit never runs more subjobs than the limit", () => {
  const c = createScenario("tiny", { seed: 3 });
  const parent = submit(c, alice, { arrayRange: "1-10%3", script: "#SIM runtime=50" });
  assert.equal(parent.id, "0[].tiny");
  let maxRunning = 0;
  for (let t = 0; t < 400; t += 5) {
    const running = [...parent.array!.subjobs.values()].filter((s) => s.state === "R").length;
    maxRunning = Math.max(maxRunning, running);
    c.advance(5);
  }
  assert.equal(maxRunning, 3);
  assert.equal(parent.state, "F");
  // A finished array's subjobs are F with it (capture qstat_xt_array_finished).
  assert.ok([...parent.array!.subjobs.values()].every((s) => s.state === "F"));
  assert.equal(attr(c, parent, "array_state_count"), "Queued:0 Running:0 Exiting:0 Expired:0");
  const waiting = submit(c, alice, { arrayRange: "1-10:3", hold: true });
  assert.equal(attr(c, waiting, "array_indices_remaining"), "1-10:3");
  assert.equal(attr(c, waiting, "array_state_count"), "Queued:4 Running:0 Exiting:0 Expired:0");
});

Deno.test("array parent and subjob attributes follow the golden", () => {
  const c = golden0();
  const parent = submit(c, alice, { name: "arrjob", arrayRange: "1-4", script: "sleep 600" });
  const expected = JSON.parse(golden("qstat_f_json_array_t").stdout).Jobs;
  const keys = (names: string[]) => [...new Set(names.map((n) => n.split(".")[0]))];
  assert.deepEqual(keys(attrNames(c, parent)), Object.keys(expected["5[].vm"]));
  const sub = c.findJob(`${parent.seq}[2]`);
  assert.deepEqual(keys(attrNames(c, sub)), Object.keys(expected["5[2].vm"]));
  assert.equal(attr(c, parent, "array_state_count"), "Queued:0 Running:4 Exiting:0 Expired:0");
  assert.equal(attr(c, parent, "array_indices_remaining"), "-");
  assert.equal(attr(c, sub, "Output_Path"), `localhost:/home/alice/arrjob.o${parent.seq}.2`);
  assert.equal(
    attr(c, parent, "Output_Path"),
    `localhost:/home/alice/arrjob.o${parent.seq}.^array_index^`,
  );
});

Deno.test("walltime overrun kills the job with -29 and writes PBS's line to the error file", () => {
  const outputDir = Deno.makeTempDirSync();
  try {
    const c = createScenario("golden", { seed: 1, outputDir });
    const job = submit(c, alice, {
      name: "dbg",
      queue: "debug",
      resources: [["walltime", "00:05:00"]],
      script: "echo hello\necho oops >&2\nsleep 3000",
    });
    c.advance(309);
    assert.equal(job.state, "F");
    assert.equal(job.exitStatus, -29);
    assert.match(String(attr(c, job, "comment")), / and exceeded resource walltime$/);
    assert.equal(attr(c, job, "resources_used.walltime"), "00:05:08");
    const err = Deno.readTextFileSync(`${outputDir}/home/alice/dbg.e${job.seq}`);
    assert.equal(err, "oops\n=>> PBS: job killed: walltime 308 exceeded limit 300\n");
    assert.equal(Deno.readTextFileSync(`${outputDir}/home/alice/dbg.o${job.seq}`), "hello\n");
  } finally {
    Deno.removeSync(outputDir, { recursive: true });
  }
});

Deno.test("qdel: running job terminated (271), history purge, permissions", () => {
  const c = golden0();
  const job = submit(c, alice, { script: "sleep 3000" });
  assert.equal(errnoOf(() => c.deleteJob(bob, job.id)), PBSE.PERM);
  c.deleteJob(alice, job.id);
  assert.equal(job.state, "E");
  c.advance(1);
  assert.equal(job.exitStatus, 271);
  assert.equal(job.substate, 91);
  assert.match(String(job.comment), / and terminated by alice@localhost$/);
  assert.equal(errnoOf(() => c.deleteJob(alice, job.id)), PBSE.HISTJOBID);
  c.deleteJob(alice, job.id, { purgeHistory: true });
  assert.equal(errnoOf(() => c.findJob(job.id, { history: true })), PBSE.UNKJOBID);

  const queued = submit(c, alice, { hold: true });
  c.deleteJob(alice, queued.id);
  assert.equal(queued.state, "F");
  assert.equal(attr(c, queued, "Exit_status"), undefined);
});

Deno.test("qalter, qmove, qorder, qsig, qrerun, qrun semantics", async (t) => {
  const c = golden0();
  const running = submit(c, alice, { resources: [["walltime", "00:30:00"]], script: "sleep 3000" });

  await t.step("walltime of a running job: user may lower, not raise; select is MODATRRUN", () => {
    assert.equal(
      errnoOf(() => c.alterJob(alice, running.id, { resources: [["walltime", "00:45:00"]] })),
      PBSE.PERM,
    );
    c.alterJob(alice, running.id, { resources: [["walltime", "00:20:00"]] });
    assert.equal(attr(c, running, "Resource_List.walltime"), "00:20:00");
    c.alterJob(root, running.id, { resources: [["walltime", "00:50:00"]] });
    assert.equal(attr(c, running, "Resource_List.walltime"), "00:50:00");
    const e = (() => {
      try {
        c.alterJob(alice, running.id, { resources: [["select", "1:ncpus=1"]] });
      } catch (err) {
        return err as { errno: number; detail: string };
      }
    })();
    assert.equal(e?.errno, PBSE.MODATRRUN);
    assert.equal(e?.detail, "Resource_List.select");
  });

  await t.step("qmove re-applies the new queue's default walltime", () => {
    const held = submit(c, alice, { queue: "debug", hold: true });
    assert.equal(attr(c, held, "Resource_List.walltime"), "00:10:00");
    c.moveJob(alice, held.id, "long");
    assert.equal(held.queue, "long");
    assert.equal(attr(c, held, "Resource_List.walltime"), "12:00:00");
    const explicit = submit(c, alice, { resources: [["walltime", "05:00:00"]], hold: true });
    assert.equal(errnoOf(() => c.moveJob(alice, explicit.id, "debug")), PBSE.EXCQRESC);
    assert.equal(errnoOf(() => c.moveJob(alice, explicit.id, "closed")), PBSE.QUNOENB);
    assert.equal(errnoOf(() => c.moveJob(alice, explicit.id, "private")), PBSE.PERM);
    assert.equal(errnoOf(() => c.moveJob(alice, explicit.id, "nosuchq")), PBSE.UNKQUE);
  });

  await t.step("qorder across queues swaps the queues", () => {
    const a = submit(c, alice, { hold: true });
    const b = submit(c, alice, { queue: "debug", hold: true });
    c.orderJobs(alice, a.id, b.id);
    assert.equal(a.queue, "debug");
    assert.equal(b.queue, "workq");
    const ids = c.listJobs().map((j) => j.id);
    assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id));
  });

  await t.step(
    "qsig: suspend needs an operator; USR1 kills with 266; queued job is BADSTATE",
    () => {
      assert.equal(errnoOf(() => c.signalJob(alice, running.id, "suspend")), PBSE.PERM);
      c.signalJob(root, running.id, "suspend");
      assert.equal(running.state, "S");
      assert.equal(running.substate, 43);
      c.signalJob(root, running.id, "resume");
      assert.equal(running.state, "R");
      assert.equal(errnoOf(() => c.signalJob(alice, running.id, "BOGUS")), PBSE.UNKSIG);
      const held = submit(c, alice, { hold: true });
      assert.equal(errnoOf(() => c.signalJob(alice, held.id, "USR1")), PBSE.BADSTATE);
      c.signalJob(alice, running.id, "USR1");
      c.advance(1);
      assert.equal(running.exitStatus, 266);
    },
  );

  await t.step("qrerun requires privilege and requeues; qrun runs a held job", () => {
    const job = submit(c, alice, { script: "sleep 3000" });
    assert.equal(errnoOf(() => c.rerunJob(alice, job.id)), PBSE.PERM);
    c.rerunJob(root, job.id);
    assert.equal(job.state, "R");
    assert.equal(job.runCount, 2);
    const held = submit(c, alice, { hold: true });
    assert.equal(errnoOf(() => c.runJob(alice, held.id)), PBSE.PERM);
    c.runJob(root, held.id);
    assert.equal(held.state, "R");
  });
});

Deno.test("submission checks: errors, details, and burnt ids", () => {
  const c = golden0();
  const detail = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return `${(e as { errno: number }).errno} ${(e as { detail: string }).detail}`;
    }
  };
  assert.equal(detail(() => submit(c, alice, { queue: "closed" })), `${PBSE.QUNOENB} closed`);
  assert.equal(detail(() => submit(c, alice, { queue: "nosuchq" })), `${PBSE.UNKQUE} nosuchq`);
  assert.equal(
    errnoOf(() => submit(c, alice, { queue: "debug", resources: [["walltime", "02:00:00"]] })),
    PBSE.EXCQRESC,
  );
  assert.equal(
    detail(() => submit(c, alice, { resources: [["foo", "1"]] })),
    `${PBSE.UNKRESC} Resource_List.foo`,
  );
  assert.equal(
    detail(() => submit(c, alice, { resources: [["walltime", "abc"]] })),
    `${PBSE.BADATVAL} Resource_List.walltime`,
  );
  assert.equal(
    detail(() => submit(c, alice, { resources: [["select", "abc"]] })),
    `${PBSE.BADATVAL} Resource_List.select`,
  );
  assert.equal(
    detail(() => submit(c, alice, { resources: [["ncpus", "two"]] })),
    `${PBSE.BADATVAL} Resource_List.ncpus`,
  );
  assert.equal(errnoOf(() => submit(c, alice, { queue: "private" })), PBSE.PERM);
  assert.equal(errnoOf(() => submit(c, root)), PBSE.BADUSER);
  assert.equal(errnoOf(() => submit(c, alice, { arrayRange: "1-20000" })), PBSE.MaxArraySize);
  // Server-side rejections burn an id, unknown resources included (INDEX.md note 9).
  assert.equal(
    detail(() => submit(c, alice, { resources: [["select", "1:ngpus=1"]] })),
    `${PBSE.UNKRESC} ngpus`,
  );
  assert.equal(
    errnoOf(() => submit(c, alice, { resources: [["place", "excl"]] })),
    PBSE.PLACENOSELECT,
  );
  const next = submit(c, alice);
  assert.equal(next.seq, 9, "rejected submissions consumed ids 0-8 (not the bad values)");

  const dropped = submit(c, alice, { queue: "route", resources: [["walltime", "100:00:00"]] });
  assert.equal(errnoOf(() => c.findJob(dropped.id, { history: true })), PBSE.UNKJOBID);
  const routed = submit(c, alice, { queue: "route", resources: [["walltime", "02:00:00"]] });
  assert.equal(routed.queue, "long");
  const stopped = submit(c, alice, { queue: "stopped" });
  assert.equal(stopped.comment, "Not Running: Queue not started.");
});

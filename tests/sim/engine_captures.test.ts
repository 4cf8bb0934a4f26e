/**
 * Behaviours the captures of 2026-11-27 show (INDEX.md notes 8-9), checked by
 * value on the engine and through SimRunner: the command form, site queuejob
 * hooks, `on:N` dependencies, finished arrays, estimates under strict ordering,
 * Can Never Run above the complex's totals, and what root sees of a node.
 */

import assert from "node:assert/strict";
import { Complex } from "../../sim/complex.ts";
import { GOLDEN_START, goldenConfig } from "../../sim/scenarios.ts";
import { SimRunner } from "../../sim/runner.ts";
import type { ComplexConfig } from "../../sim/config.ts";
import { PBSE } from "../../sim/model.ts";
import { alice, attr, errnoOf, submit } from "./engine_helpers.ts";
import { golden } from "../golden.ts";

function golden0(config: Partial<ComplexConfig> = {}): Complex {
  return new Complex({ ...goldenConfig(), ...config }, { seed: 7, startTime: GOLDEN_START });
}

function runnerOn(complex: Complex): SimRunner {
  return new SimRunner({
    complex,
    user: "alice",
    files: {
      "short.sh": "#!/bin/sh\nsleep 20\n",
      "long.sh": "#!/bin/sh\nsleep 3000\n",
      "array.sh": "#!/bin/sh\n#SIM index=4 exit=2\necho $PBS_ARRAY_INDEX\nsleep 20\n",
    },
  });
}

Deno.test("command form: job STDIN, JSDL executable/arguments, the command's exit status", async () => {
  const c = golden0();
  const run = runnerOn(c);
  const exit4 = (await run.run(["qsub", "-N", "named", "--", "/bin/sh", "-c", "exit 4"])).stdout;
  const sleep3 = (await run.run(["qsub", "--", "/bin/sleep", "3"])).stdout;
  const job = c.findJob(sleep3.trim());
  assert.equal(job.name, "STDIN");
  assert.equal(attr(c, job, "Output_Path"), `localhost:/home/alice/STDIN.o${job.seq}`);
  assert.equal(
    attr(c, job, "executable"),
    "<jsdl-hpcpa:Executable>/bin/sleep</jsdl-hpcpa:Executable>",
  );
  assert.equal(attr(c, job, "argument_list"), "<jsdl-hpcpa:Argument>3</jsdl-hpcpa:Argument>");
  c.advance(2);
  assert.equal(job.state, "R", "sleep 3 still runs after 2 s");
  c.advance(30);
  const named = c.findJob(exit4.trim(), { history: true });
  assert.deepEqual([named.state, named.substate, named.exitStatus], ["F", 93, 4]);
  assert.equal(attr(c, named, "Submit_arguments"), "-N named -- /bin/sh -c exit 4");
  assert.match(String(attr(c, named, "comment")), / and failed$/);
  assert.deepEqual([job.state, job.exitStatus], ["F", 0]);
});

Deno.test("queuejob hook: rejects with its message, exit 32, no id consumed", async () => {
  const c = golden0({
    queuejobHooks: [{
      name: "require_fs",
      requireResources: ["filesystems"],
      message: "Job must request -l filesystems=<list> (e.g. home:eagle)",
    }],
  });
  const run = runnerOn(c);
  const rejected = await run.run(["qsub", "short.sh"]);
  assert.equal(rejected.code, 32);
  assert.equal(rejected.stderr, "qsub: Job must request -l filesystems=<list> (e.g. home:eagle)\n");
  assert.equal(rejected.stdout, "");
  const accepted = await run.run(["qsub", "-l", "filesystems=home:eagle", "short.sh"]);
  assert.equal(accepted.stdout, "0.vm\n", "the rejection took no id");
  assert.equal(attr(c, c.findJob("0.vm"), "Resource_List.filesystems"), "home:eagle");
  // On a complex without the hook the plain submission passes.
  assert.equal((await runnerOn(golden0()).run(["qsub", "short.sh"])).code, 0);
});

Deno.test("server-side rejections burn ids: ngpus undefined, place without select", async () => {
  const run = runnerOn(golden0());
  const ngpus = await run.run(["qsub", "-l", "select=1:ngpus=1", "short.sh"]);
  assert.deepEqual([ngpus.code, ngpus.stderr], [187, "qsub: Unknown resource: ngpus\n"]);
  const place = await run.run(["qsub", "-l", "place=excl", "short.sh"]);
  assert.deepEqual([place.code, place.stderr], [7, 'qsub: Cannot have "place" without "select"\n']);
  assert.equal((await run.run(["qsub", "short.sh"])).stdout, "2.vm\n");
});

Deno.test("on:1 waits held for a beforeok job to register, then for it to end OK", () => {
  const c = golden0();
  const target = submit(c, alice, { depend: "on:1" });
  assert.deepEqual([target.state, target.substate, attr(c, target, "Hold_Types")], ["H", 22, "s"]);
  assert.equal(attr(c, target, "depend"), "on:1");
  const before = submit(c, alice, { depend: `beforeok:${target.id}` });
  assert.equal(attr(c, target, "depend"), `afterok:${before.id}@vm`);
  assert.equal(target.state, "H");
  c.advance(25);
  assert.equal(target.state, "R");
  assert.equal(attr(c, target, "depend"), undefined, "a met dependency leaves depend");
  assert.equal(attr(c, target, "Hold_Types"), "n");
});

Deno.test("qalter -W depend on a user-held job, then qrls: still held by the dependency", () => {
  const c = golden0();
  const parent = submit(c, alice, { script: "#SIM runtime=100" });
  const held = submit(c, alice, { hold: true });
  c.alterJob(alice, held.id, { depend: `afterany:${parent.id}` });
  assert.deepEqual([held.substate, attr(c, held, "Hold_Types")], [22, "su"]);
  c.releaseJob(alice, held.id, "u");
  assert.deepEqual([held.state, held.substate, attr(c, held, "Hold_Types")], ["H", 22, "s"]);
  c.advance(110);
  assert.equal(held.state, "R");
});

Deno.test("a finished array: parent and subjobs F; a failed subjob makes the parent 93 with exit 0", async () => {
  const c = golden0();
  const id = (await runnerOn(c).run(["qsub", "-J", "0-6:2", "array.sh"])).stdout.trim();
  c.advance(120);
  const parent = c.findJob(id, { history: true });
  assert.deepEqual([parent.state, parent.substate, parent.exitStatus], ["F", 93, 0]);
  assert.match(String(attr(c, parent, "comment")), /^Job Array Began at .* and failed$/);
  const subs = [...parent.array!.subjobs.values()];
  assert.deepEqual(subs.map((s) => s.state), ["F", "F", "F", "F"]);
  assert.deepEqual(subs.map((s) => s.exitStatus), [0, 0, 2, 0]);
  assert.equal(attr(c, parent, "array_state_count"), "Queued:0 Running:0 Exiting:0 Expired:0");
});

Deno.test("strict ordering: every queued job gets the start the real scheduler gave", async () => {
  // qstat_T_strict_ordering: fills end at +40..+75 min; waitone +40, waitdbg +45 (backfilled),
  // waitfour +60, waitall +90, delq (no walltime) +150; without strict ordering: none.
  for (const strict of [false, true]) {
    const c = golden0();
    const run = runnerOn(c);
    for (const mm of [40, 45, 50, 55, 60, 65, 70, 75]) {
      await run.run(["qsub", "-N", "fill", "-l", `walltime=00:${mm}:00`, "long.sh"]);
    }
    const waiting = [
      ["-N", "waitone", "-l", "walltime=00:30:00"],
      ["-N", "waitfour", "-l", "select=1:ncpus=4", "-l", "walltime=00:30:00"],
      ["-N", "waitall", "-l", "select=1:ncpus=8", "-l", "walltime=01:00:00"],
      ["-N", "waitdbg", "-q", "debug"],
      ["-N", "delq"],
    ];
    const ids: string[] = [];
    for (const args of waiting) {
      ids.push((await run.run(["qsub", ...args, "short.sh"])).stdout.trim());
    }
    c.configureScheduler({ strictOrdering: strict, backfillDepth: 10 });
    const starts = ids.map((id) => c.findJob(id).estimatedStartTime);
    if (!strict) {
      assert.deepEqual(starts, [undefined, undefined, undefined, undefined, undefined]);
      assert.match((await run.run(["qstat", "-T"])).stdout, / Q {4}--\n$/);
      continue;
    }
    const minutes = starts.map((s) => (s! - GOLDEN_START) / 60);
    assert.deepEqual(minutes, [40, 60, 90, 45, 150]);
    const order = (await run.run(["qstat", "-T"])).stdout.split("\n")
      .filter((l) => / Q /.test(l)).map((l) => l.split(/\s+/)[3]);
    assert.deepEqual(order, ["waitone", "waitdbg", "waitfour", "waitall", "delq"]);
    c.configureScheduler({ strictOrdering: false });
    assert.equal(c.findJob(ids[0]).estimatedStartTime, starts[0], "estimates stay after restore");
  }
});

Deno.test("Can Never Run above the complex's totals; an exclusive request waits on a busy node", () => {
  const c = golden0();
  const twelve = submit(c, alice, { resources: [["select", "3:ncpus=4"]] });
  assert.equal(
    twelve.comment,
    "Can Never Run: Insufficient amount of resource: ncpus (R: 12 A: 8 T: 8)",
  );
  const mem = submit(c, alice, { resources: [["select", "1:ncpus=2:mem=1000gb"]] });
  assert.equal(
    mem.comment,
    "Can Never Run: Insufficient amount of resource: mem (R: 1000gb A: 24105mb T: 24105mb)",
  );
  const scatter = submit(c, alice, { resources: [["select", "2:ncpus=1"], ["place", "scatter"]] });
  assert.equal(scatter.comment, "Can Never Run: Not enough total nodes available");
  submit(c, alice, { script: "#SIM runtime=3000" });
  const excl = submit(c, alice, { resources: [["select", "1:ncpus=1"], ["place", "excl"]] });
  assert.equal(excl.comment, "Not Running: No available resources on nodes");
  const eight = submit(c, alice, { resources: [["select", "1:ncpus=8"]] });
  assert.equal(
    eight.comment,
    "Not Running: Insufficient amount of resource: ncpus (R: 8 A: 7 T: 8)",
  );
  assert.equal(errnoOf(() => c.deleteJob(alice, excl.id)), undefined);
  assert.equal(
    c.findJob(excl.id, { history: true }).comment,
    "Not Running: No available resources on nodes and terminated",
  );
});

Deno.test("pbsnodes: root sees the mom's Port and pbs_version; -c clears offline, keeps the comment", async () => {
  const c = golden0();
  const run = runnerOn(c);
  for (let k = 0; k < 8; k++) await run.run(["qsub", "long.sh"]);
  run.setUser("root");
  assert.equal((await run.run(["pbsnodes", "-o", "-C", "maintenance", "vm"])).code, 0);
  const rootNodes = JSON.parse((await run.run(["pbsnodes", "-av", "-F", "json"])).stdout).nodes.vm;
  assert.deepEqual(Object.keys(rootNodes).slice(0, 4), ["Mom", "Port", "pbs_version", "ntype"]);
  assert.equal(rootNodes.state, "offline,job-busy");
  run.setUser("alice");
  const aliceNodes = JSON.parse((await run.run(["pbsnodes", "-av", "-F", "json"])).stdout).nodes.vm;
  assert.equal("Port" in aliceNodes, false);
  const denied = await run.run(["pbsnodes", "-s", "vm", "-c", "vm"]);
  assert.deepEqual([denied.code, denied.stderr], [
    1,
    "Error marking node vm - Unauthorized Request \n",
  ]);
  run.setUser("root");
  assert.equal((await run.run(["pbsnodes", "-s", "vm", "-c", "vm"])).code, 0);
  assert.equal((await run.run(["pbsnodes", "-l", "vm"])).code, 1, "-l takes no node names");
  const node = c.nodes()[0];
  assert.deepEqual([node.state, node.comment], [["job-busy"], "maintenance"]);
});

Deno.test("qdel -W force of a running job: Exit_status 265 (SIGKILL)", () => {
  const c = golden0();
  const job = submit(c, alice, { script: "#SIM runtime=3000" });
  c.deleteJob(alice, job.id, { force: true });
  c.advance(5);
  assert.deepEqual([job.state, job.substate, job.exitStatus], ["F", 91, 265]);
  assert.equal(PBSE.HOOKERROR & 0xff, 32);
});

Deno.test("routing: held, dependency-held and deferred jobs wait in the routing queue", () => {
  const c = golden0();
  const fits = [["walltime", "02:00:00"]] as Array<[string, string]>;
  const held = submit(c, alice, { queue: "route", resources: fits, hold: true });
  assert.deepEqual([held.queue, held.state], ["route", "H"]);
  c.releaseJob(alice, held.id, "u");
  assert.equal(held.queue, "long", "routed once released");
  assert.notEqual(held.state, "H");

  const parent = submit(c, alice, { script: "#SIM runtime=30" });
  const dependent = submit(c, alice, {
    queue: "route",
    resources: fits,
    depend: `afterok:${parent.id}`,
  });
  assert.deepEqual([dependent.queue, dependent.state, dependent.substate], ["route", "H", 22]);
  c.advance(40);
  assert.equal(dependent.queue, "long");

  const deferred = submit(c, alice, {
    queue: "route",
    resources: fits,
    executionTime: c.now() + 600,
  });
  assert.deepEqual([deferred.queue, deferred.state], ["route", "W"]);
  c.advance(601);
  assert.equal(deferred.queue, "long");

  // No destination takes 100 h: held, it waits; released, it is discarded (no history either).
  const tooLong = submit(c, alice, {
    queue: "route",
    resources: [["walltime", "100:00:00"]],
    hold: true,
  });
  assert.equal(tooLong.state, "H");
  c.releaseJob(alice, tooLong.id, "u");
  assert.equal(errnoOf(() => c.findJob(tooLong.id, { history: true })), PBSE.UNKJOBID);
  // Not held: discarded at once, as before (qsub_route_no_destination_accepted).
  const dropped = submit(c, alice, { queue: "route", resources: [["walltime", "100:00:00"]] });
  assert.equal(errnoOf(() => c.findJob(dropped.id, { history: true })), PBSE.UNKJOBID);
});

Deno.test("qstat -T: an estimate days ahead shows weekday and hour (cnvt_est_start_time)", async () => {
  const c = golden0({ strictOrdering: true });
  const run = runnerOn(c);
  await run.run(["qsub", "-l", "select=1:ncpus=8", "-l", "walltime=50:00:00", "long.sh"]);
  const waiting = (await run.run(["qsub", "-l", "walltime=00:10:00", "short.sh"])).stdout.trim();
  const est = c.findJob(waiting).estimatedStartTime!;
  assert.equal(est - GOLDEN_START, 50 * 3600);
  const when = new Date(est * 1000);
  const expected = `${when.toLocaleString("en-US", { weekday: "short" }).slice(0, 2)} ${
    String(when.getHours()).padStart(2, "0")
  }`;
  const row = (await run.run(["qstat", "-T"])).stdout.split("\n").find((l) =>
    l.startsWith(waiting)
  );
  assert.equal(row?.slice(-5), expected);
});

Deno.test("pbsnodes option rules (pbsnodes.c main): what needs names, what takes none", async () => {
  const run = runnerOn(golden0());
  run.setUser("root");
  const code = async (...args: string[]) => (await run.run(["pbsnodes", ...args])).code;
  assert.equal(await code(), 1, "a bare pbsnodes lists nothing: usage");
  assert.equal(await code("-o"), 1, "-o needs a node");
  assert.equal(await code("-l", "vm"), 1, "-l takes none");
  assert.equal(await code("-a", "-l"), 1, "-l after -a");
  assert.equal(await code("-o", "-S", "vm"), 1, "-S only with a listing");
  assert.equal(await code("-F", "xml", "-a"), 1, "unknown format");
  assert.equal(await code("-C", "note", "-o", "vm"), 0, "-C then -o: offline with the comment");
  assert.equal(await code("-r", "-C", "", "vm"), 0);
  assert.equal(await code("-v", "vm"), 0);
  assert.equal(await code("-aSj"), 0);
});

Deno.test("qmgr list hook: the shipped pbs_cgroups hook, then the scenario's queuejob hooks", async () => {
  const c = golden0({
    queuejobHooks: [{ name: "require_fs", requireResources: ["filesystems"], message: "no" }],
  });
  const run = runnerOn(c);
  run.setUser("root");
  const all = (await run.run(["qmgr", "-c", "list hook"])).stdout;
  assert.deepEqual([...all.matchAll(/^Hook (\S+)$/gm)].map((m) => m[1]), [
    "pbs_cgroups",
    "require_fs",
  ]);
  const one = await run.run(["qmgr", "-c", "list hook require_fs"]);
  assert.equal(one.stdout, golden("qmgr_list_hook_require_fs").stdout);
  assert.equal((await run.run(["qmgr", "-c", "list hook nosuch"])).code, 1);
});

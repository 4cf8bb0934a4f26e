/**
 * Complex-wide engine behaviour through ComplexApi: reservations, node
 * draining, server stop/start, determinism, and the big scenario builds.
 */
import assert from "node:assert/strict";
import { createScenario } from "../../sim/scenarios.ts";
import { PBSE } from "../../sim/model.ts";
import { alice, attr, bob, errnoOf, root, submit } from "./engine_helpers.ts";

Deno.test("reservation: confirmed, blocks its nodes before the window, runs its jobs inside it", () => {
  const c = createScenario("golden", { seed: 1 });
  const start = c.now() + 1800;
  const resv = c.submitReservation(alice, {
    start,
    end: start + 1800,
    name: "maintwin",
    resources: [["select", "1:ncpus=8"]],
  });
  assert.equal(resv.state, "RESV_UNCONFIRMED");
  c.schedule();
  const live = c.findReservation(resv.id);
  assert.equal(live.state, "RESV_CONFIRMED");
  assert.equal(live.substate, 2);
  assert.equal(live.queue, `R${resv.id.split(".")[0].slice(1)}`);

  // A job without walltime would overlap the window: it must wait.
  const blocked = submit(c, alice, { script: "sleep 3000" });
  assert.equal(blocked.state, "Q");
  assert.equal(blocked.comment, "Not Running: Job would conflict with reservation or top job");
  // A short job ends before the window: it may run.
  const short = submit(c, alice, { resources: [["walltime", "00:10:00"]], script: "sleep 60" });
  assert.equal(short.state, "R");

  const inside = submit(c, alice, { queue: live.queue, resources: [["walltime", "00:10:00"]] });
  assert.equal(inside.comment, "Not Running: Queue not started.");
  assert.equal(errnoOf(() => submit(c, bob, { queue: live.queue })), PBSE.PERM);
  c.advance(1800);
  assert.equal(c.findReservation(resv.id).state, "RESV_RUNNING");
  assert.equal(inside.state, "R");
  assert.equal(attr(c, inside, "reserve_ID"), resv.id);
  assert.equal(blocked.state, "Q");

  c.advance(1800);
  assert.equal(errnoOf(() => c.findReservation(resv.id)), PBSE.UNKRESVID);
  assert.equal(blocked.state, "R", "the nodes are free again once the reservation ended");
});

Deno.test("reservation larger than the complex is denied and deleted; root may not reserve", () => {
  const c = createScenario("golden", { seed: 1 });
  const start = c.now() + 600;
  const resv = c.submitReservation(alice, {
    start,
    end: start + 600,
    resources: [["select", "1:ncpus=64"]],
  });
  c.schedule();
  assert.equal(errnoOf(() => c.findReservation(resv.id)), PBSE.UNKRESVID);
  assert.equal(
    errnoOf(() => c.submitReservation(root, { start, end: start + 60, resources: [] })),
    PBSE.R_UID,
  );
  assert.equal(
    errnoOf(() =>
      c.submitReservation(alice, { start: c.now() - 60, end: c.now() + 60, resources: [] })
    ),
    PBSE.BADTSPEC,
  );
  const other = c.submitReservation(alice, {
    start,
    end: start + 60,
    resources: [["select", "1:ncpus=1"]],
  });
  assert.equal(errnoOf(() => c.deleteReservation(bob, other.id)), PBSE.PERM);
  c.deleteReservation(alice, other.id);
  assert.equal(c.reservations().length, 0);
});

Deno.test("offline node drains: running jobs finish, nothing new starts", () => {
  const c = createScenario("golden", { seed: 1 });
  const running = submit(c, alice, { script: "#SIM runtime=100" });
  assert.equal(errnoOf(() => c.markNode(alice, "vm", "offline")), PBSE.PERM);
  c.markNode(root, "vm", "offline", "disk replacement");
  const node = c.findNode("vm");
  assert.deepEqual(node.state, ["offline"]);
  assert.equal(node.comment, "disk replacement");
  const waiting = submit(c, alice);
  assert.equal(waiting.state, "Q");
  assert.equal(waiting.comment, "Not Running: Not enough free nodes available");
  c.advance(101);
  assert.equal(running.state, "F");
  assert.equal(waiting.state, "Q");
  c.markNode(root, "vm", "clear");
  c.markNode(root, "vm", "comment", "");
  assert.equal(waiting.state, "R");
  assert.equal(c.findNode("vm").comment, undefined);
});

Deno.test("server stop/start: managers stop it, root starts it, jobs survive", () => {
  const c = createScenario("golden", { seed: 1 });
  const job = submit(c, alice, { script: "sleep 3000" });
  assert.equal(errnoOf(() => c.stopServer(alice)), PBSE.PERM);
  c.stopServer(root);
  assert.equal(c.server.up, false);
  assert.equal(errnoOf(() => submit(c, alice)), PBSE.SYSTEM);
  assert.equal(errnoOf(() => c.startServer(alice)), PBSE.PERM);
  c.startServer(root);
  assert.equal(c.server.up, true);
  assert.equal(c.findJob(job.id).state, "R");
});

Deno.test("determinism: same seed and operations give identical attributes", () => {
  const run = () => {
    const c = createScenario("polaris", { seed: 42 });
    for (let k = 0; k < 6; k++) {
      submit(c, alice, {
        queue: "debug",
        resources: [
          ["select", "1:ncpus=32:ngpus=4"],
          ["walltime", "00:30:00"],
          ["filesystems", "home:eagle"], // polaris's queuejob hook requires it
        ],
      });
      c.advance(900);
    }
    return c.listJobs({ history: true, subjobs: true }).map((j) =>
      JSON.stringify(c.jobAttributes(j))
    );
  };
  const a = run();
  const b = run();
  assert.ok(a.length > 1000);
  assert.deepEqual(a, b);
});

Deno.test("scenario builds: tiny, polaris and aurora sizes and workloads", () => {
  const tiny = createScenario("tiny");
  assert.equal(tiny.nodes().length, 5);
  assert.equal(tiny.listJobs({ history: true }).length, 0);

  const aurora = createScenario("aurora", { seed: 7 });
  assert.equal(aurora.nodes().length, 10624);
  assert.match(aurora.nodes()[0].name, /^x4000c0s0b0n0$/);
  const jobs = aurora.listJobs({ history: true, subjobs: true });
  assert.ok(jobs.length >= 20000, `only ${jobs.length} jobs`);
  const states = new Set<string>(jobs.map((j) => j.state));
  for (const s of ["R", "Q", "H", "W", "F"]) assert.ok(states.has(s), `no ${s} job`);
  assert.ok(jobs.some((j) => j.array !== undefined), "no array job");
  assert.ok(jobs.some((j) => j.estimatedStartTime !== undefined), "no top job estimate");
  assert.ok(aurora.nodes().some((n) => n.state.includes("offline")));
});

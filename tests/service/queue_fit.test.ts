import assert from "node:assert/strict";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { parseQueuesJson } from "../../src/pbs/parse/queues.ts";
import { parseServerJson } from "../../src/pbs/parse/server.ts";
import {
  applyDefaults,
  checkQueue,
  describeFit,
  type FitContext,
  fittingQueues,
  fixFor,
} from "../../src/service/queue_fit.ts";
import { golden } from "../golden.ts";

/** The complex the goldens were recorded on, as qstat -Qf / -Bf printed it. */
function goldenContext(user = "alice"): FitContext {
  return {
    server: parseServerJson(golden("final_qstat_Bf_json").stdout),
    queues: parseQueuesJson(golden("final_qstat_Qf_json").stdout),
    user,
  };
}

/** A simulator scenario's queues and server, read through its qstat as the service does. */
async function scenarioContext(name: string, user = "alice"): Promise<FitContext> {
  const runner = new SimRunner({ complex: createScenario(name), user });
  const out = async (argv: string[]) => (await runner.run(argv)).stdout;
  return {
    server: parseServerJson(await out(["qstat", "-Bf", "-F", "json"])),
    queues: parseQueuesJson(await out(["qstat", "-Qf", "-F", "json"])),
    user,
  };
}

const queueOf = (ctx: FitContext, name: string) => ctx.queues.find((q) => q.name === name)!;

Deno.test("queue_fit on the golden complex", async (t) => {
  const ctx = goldenContext();

  await t.step("defaults: queue's walltime, server's ncpus, totals from the built chunk", () => {
    const effective = applyDefaults({}, queueOf(ctx, "debug"), ctx.server);
    assert.equal(effective.walltime, "00:10:00");
    assert.equal(effective.ncpus, "1");
    assert.equal(effective.nodect, "1");
  });

  await t.step("qsub_err_walltime_over_max: walltime 02:00:00 breaks debug's max", () => {
    // golden: qsub -q debug -l walltime=02:00:00 → "Job violates queue and/or server resource limits"
    const fit = checkQueue({ walltime: "02:00:00" }, queueOf(ctx, "debug"), ctx);
    assert.equal(fit.fits, false);
    assert.deepEqual(fit.violations, [{
      source: "debug",
      scope: "queue",
      limit: "resources_max",
      resource: "walltime",
      bound: "01:00:00",
      requested: "02:00:00",
      fits: "01:00:00",
    }]);
    assert.equal(fixFor(fit.violations[0]), "walltime ≤ 01:00:00");
  });

  await t.step("qmove_default_walltime_reapplied: long re-applies its own default walltime", () => {
    // The job's 00:10:00 came from debug's default; in long it becomes 12:00:00 and fits.
    const fit = checkQueue({}, queueOf(ctx, "long"), ctx);
    assert.equal(fit.effective.walltime, "12:00:00");
    assert.equal(fit.fits, true);
  });

  await t.step("qsub_route_no_destination_accepted: 100 h fits no destination of route", () => {
    const fit = checkQueue({ walltime: "100:00:00" }, queueOf(ctx, "route"), ctx);
    assert.equal(fit.fits, false);
    assert.equal(fit.routesTo, undefined);
    assert.deepEqual(fit.destinations!.map((d) => [d.queue, d.violations[0].bound]), [
      ["debug", "01:00:00"],
      ["long", "72:00:00"],
    ]);
    assert.match(describeFit(fit.destinations![1]), /above long's resources_max.walltime 72:00:00/);
  });

  await t.step("route picks the first fitting destination, with its defaults", () => {
    assert.equal(checkQueue({}, queueOf(ctx, "route"), ctx).routesTo, "debug");
    const longFit = checkQueue({ walltime: "05:00:00" }, queueOf(ctx, "route"), ctx);
    assert.equal(longFit.routesTo, "long");
    assert.equal(longFit.fits, true);
  });

  await t.step("fitting queues skip disabled, stopped and ACL-closed queues", () => {
    const names = (user: string, walltime: string) =>
      fittingQueues({ walltime }, goldenContext(user)).map((f) => f.queue);
    assert.deepEqual(names("alice", "00:30:00"), ["workq", "debug", "route"]);
    assert.deepEqual(names("bob", "00:30:00"), ["workq", "debug", "private", "route"]);
    assert.deepEqual(names("alice", "100:00:00"), ["workq"]);
  });

  await t.step("server resources_max applies to every queue", () => {
    const server = {
      ...ctx.server,
      attributes: { ...ctx.server.attributes, "resources_max.ncpus": "4" },
    };
    const fit = checkQueue({ select: "2:ncpus=4" }, queueOf(ctx, "workq"), { ...ctx, server });
    assert.equal(fit.fits, false);
    assert.equal(fit.violations[0].scope, "server");
    assert.equal(fit.violations[0].requested, "8");
    assert.match(describeFit(fit), /the server's resources_max.ncpus 4/);
  });
});

Deno.test("queue_fit on the polaris scenario", async (t) => {
  const ctx = await scenarioContext("polaris");
  const prod = queueOf(ctx, "prod");

  await t.step("1 node fits no destination of prod; the fix is node_count ≥ 10", () => {
    const fit = checkQueue({ select: "1:ncpus=32" }, prod, ctx);
    assert.equal(fit.fits, false);
    const small = fit.destinations!.find((d) => d.queue === "small")!;
    assert.deepEqual(small.violations.map(fixFor), ["node_count ≥ 10"]);
  });

  await t.step("node counts route to small, medium, large by their nodect bounds", () => {
    const route = (n: number) => checkQueue({ select: `${n}:ncpus=32` }, prod, ctx).routesTo;
    assert.equal(route(10), "small");
    assert.equal(route(24), "small");
    assert.equal(route(25), "medium");
    assert.equal(route(100), "large");
    assert.equal(route(497), undefined);
  });

  await t.step("walltime above a destination's max moves on to the next one", () => {
    // small allows 3 h, medium 6 h: 10 nodes for 4 h fit no destination (medium wants 25+).
    const fit = checkQueue({ select: "10:ncpus=32", walltime: "04:00:00" }, prod, ctx);
    assert.equal(fit.fits, false);
    const [small, medium] = fit.destinations!;
    assert.deepEqual(small.violations.map((v) => v.resource), ["walltime"]);
    assert.deepEqual(medium.violations.map((v) => v.resource), ["nodect"]);
  });

  await t.step(
    "one node fits debug, debug-scaling, preemptable and demand (alice is on its ACL)",
    () => {
      const names = fittingQueues({ select: "1:ncpus=32" }, ctx).map((f) => f.queue);
      assert.deepEqual(names, ["debug", "debug-scaling", "preemptable", "demand"]);
    },
  );

  await t.step("bob is not on demand's ACL", async () => {
    const bob = await scenarioContext("polaris", "bob");
    const names = fittingQueues({ select: "1:ncpus=32" }, bob).map((f) => f.queue);
    assert.ok(!names.includes("demand"));
  });
});

Deno.test("queue_fit on the tiny and aurora scenarios", async (t) => {
  await t.step("tiny: 30 minutes fits workq and debug, 2 hours only workq", async () => {
    const ctx = await scenarioContext("tiny");
    assert.deepEqual(fittingQueues({ walltime: "00:30:00" }, ctx).map((f) => f.queue), [
      "workq",
      "debug",
    ]);
    assert.deepEqual(fittingQueues({ walltime: "02:00:00" }, ctx).map((f) => f.queue), ["workq"]);
  });

  await t.step("aurora: prod routes 1 node to tiny", async () => {
    const ctx = await scenarioContext("aurora");
    assert.equal(checkQueue({ select: "1" }, queueOf(ctx, "prod"), ctx).routesTo, "tiny");
  });

  await t.step("old-style nodes=N counts N nodes", async () => {
    const ctx = await scenarioContext("polaris");
    const fit = checkQueue({ nodes: "12:ppn=4" }, queueOf(ctx, "prod"), ctx);
    assert.equal(fit.routesTo, "small");
    assert.equal(fit.destinations![0].effective.ncpus, "48");
  });
});

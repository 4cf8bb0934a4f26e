/**
 * Engine speed on the aurora scenario (10,624 nodes, ~20,000 jobs):
 * building it, one scheduling cycle, one simulated day with arrivals, and
 * loading a snapshot of it (what the start-time forecast does on every call).
 * Run with `deno bench --allow-all bench/sim_bench.ts`.
 */
import { createScenario } from "../sim/scenarios.ts";
import type { Caller } from "../sim/model.ts";
import { loadSnapshot, saveSnapshot } from "../sim/snapshot.ts";

const user: Caller = { user: "benchuser", host: "login01" };

Deno.bench("aurora: build scenario", { group: "aurora", n: 3, warmup: 1 }, () => {
  createScenario("aurora", { seed: 11 });
});

const cycleComplex = createScenario("aurora", { seed: 11 });
Deno.bench("aurora: one scheduling cycle", { group: "aurora", n: 20, warmup: 2 }, () => {
  cycleComplex.schedule();
});

Deno.bench("aurora: one simulated day (5-minute steps, 24 arrivals/hour)", {
  group: "aurora",
  n: 1,
  warmup: 0,
}, (b) => {
  const c = createScenario("aurora", { seed: 11 });
  b.start();
  for (let step = 0; step < 288; step++) {
    for (let k = 0; k < 2; k++) {
      const nodes = [1, 2, 4, 8, 16, 64][(step + k) % 6];
      c.submit(user, {
        queue: "prod",
        name: `arrival${step}_${k}`,
        // The aurora scenario's site hook wants filesystems, as ALCF's does.
        resources: [
          ["select", `${nodes}:ncpus=208:ngpus=6`],
          ["walltime", "01:00:00"],
          ["place", "scatter"],
          ["filesystems", "home:flare"],
        ],
        variables: [],
        script: `#SIM runtime=${1200 + 97 * step % 2400}`,
        submitArguments: "arrival.sh",
        workdir: "/home/benchuser",
      });
    }
    c.advance(300);
  }
  b.end();
});

// The aurora complex as parsed PBS state: ~4,500 unfinished jobs, 10,624 nodes.
const snapshot = await saveSnapshot(createScenario("aurora", { seed: 11 }));
Deno.bench("aurora: load a snapshot (loadSnapshot)", { group: "aurora", n: 3, warmup: 1 }, () => {
  loadSnapshot(snapshot);
});

/**
 * Named complexes to simulate.
 *
 * - `golden`: the complex the goldens were recorded on (INDEX section 0):
 *   server and single vnode `vm` on host `localhost`, 8 CPUs, users alice and
 *   bob, root manager, job history on, no jobs.
 * - `tiny`: four 8-CPU nodes and one GPU node; workq and debug; no jobs.
 * - `polaris`: ALCF Polaris-like, 560 nodes with a busy background workload.
 * - `aurora`: ALCF Aurora-like, 10,624 nodes with tens of thousands of jobs.
 *
 * Queue limits for polaris follow ALCF's published "Running Jobs on Polaris"
 * table (debug 1-2 nodes 1 h, debug-scaling 1-10 nodes 1 h, prod routing to
 * small 10-24 / medium 25-99 / large 100-496, preemptable 1-10 nodes 72 h,
 * demand 1-56 nodes 1 h). Aurora's are plausible, not published values.
 */
import type { ComplexConfig, ComplexOptions, NodeConfig, QueueConfig } from "./config.ts";
import { Complex } from "./complex.ts";
import { populateWorkload } from "./workload.ts";

export const GOLDEN_START = 1795488269; // Tue Nov 24 02:44:29 2026 (UTC)

export interface ScenarioOptions {
  seed?: number;
  outputDir?: string;
  startTime?: number;
}

export const SCENARIO_NAMES = ["golden", "tiny", "polaris", "aurora"] as const;
export type ScenarioName = typeof SCENARIO_NAMES[number];

export function createScenario(name: string, options: ScenarioOptions = {}): Complex {
  const complexOptions: ComplexOptions = {
    seed: options.seed ?? 1,
    outputDir: options.outputDir,
    startTime: options.startTime ?? GOLDEN_START,
  };
  switch (name) {
    case "golden":
      return new Complex(goldenConfig(), complexOptions);
    case "tiny":
      return new Complex(tinyConfig(), complexOptions);
    case "polaris":
      return withWorkload(new Complex(polarisConfig(), complexOptions), "polaris");
    case "aurora":
      return withWorkload(new Complex(auroraConfig(), complexOptions), "aurora");
    default:
      throw new Error(`unknown scenario '${name}' (known: ${SCENARIO_NAMES.join(", ")})`);
  }
}

function withWorkload(complex: Complex, profile: "polaris" | "aurora"): Complex {
  populateWorkload(complex, profile);
  return complex;
}

export function goldenConfig(): ComplexConfig {
  return {
    serverName: "vm",
    serverHost: "localhost",
    defaultQueue: "workq",
    jobHistoryEnable: true,
    managers: ["root@*"],
    mailer: "/usr/local/sbin/pbs-mail-sink",
    queues: [
      { name: "workq" },
      {
        name: "debug",
        resourcesMax: { walltime: "01:00:00" },
        resourcesDefault: { walltime: "00:10:00" },
      },
      {
        name: "long",
        resourcesMax: { walltime: "72:00:00" },
        resourcesMin: { walltime: "01:00:00" },
        resourcesDefault: { walltime: "12:00:00" },
      },
      { name: "closed", enabled: false, started: false },
      { name: "stopped", started: false },
      { name: "private", aclUsers: ["bob"] },
      { name: "route", type: "Route", routeDestinations: ["debug", "long"] },
    ],
    nodes: [{ name: "vm", mom: "localhost", ncpus: 8, pcpus: 2, mem: "24684084kb" }],
  };
}

export function tinyConfig(): ComplexConfig {
  const cpuNodes: NodeConfig[] = [1, 2, 3, 4].map((n) => ({
    name: `node0${n}`,
    ncpus: 8,
    mem: "32gb",
  }));
  return {
    serverName: "tiny",
    serverHost: "tiny-head",
    defaultQueue: "workq",
    jobHistoryEnable: true,
    managers: ["root@*"],
    operators: ["ops@*"],
    queues: [
      { name: "workq" },
      {
        name: "debug",
        priority: 100,
        resourcesMax: { walltime: "01:00:00" },
        resourcesDefault: { walltime: "00:10:00" },
      },
    ],
    nodes: [...cpuNodes, { name: "gpu01", ncpus: 16, ngpus: 2, mem: "64gb" }],
  };
}

/** Cray EX names: x<rack>c<chassis>s<slot>b<board>n<node>. */
function crayNames(
  count: number,
  firstRack: number,
  perRack: number,
  slots: number,
  nodes: number,
) {
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    const rack = firstRack + Math.floor(i / perRack);
    const inRack = i % perRack;
    const perChassis = slots * nodes;
    const chassis = Math.floor(inRack / perChassis);
    const slot = Math.floor((inRack % perChassis) / nodes);
    const node = inRack % nodes;
    names.push(`x${rack}c${chassis}s${slot}b0n${node}`);
  }
  return names;
}

export function polarisConfig(): ComplexConfig {
  // Polaris: 560 nodes, 4 per chassis slot pairs; ncpus 32 per the brief (PBS
  // there reports 64 with hyper-threads), 4 A100 GPUs, 512 GB.
  const names = crayNames(560, 3001, 28, 7, 4);
  const nodes: NodeConfig[] = names.map((name) => ({
    name,
    ncpus: 32,
    ngpus: 4,
    mem: "512gb",
    sharing: "force_exclhost",
    extra: { system: "polaris" },
  }));
  const hour = (h: number) => `${String(h).padStart(2, "0")}:00:00`;
  const queues: QueueConfig[] = [
    nodeQueue("debug", 1, 2, hour(1), 200),
    nodeQueue("debug-scaling", 1, 10, hour(1), 150),
    { name: "prod", type: "Route", routeDestinations: ["small", "medium", "large"] },
    nodeQueue("small", 10, 24, hour(3), 100),
    nodeQueue("medium", 25, 99, hour(6), 100),
    nodeQueue("large", 100, 496, hour(24), 100),
    nodeQueue("preemptable", 1, 10, hour(72), 10),
    { ...nodeQueue("demand", 1, 56, hour(1), 300), aclUsers: ["demanduser", "alice"] },
  ];
  return {
    serverName: "polaris-pbs-01",
    serverHost: "polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov",
    defaultQueue: "prod",
    jobHistoryEnable: true,
    jobHistoryDuration: 14 * 86400,
    managers: ["root@*", "pbsadmin@*"],
    operators: ["ops@*"],
    queues,
    nodes,
    backfillDepth: 5,
    strictOrdering: true,
    schedulerInterval: 30,
  };
}

export function auroraConfig(): ComplexConfig {
  // Aurora: 10,624 nodes of 2 x 52-core Xeon Max (PBS counts 208 hardware
  // threads) and 6 Ponte Vecchio GPUs, 1 TB DDR5. Queue limits are plausible.
  const names = crayNames(10624, 4000, 64, 8, 8);
  const nodes: NodeConfig[] = names.map((name) => ({
    name,
    ncpus: 208,
    pcpus: 104,
    ngpus: 6,
    mem: "1024gb",
    sharing: "force_exclhost",
    extra: { system: "aurora" },
  }));
  const hour = (h: number) => `${String(h).padStart(2, "0")}:00:00`;
  const queues: QueueConfig[] = [
    nodeQueue("debug", 1, 2, hour(1), 200),
    nodeQueue("debug-scaling", 2, 31, hour(1), 150),
    { name: "prod", type: "Route", routeDestinations: ["tiny", "small", "medium", "large"] },
    nodeQueue("tiny", 1, 255, hour(6), 100),
    nodeQueue("small", 256, 1023, hour(12), 100),
    nodeQueue("medium", 1024, 2047, hour(18), 100),
    nodeQueue("large", 2048, 10624, hour(24), 100),
    nodeQueue("workq", 1, 10624, hour(24), 50),
  ];
  return {
    serverName: "aurora-pbs-0001",
    serverHost: "aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov",
    defaultQueue: "prod",
    jobHistoryEnable: true,
    jobHistoryDuration: 3 * 86400,
    maxArraySize: 10000,
    managers: ["root@*", "pbsadmin@*"],
    operators: ["ops@*"],
    queues,
    nodes,
    backfillDepth: 3,
    strictOrdering: true,
    schedulerInterval: 60,
  };
}

function nodeQueue(
  name: string,
  min: number,
  max: number,
  walltime: string,
  priority: number,
): QueueConfig {
  return {
    name,
    priority,
    resourcesMin: { nodect: min, walltime: "00:05:00" },
    resourcesMax: { nodect: max, walltime },
    resourcesDefault: { walltime: "00:30:00" },
  };
}

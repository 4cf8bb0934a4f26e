/**
 * Background workload for the big scenarios: other users' jobs in every
 * state (running, queued with scheduler comments, held, waiting, arrays,
 * dependency chains, finished history), generated from the complex's seeded
 * PRNG so a scenario is identical for a given seed.
 *
 * Jobs go through the normal `submit` path (so they carry every attribute a
 * real job has); history and the running set are then back-dated so the
 * complex looks as if it had been busy for days.
 */
import type { Complex } from "./complex.ts";
import type { Caller, SimJob, SubmitRequest } from "./model.ts";
import type { Random } from "./random.ts";

export type WorkloadProfile = "polaris" | "aurora";

interface ProfileSpec {
  users: number;
  /** Finished jobs to put in history. */
  history: number;
  /** Jobs submitted as queued work (some start, the rest wait). */
  queued: number;
  held: number;
  waiting: number;
  arrays: number;
  chains: number;
  offline: number;
  down: number;
  /** [nodes, weight] for job sizes. */
  sizes: Array<readonly [number, number]>;
  /** Routing-queue submissions go here; small jobs to `smallQueue`. */
  routeQueue: string;
  smallQueue: string;
  /** Node counts below this go to smallQueue. */
  routeMin: number;
  cpusPerNode: number;
  gpusPerNode: number;
  maxHours: number;
}

const PROFILES: Record<WorkloadProfile, ProfileSpec> = {
  polaris: {
    users: 60,
    history: 1500,
    queued: 420,
    held: 40,
    waiting: 12,
    arrays: 8,
    chains: 10,
    offline: 6,
    down: 3,
    sizes: [[1, 30], [2, 20], [4, 10], [10, 14], [16, 8], [32, 8], [64, 5], [128, 3], [256, 1.5], [
      496,
      0.5,
    ]],
    routeQueue: "prod",
    smallQueue: "preemptable",
    routeMin: 10,
    cpusPerNode: 32,
    gpusPerNode: 4,
    maxHours: 24,
  },
  aurora: {
    users: 400,
    history: 18000,
    queued: 4200,
    held: 300,
    waiting: 60,
    arrays: 40,
    chains: 60,
    offline: 48,
    down: 20,
    sizes: [
      [1, 30],
      [2, 18],
      [4, 12],
      [8, 10],
      [16, 8],
      [32, 6],
      [64, 5],
      [128, 4],
      [256, 3],
      [512, 2],
      [1024, 1],
      [2048, 0.5],
      [4096, 0.2],
    ],
    routeQueue: "prod",
    smallQueue: "prod",
    routeMin: 1,
    cpusPerNode: 208,
    gpusPerNode: 6,
    maxHours: 24,
  },
};

const FIRST = [
  "alex",
  "bianca",
  "chen",
  "dmitri",
  "elena",
  "farah",
  "gabriel",
  "hiro",
  "ines",
  "jamal",
  "kavya",
  "liam",
  "mei",
  "nadia",
  "oscar",
  "priya",
  "quentin",
  "rosa",
  "sven",
  "tariq",
  "uma",
  "viktor",
  "wen",
  "ximena",
  "yusuf",
  "zoe",
];
const PROJECTS = [
  "CSC249ADSE15",
  "AstroSim",
  "ClimateML",
  "QMC_HAMM",
  "Catalyst",
  "FusionPIC",
  "GenomeX",
  "LatticeQCD",
  "TurbulenceDNS",
  "MatSciDFT",
  "NeuroAtlas",
  "ExaHydro",
];
const APPS = [
  "lammps",
  "nekrs",
  "qmcpack",
  "gromacs",
  "train_llm",
  "hacc",
  "milc",
  "xgc",
  "openmc",
  "amrex",
];

export function populateWorkload(complex: Complex, profile: WorkloadProfile): void {
  const spec = PROFILES[profile];
  const rng = complex.rng;
  const users = Array.from({ length: spec.users }, (_, i) => `${FIRST[i % FIRST.length]}${i}`);
  complex.quietly(() => {
    markNodes(complex, spec, rng);
    seedHistory(complex, spec, rng, users);
    seedQueued(complex, spec, rng, users);
  });
  // One cycle fills the machine; back-date what started so ends are spread out.
  complex.schedule();
  for (const job of [...complex.holdingJobs()]) {
    complex.backdateRun(job, rng.int(0, Math.max(60, (job.walltime ?? 3600) - 120)));
  }
  complex.schedule();
}

function markNodes(complex: Complex, spec: ProfileSpec, rng: Random): void {
  const nodes = complex.nodes();
  const root: Caller = { user: "root", host: complex.server.host };
  for (let k = 0; k < spec.offline; k++) {
    const node = rng.pick(nodes);
    complex.markNode(
      root,
      node.name,
      "offline",
      rng.pick(["hardware issue: GPU XID 79", "draining for maintenance", "memory errors"]),
    );
  }
  for (let k = 0; k < spec.down; k++) complex.setNodeDown(rng.pick(nodes).name, true);
}

/**
 * Texts that thousands of requests repeat (walltime, select, working
 * directory), made once: the engine keys its caches with them and keeps them
 * on every job, and a string used again keeps its hash. Keyed by values that
 * are numbers or constant strings (a key built by concatenation would cost
 * what it saves).
 */
const walltimeTexts = new Map<number, string>();
const QUARTERS = [0, 15, 30, 45];
const FAILURE_CODES = [1, 2, 127, 134, 139];
const selectTexts = new Map<ProfileSpec, Map<number, string>>();
const workdirTexts = new Map<string, Map<string, string>>();

function shared<K, T>(cache: Map<K, T>, key: K, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, value = make());
  return value;
}

function request(
  spec: ProfileSpec,
  rng: Random,
  user: string,
  extra: Partial<SubmitRequest> = {},
): { caller: Caller; req: SubmitRequest } {
  const nodes = rng.weighted(spec.sizes);
  const hours = Math.min(spec.maxHours, nodes >= 100 ? rng.int(1, 24) : rng.int(1, 6));
  const minutes = rng.pick(QUARTERS);
  const walltime = shared(
    walltimeTexts,
    hours * 60 + minutes,
    () => `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:00`,
  );
  const limit = hours * 3600 + minutes * 60;
  // Most jobs finish early; some overrun their walltime; some fail.
  const runtime = rng.chance(0.06) ? limit + 600 : rng.int(Math.floor(limit * 0.2), limit);
  const exit = rng.chance(0.1) ? rng.pick(FAILURE_CODES) : 0;
  const app = rng.pick(APPS);
  const project = rng.pick(PROJECTS);
  const queue = nodes < spec.routeMin ? spec.smallQueue : spec.routeQueue;
  const select = shared(
    shared(selectTexts, spec, () => new Map<number, string>()),
    nodes,
    () => `${nodes}:ncpus=${spec.cpusPerNode}:ngpus=${spec.gpusPerNode}`,
  );
  const started = `starting ${app} on ${nodes} nodes`;
  const script = [
    "#!/bin/bash",
    `#SIM runtime=${runtime} exit=${exit}`,
    `echo ${started}`,
    `mpiexec -n ${nodes * 4} ./${app} input.${project}`,
  ].join("\n");
  // What parsing the script would give, said directly: thousands of these are made per scenario.
  const parsed = {
    script,
    behaviour: { runtimeSeconds: runtime, exitCode: exit, stdoutLines: [started], stderrLines: [] },
  };
  const resources: Array<[string, string]> = [
    ["select", select],
    ["walltime", walltime],
    ["place", "scatter"],
    ["filesystems", "home:flare"],
  ];
  const argsText =
    `-A ${project} -q ${queue} -l select=${select} -l walltime=${walltime} ${app}.sh`;
  return {
    caller: { user, host: "login01" },
    req: {
      queue,
      name: `${app}_${rng.int(1, 999)}`,
      resources,
      account: project,
      variables: [],
      script,
      parsed,
      submitArguments: argsText,
      workdir: shared(
        shared(workdirTexts, project, () => new Map<string, string>()),
        user,
        () => `/home/${user}/${project}`,
      ),
      ...extra,
    },
  };
}

function seedHistory(complex: Complex, spec: ProfileSpec, rng: Random, users: string[]): void {
  const now = complex.now();
  const horizon = Math.min(complex.server.jobHistoryDuration, 3 * 86400);
  for (let k = 0; k < spec.history; k++) {
    const { caller, req } = request(spec, rng, rng.pick(users));
    let job: SimJob | undefined;
    try {
      job = complex.submitForHistory(caller, req);
    } catch {
      continue;
    }
    if (!job) continue;
    const ended = now - rng.int(60, horizon - 60);
    complex.fabricateFinished(job, ended);
  }
}

function seedQueued(complex: Complex, spec: ProfileSpec, rng: Random, users: string[]): void {
  for (let k = 0; k < spec.queued; k++) {
    const { caller, req } = request(spec, rng, rng.pick(users));
    const job = trySubmit(complex, caller, req);
    if (job) complex.backdateQueued(job, rng.int(60, 2 * 86400));
  }
  for (let k = 0; k < spec.held; k++) {
    const { caller, req } = request(spec, rng, rng.pick(users), { hold: true });
    req.submitArguments = `-h ${req.submitArguments}`;
    const job = trySubmit(complex, caller, req);
    if (job) complex.backdateQueued(job, rng.int(60, 5 * 86400));
  }
  for (let k = 0; k < spec.waiting; k++) {
    const at = complex.now() + rng.int(3600, 3 * 86400);
    const { caller, req } = request(spec, rng, rng.pick(users), { executionTime: at });
    trySubmit(complex, caller, req);
  }
  for (let k = 0; k < spec.arrays; k++) {
    const size = rng.int(10, 100);
    const limit = rng.chance(0.5) ? rng.int(2, 10) : undefined;
    const range = `1-${size}${limit ? `%${limit}` : ""}`;
    const { caller, req } = request(spec, rng, rng.pick(users), { arrayRange: range });
    req.resources = [["select", `1:ncpus=${spec.cpusPerNode}:ngpus=${spec.gpusPerNode}`], [
      "walltime",
      "01:00:00",
    ]];
    req.queue = spec.smallQueue === "prod" ? "tiny" : spec.smallQueue;
    req.script = `#SIM runtime=${rng.int(300, 3000)}\necho sweep point`;
    req.submitArguments = `-J ${range} ${req.submitArguments}`;
    trySubmit(complex, caller, req);
  }
  for (let k = 0; k < spec.chains; k++) {
    const user = rng.pick(users);
    const first = request(spec, rng, user);
    const head = trySubmit(complex, first.caller, first.req);
    if (!head) continue;
    let prev = head.id;
    for (let step = 0; step < rng.int(1, 3); step++) {
      const next = request(spec, rng, user, { depend: `afterok:${prev}` });
      const job = trySubmit(complex, next.caller, next.req);
      if (!job) break;
      prev = job.id;
    }
  }
}

function trySubmit(complex: Complex, caller: Caller, req: SubmitRequest): SimJob | undefined {
  try {
    const job = complex.submit(caller, req);
    // A job no routing destination accepts is gone at once (submit returns it all the same).
    return complex.hasJob(job.id) ? job : undefined;
  } catch {
    return undefined;
  }
}

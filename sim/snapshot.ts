/**
 * A complex as parsed PBS state, and back: `saveSnapshot` records what the
 * complex shows through its own clients (`qstat -Bf/-Qf/-f -F json`,
 * `pbsnodes -av -F json`, read with the PBS layer's parsers), `loadSnapshot`
 * builds a complex from such a snapshot, whether the simulator or a real
 * OpenPBS server produced it. A snapshot is plain JSON (`JSON.stringify` /
 * `JSON.parse` round-trip it).
 *
 * Restored: server settings (default queue, history, array size, default
 * resources, managers/operators), queues (type, enabled/started, priority,
 * limits, defaults, ACL, route destinations, max_run), nodes (resources,
 * sharing, queue, offline/down, comment), and the unfinished jobs with their
 * ids, owners, requests, holds, deferral, dependencies on other restored jobs,
 * and running jobs on the vnodes their exec_vnode names, started when they
 * started. Not restored (listed in `skipped`, with the reason): finished
 * jobs, arrays that have begun (their subjobs' states), exiting jobs.
 *
 * A real job's remaining runtime is unknown, so it runs until its walltime
 * (one hour without one); the simulator's own snapshots carry each job's plan
 * (remaining runtime, exit status) in `plans`.
 */

import type { Job, Node, Queue, ServerInfo } from "../src/pbs/model/types.ts";
import { parseJobsJson } from "../src/pbs/parse/jobs.ts";
import { parseNodesJson } from "../src/pbs/parse/nodes.ts";
import { parseQueuesJson } from "../src/pbs/parse/queues.ts";
import { parseServerJson } from "../src/pbs/parse/server.ts";
import { parseDuration } from "../src/pbs/model/time.ts";
import { Complex } from "./complex.ts";
import type { ComplexConfig, NodeConfig, QueueConfig } from "./config.ts";
import type { Caller, SubmitRequest } from "./model.ts";
import type { ResourceMap } from "./resources.ts";
import { SimRunner } from "./runner.ts";

export const SNAPSHOT_FORMAT = "pbs-sim-snapshot/1";

/** What a job will still do: seconds of runtime left and its exit status. */
export interface JobPlan {
  runtimeSeconds: number;
  exitCode: number;
}

export interface PbsStateSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** Epoch seconds at which the state was recorded. */
  time: number;
  server: ServerInfo;
  queues: Queue[];
  nodes: Node[];
  /** Unfinished jobs (array parents without their subjobs). */
  jobs: Job[];
  /** The simulator's own snapshots: each job's plan, by id. */
  plans?: Record<string, JobPlan>;
}

export interface LoadedComplex {
  complex: Complex;
  /** Jobs of the snapshot that were not restored, with why. */
  skipped: Array<{ id: string; reason: string }>;
}

/** Runtime assumed for a real job whose snapshot says nothing better: its walltime, else 1 h. */
const UNKNOWN_RUNTIME = 3600;
const ROOT: Caller = { user: "root", host: "localhost" };

// ---------------------------------------------------------------------------
// Saving.

/** Records the complex's current state as its clients show it to root. */
export async function saveSnapshot(complex: Complex): Promise<PbsStateSnapshot> {
  const runner = new SimRunner({ complex, user: "root" });
  const read = async (argv: string[]) => (await runner.run(argv)).stdout;
  const jobs = parseJobsJson(await read(["qstat", "-f", "-F", "json"]));
  const plans: Record<string, JobPlan> = {};
  for (const job of jobs) {
    const record = complex.findJob(job.id);
    const ran = record.stime !== undefined && (record.state === "R" || record.state === "S")
      ? complex.now() - record.stime
      : 0;
    plans[job.id] = {
      runtimeSeconds: Math.max(1, record.behaviour.runtimeSeconds - ran),
      exitCode: record.behaviour.exitCode,
    };
  }
  return {
    format: SNAPSHOT_FORMAT,
    time: complex.now(),
    server: parseServerJson(await read(["qstat", "-Bf", "-F", "json"])),
    queues: parseQueuesJson(await read(["qstat", "-Qf", "-F", "json"])),
    nodes: parseNodesJson(await read(["pbsnodes", "-av", "-F", "json"])),
    jobs,
    plans,
  };
}

// ---------------------------------------------------------------------------
// Loading.

/** Builds a complex in the snapshot's state; its clock starts at the snapshot's time. */
export function loadSnapshot(
  snapshot: PbsStateSnapshot,
  options: { seed?: number } = {},
): LoadedComplex {
  if (snapshot.format !== SNAPSHOT_FORMAT) {
    throw new Error(`not a ${SNAPSHOT_FORMAT} snapshot: ${String(snapshot.format)}`);
  }
  const complex = new Complex(configFromState(snapshot), {
    seed: options.seed ?? 1,
    startTime: snapshot.time,
  });
  const skipped: LoadedComplex["skipped"] = [];
  const loaded = new Set<string>();
  const bySeq = [...snapshot.jobs].sort((a, b) => seqOf(a.id) - seqOf(b.id));
  complex.quietly(() => {
    for (const job of bySeq) {
      const why = unrestorable(job);
      if (why) {
        skipped.push({ id: job.id, reason: why });
        continue;
      }
      try {
        restoreJob(complex, snapshot, job);
        loaded.add(job.id);
      } catch (error) {
        skipped.push({ id: job.id, reason: `refused on submission: ${(error as Error).message}` });
      }
    }
    for (const job of bySeq) {
      if (loaded.has(job.id) && job.depend) relinkDependencies(complex, job, loaded);
    }
  });
  const highest = Math.max(-1, ...snapshot.jobs.map((j) => seqOf(j.id)));
  complex.server.nextSeq = Math.max(complex.server.nextSeq, highest + 1);
  complex.schedule();
  return { complex, skipped };
}

function unrestorable(job: Job): string | undefined {
  if (job.state === "F" || job.state === "X") return "finished jobs are not restored";
  if (job.state === "E") return "an exiting job is not restored";
  if (job.array && job.state === "B") return "an array that has begun is not restored";
  if (job.arrayParent) return "subjobs come with their array";
  return undefined;
}

function seqOf(id: string): number {
  return Number(/^(\d+)/.exec(id)?.[1] ?? NaN);
}

function restoreJob(complex: Complex, snapshot: PbsStateSnapshot, job: Job): void {
  const plan = snapshot.plans?.[job.id];
  const walltime = parseDuration(String(job.requested.walltime ?? ""));
  const runtime = plan?.runtimeSeconds ?? Math.max(
    1,
    (walltime ?? UNKNOWN_RUNTIME) - (job.times.started ? snapshot.time - job.times.started : 0),
  );
  complex.server.nextSeq = seqOf(job.id);
  const caller: Caller = { user: job.user, host: job.owner.split("@")[1] ?? "localhost" };
  const sim = complex.submit(caller, requestOf(job, runtime, plan?.exitCode ?? 0));
  if (job.times.created !== undefined) {
    complex.backdateQueued(sim, snapshot.time - job.times.created);
  }
  const others = job.holdTypes.replace(/[nu]/g, "");
  if (others) complex.alterJob(ROOT, sim.id, { holds: job.holdTypes.replace("n", "") });
  if ((job.state === "R" || job.state === "S") && job.execVnode) {
    complex.startOn(sim, vnodeShares(job.execVnode), job.times.started ?? snapshot.time, runtime);
  }
}

/** What to submit again: the request as the user made it, derived values left out. */
function requestOf(job: Job, runtime: number, exitCode: number): SubmitRequest {
  const derived = new Set(["nodect"]);
  if (job.requested.select !== undefined) ["ncpus", "mem", "ngpus"].forEach((r) => derived.add(r));
  const resources = Object.entries(job.requested)
    .filter(([name]) => !derived.has(name))
    .map(([name, value]): [string, string] => [name, String(value)]);
  const request: SubmitRequest = {
    queue: job.queue,
    name: job.name,
    resources,
    account: job.account,
    priority: job.priority,
    hold: job.holdTypes.includes("u"),
    executionTime: job.times.executeAfter,
    arrayRange: job.array?.indicesSubmitted,
    variables: Object.entries(job.variables),
    outputPath: job.outputPath,
    errorPath: job.errorPath,
    joinPath: job.joinPath,
    script: `#SIM runtime=${Math.round(runtime)} exit=${exitCode}\n`,
    submitArguments: job.submitArguments ?? "",
    workdir: job.workdir ?? `/home/${job.user}`,
  };
  return request;
}

/** after* clauses on jobs that were restored too (before* ones are their mirror). */
function relinkDependencies(complex: Complex, job: Job, loaded: Set<string>): void {
  const clauses = job.depend!.split(",").map((clause) => {
    const [type, ...ids] = clause.split(":");
    return { type, ids: ids.map((id) => id.replace(/@.*$/, "")).filter((id) => loaded.has(id)) };
  }).filter((c) => c.type.startsWith("after") && c.ids.length > 0);
  if (clauses.length === 0) return;
  const depend = clauses.map((c) => [c.type, ...c.ids].join(":")).join(",");
  complex.alterJob(ROOT, job.id, { depend });
}

/** `(vm:ncpus=4:mem=1gb)+(n2:ncpus=2)` → one share per vnode. */
export function vnodeShares(execVnode: string) {
  return execVnode.replace(/[()]/g, "").split("+").filter(Boolean).map((part) => {
    const [node, ...pairs] = part.split(":");
    const value = (name: string) => pairs.find((p) => p.startsWith(`${name}=`))?.split("=")[1];
    return {
      node,
      ncpus: Number(value("ncpus") ?? 0),
      ngpus: Number(value("ngpus") ?? 0),
      memBytes: sizeBytes(value("mem")),
    };
  });
}

function sizeBytes(text: string | undefined): number {
  if (!text) return 0;
  const m = /^(\d+)(b|kb|mb|gb|tb)?$/i.exec(text);
  if (!m) return 0;
  const power = ["b", "kb", "mb", "gb", "tb"].indexOf((m[2] ?? "b").toLowerCase());
  return Number(m[1]) * 1024 ** power;
}

// ---------------------------------------------------------------------------
// Configuration from parsed state.

/** The ComplexConfig a snapshot's server, queues and nodes describe. */
export function configFromState(snapshot: PbsStateSnapshot): ComplexConfig {
  const { server } = snapshot;
  const a = server.attributes;
  const history = server.jobHistoryDuration ? parseDuration(server.jobHistoryDuration) : undefined;
  return {
    serverName: server.name,
    serverHost: server.host ?? server.name,
    version: server.version,
    defaultQueue: server.defaultQueue ?? snapshot.queues[0]?.name ?? "workq",
    jobHistoryEnable: server.jobHistoryEnable,
    jobHistoryDuration: history,
    maxArraySize: server.maxArraySize,
    resourcesDefault: { ...server.resourcesDefault } as ResourceMap,
    defaultChunk: prefixed(a, "default_chunk."),
    managers: listOf(a["managers"]),
    operators: listOf(a["operators"]),
    mailer: a["mailer"],
    mailFrom: a["mail_from"],
    queues: snapshot.queues.map(queueConfig),
    nodes: snapshot.nodes.map(nodeConfig),
  };
}

function queueConfig(q: Queue): QueueConfig {
  const maxRun = q.maxRun !== undefined && /^\d+$/.test(q.maxRun) ? Number(q.maxRun) : undefined;
  return {
    name: q.name,
    type: q.type === "Route" ? "Route" : "Execution",
    enabled: q.enabled,
    started: q.started,
    priority: q.priority,
    resourcesMax: { ...q.resourcesMax } as ResourceMap,
    resourcesMin: { ...q.resourcesMin } as ResourceMap,
    resourcesDefault: { ...q.resourcesDefault } as ResourceMap,
    maxRun,
    aclUsers: q.aclUserEnable ? q.aclUsers : undefined,
    routeDestinations: q.routeDestinations.length > 0 ? q.routeDestinations : undefined,
  };
}

function nodeConfig(n: Node): NodeConfig {
  const avail = n.resourcesAvailable;
  const flags = n.states.filter((s): s is "offline" | "down" => s === "offline" || s === "down");
  return {
    name: n.name,
    ncpus: Number(avail.ncpus ?? 0),
    ngpus: avail.ngpus !== undefined ? Number(avail.ngpus) : undefined,
    mem: String(avail.mem ?? "0kb"),
    pcpus: n.pcpus,
    mom: n.mom,
    host: avail.host !== undefined ? String(avail.host) : undefined,
    sharing: n.sharing,
    queue: n.queue,
    flags: flags.length > 0 ? flags : undefined,
    comment: n.comment,
  };
}

function prefixed(attributes: Record<string, string>, prefix: string): ResourceMap | undefined {
  const out: ResourceMap = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith(prefix)) {
      out[key.slice(prefix.length)] = /^\d+$/.test(value) ? Number(value) : value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function listOf(text: string | undefined): string[] | undefined {
  return text ? text.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
}

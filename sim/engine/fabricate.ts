/**
 * Scenario building and snapshots: making a freshly submitted job look older,
 * running it on given vnodes since a given time, or turning it into history.
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { type Caller, PBSE, SimError, type SimJob, type SubmitRequest } from "../model.ts";
import type { NodePool, NodeTake } from "../nodes.ts";
import type { Chunk } from "../resources.ts";
import { execVnodeText } from "../placement.ts";
import { jobRunDate } from "../output.ts";
import { keepInHistory } from "./history.ts";
import { admitFinished, admitsFinished, submit } from "./submit.ts";
import { isHistory } from "./job_state.ts";
import type { PendingRunTexts, RunTextName } from "./job_record_object.ts";
import { endSuffix, planEnd, resourcesUsed, startRun, WALLTIME_POLL_SECONDS } from "./lifecycle.ts";

/** A running job started `secondsAgo`; its end is re-planned accordingly. */
export function backdateRun(engine: EngineState, job: SimJob, secondsAgo: number): void {
  const record = job as JobRecord;
  if (record.state !== "R") return;
  const stime = engine.now() - secondsAgo;
  const waited = engine.rng.int(30, 4 * 3600);
  record.stime = stime;
  record.ctime = record.qtime = record.etime = stime - waited;
  record.mtime = stime;
  record.cpuLoad = 0.6 + engine.rng.next() * 0.4;
  record.comment = `Job run at ${jobRunDate(stime)} on ${record.execVnode}`;
  record.runToken++;
  const left = record.behaviour.runtimeSeconds - secondsAgo;
  planEnd(engine, record, left > 0 ? left : engine.rng.int(1, 900));
}

/**
 * Runs a just-submitted job on the given vnodes as if it started at
 * `startedAt`, ending `runtimeLeft` seconds from now (loading a snapshot:
 * the exec_vnode PBS recorded, sim/snapshot.ts).
 */
export function startOn(
  engine: EngineState,
  job: SimJob,
  shares: ReadonlyArray<{ node: string; ncpus: number; ngpus: number; memBytes: number }>,
  startedAt: number,
  runtimeLeft: number,
): void {
  const record = job as JobRecord;
  const takes: NodeTake[] = shares.map((share) => {
    const node = engine.pool.index.get(share.node);
    if (node === undefined) throw new SimError(PBSE.UNKNODE, share.node);
    return { node, ncpus: share.ncpus, ngpus: share.ngpus, memBytes: share.memBytes };
  });
  startRun(engine, record, takes);
  record.stime = startedAt;
  record.comment = `Job run at ${jobRunDate(startedAt)} on ${record.execVnode}`;
  record.runToken++;
  planEnd(engine, record, Math.max(1, runtimeLeft));
}

/** A queued/held job submitted `secondsAgo`. */
export function backdateQueued(engine: EngineState, job: SimJob, secondsAgo: number): void {
  const record = job as JobRecord;
  const t = engine.now() - secondsAgo;
  record.ctime = record.qtime = record.mtime = t;
  if (record.etime !== undefined) record.etime = t;
}

/**
 * Submits a request for a job that `fabricateFinished` makes history at once
 * (the scenario builder's background history): while the complex is quiet
 * and the request does not wait, `admitFinished` (the same checks, id, record
 * and routing as `submit`, but no place in the scheduling order: 18,000 jobs
 * the first cycle would sort and drop); otherwise `submit` itself. Undefined
 * when no routing destination accepts it.
 */
export function submitForHistory(
  engine: EngineState,
  caller: Caller,
  request: SubmitRequest,
): SimJob | undefined {
  if (engine.quiet && admitsFinished(request)) return admitFinished(engine, caller, request);
  const job = submit(engine, caller, request);
  return engine.byId.get(job.id) === job ? job : undefined;
}

/** Turns a just-submitted job into a history record that ended at `endedAt`. */
export function fabricateFinished(engine: EngineState, job: SimJob, endedAt: number): void {
  const record = job as JobRecord;
  if (record.array || isHistory(record)) return;
  const b = record.behaviour;
  const killed = record.walltime !== undefined &&
    b.runtimeSeconds > record.walltime + WALLTIME_POLL_SECONDS;
  const runtime = killed ? record.walltime! + WALLTIME_POLL_SECONDS : b.runtimeSeconds;
  const stime = endedAt - runtime;
  const firstNode = engine.rng.int(0, engine.pool.size - 1);
  record.ctime = record.qtime = record.etime = stime - engine.rng.int(30, 6 * 3600);
  record.stime = stime;
  if (record.takes.length > 0) record.takes = [];
  record.runCount = 1;
  record.sessionId = engine.rng.int(1000, 65000);
  record.cpuLoad = 0.6 + engine.rng.next() * 0.4;
  record.memUsedKb = engine.rng.int(1_000_000, 200_000_000);
  record.vmemUsedKb = record.memUsedKb + engine.rng.int(0, 5_000_000);
  record.used = resourcesUsed(record, runtime);
  record.exitStatus = killed ? -29 : b.exitCode;
  record.endKind = killed ? "walltime" : "normal";
  record.pendingRunTexts = new FabricatedRun(
    engine.pool,
    record.chunks,
    firstNode,
    stime,
    endSuffix(record),
  );
  record.obittime = record.mtime = endedAt;
  record.stagedOut = true;
  record.state = "F";
  record.substate = record.exitStatus === 0 ? 92 : 93;
  keepInHistory(engine, record, endedAt);
}

/** Where a fabricated run ran: one chunk per node from `firstNode` on, wrapping round. */
function fabricatedTakes(pool: NodePool, chunks: readonly Chunk[], firstNode: number): NodeTake[] {
  const takes: NodeTake[] = [];
  let node = firstNode;
  for (const c of chunks) {
    for (let k = 0; k < c.count; k++) {
      takes.push({ node, ncpus: c.ncpus, ngpus: c.ngpus, memBytes: c.memBytes });
      node = (node + 1) % pool.size;
    }
  }
  return takes;
}

/**
 * A fabricated run's `exec_vnode`, `exec_host` and comment, rendered on first
 * read (job_record_object.ts). Plain data, no closures: one small object per history job.
 */
class FabricatedRun implements PendingRunTexts {
  constructor(
    readonly pool: NodePool,
    readonly chunks: readonly Chunk[],
    readonly firstNode: number,
    /** When it started: the comment's date, rendered with it. */
    readonly stime: number,
    readonly endText: string,
  ) {}

  render(name: RunTextName): string {
    const pool = this.pool;
    const takes = fabricatedTakes(pool, this.chunks, this.firstNode);
    switch (name) {
      case "execVnode":
        return execVnodeText(pool, takes);
      case "execHost":
        return takes.map((t) => `${pool.nodes[t.node].name}/0*${t.ncpus}`).join("+");
      case "comment":
        return `Job run at ${jobRunDate(this.stime)} on ${
          execVnodeText(pool, takes)
        }${this.endText}`;
    }
  }
}

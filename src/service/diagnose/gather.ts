/**
 * Gathers the evidence for one job's diagnosis through PbsClient and runs the
 * rules (mod.ts). Every piece of evidence but the job itself is optional: a
 * diagnosis with less context beats an error.
 */
import { isPbsError } from "../../pbs/errors.ts";
import type { TraceEntry } from "../../pbs/parse/simple.ts";
import { isPending } from "../../pbs/model/states.ts";
import { parseSize } from "../../pbs/model/time.ts";
import type { Job, Node } from "../../pbs/model/types.ts";
import { firstSubjobId } from "../array_jobs.ts";
import type { PbsClient } from "../pbs_client.ts";
import { isUsableNode } from "../nodes.ts";
import { parseDependencies } from "./dependencies.ts";
import { diagnoseJob } from "./mod.ts";
import type { ClusterCapacity, DependencyTarget, Diagnosis, OutputTail } from "./types.ts";

/** Dependencies looked up one by one (one qstat each); more are listed unresolved. */
const MAX_DEPENDENCIES = 10;
/** Output read per stream: error signatures sit at the end. */
const TAIL_LINES = 80;
const TAIL_BYTES = 32 * 1024;
/** Days of logs tracejob searches at most (it reads one log file per day). */
const MAX_TRACE_DAYS = 30;

export interface GatheredDiagnosis {
  result: Diagnosis;
  /** Output streams whose tail was examined. */
  read: string[];
}

/**
 * Diagnoses one job. Runs: `qstat -fx -F json ID`, then at once (all cached
 * reads shared with other tools) `qstat -Qf`, `qstat -Bf`, `pbs_rstat -f`,
 * `qmgr -c 'list server'`, one `qstat -fx` per dependency (at most 10), and
 * `pbsnodes -a` for a waiting job or the output tails for a running or
 * finished one.
 */
export async function gatherDiagnosis(
  client: PbsClient,
  jobId: string,
): Promise<GatheredDiagnosis> {
  const job = await client.job(jobId);
  const pending = isPending(job.state);
  const [queues, server, reservations, identity, dependencies, capacity, outputs, trace] =
    await Promise
      .all([
        optional(client.queues()),
        optional(client.server()),
        optional(client.reservations()),
        optional(client.identity()),
        dependencyTargets(client, job),
        pending ? optional(client.nodes()).then((n) => n && capacityOf(n)) : undefined,
        pending ? { tails: [], problems: [] } : readOutputs(client, job),
        readTrace(client, job),
      ]);
  const result = diagnoseJob({
    job,
    queues,
    server,
    reservations,
    dependencies,
    outputs: outputs.tails,
    outputProblems: outputs.problems,
    ...trace,
    capacity,
    callerRole: identity?.role,
    readOnly: client.config.readOnly,
    caller: client.user,
    now: client.now() / 1000,
  });
  return { result, read: outputs.tails.map((t) => t.stream) };
}

/** Evidence that is nice to have: a failure to get it must not fail the diagnosis. */
async function optional<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch {
    return undefined;
  }
}

async function dependencyTargets(client: PbsClient, job: Job): Promise<DependencyTarget[]> {
  if (!job.depend) return [];
  const wanted = parseDependencies(job.depend).slice(0, MAX_DEPENDENCIES);
  return await Promise.all(wanted.map(async ({ type, jobId }) => {
    try {
      const target = await client.job(jobId);
      const found: DependencyTarget = { type, jobId: target.id, state: target.state };
      if (target.exitStatus !== undefined) found.exitStatus = target.exitStatus;
      return found;
    } catch (error) {
      if (isPbsError(error) && error.kind === "unknown_job") return { type, jobId };
      throw error;
    }
  }));
}

/**
 * The job's lines in this host's PBS logs, for the days since it was created
 * (at most MAX_TRACE_DAYS). tracejob reads local files: "Couldn't find Job Id"
 * means no logs of it on this host (a login node keeps none), not an unknown
 * job (tests/fixtures/golden/INDEX.md, tracejob notes).
 */
async function readTrace(
  client: PbsClient,
  job: Job,
): Promise<{ trace?: TraceEntry[]; traceProblem?: string }> {
  const now = client.now() / 1000;
  const since = job.times.created ?? job.times.queued ?? now;
  const days = Math.min(MAX_TRACE_DAYS, Math.max(1, Math.ceil((now - since) / 86_400) + 1));
  try {
    const entries = await client.jobLog(job.id, days);
    return { trace: entries.filter((e) => e.job === undefined || e.job === job.id) };
  } catch (error) {
    if (!isPbsError(error)) throw error;
    if (/Couldn't find Job Id/.test(error.pbsMessage ?? "")) {
      return {
        traceProblem: `tracejob found no lines for ${job.id} in this host's PBS logs of the ` +
          `last ${days} day(s): it reads only local log files, so on a login node this means ` +
          "the logs are on the PBS server host, not that the job is unknown.",
      };
    }
    return { traceProblem: `No log timeline: ${error.message}.` };
  }
}

/** The largest node decides whether a chunk can ever fit; usable nodes are counted. */
export function capacityOf(nodes: readonly Node[]): ClusterCapacity {
  const capacity: ClusterCapacity = {
    maxNodeNcpus: 0,
    maxNodeNgpus: 0,
    maxNodeMemBytes: 0,
    totalNcpus: 0,
    usableNodes: 0,
    maxUsableNodeNcpus: 0,
    maxUsableNodeNgpus: 0,
  };
  for (const node of nodes) {
    const ncpus = Number(node.resourcesAvailable.ncpus ?? 0) || 0;
    const ngpus = Number(node.resourcesAvailable.ngpus ?? 0) || 0;
    const mem = parseSize(String(node.resourcesAvailable.mem ?? "0")) ?? 0;
    capacity.maxNodeNcpus = Math.max(capacity.maxNodeNcpus, ncpus);
    capacity.maxNodeNgpus = Math.max(capacity.maxNodeNgpus, ngpus);
    capacity.maxNodeMemBytes = Math.max(capacity.maxNodeMemBytes, mem);
    capacity.totalNcpus += ncpus;
    if (isUsableNode(node)) {
      capacity.usableNodes++;
      capacity.maxUsableNodeNcpus = Math.max(capacity.maxUsableNodeNcpus ?? 0, ncpus);
      capacity.maxUsableNodeNgpus = Math.max(capacity.maxUsableNodeNgpus ?? 0, ngpus);
    }
  }
  return capacity;
}

/** The tails of stderr and stdout (one stream when joined); unreadable ones are noted, not fatal. */
async function readOutputs(
  client: PbsClient,
  job: Job,
): Promise<{ tails: OutputTail[]; problems: string[] }> {
  const tails: OutputTail[] = [];
  const problems: string[] = [];
  if (job.array && !job.arrayParent) {
    problems.push(
      `An array parent has no output of its own; diagnose a subjob (e.g. ${firstSubjobId(job)}).`,
    );
    return { tails, problems };
  }
  const streams: ("stderr" | "stdout")[] = job.joinPath === "oe"
    ? ["stdout"]
    : ["stderr", "stdout"];
  for (const stream of streams) {
    try {
      const output = await client.jobOutput(job.id, stream, TAIL_LINES, TAIL_BYTES);
      tails.push({ stream, text: output.text });
    } catch (error) {
      const why = isPbsError(error) ? error.message : String(error);
      problems.push(
        `Could not read the job's ${stream} (${why}); the diagnosis uses PBS's records only.`,
      );
    }
  }
  return { tails, problems };
}

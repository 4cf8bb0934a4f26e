/**
 * Live jobs for the start forecast from the two reads `list_jobs` and
 * `list_nodes` make, instead of `qstat -f -F json` (7 MB at Aurora scale):
 * each job's request from its `qstat -a -w` row, each running job's vnodes
 * from the `jobs` lists of `pbsnodes -a -F json`, its start from the row's
 * elapsed time. What the table does not carry is decided here, in one place:
 *
 * - The request becomes `select=NDS:ncpus=TSK/NDS`, `place=scatter` when
 *   NDS > 1 (NDS is `Resource_List.nodect`, the chunk count, which the table
 *   titles nodes; TSK `Resource_List.ncpus`). Memory and GPUs per chunk, the
 *   real `place` and any custom resource are not in the table: left out (the
 *   queue's and server's defaults apply as on a real submission). PBS cuts numbers wider than their column with `*`
 *   (job_table.ts): a cut TSK (10,000 cpus or more) is taken as whole nodes
 *   (the largest node's ncpus per chunk); a cut NDS leaves the job out.
 * - Start: now − elapsed, to the minute (`HH:MM`); an elapsed cut past 99
 *   hours (`100:0`) counts as 100 hours. A walltime cut the same way is
 *   taken as 100 hours too.
 * - Running jobs' shares of a node: the node's `resources_assigned` when it
 *   runs one job, else TSK/NDS cpus and an equal part of the assigned GPUs
 *   and memory. OpenPBS lists a job once per cpu slot (`ID/index` in text
 *   output, the id repeated in JSON: golden pbsnodes_a_json); the parser keeps
 *   each id once.
 * - Holds: a held job (`H`) keeps a user hold; which hold it is, and its
 *   dependencies, priority and PBS's `estimated.start_time` are not in the
 *   table (a queued job_id is read in full by the forecast).
 * - Ids cut at the column width are completed from the node lists or with
 *   the suffix the other ids carry.
 */
import type { Job, Node, Queue } from "../pbs/model/types.ts";
import { parseSize } from "../pbs/model/time.ts";
import type { JobRow } from "../pbs/parse/job_table.ts";

/** `100:0`: PBS cuts `HH:MM:SS` to five characters; past 99 hours the rest is lost. */
const CUT_HOURS = 100;

/** Unfinished jobs as `Job`s the snapshot loader takes, and the ones left out with why. */
export function jobsFromTable(
  rows: readonly JobRow[],
  nodes: readonly Node[],
  queues: readonly Queue[],
  now: number,
): { jobs: Job[]; left: Array<{ id: string; reason: string }> } {
  const placement = nodesBySeq(nodes);
  const suffix = idSuffix(rows, nodes);
  const widest = Math.max(1, ...nodes.map((n) => Number(n.resourcesAvailable.ncpus ?? 0)));
  const jobs: Job[] = [];
  const left: Array<{ id: string; reason: string }> = [];
  for (const row of rows) {
    if (row.state === "F" || row.state === "X") continue;
    const seq = seqOf(row.id);
    const placed = placement.get(seq);
    const id = placed?.id ??
      (row.idTruncated || !row.id.includes(".") ? `${seq}.${suffix}` : row.id);
    const cut = new Set(row.truncated ?? []);
    if (row.nodes === undefined || cut.has("nodes")) {
      left.push({ id, reason: "its node count is cut in the qstat -a table" });
      continue;
    }
    const chunks = row.nodes;
    const perChunk = cut.has("tasks") || row.tasks === undefined
      ? widest
      : Math.max(1, Math.ceil(row.tasks / chunks));
    const walltime = hoursMinutes(row.walltime);
    const requested: Job["requested"] = { select: `${chunks}:ncpus=${perChunk}` };
    // The column is PBS's node count: one chunk per node.
    if (chunks > 1) requested.place = "scatter";
    if (walltime !== undefined) requested.walltime = clock(walltime);
    const job: Job = {
      id,
      name: row.name,
      owner: `${row.user}@localhost`,
      user: row.user,
      state: row.state,
      queue: queueNamed(row.queue, cut.has("queue"), queues),
      holdTypes: row.state === "H" ? "u" : "n",
      requested,
      used: {},
      times: {},
      variables: {},
      attributes: {},
    };
    if (row.state === "R" || row.state === "S") {
      const elapsed = hoursMinutes(row.elapsed) ?? 0;
      job.times.started = now - elapsed;
      if (placed) job.execVnode = execVnode(placed.on, nodes, perChunk);
    }
    jobs.push(job);
  }
  return { jobs, left };
}

/** `HH:MM` → seconds; a cut value (`100:0`) → 100 hours; absent → undefined. */
function hoursMinutes(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d+):(\d\d)$/.exec(text);
  if (m) return (Number(m[1]) * 60 + Number(m[2])) * 60;
  return /^\d+:\d?$/.test(text) ? CUT_HOURS * 3600 : undefined;
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
}

function seqOf(id: string): string {
  return /^\d+(?:\[\d*\])?/.exec(id)?.[0] ?? id;
}

/** Per job sequence number: its full id and the nodes listing it. */
function nodesBySeq(nodes: readonly Node[]) {
  const bySeq = new Map<string, { id: string; on: number[] }>();
  nodes.forEach((node, index) => {
    for (const id of node.jobs) {
      const seq = seqOf(id);
      const entry = bySeq.get(seq) ?? { id, on: [] };
      entry.on.push(index);
      bySeq.set(seq, entry);
    }
  });
  return bySeq;
}

/** The `.server` part of ids: from a node's list (never cut), else from an uncut row. */
function idSuffix(rows: readonly JobRow[], nodes: readonly Node[]): string {
  const full = nodes.find((n) => n.jobs.length > 0)?.jobs[0] ??
    rows.find((r) => !r.idTruncated && r.id.includes("."))?.id ?? "";
  return full.slice(full.indexOf(".") + 1);
}

function queueNamed(name: string, cut: boolean, queues: readonly Queue[]): string {
  if (!cut) return name;
  const matches = queues.filter((q) => q.name.startsWith(name));
  return matches.length === 1 ? matches[0].name : name;
}

/** `(node:ncpus=N:ngpus=G:mem=Mkb)+...` for the job's share of each node listing it. */
function execVnode(on: readonly number[], nodes: readonly Node[], perChunk: number): string {
  return on.map((index) => {
    const node = nodes[index];
    const sharing = node.jobs.length;
    const assigned = node.resourcesAssigned;
    const ncpus = sharing === 1 && Number(assigned.ncpus ?? 0) > 0
      ? Number(assigned.ncpus)
      : perChunk;
    const ngpus = Math.floor(Number(assigned.ngpus ?? 0) / sharing);
    const mem = Math.floor((parseSize(String(assigned.mem ?? "0kb")) ?? 0) / 1024 / sharing);
    return `(${node.name}:ncpus=${ncpus}` + (ngpus > 0 ? `:ngpus=${ngpus}` : "") +
      (mem > 0 ? `:mem=${mem}kb` : "") + ")";
  }).join("+");
}

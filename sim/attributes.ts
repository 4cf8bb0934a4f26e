/**
 * The PBS view of each object as an ordered attribute list, exactly as
 * `qstat -f`, `qstat -Qf`, `qstat -Bf`, `pbsnodes -a` and `pbs_rstat -f`
 * print them (order from OpenPBS's attribute definition tables, presence per
 * state from the goldens). The front turns these into text, JSON or DSV.
 */
import { formatDuration, formatPbsTime } from "../src/pbs/model/time.ts";
import type { JobRecord } from "./job_record.ts";
import type { Attr, AttrList, AttrValue, SimJob, SimNode, SimQueue, SimServer } from "./model.ts";
import type { NodePool } from "./nodes.ts";
import { formatIndices } from "./ids.ts";
import { execVnodeText } from "./placement.ts";
import { kbText, type ResourceMap, sortedResources } from "./resources.ts";
import type { ResvRecord } from "./reservations.ts";

/** What the renderers read from the complex. */
export interface AttributeSource {
  readonly server: SimServer;
  readonly pool: NodePool;
  readonly defaultChunk: ResourceMap;
  readonly mailer: string;
  readonly mailFrom: string;
  now(): number;
  queues(): SimQueue[];
  allJobs(): Iterable<JobRecord>;
  holdingJobs(): Iterable<JobRecord>;
  assignedSeen(queue: string): Set<string>;
}

const str = (value: string): AttrValue => ({ kind: "str", value });
const int = (value: number): AttrValue => ({ kind: "int", value });
const bool = (value: boolean): AttrValue => str(value ? "True" : "False");
const time = (epoch: number): AttrValue => str(formatPbsTime(epoch));

class AttrBuilder {
  readonly list: AttrList = [];

  add(name: string, value: AttrValue | undefined, resource?: string): this {
    if (value === undefined) return this;
    const attr: Attr = resource === undefined ? { name, value } : { name, resource, value };
    this.list.push(attr);
    return this;
  }

  resources(name: string, entries: Iterable<[string, string | number]>): this {
    for (const [resource, value] of entries) {
      this.add(name, typeof value === "number" ? int(value) : str(value), resource);
    }
    return this;
  }
}

// ---------------------------------------------------------------------------
// Jobs.

/** `estimated.exec_vnode`, rendered from the promised takes only when shown. */
function estimatedVnodeText(pool: NodePool, job: JobRecord): AttrValue | undefined {
  const text = job.estimatedTakes ? execVnodeText(pool, job.estimatedTakes) : "";
  return text ? str(text) : undefined;
}

export function jobAttributes(src: AttributeSource, job: JobRecord): AttrList {
  const b = new AttrBuilder();
  const isSub = job.parentId !== undefined;
  const ran = job.runCount > 0;
  const history = job.state === "F" || job.state === "X";
  b.add("Job_Name", str(job.name)).add("Job_Owner", str(job.owner));
  if (ran && !job.array) b.resources("resources_used", usedEntries(job));
  b.add("job_state", str(job.state))
    .add("queue", str(job.queue))
    .add("server", str(src.server.name))
    .add("Account_Name", job.account !== undefined ? str(job.account) : undefined)
    .add("Checkpoint", isSub ? undefined : str("u"))
    .add("ctime", time(job.ctime))
    .add("depend", job.depend ? str(job.depend) : undefined)
    .add("Error_Path", str(job.errorPath))
    .add("exec_host", ran && job.execHost ? str(job.execHost) : undefined)
    .add("exec_vnode", ran && job.execVnode ? str(job.execVnode) : undefined)
    .add("Execution_Time", job.executionTime !== undefined ? time(job.executionTime) : undefined)
    .add("Hold_Types", isSub ? undefined : str(job.holds === "" ? "n" : job.holds))
    .add("Join_Path", str(job.joinPath))
    .add("Keep_Files", str(job.keepFiles))
    .add("Mail_Points", str(job.mailPoints))
    .add("Mail_Users", job.mailUsers ? str(job.mailUsers) : undefined)
    .add("mtime", time(job.mtime))
    .add("Output_Path", str(job.outputPath))
    .add("Priority", int(job.priority))
    .add("qtime", time(job.qtime))
    .add("Rerunable", bool(job.rerunnable))
    .resources("Resource_List", sortedResources(job.resources))
    .add("stime", job.stime !== undefined ? time(job.stime) : undefined)
    .add("obittime", job.obittime !== undefined ? time(job.obittime) : undefined)
    .add(
      "session_id",
      ran && job.sessionId !== undefined && !job.array ? int(job.sessionId) : undefined,
    )
    .add("jobdir", ran && !job.array ? str(job.homeDir) : undefined)
    .add("substate", int(job.substate))
    .add("Variable_List", { kind: "vars", value: job.variables })
    .add("comment", job.comment !== undefined ? str(job.comment) : undefined)
    .add("etime", job.etime !== undefined ? time(job.etime) : undefined)
    .add("reserve_ID", job.reservation ? str(job.reservation) : undefined)
    .add("run_count", ran && !job.array ? int(job.runCount) : undefined)
    .add("Stageout_status", job.stagedOut ? int(1) : undefined)
    .add(
      "Exit_status",
      job.stagedOut && job.exitStatus !== undefined ? int(job.exitStatus) : undefined,
    )
    .add("Submit_arguments", !isSub && job.submitArguments ? str(job.submitArguments) : undefined)
    .add("executable", job.command ? str(jsdl("Executable", job.command.slice(0, 1))) : undefined)
    .add(
      "argument_list",
      job.command && job.command.length > 1
        ? str(jsdl("Argument", job.command.slice(1)))
        : undefined,
    );
  if (job.array) addArrayParent(b, job);
  if (isSub) b.add("array_id", str(job.parentId!)).add("array_index", int(job.arrayIndex!));
  if (job.estimatedStartTime !== undefined) {
    b.add(
      "estimated",
      estimatedVnodeText(src.pool, job),
      "exec_vnode",
    )
      .add("estimated", time(job.estimatedStartTime), "start_time");
  }
  b.add(
    "history_timestamp",
    history && job.historyTime !== undefined ? int(job.historyTime) : undefined,
  )
    .add("project", str(job.project))
    .add("Submit_Host", str(job.submitHost))
    .add("max_run_subjobs", job.array?.limit !== undefined ? int(job.array.limit) : undefined);
  return b.list;
}

/**
 * A reservation's Resource_List in submission order, by name once it runs:
 * `select` before `place` while confirmed (pbs_rstat_f), `place` first when
 * running (pbs_rstat_f_running).
 */
function reservationResources(resv: ResvRecord): Array<[string, string | number]> {
  const entries = Object.entries(resv.resources);
  return resv.state === "RESV_RUNNING" ? entries.sort(([a], [b]) => a.localeCompare(b)) : entries;
}

/**
 * The command form's program and arguments as the server stores them: one JSDL
 * element per word (capture qstat_f_json_cmdform_running:
 * `<jsdl-hpcpa:Executable>/bin/sleep</jsdl-hpcpa:Executable>`).
 */
function jsdl(element: "Executable" | "Argument", words: readonly string[]): string {
  return words.map((w) => `<jsdl-hpcpa:${element}>${w}</jsdl-hpcpa:${element}>`).join("");
}

function usedEntries(job: JobRecord): Array<[string, string | number]> {
  const u = job.used;
  const ncpus = Number(job.resources.ncpus ?? 1);
  return [
    ["cpupercent", Number(u.cpupercent ?? 0)],
    ["cput", String(u.cput ?? "00:00:00")],
    ["mem", String(u.mem ?? "0kb")],
    ["ncpus", Number(u.ncpus ?? ncpus)],
    ["vmem", String(u.vmem ?? "0kb")],
    ["walltime", String(u.walltime ?? "00:00:00")],
  ];
}

function addArrayParent(b: AttrBuilder, job: JobRecord): void {
  const array = job.array!;
  const counts = { Queued: 0, Running: 0, Exiting: 0, Expired: 0 };
  const remaining: number[] = [];
  for (const index of array.indices) {
    const sub = array.subjobs.get(index)!;
    if (sub.state === "Q" || sub.state === "H" || sub.state === "W") {
      counts.Queued++;
      remaining.push(index);
    } else if (sub.state === "R" || sub.state === "S") counts.Running++;
    else if (sub.state === "E") counts.Exiting++;
    else if (sub.state === "X") counts.Expired++; // F once the array is done: Expired:0
  }
  const step = stepOf(array.range);
  b.add("array", str("True"))
    .add(
      "array_state_count",
      str(
        `Queued:${counts.Queued} Running:${counts.Running} Exiting:${counts.Exiting} Expired:${counts.Expired}`,
      ),
    )
    .add("array_indices_submitted", str(array.range))
    .add("array_indices_remaining", str(formatIndices(remaining, step)));
}

function stepOf(range: string): number {
  const m = /:(\d+)$/.exec(range);
  return m ? Number(m[1]) : 1;
}

// ---------------------------------------------------------------------------
// Queues and server.

interface Tally {
  total: number;
  counts: Record<string, number>;
}

const STATE_NAMES: Record<string, string> = {
  T: "Transit",
  Q: "Queued",
  H: "Held",
  W: "Waiting",
  R: "Running",
  S: "Running",
  E: "Exiting",
  B: "Begun",
};

function emptyCounts(): Record<string, number> {
  return { Transit: 0, Queued: 0, Held: 0, Waiting: 0, Running: 0, Exiting: 0, Begun: 0 };
}

function stateCountText(counts: Record<string, number>): string {
  return Object.entries(counts).map(([k, v]) => `${k}:${v}`).join(" ") + " ";
}

/** Per queue (key) and for the server (`""`): jobs and their state counts. */
function tally(src: AttributeSource): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const get = (key: string) => {
    let t = tallies.get(key);
    if (!t) tallies.set(key, t = { total: 0, counts: emptyCounts() });
    return t;
  };
  for (const job of src.allJobs()) {
    const history = job.state === "F" || job.state === "X";
    const server = get("");
    server.total++;
    if (history) continue;
    const name = STATE_NAMES[job.state];
    const queue = get(job.queue);
    queue.total++;
    if (name) {
      server.counts[name]++;
      queue.counts[name]++;
    }
  }
  return tallies;
}

function assigned(
  src: AttributeSource,
  queue: string | undefined,
): Array<[string, string | number]> {
  let mem = 0, ncpus = 0, nodect = 0, ngpus = 0;
  for (const job of src.holdingJobs()) {
    if (queue !== undefined && job.queue !== queue) continue;
    for (const t of job.takes) {
      mem += t.memBytes;
      ncpus += t.ncpus;
      ngpus += t.ngpus;
    }
    nodect += Number(job.resources.nodect ?? 1);
  }
  const seen = src.assignedSeen(queue ?? "");
  const out: Array<[string, string | number]> = [];
  if (seen.has("mem")) out.push(["mem", mem === 0 ? "0mb" : kbText(mem)]);
  if (seen.has("ncpus")) out.push(["ncpus", ncpus]);
  if (seen.has("ngpus")) out.push(["ngpus", ngpus]);
  if (seen.has("nodect")) out.push(["nodect", nodect]);
  return out;
}

export function queueAttributes(src: AttributeSource, queue: SimQueue): AttrList {
  const t = tally(src).get(queue.name) ?? { total: 0, counts: emptyCounts() };
  const b = new AttrBuilder();
  b.add("queue_type", str(queue.type))
    .add("Priority", queue.priority !== undefined ? int(queue.priority) : undefined)
    .add("total_jobs", int(t.total))
    .add("state_count", str(stateCountText(t.counts)))
    .add("max_running", queue.maxRun !== undefined ? int(queue.maxRun) : undefined)
    .add(
      "max_queued",
      queue.maxQueued !== undefined ? str(`[o:PBS_ALL=${queue.maxQueued}]`) : undefined,
    )
    .add("acl_user_enable", queue.aclUserEnable ? str("True") : undefined)
    .add("acl_users", queue.aclUserEnable ? str(queue.aclUsers.join(",")) : undefined)
    .resources("resources_max", Object.entries(queue.resourcesMax))
    .resources("resources_min", Object.entries(queue.resourcesMin))
    .resources("resources_default", Object.entries(queue.resourcesDefault))
    .resources("resources_assigned", assigned(src, queue.name))
    .add(
      "route_destinations",
      queue.type === "Route" ? str(queue.routeDestinations.join(",")) : undefined,
    )
    .add("enabled", bool(queue.enabled))
    .add("started", bool(queue.started));
  return b.list;
}

/** PBS's default job_history_duration (two weeks), which it does not print. */
const DEFAULT_HISTORY_SECONDS = 14 * 24 * 3600;

function listUnlessDefault(list: readonly string[], fallback: readonly string[]) {
  const same = list.length === fallback.length && list.every((v, i) => v === fallback[i]);
  return same ? undefined : str(list.join(","));
}

export function serverAttributes(src: AttributeSource): AttrList {
  const server = src.server;
  const t = tally(src).get("") ?? { total: 0, counts: emptyCounts() };
  const b = new AttrBuilder();
  b.add("server_state", str(server.scheduling ? "Active" : "Idle"))
    .add("server_host", str(server.host))
    .add("scheduling", bool(server.scheduling))
    .add("total_jobs", int(t.total))
    .add("state_count", str(stateCountText(t.counts)))
    // Unset on a fresh install (root is a manager regardless): printed only
    // when a site configured more than that.
    .add("managers", listUnlessDefault(server.managers, ["root@*"]))
    .add("operators", listUnlessDefault(server.operators, []))
    .add("default_queue", str(server.defaultQueue))
    .add("log_events", int(511))
    .add("mailer", str(src.mailer))
    .add("mail_from", str(src.mailFrom))
    .add("query_other_jobs", str("True"))
    .resources("resources_default", Object.entries(server.resourcesDefault))
    .resources("default_chunk", Object.entries(src.defaultChunk))
    .resources("resources_assigned", assigned(src, undefined))
    .add("scheduler_iteration", int(600))
    .add("resv_enable", str("True"))
    .add("node_fail_requeue", int(310))
    .add("max_array_size", int(server.maxArraySize))
    .add("resend_term_delay", int(5))
    .add("pbs_license_min", int(0))
    .add("pbs_license_max", int(2147483647))
    .add("pbs_license_linger_time", int(31536000))
    .add("license_count", str("Avail_Global:1000000 Avail_Local:1000000 Used:0 High_Use:0"))
    .add("pbs_version", str(server.version))
    .add("eligible_time_enable", str("False"))
    .add("job_history_enable", server.jobHistoryEnable ? str("True") : undefined)
    .add(
      "job_history_duration",
      server.jobHistoryDuration === DEFAULT_HISTORY_SECONDS
        ? undefined
        : str(formatDuration(server.jobHistoryDuration)),
    )
    .add("max_concurrent_provision", int(5))
    .add("clear_topjob_estimates_enable", str("False"))
    .add("max_job_sequence_id", int(9999999));
  return b.list;
}

// ---------------------------------------------------------------------------
// Nodes.

/**
 * `resources_assigned` carries every value including zeros, as the text form
 * prints them; JSON output omits the zero ones (INDEX section 3).
 */
export function nodeAttributes(src: AttributeSource, node: SimNode): AttrList {
  const pool = src.pool;
  const i = pool.index.get(node.name)!;
  const slots = pool.slotList(i);
  const distinct = [...new Set(slots.map(([id]) => id))];
  const b = new AttrBuilder();
  b.add("Mom", str(node.mom))
    .add("ntype", str("PBS"))
    .add("state", str(node.state.join(",")))
    .add("pcpus", int(node.pcpus))
    .add(
      "jobs",
      slots.length > 0
        ? { kind: "list", value: distinct, text: slots.map(([id, s]) => `${id}/${s}`).join(", ") }
        : undefined,
    )
    .add("resv", pool.resvs[i] ? str(pool.resvs[i]!.join(", ")) : undefined)
    .resources("resources_available", sortedResources(availableOf(node)))
    .resources("resources_assigned", assignedOnNode(pool, i, node))
    .add("queue", node.queue ? str(node.queue) : undefined)
    .add("comment", node.comment !== undefined ? str(node.comment) : undefined)
    .add("resv_enable", str("True"))
    .add("sharing", str(node.sharing))
    .add("license", str("l"))
    .add("last_state_change_time", int(node.lastStateChangeTime))
    .add(
      "last_used_time",
      node.lastUsedTime !== undefined || pool.lastUsed[i] > 0
        ? int(pool.lastUsed[i] || node.lastUsedTime!)
        : undefined,
    );
  return b.list;
}

function availableOf(node: SimNode): ResourceMap {
  const available: ResourceMap = { ...node.extra, mem: kbText(node.memBytes), ncpus: node.ncpus };
  if (node.ngpus > 0) available.ngpus = node.ngpus;
  return available;
}

function assignedOnNode(
  pool: NodePool,
  i: number,
  node: SimNode,
): Array<[string, string | number]> {
  const entries: Array<[string, string | number]> = [
    ["accelerator_memory", "0kb"],
    ["hbmem", "0kb"],
    ["mem", kbText(pool.totalMem[i] - pool.free.mem[i])],
    ["naccelerators", 0],
    ["ncpus", pool.totalCpus[i] - pool.free.cpus[i]],
  ];
  if (node.ngpus > 0) entries.push(["ngpus", pool.totalGpus[i] - pool.free.gpus[i]]);
  entries.push(["vmem", "0kb"]);
  return entries;
}

// ---------------------------------------------------------------------------
// Reservations.

export function reservationAttributes(src: AttributeSource, resv: ResvRecord): AttrList {
  const b = new AttrBuilder();
  const vars: Array<[string, string]> = [["PBS_O_LOGNAME", resv.user], [
    "PBS_O_HOST",
    resv.submitHost,
  ]];
  if (resv.rrule) vars.push(["PBS_TZID", "Etc/UTC"]);
  b.add("Reserve_Name", str(resv.name ?? "NULL"))
    .add("Reserve_Owner", str(resv.owner))
    .add("reserve_state", str(resv.state))
    .add("reserve_substate", int(resv.substate))
    .add("reserve_start", time(resv.start))
    .add("reserve_end", time(resv.end))
    .add("reserve_duration", int(resv.end - resv.start))
    .add("queue", str(resv.queue))
    .resources("Resource_List", reservationResources(resv))
    .add(
      "resv_nodes",
      resv.takes.length > 0 ? str(execVnodeOf(src.pool, resv)) : undefined,
    )
    .add("Authorized_Users", str(resv.authorizedUsers.join(",")))
    .add("server", str(src.server.name))
    .add("ctime", time(resv.ctime))
    .add("mtime", time(resv.mtime))
    .add("Variable_List", { kind: "vars", value: vars })
    .add("reserve_rrule", resv.rrule ? str(resv.rrule) : undefined)
    .add("reserve_index", resv.rrule ? int(resv.index) : undefined)
    .add("reserve_count", int(resv.count))
    .add("Submit_Host", str(resv.submitHost))
    .add("partition", str("pbs-default"));
  return b.list;
}

function execVnodeOf(pool: NodePool, resv: ResvRecord): string {
  return resv.takes.map((t) => {
    const parts = [`${pool.nodes[t.node].name}:ncpus=${t.ncpus}`];
    if (t.ngpus > 0) parts.push(`ngpus=${t.ngpus}`);
    if (t.memBytes > 0) parts.push(`mem=${kbText(t.memBytes)}`);
    return `(${parts.join(":")})`;
  }).join("+");
}

/** For tests and the front: a job's attribute value by name (and resource). */
export function attrValue(list: AttrList, name: string, resource?: string): AttrValue | undefined {
  return list.find((a) => a.name === name && a.resource === resource)?.value;
}

export type { SimJob };

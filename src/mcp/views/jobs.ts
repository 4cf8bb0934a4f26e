/**
 * What the job tools show of a Job: compact list rows, the curated status
 * view, per-state counts, and the zod shapes that describe them.
 *
 * Sizes matter more than completeness here: a site like Aurora has tens of
 * thousands of jobs and 10,000-node jobs, so lists carry only what tells jobs
 * apart, host lists are cut to their first few names, and the bulky
 * attributes (exec_vnode, Variable_List) appear only on request, capped.
 */
import { z } from "zod";
import { compactExecHost, compressHostList, execHosts } from "../../pbs/model/exec_host.ts";
import { describeExitStatus } from "../../pbs/model/exit_status.ts";
import { describeHolds, describeJobState } from "../../pbs/model/states.ts";
import { commandJobId, type JobRow } from "../../pbs/parse/job_table.ts";
import type { Job, ResourceMap } from "../../pbs/model/types.ts";

/** Hosts named in a status view; the rest are counted. */
const FIRST_HOSTS = 4;
/** Longest single value shown in a status view (a select for 500 chunk types is not useful). */
const MAX_VALUE_CHARS = 300;
/** Job names in list rows are cut here; get_job_status shows the whole name. */
const MAX_ROW_NAME = 32;
/**
 * Budget for the bulk fields of `detail: full`: they appear in the text and
 * in the structured content, and the whole answer must stay under 25,000.
 */
const MAX_FULL_CHARS = 9_500;

// ---------------------------------------------------------------------------
// Small conversions.

/** Epoch seconds → ISO 8601 (UTC); undefined stays undefined. */
export function isoTime(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function cutValues(map: ResourceMap): ResourceMap {
  const out: ResourceMap = {};
  for (const [name, value] of Object.entries(map)) {
    out[name] = typeof value === "string" ? cut(value, MAX_VALUE_CHARS) : value;
  }
  return out;
}

/** Drops undefined fields so the structured answer carries no `undefined` noise. */
function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as T;
}

// ---------------------------------------------------------------------------
// List rows.

const pbsValue = z.union([z.string(), z.number(), z.boolean()]);
const resourceMap = z.record(z.string(), pbsValue);

export const JobRowShape = z.object({
  id: z.string(),
  name: z.string().describe("Cut names end in *"),
  user: z.string(),
  state: z.string(),
  queue: z.string(),
  nodes: z.number().optional(),
  wall: z.string().optional().describe("Requested, HH:MM"),
  elapsed: z.string().optional(),
});
export type JobRowView = z.infer<typeof JobRowShape>;

/** A listed job's id, usable with qstat/qdel even when qstat -a cut it (its sequence number). */
export function rowId(row: JobRow): string {
  return commandJobId(row) ?? row.id;
}

/** One line of a job list: enough to tell jobs apart and pick one to look at. */
export function jobRow(row: JobRow): JobRowView {
  const name = row.nameTruncated ? `${row.name}*` : row.name;
  return defined({
    id: rowId(row),
    name: cut(name, MAX_ROW_NAME),
    user: row.user,
    state: row.state,
    queue: row.queue,
    nodes: row.nodes,
    wall: row.walltime,
    elapsed: row.elapsed,
  });
}

/** The column header over job lines (jobLine). */
export const JOB_LINE_HEADER = "id name user state queue nodes walltime elapsed";

/** One job row as a text line under JOB_LINE_HEADER; `-` where PBS shows nothing. */
export function jobLine(row: JobRowView): string {
  return [
    row.id,
    row.name,
    row.user,
    row.state,
    row.queue,
    row.nodes ?? "-",
    row.wall ?? "-",
    row.elapsed ?? "-",
  ].join(" ");
}

/** Job count per state letter, letters in PBS's usual display order. */
export function countByState(jobs: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const job of jobs) counts[job.state] = (counts[job.state] ?? 0) + 1;
  const order = "QHWTRESUBFXM";
  return Object.fromEntries(
    Object.entries(counts).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)),
  );
}

/** `R 12, Q 40, H 3` for text blocks. */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([state, n]) => `${state} ${n}`);
  return parts.length ? parts.join(", ") : "none";
}

// ---------------------------------------------------------------------------
// The status view.

const ExitShape = z.object({
  code: z.number(),
  category: z.string(),
  meaning: z.string(),
});

export const JobStatusShape = {
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  state: z.string(),
  state_name: z.string(),
  state_meaning: z.string(),
  queue: z.string(),
  account: z.string().optional(),
  project: z.string().optional(),
  priority: z.number().optional(),
  requested: resourceMap,
  used: resourceMap,
  times: z.object({
    created: z.string().optional(),
    eligible: z.string().optional(),
    started: z.string().optional(),
    finished: z.string().optional(),
    start_after: z.string().optional(),
    estimated_start: z.string().optional(),
  }).describe("ISO 8601, UTC"),
  nodes: z.object({
    count: z.number(),
    first: z.array(z.string()),
    more: z.number(),
  }).optional(),
  comment: z.string().optional(),
  holds: z.array(z.string()),
  depend: z.string().optional(),
  array: z.object({
    indices: z.string().optional(),
    remaining: z.string().optional(),
    counts: z.record(z.string(), z.number()),
  }).optional(),
  array_parent: z.string().optional(),
  array_index: z.number().optional(),
  output_path: z.string().optional(),
  error_path: z.string().optional(),
  join: z.string().optional(),
  exit: ExitShape.optional(),
  run_count: z.number().optional(),
  hosts: z.string().optional().describe("detail: full"),
  exec_vnode: z.string().optional(),
  variables: z.record(z.string(), z.string()).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  omitted: z.array(z.string()).optional(),
};
export type JobStatus = z.infer<z.ZodObject<typeof JobStatusShape>>;

/** The curated view of one job; `full` adds the bulky attributes, capped. */
export function jobStatusView(job: Job, detail: "summary" | "full"): JobStatus {
  const state = describeJobState(job.state);
  const summary: JobStatus = defined({
    id: job.id,
    name: job.name,
    owner: job.owner,
    state: job.state,
    state_name: state.name,
    state_meaning: state.meaning,
    queue: job.queue,
    account: job.account,
    project: job.project,
    priority: job.priority,
    requested: cutValues(job.requested),
    used: cutValues(job.used),
    times: defined({
      created: isoTime(job.times.created),
      eligible: isoTime(job.times.eligible),
      started: isoTime(job.times.started),
      finished: isoTime(job.times.finished),
      start_after: isoTime(job.times.executeAfter),
      estimated_start: isoTime(job.times.estimatedStart),
    }),
    nodes: job.execHost ? nodesView(job.execHost) : undefined,
    // PBS writes the whole vnode list into `Job run at ... on (...)`: 70,000 characters on Aurora.
    comment: job.comment === undefined ? undefined : cut(job.comment, MAX_VALUE_CHARS),
    holds: describeHolds(job.holdTypes),
    depend: job.depend,
    array: job.array
      ? defined({
        indices: job.array.indicesSubmitted,
        remaining: job.array.indicesRemaining,
        counts: job.array.stateCount,
      })
      : undefined,
    array_parent: job.arrayParent,
    array_index: job.arrayIndex,
    output_path: job.outputPath,
    error_path: job.errorPath,
    join: job.joinPath && job.joinPath !== "n" ? job.joinPath : undefined,
    exit: job.exitStatus !== undefined ? exitView(job.exitStatus) : undefined,
    run_count: job.runCount,
  });
  return detail === "full" ? { ...summary, ...bulkFields(job) } : summary;
}

function nodesView(execHost: string): { count: number; first: string[]; more: number } {
  const hosts = compactExecHost(execHost, FIRST_HOSTS);
  return { count: hosts.nodeCount, first: hosts.hosts, more: hosts.more };
}

export function exitView(code: number): z.infer<typeof ExitShape> {
  const info = describeExitStatus(code);
  return { code, category: info.category, meaning: info.meaning };
}

/**
 * The compressed host list, exec_vnode, Variable_List and every attribute,
 * filled in that order until the budget is spent; whatever does not fit is
 * named in `omitted`.
 */
function bulkFields(
  job: Job,
): Pick<JobStatus, "hosts" | "exec_vnode" | "variables" | "attributes" | "omitted"> {
  let budget = MAX_FULL_CHARS;
  const omitted: string[] = [];
  const take = (name: string, value: string): boolean => {
    const size = name.length + value.length + 6;
    if (size > budget) {
      omitted.push(name);
      return false;
    }
    budget -= size;
    return true;
  };
  const hostList = job.execHost ? compressHostList(execHosts(job.execHost)) : undefined;
  const hosts = hostList && take("hosts", hostList) ? hostList : undefined;
  const execVnode = job.execVnode && take("exec_vnode", job.execVnode) ? job.execVnode : undefined;
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.variables)) {
    if (take(`Variable_List.${name}`, value)) variables[name] = value;
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.attributes)) {
    // Already shown above in full or as their own field.
    if (name === "exec_vnode" || name.startsWith("Variable_List")) continue;
    if (take(name, value)) attributes[name] = value;
  }
  return defined({
    hosts,
    exec_vnode: execVnode,
    variables,
    attributes,
    omitted: omitted.length ? omitted : undefined,
  });
}

/** `k=v k=v` for a resource map. */
function pairs(map: Record<string, string | number | boolean>): string {
  return Object.entries(map).map(([k, v]) => `${k}=${v}`).join(" ");
}

/**
 * The status view as text, complete on its own (some clients forward only
 * the text): every field of the view, one concept per line.
 */
export function jobStatusText(view: JobStatus): string {
  const lines = [`${view.id} "${view.name}" (${view.owner}): ${view.state} ${view.state_name}`];
  lines.push(view.state_meaning);
  const where = [
    `queue ${view.queue}`,
    view.account ? `account ${view.account}` : undefined,
    view.project ? `project ${view.project}` : undefined,
    view.priority !== undefined ? `priority ${view.priority}` : undefined,
  ].filter((p) => p !== undefined);
  lines.push(where.join(", "));
  if (Object.keys(view.requested).length) lines.push(`requested ${pairs(view.requested)}`);
  if (Object.keys(view.used).length) lines.push(`used ${pairs(view.used)}`);
  const times = Object.entries(view.times).map(([k, v]) => `${k} ${v}`);
  if (times.length) lines.push(`times (UTC): ${times.join(", ")}`);
  if (view.nodes) {
    const more = view.nodes.more ? ` +${view.nodes.more} more` : "";
    lines.push(`on ${view.nodes.count} node(s): ${view.nodes.first.join(", ")}${more}`);
  }
  if (view.holds.length) lines.push(`holds: ${view.holds.join(", ")}`);
  if (view.depend) lines.push(`depends on ${view.depend}`);
  if (view.array) {
    lines.push(
      `array ${view.array.indices ?? ""}${
        view.array.remaining ? ` (remaining ${view.array.remaining})` : ""
      }: ${formatCounts(view.array.counts)}`,
    );
  }
  if (view.array_parent) lines.push(`subjob ${view.array_index ?? ""} of ${view.array_parent}`);
  if (view.comment) lines.push(`comment: ${view.comment}`);
  if (view.exit) lines.push(`exit ${view.exit.code} (${view.exit.category}): ${view.exit.meaning}`);
  if (view.run_count !== undefined) lines.push(`run count ${view.run_count}`);
  if (view.output_path) lines.push(`stdout ${view.output_path}`);
  if (view.error_path) lines.push(`stderr ${view.error_path}`);
  if (view.join) lines.push(`join ${view.join}`);
  if (view.hosts) lines.push(`hosts ${view.hosts}`);
  if (view.exec_vnode) lines.push(`exec_vnode ${view.exec_vnode}`);
  for (const [k, v] of Object.entries(view.variables ?? {})) lines.push(`Variable_List.${k}=${v}`);
  for (const [k, v] of Object.entries(view.attributes ?? {})) lines.push(`${k} = ${v}`);
  if (view.omitted?.length) lines.push(`left out to stay small: ${view.omitted.join(", ")}`);
  return lines.join("\n");
}

/**
 * What the node tools and resources show of nodes: compact rows, a summary of
 * the whole complex, and a node's markdown page.
 *
 * Size rules the design: Aurora has 10,624 nodes, so a node row carries only
 * what tells nodes apart (state, free/total cpus and gpus, job count, a short
 * comment); the whole of a node is on its own page.
 */
import { z } from "zod";
import { classifyNodeState } from "../../pbs/model/states.ts";
import type { NodeBucket } from "../../pbs/model/states.ts";
import type { Node, ResourceMap } from "../../pbs/model/types.ts";
import { isUsableNode } from "../../service/nodes.ts";
import { isoTime } from "./jobs.ts";
import { asNumber, asText, cappedList, cut, defined } from "./values.ts";

/** Longest node comment in a row; pbs://node/{name} shows the whole one. */
const MAX_ROW_COMMENT = 60;

/** Free and total of one consumable resource on one node. */
function freeTotal(node: Node, resource: string): { free: number; total: number } {
  const total = asNumber(node.resourcesAvailable[resource]);
  const assigned = asNumber(node.resourcesAssigned[resource]);
  // Down and offline nodes take no new work, so nothing on them counts as free.
  return { free: isUsableNode(node) ? Math.max(0, total - assigned) : 0, total };
}

export const NodeSummaryShape = z.object({
  nodes: z.object({
    total: z.number(),
    free: z.number(),
    busy: z.number(),
    offline: z.number(),
    down: z.number(),
  }),
  cpus: z.object({ total: z.number(), free: z.number() }),
  gpus: z.object({ total: z.number(), free: z.number() }),
});
export type NodeSummary = z.infer<typeof NodeSummaryShape>;

export function summarizeNodes(nodes: readonly Node[]): NodeSummary {
  const summary: NodeSummary = {
    nodes: { total: nodes.length, free: 0, busy: 0, offline: 0, down: 0 },
    cpus: { total: 0, free: 0 },
    gpus: { total: 0, free: 0 },
  };
  for (const node of nodes) {
    summary.nodes[classifyNodeState(node.states)]++;
    for (const [resource, key] of [["ncpus", "cpus"], ["ngpus", "gpus"]] as const) {
      const { free, total } = freeTotal(node, resource);
      summary[key].total += total;
      summary[key].free += free;
    }
  }
  return summary;
}

export function nodeSummaryText(summary: NodeSummary): string {
  const n = summary.nodes;
  const lines = [
    `${n.total} nodes: ${n.free} free, ${n.busy} busy, ${n.offline} offline, ${n.down} down`,
    `cpus ${summary.cpus.free}/${summary.cpus.total} free`,
  ];
  if (summary.gpus.total > 0) lines[1] += `, gpus ${summary.gpus.free}/${summary.gpus.total} free`;
  return lines.join("\n");
}

export const NodeRowShape = z.object({
  name: z.string(),
  state: z.string(),
  cpus: z.string().describe("free/total"),
  gpus: z.string().optional(),
  jobs: z.number(),
  comment: z.string().optional(),
});
export type NodeRow = z.infer<typeof NodeRowShape>;

export function nodeRow(node: Node): NodeRow {
  const cpus = freeTotal(node, "ncpus");
  const gpus = freeTotal(node, "ngpus");
  return defined({
    name: node.name,
    state: node.states.join(",") || "unknown",
    cpus: `${cpus.free}/${cpus.total}`,
    gpus: gpus.total > 0 ? `${gpus.free}/${gpus.total}` : undefined,
    jobs: node.jobs.length,
    comment: node.comment ? cut(node.comment, MAX_ROW_COMMENT) : undefined,
  });
}

/** The column header over node lines (nodeLine). */
export const NODE_LINE_HEADER = "name state cpus_free/total gpus_free/total jobs — comment";

/** One node row as a text line under NODE_LINE_HEADER; `-` for nodes without GPUs. */
export function nodeLine(row: NodeRow): string {
  const line = [row.name, row.state, row.cpus, row.gpus ?? "-", row.jobs].join(" ");
  return row.comment ? `${line} — ${row.comment}` : line;
}

export function nodeBucket(node: Node): NodeBucket {
  return classifyNodeState(node.states);
}

/** Everything worth knowing about one node, for pbs://node/{name}. */
export function nodeMarkdown(node: Node): string {
  const row = nodeRow(node);
  const lines = [
    `# Node ${node.name}`,
    "",
    `- state: ${row.state} (${nodeBucket(node)})`,
    `- cpus free/total: ${row.cpus}`,
  ];
  if (row.gpus) lines.push(`- gpus free/total: ${row.gpus}`);
  const mem = asText(node.resourcesAvailable.mem);
  if (mem) lines.push(`- memory: ${mem}`);
  if (node.mom) lines.push(`- mom: ${node.mom}`);
  if (node.queue) lines.push(`- queue: ${node.queue}`);
  if (node.sharing) lines.push(`- sharing: ${node.sharing}`);
  if (node.comment) lines.push(`- comment: ${cut(node.comment, 500)}`);
  if (node.lastStateChange) lines.push(`- last state change: ${isoTime(node.lastStateChange)}`);
  const jobs = cappedList(node.jobs, 50);
  lines.push(
    `- jobs (${node.jobs.length}): ${jobs.items.join(", ") || "none"}${
      jobs.more ? ` … ${jobs.more} more` : ""
    }`,
  );
  if (node.reservations.length) lines.push(`- reservations: ${node.reservations.join(", ")}`);
  lines.push("", "## resources_available", ...resourceLines(node.resourcesAvailable));
  return lines.join("\n");
}

function resourceLines(map: ResourceMap): string[] {
  const entries = Object.entries(map);
  if (entries.length === 0) return ["- (none)"];
  return entries.slice(0, 40).map(([k, v]) => `- ${k} = ${cut(String(v), 200)}`);
}
